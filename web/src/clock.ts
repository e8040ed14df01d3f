/**
 * The time the tab reckons with: the server's, not the browser's. "Ends in 3 days" and the
 * extension terms offered are worked out in the browser, and a browser clock that is off by a
 * day would offer terms the server refuses (an extension that would end before the current end)
 * or hide ones it accepts. `/me` carries the server's time; the offset is kept from then on.
 */
let offsetMs = 0;

/** Takes the server's time from an answer (`/me`'s `now`); an unreadable one leaves the offset. */
export function syncClock(serverNow: string | undefined, receivedAt: number = Date.now()): void {
  const server = serverNow ? Date.parse(serverNow) : NaN;
  if (Number.isFinite(server)) offsetMs = server - receivedAt;
}

/** Now, by the server's clock (ms since the epoch). */
export function now(): number {
  return Date.now() + offsetMs;
}
