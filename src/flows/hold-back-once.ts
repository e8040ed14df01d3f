/**
 * Holding a job back once, for another run that may do its work: a reminder whose requester's
 * claim another run holds (reminder-siblings.ts), a nudge whose older sibling's grouped post may
 * take it (nudge-siblings.ts). The job moves itself `ms` on and records, in its payload (in the
 * store, so it outlives a restart), that it did; run again, it never holds back a second time. So
 * a run that hangs, or whose job keeps failing, delays it by `ms`, never more.
 */
import type { ScheduledJob } from '../domain/ports';

/** One kind of holding back: where the job's payload records it, and how far the job moves on. */
export interface HoldBackOnce {
  /** The payload field that records when the job held back (an ISO time). */
  field: string;
  /** How far the job moves on when it holds back. */
  ms: number;
}

/** Whether `job` held back once already for `hold` (then it does not again). */
export function heldBackAlready(job: ScheduledJob, hold: HoldBackOnce): boolean {
  return typeof job.payload?.[hold.field] === 'string';
}

/**
 * The job as it is moved on when it holds back at `at` (its payload says so, for its next run),
 * and where to: `hold.ms` after `at`. The caller moves it (conditionally, as it moves its job).
 */
export function heldBack(job: ScheduledJob, hold: HoldBackOnce, at: Date): { job: ScheduledJob; dueAt: Date } {
  return {
    job: { ...job, payload: { ...job.payload, [hold.field]: at.toISOString() } },
    dueAt: new Date(at.getTime() + hold.ms),
  };
}
