/**
 * The fixed windows the per-user limits count in (AbuseLedger.hit): aligned to the epoch, so
 * every instance and every store puts one moment in the same window without agreeing on
 * anything, and a window's end (told to someone refused) is the next one's start.
 */

/** The start, in epoch milliseconds, of the fixed window of `windowMs` holding `now`. */
export function fixedWindowStart(now: Date, windowMs: number): number {
  return Math.floor(now.getTime() / windowMs) * windowMs;
}
