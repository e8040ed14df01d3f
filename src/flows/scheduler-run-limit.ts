/**
 * How long a sweep waits for one job's run, and how many runs of a sweep go at once. A handler
 * stuck on a dependency that does not answer (an ARM call left hanging for minutes) must not hold
 * back the other due jobs (a pending request's expiry, reminders, approval cards): the sweep runs
 * {@link JOBS_AT_ONCE} jobs at a time, and waits for each at most its time limit
 * ({@link runTimeLimitOf}). Past it the run is detached, not failed: the sweep goes on without it
 * (its slot is free for the next job), while the run keeps its lease, renewed for as long as its
 * handler goes on, and its outcome is written back when the handler settles, as any run's.
 * Counting it as failed instead would release the lease while the handler still ran (most never
 * check it), and the next sweep would start the same job beside it.
 */

/** Jobs of one sweep run at once: a hung one holds one slot until its time limit, the others go on. */
export const JOBS_AT_ONCE = 4;

/**
 * How long a sweep waits for a job's run before it goes on without it: far longer than any run
 * that gets answers (a revocation retrying Azure takes a few minutes at most), short enough that a
 * hung run delays the next sweep by minutes, not an hour.
 */
export const JOB_RUN_TIME_LIMIT_MS = 10 * 60_000;

/**
 * Recurring jobs that read the whole estate (every granted pair, every revoked assignment, the
 * store's expired rows): with thousands of pairs and ARM's read throttling their run can
 * legitimately take longer than {@link JOB_RUN_TIME_LIMIT_MS}; they get an hour before the sweep
 * goes on without them (and says so in the log), so a large estate's run is not logged as hung.
 */
const LONG_RUNNING_KINDS: ReadonlySet<string> = new Set(['drift.check', 'access.orphanWatch', 'store.purge']);

/** The time limit of a run of `kind`: an hour for the estate-wide recurring jobs, else `limitMs`. */
export function runTimeLimitOf(kind: string, limitMs = JOB_RUN_TIME_LIMIT_MS): number {
  return LONG_RUNNING_KINDS.has(kind) ? Math.max(limitMs, 60 * 60_000) : limitMs;
}

/** `ms` as the log and the docs say it: whole minutes from a minute on, else seconds. */
export function limitText(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}
