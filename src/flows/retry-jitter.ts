/**
 * How retries that failed together are spread apart: one formula for the scheduler's backoff of a
 * failed job (scheduler.ts) and for the end notice's retries after Teams did not serve it
 * (access-end-notice.ts), each with its own largest part. Without it, work that failed in one
 * outage (every revocation while ARM was down, every notice of a mass end Teams throttled) would
 * all come due in one sweep and meet the recovering service with the same burst.
 */
import { createHash } from 'node:crypto';

/**
 * `waitMs` less `spread` (in [0, 1)) of its `largestPart`: between `1 - largestPart` of the wait
 * and all of it, rounded to the millisecond. Shorter, never longer: the waits its callers pass
 * are the most they promise (a job's backoff steps, a notice's retry waits); `spread = 0` waits
 * the whole of it.
 */
export function jitteredMs(waitMs: number, largestPart: number, spread: number): number {
  return Math.round(waitMs - spread * largestPart * waitMs);
}

/**
 * The spread of a retry, in [0, 1): drawn from what retries (a job's id, a request's notice) and
 * its attempt, not from Math.random, so work that failed together still spreads apart while one
 * retry's timing is the same on every run (a test, or an operator reading the schedule, can
 * predict it).
 */
export function spreadOf(jobId: string, attempt: number): number {
  return createHash('sha256').update(`${jobId}:${attempt}`).digest().readUInt32BE(0) / 2 ** 32;
}
