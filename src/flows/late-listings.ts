/**
 * The ends of this process whose listing of what else lets the cluster pull (outside-pull.ts)
 * came late and is still awaited in the background (access-end-notice.ts), a few at most, each
 * for a bounded time. A listing comes late when ARM throttles, and a throttled ARM is what a
 * burst of ends (hundreds of grants ending at the hour) meets: unbounded, each would go on
 * retrying against it at once, deepening the throttling that the grants, the revocations'
 * deletes and the drift check share. An end over the cap, or whose listing outlived its
 * deadline, is left to its end job, due later as the net of its notice, which tells it then.
 */

/**
 * Most late listings awaited in the background at once per process. A few cover a sweep whose
 * ARM answers slowly for a moment (their notices go out as soon as it answers); beyond them ARM
 * is throttling for longer, and more retries at once only deepen it. An end over the cap is told
 * by its end job (15 minutes later) instead, one listing per run of that job.
 */
export const LATE_LISTINGS_AT_ONCE = 4;

/**
 * How long a late listing (the registry's read with it) is awaited in the background before it is
 * given up and its end left to the net: past the SDK's retries of a throttled call (three waits of
 * up to a minute), and well before the end job comes due again (15 minutes), so the net finds the
 * slot free and tells the end then, not later.
 */
export const LATE_LISTING_DEADLINE_MS = 5 * 60_000;

/** The ids of the requests whose late listing is awaited here; at most {@link LATE_LISTINGS_AT_ONCE}. */
class LateListings {
  private readonly out = new Set<string>();

  /** How many are awaited now. */
  get size(): number {
    return this.out.size;
  }

  /** Whether no other may start now. */
  full(): boolean {
    return this.out.size >= LATE_LISTINGS_AT_ONCE;
  }

  /** Whether request `id`'s is awaited here (its end is still being made known). */
  has(id: string): boolean {
    return this.out.has(id);
  }

  /** Takes a place for request `id`'s; false when all are taken (then none is awaited for it). */
  tryHold(id: string): boolean {
    if (this.full()) return false;
    this.out.add(id);
    return true;
  }

  /** Frees request `id`'s place: its end was made known, failed, or was given up. */
  release(id: string): void {
    this.out.delete(id);
  }
}

/** This process's late listings (one per process, as the ARM budget they share is the process's identity's). */
export const lateListings = new LateListings();

/**
 * `start()`'s answer, or `signal`'s reason once it aborts, whichever comes first; not started
 * when it aborted already. The ports do not take a signal, so a call under way is not cut off
 * (the SDK's own retries end it): the caller stops waiting for it, and starts no other.
 */
export function untilAborted<T>(signal: AbortSignal | undefined, start: () => Promise<T>): Promise<T> {
  if (!signal) return start();
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve()
      .then(start)
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
}
