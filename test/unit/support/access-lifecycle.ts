/**
 * An AccessLifecycle for unit tests: memory stores, no jobs, no ports, and a notifier and
 * messenger that drop every message, unless the test passes its own. Each test then builds only
 * the part it observes.
 */
import type { Clock } from '../../../src/domain/ports';
import { AccessLifecycle } from '../../../src/flows/access-lifecycle';
import type { SecretRunnerPorts } from '../../../src/flows/secret-runner';
import { MemoryAuditLog, MemoryRequestStore } from '../../../src/integrations/store/memory-stores';
import { createLogger } from '../../../src/observability/logger';

type Parts = ConstructorParameters<typeof AccessLifecycle>;

/** What a test may give the lifecycle instead of the quiet defaults. */
export interface LifecycleParts {
  store?: Parts[0];
  audit?: Parts[1];
  jobs?: Parts[3];
  ports?: Parts[4];
  /** What tells the requester and the approvers (reminders, ends); silent by default. */
  messenger?: Parts[6];
  /** Added to `{ remindersMs: [] }`. */
  settings?: Partial<Parts[8]>;
}

/** Tells no one anything: no card updates, no messages. */
const silent = {
  requestChanged: async () => undefined,
  tellRequester: async () => undefined,
  reportToApprovers: async () => undefined,
};

/** Schedules nothing and finds no job. */
const noJobs = {
  schedule: async () => undefined,
  // Finds no job, so every job is absent: "written" (as `schedule` writes, nowhere).
  scheduleIfAbsent: async () => true,
  cancel: async () => undefined,
  get: async () => undefined,
};

/** A lifecycle on `clock` with no reminders; `parts` replaces the quiet defaults. */
export function quietLifecycle(clock: Clock, parts: LifecycleParts = {}): AccessLifecycle {
  return new AccessLifecycle(
    parts.store ?? new MemoryRequestStore(),
    parts.audit ?? new MemoryAuditLog(clock),
    clock,
    parts.jobs ?? noJobs,
    parts.ports ?? ({} as SecretRunnerPorts),
    silent,
    parts.messenger ?? silent,
    createLogger({ level: 'silent' }),
    { remindersMs: [], ...parts.settings },
  );
}
