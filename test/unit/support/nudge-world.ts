/**
 * Approval nudges on real parts: memory stores with conditional writes, a pause store, the real
 * Scheduler with the nudge handlers registered, and a RequestService filing requests that
 * schedule them (Alex Approver in the approvers' group), a fake clock at 2026-11-30 09:00.
 */
import type { Policy } from '../../../src/domain/policy';
import { ApprovalNudges, type NudgeNotifier } from '../../../src/flows/approval-nudges';
import { RequestService } from '../../../src/flows/request-service';
import { Scheduler } from '../../../src/flows/scheduler';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../../src/integrations/store/memory-coordination';
import { MemoryPauseStore } from '../../../src/integrations/store/memory-pause-store';
import { MemoryAuditLog, MemoryRequestStore } from '../../../src/integrations/store/memory-stores';
import { createLogger } from '../../../src/observability/logger';
import { FakeClock, MINUTE } from './fake-clock';
import { fakeDirectory } from './fake-directory';
import { APPROVERS_GROUP, settings } from './policy-fixtures';
import { APPROVER, newGrant } from './requests';

const log = createLogger({ level: 'silent' });

/** The world, posting through `notifications`, its policy fixed to `current`; instance `a` runs the jobs. */
export function nudgeWorld(notifications: NudgeNotifier, current: Policy) {
  const clock = new FakeClock('2026-11-30T09:00:00.000Z');
  const store = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  const pauses = new MemoryPauseStore();
  const jobs = new MemoryScheduleStore();
  const leases = new MemoryLeaseStore(() => clock.now());
  /** A process on the shared stores: its own Scheduler and nudge handlers. */
  const instance = (instanceId: string) => {
    const scheduler = new Scheduler(jobs, leases, clock, log, { instanceId, sweepIntervalMs: 0, leaseTtlMs: MINUTE });
    const nudges = new ApprovalNudges(store, audit, clock, notifications, scheduler, pauses);
    scheduler.register('approval.remind', (job, run) => nudges.remind(job, run));
    scheduler.register('approval.escalate', (job, run) => nudges.escalate(job, run));
    return scheduler;
  };
  const scheduler = instance('a');
  const service = new RequestService(
    store,
    audit,
    fakeDirectory({ [APPROVERS_GROUP]: [APPROVER.objectId] }),
    clock,
    settings,
    notifications,
    log,
    scheduler,
    { current: () => current },
    pauses,
  );
  /** Files a request by the requester, in a channel. */
  const create = () => service.create(newGrant());
  return { clock, store, audit, pauses, jobs, leases, instance, scheduler, service, create };
}
