/**
 * The retries of end notices Teams did not serve are spread by request: a mass end's notices,
 * throttled together, must not all come due again in one sweep and meet Teams with the same burst.
 * Never later than the promised wait, never sooner than half of it, and the same on every run.
 */
import { NOTICE_RETRIES_MS, NOTICE_RETRY_JITTER, noticeRetryMs } from '../../src/flows/access-end-notice';

/** 150 request ids, as a mass end numbers them. */
const ids = Array.from({ length: 150 }, (_, i) => `R-${String(1000 + i)}`);

test.each(NOTICE_RETRIES_MS.map((waitMs, tries) => [tries, waitMs]))(
  'retry %i (wait %i ms): within [half, all] of the wait, spread over most of that range',
  (tries, waitMs) => {
    const due = ids.map((id) => noticeRetryMs(id, tries));
    for (const ms of due) {
      expect(ms).toBeLessThanOrEqual(waitMs);
      expect(ms).toBeGreaterThanOrEqual((1 - NOTICE_RETRY_JITTER) * waitMs);
    }
    // Spread, not bunched: the 150 cover most of the range, and no 30 s sweep takes nearly all
    // (the first retry's minute is two sweeps: about half each).
    expect(Math.max(...due) - Math.min(...due)).toBeGreaterThan(0.8 * NOTICE_RETRY_JITTER * waitMs);
    const perSweep = new Map<number, number>();
    for (const ms of due) perSweep.set(Math.floor(ms / 30_000), (perSweep.get(Math.floor(ms / 30_000)) ?? 0) + 1);
    expect(Math.max(...perSweep.values())).toBeLessThan(0.6 * ids.length);
  },
);

test("a request's retry is the same on every run (drawn from its id and the try), and differs by try", () => {
  expect(noticeRetryMs('R-1042', 0)).toBe(noticeRetryMs('R-1042', 0));
  expect(noticeRetryMs('R-1042', 1) / NOTICE_RETRIES_MS[1]).not.toBe(noticeRetryMs('R-1042', 0) / NOTICE_RETRIES_MS[0]);
});
