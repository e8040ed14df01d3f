/**
 * Waiting for a promise at most so long, without stopping it: the scheduler's wait for a job's
 * run (scheduler.ts), a grant end's wait for its "can still pull" listing (access-end-notice.ts),
 * the planning deadline (planning-deadline.ts), a refusal while paused waiting for its requester's
 * record (bot/pause-refusal-watch.ts). What is waited for goes on past the limit; its
 * caller decides what a late answer comes to.
 */

/** What waiting within a limit gave: the value, or `late` (still running). */
export type WithinLimit<T> = { late: false; value: T } | { late: true };

/**
 * Waits for `run` at most `limitMs`: its value when it settles in time (its rejection is thrown),
 * else `late`, with `run` left running: the caller owns it from then on (its outcome, its
 * rejection). The timer is cleared once either comes and never keeps the process alive.
 */
export async function settleWithin<T>(run: Promise<T>, limitMs: number): Promise<WithinLimit<T>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<{ late: true }>((resolve) => {
    timer = setTimeout(() => resolve({ late: true }), limitMs);
    timer.unref();
  });
  try {
    // race subscribes to the run's promise: a rejection after the limit is not unhandled here.
    return await Promise.race([run.then((value) => ({ late: false as const, value })), late]);
  } finally {
    clearTimeout(timer);
  }
}
