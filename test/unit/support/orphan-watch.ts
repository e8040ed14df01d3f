/**
 * The orphan watch's unit-test world: the lifecycle dependencies a look reads (a store, the audit
 * log, a clock, a role-assignment port the test fakes) with the jobs it schedules recorded, and a
 * watch job due now with a window of `days`.
 */
import type { AuditLog, RequestStore, ScheduledJob } from '../../../src/domain/ports';
import type { LifecycleDeps } from '../../../src/flows/access-lifecycle-deps';
import { ORPHAN_WATCH_KIND, orphanWatchJobId } from '../../../src/flows/orphan-watch';
import type { JobSpec } from '../../../src/flows/scheduler';
import { MemoryAuditLog } from '../../../src/integrations/store/memory-stores';
import { createLogger } from '../../../src/observability/logger';
import type { FakeClock } from './fake-clock';

const DAY = 24 * 60 * 60 * 1000;

/** What a look of the watch is given; `scheduled` collects the jobs it schedules. */
export function watchDeps(parts: {
  store: RequestStore;
  clock: FakeClock;
  roleAssignments: object;
  scheduled: JobSpec[];
  audit?: AuditLog;
}): LifecycleDeps {
  return {
    store: parts.store,
    audit: parts.audit ?? new MemoryAuditLog(parts.clock),
    clock: parts.clock,
    log: createLogger({ level: 'silent' }),
    settings: { remindersMs: [] },
    jobs: { schedule: async (job: JobSpec) => void parts.scheduled.push(job) },
    ports: { roleAssignments: parts.roleAssignments },
  } as unknown as LifecycleDeps;
}

/** The watch job of `requestId`, due now, its window ending `days` from now. */
export function watchJob(requestId: string, clock: FakeClock, days = 30): ScheduledJob {
  return {
    id: orphanWatchJobId(requestId),
    kind: ORPHAN_WATCH_KIND,
    dueAt: clock.now().toISOString(),
    requestId,
    payload: { until: new Date(clock.now().getTime() + days * DAY).toISOString() },
    attempts: 0,
  } as ScheduledJob;
}
