/**
 * Step "scheduler": the persisted job runner, and the one place where job kinds get their
 * handlers ({@link registerJobs}); a new job kind adds one `register` line there.
 */
import { hostname } from 'node:os';
import type { AppConfig } from '../config/config';
import type { Clock } from '../domain/ports';
import { DRIFT_JOB_ID } from '../flows/drift-detector';
import { Scheduler } from '../flows/scheduler';
import type { Logger } from '../observability/logger';
import type { Flows } from './flows';
import type { Stores } from './stores';

/** Builds the scheduler (not started; {@link startBackground} starts it after listen). */
export function createScheduler(
  config: AppConfig,
  deps: { stores: Stores; clock: Clock; log: Logger },
  options: { sweepIntervalMs?: number; instanceId?: string },
): Scheduler {
  return new Scheduler(deps.stores.schedule, deps.stores.leases, deps.clock, deps.log, {
    instanceId: options.instanceId ?? `${hostname()}:${process.pid}`,
    sweepIntervalMs: options.sweepIntervalMs ?? config.sweepIntervalMs,
    // How long one instance holds a job before another may take it over (renewed while it runs).
    leaseTtlMs: config.leaseTtlMs,
    reportAfterAttempts: 3,
  });
}

/** Registers the handler of every job kind. */
export function registerJobs(scheduler: Scheduler, flows: Flows): void {
  scheduler.register('request.expire', async (job) => {
    if (job.requestId) await flows.requests.expireIfDue(job.requestId);
  });
  // One recurring job with a fixed id: whichever instance runs it schedules the next run.
  scheduler.register('drift.check', async () => {
    await flows.drift.sweep();
    await scheduler.schedule({ id: DRIFT_JOB_ID, kind: 'drift.check', dueAt: flows.drift.nextRunAt() });
  });
}
