/**
 * Ends brought forward once their dependency is back (G17, time-boxed access). Jobs that failed
 * through an outage (ARM answering 503 for an hour) sit at their backoff step, up to 30 minutes:
 * without this, access would end up to half an hour after Azure answers again. A job of an ending
 * kind that succeeds after failing passingly (its last failure a 5xx, 408, 429 or no answer:
 * `lastFailurePassing`, outage-report-failure.ts) is the sign the outage is over; the other jobs
 * of its kind whose last failure was passing too are then moved to now, a few per sweep so a
 * recovering service is not met by all of them at once. A job refused (a 403, a lock) is not: its
 * cause lasts until someone acts, and bringing it forward would only retry and report it every few
 * minutes instead of at its backoff; nor is a success after a refusal a sign of anything. Only the
 * due time changes: attempts and last error stay, so a job that fails again backs off and is
 * reported as before, and a requester told "retrying" is not told again.
 *
 * Everything it keeps is in the shared stores: one instance at a time does it per kind (a lease
 * that is never released, so at most once per {@link RECOVERY_PASS_EVERY_MS} across instances),
 * and each move is conditional on the job's revision (a job written or run meanwhile stays as it
 * is). A pass that fails changes nothing that matters: each job keeps its backoff.
 */
import type { JobKind, LeaseStore, ScheduledJob, ScheduleStore } from '../domain/ports';
import type { Logger } from '../observability/logger';
import { failedPassingly } from './outage-report-failure';

/**
 * The kinds whose late run leaves access in place: a grant's or secret's end, and the deletion of
 * a credential acrbot created (credential-cleanup.ts). Their ids start with `<kind>:`.
 */
const ENDING_JOB_KINDS: ReadonlySet<JobKind> = new Set<JobKind>(['access.expire', 'cleanup.credential']);

/**
 * At most one pass per kind this often, across instances: the first success after an outage
 * brings the others forward, and the successes that follow (the jobs brought forward, which had
 * failed too) do not read the schedule again.
 */
const RECOVERY_PASS_EVERY_MS = 5 * 60_000;

/** Jobs brought forward per sweep interval: spread so a service just back is not met by all at once. */
export const RECOVERY_JOBS_PER_SWEEP = 25;

/**
 * Most jobs one pass reads (a range read of the kind's ids): every active grant has its
 * `access.expire` job, failing or not, so this is sized for the estate, not for the failures
 * (read at most once per {@link RECOVERY_PASS_EVERY_MS}, and only after an outage). Beyond it the
 * rest keep their backoff.
 */
const RECOVERY_READ_LIMIT = 10_000;

/** What a pass needs: the shared stores, this run's lease owner, and the sweep's cadence. */
export interface RecoveryDeps {
  jobs: ScheduleStore;
  leases: LeaseStore;
  log: Logger;
  /** The lease owner of the run that succeeded (unique per run). */
  owner: string;
  /** The time between sweeps: the spread's step. */
  sweepIntervalMs: number;
}

/**
 * After `succeeded` (a job of an ending kind whose last failure was passing) ran through: moves
 * the other jobs of its kind whose last failure was passing and that are due later than the next
 * sweep to now, {@link
 * RECOVERY_JOBS_PER_SWEEP} per sweep interval, earliest first, never later than they were due.
 * Returns how many were moved; never throws (logged: each job keeps its backoff).
 */
export async function bringForwardAfterRecovery(
  deps: RecoveryDeps,
  succeeded: ScheduledJob,
  now: number,
): Promise<number> {
  if (!ENDING_JOB_KINDS.has(succeeded.kind) || !failedPassingly(succeeded)) return 0;
  try {
    const pass = await deps.leases.acquire(`scheduler.recovery:${succeeded.kind}`, deps.owner, RECOVERY_PASS_EVERY_MS);
    // Another run (here or on another instance) did it within the last few minutes.
    if (!pass) return 0;
    const failing = (await deps.jobs.withIdPrefix(`${succeeded.kind}:`, RECOVERY_READ_LIMIT))
      .filter(
        (job) =>
          job.kind === succeeded.kind &&
          job.id !== succeeded.id &&
          failedPassingly(job) &&
          Date.parse(job.dueAt) > now + deps.sweepIntervalMs,
      )
      .sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt));
    let moved = 0;
    for (const [i, job] of failing.entries()) {
      const dueAt = Math.min(
        Date.parse(job.dueAt),
        now + Math.floor(i / RECOVERY_JOBS_PER_SWEEP) * deps.sweepIntervalMs,
      );
      if (await deps.jobs.putIfUnchanged({ ...job, dueAt: new Date(dueAt).toISOString() }, job.revision ?? '')) moved++;
    }
    if (moved)
      deps.log.info(
        { jobId: succeeded.id, kind: succeeded.kind, broughtForward: moved },
        'a job failing through an outage succeeded again; the other jobs of its kind failing through it are brought forward',
      );
    return moved;
  } catch (err) {
    deps.log.warn(
      { err, jobId: succeeded.id, kind: succeeded.kind },
      'bringing failing jobs forward after a success failed; they keep their backoff',
    );
    return 0;
  }
}
