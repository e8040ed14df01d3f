/**
 * An AccessLifecycle for unit tests: memory stores, no jobs, no ports, and a notifier and
 * messenger that drop every message, unless the test passes its own. Each test then builds only
 * the part it observes, from the parts below (recording jobs, a messenger that tells, a fake
 * role-assignment port, a succeeded grant, its end job).
 */
import type { GrantPlan } from '../../../src/domain/plan';
import type { Clock, ScheduledJob } from '../../../src/domain/ports';
import type { AccessRequest } from '../../../src/domain/request';
import { accessExpiryJobId } from '../../../src/flows/access-jobs';
import { AccessLifecycle } from '../../../src/flows/access-lifecycle';
import type { JobSpec } from '../../../src/flows/scheduler';
import type { SecretRunnerPorts } from '../../../src/flows/secret-runner';
import { MemoryAuditLog, MemoryRequestStore } from '../../../src/integrations/store/memory-stores';
import { createLogger } from '../../../src/observability/logger';
import { FakeClock, HOUR } from './fake-clock';
import { APPROVER, pendingRequest } from './requests';

type Parts = ConstructorParameters<typeof AccessLifecycle>;

/** What a test may give the lifecycle instead of the quiet defaults. */
export interface LifecycleParts {
  store?: Parts[0];
  audit?: Parts[1];
  jobs?: Parts[3];
  ports?: Parts[4];
  /** What redraws the request's cards; silent by default. */
  notifier?: Parts[5];
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
    parts.notifier ?? silent,
    parts.messenger ?? silent,
    createLogger({ level: 'silent' }),
    { remindersMs: [], ...parts.settings },
  );
}

type Jobs = NonNullable<LifecycleParts['jobs']>;

/** Jobs that record every job scheduled in `written`; `get` finds none unless given. */
export function recordingJobs(get: Jobs['get'] = async () => undefined): { jobs: Jobs; written: JobSpec[] } {
  const written: JobSpec[] = [];
  const jobs: Jobs = {
    schedule: async (job: JobSpec) => {
      written.push(job);
    },
    scheduleIfAbsent: async () => true,
    cancel: async () => undefined,
    get,
  };
  return { jobs, written };
}

/** A messenger that hands each notice to a requester to `tell`, and is otherwise silent. */
export function tellingMessenger<Notice = unknown>(
  tell: (request: AccessRequest, notice: Notice) => void,
): LifecycleParts['messenger'] {
  return {
    ...silent,
    tellRequester: async (request: AccessRequest, notice: Notice) => {
      tell(request, notice);
      return undefined;
    },
  } as unknown as LifecycleParts['messenger'];
}

/**
 * Ports whose role-assignment API lists `plan`'s one assignment for its principal (as ARM answers
 * while the grant holds it) and records each delete in `deletes`.
 */
export function fakeRoleAssignments(plan: GrantPlan): { ports: SecretRunnerPorts; deletes: unknown[] } {
  const deletes: unknown[] = [];
  const ports = {
    roleAssignments: {
      listForPrincipal: async () => [
        {
          id: `${plan.scope}/providers/Microsoft.Authorization/roleAssignments/${plan.roleAssignmentName}`,
          name: plan.roleAssignmentName,
          scope: plan.scope,
          roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${plan.role.id}`,
          principalId: plan.identity.objectId,
        },
      ],
      delete: async (target: unknown) => {
        deletes.push(target);
        return {};
      },
    },
  } as unknown as SecretRunnerPorts;
  return { ports, deletes };
}

/** A clock at `now` and empty memory stores on it, where a lifecycle test begins. */
export function memoryWorld(now: string): { clock: FakeClock; store: MemoryRequestStore; audit: MemoryAuditLog } {
  const clock = new FakeClock(now);
  return { clock, store: new MemoryRequestStore(), audit: new MemoryAuditLog(clock) };
}

/** `request`'s end job as the scheduler hands it to `onExpire`: due at `dueAt`, after `attempts` failures. */
export function endJobOf(request: AccessRequest, dueAt: string, attempts = 0): ScheduledJob {
  return { id: accessExpiryJobId(request.id), kind: 'access.expire', dueAt, requestId: request.id, attempts };
}

/** A grant approved on 2025-02-01 for 30 days that succeeded and ends at `expiresAt`; `overrides` replace any of it. */
export function succeededGrant(id: string, expiresAt: string, overrides: Partial<AccessRequest> = {}): AccessRequest {
  return pendingRequest({
    id,
    state: 'succeeded',
    version: 4,
    decision: { by: APPROVER, at: '2025-02-01T10:00:00.000Z', approved: true },
    access: { durationMs: 30 * 24 * HOUR, expiresAt },
    ...overrides,
  });
}
