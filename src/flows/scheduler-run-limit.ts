/**
 * How long the scheduler waits for one job's run, and how many runs of a sweep go at once. A
 * handler stuck on a dependency that does not answer (an ARM call left hanging for minutes) must
 * not hold back the other due jobs (a pending request's expiry, reminders, approval cards): the
 * sweep runs {@link JOBS_AT_ONCE} jobs at a time, and gives each {@link JOB_RUN_TIME_LIMIT_MS}.
 * The lease of a job is renewed for as long as its run goes on, so nothing else would end it.
 */
import { UserFacingError } from '../domain/errors';
import { LeaseLostError } from '../domain/ports';
import type { ScheduledJob } from '../domain/ports';
import type { JobHandler, JobRun } from './scheduler';

/** Jobs of one sweep run at once: a hung one holds one slot, the others go on. */
export const JOBS_AT_ONCE = 4;

/**
 * How long a job's run may take before it counts as failed: far longer than any run that gets
 * answers (a revocation retrying Azure, a drift check over every registry take a few minutes at
 * most), short enough that a hung run delays the next sweep by minutes, not an hour.
 */
export const JOB_RUN_TIME_LIMIT_MS = 10 * 60_000;

/**
 * Recurring jobs that read the whole estate (every granted pair, every revoked assignment, the
 * store's expired rows): with thousands of pairs and ARM's read throttling their run can
 * legitimately take longer than {@link JOB_RUN_TIME_LIMIT_MS}, and failing them every time would
 * stop drift being detected at all. They get an hour: they still cannot hold a slot for ever.
 */
const LONG_RUNNING_KINDS: ReadonlySet<string> = new Set(['drift.check', 'access.orphanWatch', 'store.purge']);

/** The time limit of a run of `kind`: an hour for the estate-wide recurring jobs, else `limitMs`. */
export function runTimeLimitOf(kind: string, limitMs = JOB_RUN_TIME_LIMIT_MS): number {
  return LONG_RUNNING_KINDS.has(kind) ? Math.max(limitMs, 60 * 60_000) : limitMs;
}

/** A run that did not finish in time: recorded as its failure (backoff, report). */
export class JobTimeLimitError extends UserFacingError {
  constructor(limitMs: number) {
    const within = limitMs >= 60_000 ? `${Math.round(limitMs / 60_000)} min` : `${Math.round(limitMs / 1000)} s`;
    super('job.timeLimit', `did not finish within ${within} (a service it waits for may not be answering)`);
    this.name = 'JobTimeLimitError';
  }
}

/**
 * Runs `handler` on `job`, waiting at most `limitMs`: past it, rejects with a
 * {@link JobTimeLimitError} and stops waiting. The handler's `run` then counts as lost (`check()`
 * throws a {@link LeaseLostError} whose cause is the time limit, `signal` is aborted with it), so
 * a handler that wakes up later stops before its next side effect, as one whose lease another
 * instance took; its own writes of the job are conditional on the revision the failure replaced.
 * What it returns or throws after the limit is dropped.
 */
export async function runWithinLimit(
  handler: JobHandler,
  job: ScheduledJob,
  run: JobRun,
  limitMs: number,
): Promise<void> {
  const timeUp = new AbortController();
  const limited: JobRun = {
    check: async () => {
      if (timeUp.signal.aborted) throw timeUp.signal.reason as LeaseLostError;
      await run.check();
    },
    signal: AbortSignal.any([run.signal, timeUp.signal]),
  };
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new JobTimeLimitError(limitMs);
      timeUp.abort(Object.assign(new LeaseLostError(`job:${job.id}`), { cause: err }));
      reject(err);
    }, limitMs);
  });
  try {
    // race subscribes to the handler's promise: a rejection after the limit is not unhandled.
    await Promise.race([handler(job, limited), late]);
  } finally {
    clearTimeout(timer);
  }
}
