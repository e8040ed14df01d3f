/**
 * How one sweep feeds its slots: it reads a batch of due jobs, runs them {@link JOBS_AT_ONCE} at
 * a time, and reads again as the batch runs low, so the slots stay busy through a backlog longer
 * than one batch. A sweep that read everything at once and waited for all of it before reading
 * more held the jobs behind its batch (a mass end falling due in one minute: ends #101–150, and
 * the pending requests' expiries and reminders) until the batch's slowest run settled, which
 * under ARM throttling (Retry-After waited inside the run) took minutes.
 *
 * Each job is taken once per sweep: a read passes over the jobs the sweep already took (running,
 * done, failed, or found held by another instance's run), so the jobs another instance is running
 * are tried once, found leased, and the sweep goes on to the ones behind them instead of reading
 * the same oldest batch again. A job still due after its try here (another run holds it, or its
 * work is under way elsewhere) is tried again by the next sweep, as before.
 *
 * A sweep reads again only while its last read was full (more may be due behind it): one read,
 * as before, for a sweep with fewer due jobs than a batch. It ends when nothing more is due, or
 * once it has taken {@link SWEEP_MAX_JOBS}; the rest are the next sweep's. No I/O of its own: it
 * orders the scheduler's reads and runs (as bounded-map.ts does).
 */
import { JOBS_AT_ONCE } from './scheduler-run-limit';

/** Most jobs one sweep takes, over all its reads (the rest run in the next sweep). */
export const SWEEP_MAX_JOBS = 1000;

/** What a sweep reads and runs. */
export interface SweepFeed<J extends { id: string }> {
  /** Due jobs, earliest first, at most `limit` (the schedule's `due`). */
  read(limit: number): Promise<J[]>;
  /**
   * Runs one job; true when it ran (succeeded or failed). Store errors around a job are the
   * caller's to log and answer false for; a rejection fails the sweep (once its runs have ended).
   */
  run(job: J): Promise<boolean>;
  /** True once the sweep must start no more runs (the scheduler is stopping). */
  stopped(): boolean;
  /** Most jobs per read. */
  batchSize: number;
  /** Most jobs the sweep takes in all; default {@link SWEEP_MAX_JOBS}. */
  maxJobs?: number;
}

/**
 * Runs one sweep: due jobs {@link JOBS_AT_ONCE} at a time, reading more as they run low; resolves
 * with how many ran once every run it started has ended (or gone on past its time limit: see
 * `Scheduler.runLeased`). A first read that fails rejects at once (nothing started); a later one
 * (or a run that rejects) ends the reading, and the sweep rejects with it once its runs have
 * ended, never leaving a run it started behind (a stopping scheduler waits for the sweep).
 */
export async function sweepDue<J extends { id: string }>(feed: SweepFeed<J>): Promise<number> {
  const maxJobs = feed.maxJobs ?? SWEEP_MAX_JOBS;
  const taken = new Set<string>();
  const queue: J[] = [];
  const running = new Set<Promise<void>>();
  let more = true;
  let ran = 0;
  const read = async (): Promise<void> => {
    // The jobs taken that are still due (running, held elsewhere) may be listed again: asking
    // for that many more leaves room for a whole batch of new ones.
    const limit = taken.size + Math.min(feed.batchSize, maxJobs - taken.size);
    const listed = await feed.read(limit);
    more = listed.length >= limit;
    for (const job of listed) {
      if (taken.has(job.id) || taken.size >= maxJobs) continue;
      taken.add(job.id);
      queue.push(job);
    }
    if (taken.size >= maxJobs) more = false;
  };
  await read();
  let failure: { err: unknown } | undefined;
  // A run that rejected (not a store error its caller answered for): start no more, as a sweep did.
  let runRejected = false;
  for (;;) {
    while (!feed.stopped() && !runRejected && running.size < JOBS_AT_ONCE && queue.length > 0) {
      const run: Promise<void> = feed
        .run(queue.shift()!)
        .then(
          (done) => void (done && ran++),
          (err: unknown) => {
            failure ??= { err };
            runRejected = true;
            more = false;
          },
        )
        .finally(() => running.delete(run));
      running.add(run);
    }
    if (running.size === 0) break;
    await Promise.race(running);
    if (more && !feed.stopped() && queue.length < JOBS_AT_ONCE) {
      try {
        await read();
      } catch (err) {
        // The runs started go on to their end; the sweep's failure is told after them.
        failure ??= { err };
        more = false;
      }
    }
  }
  if (failure) throw failure.err;
  return ran;
}
