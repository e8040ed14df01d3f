/**
 * The wait for the app that frames the tab is bounded: teams-js's `app.initialize()` has none,
 * and a host that never answers would leave "Loading…" on the page for good. The timer is
 * fired by hand here (no sleeping); the page's own wiring is in test/e2e/tab-browser.test.ts.
 */
import { HOST_ANSWER_LIMIT_MS, HostSilentError, type Schedule, withinHostLimit } from '../../web/src/host-deadline';
import { problemMessage } from '../../web/src/problem';

/** A schedule whose timer the test fires; records the delay asked for and whether it was cancelled. */
function handTimer(): { schedule: Schedule; fire(): void; ms?: number; cancelled: boolean } {
  const timer = {
    fire: () => undefined as void,
    ms: undefined as number | undefined,
    cancelled: false,
    schedule: ((fire, ms) => {
      timer.fire = fire;
      timer.ms = ms;
      return () => {
        timer.cancelled = true;
      };
    }) as Schedule,
  };
  return timer;
}

const never = new Promise<never>(() => undefined);

test('a host that never answers: past the limit, a sentence with what to do (reload, then tell the admins)', async () => {
  const timer = handTimer();
  const waiting = withinHostLimit(never, HOST_ANSWER_LIMIT_MS, timer.schedule);
  expect(timer.ms).toBe(HOST_ANSWER_LIMIT_MS);
  timer.fire();
  const err = await waiting.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(HostSilentError);
  expect(problemMessage(err)).toBe(
    'The app showing this tab (Teams, Outlook or Microsoft 365) did not answer within 15 seconds, so the tab ' +
      'could not start. Reload the page; if this stays, the app may not support this tab: tell the platform team.',
  );
});

test('the limit is a sensible wait: more than a slow Teams start, less than someone gives up after', () => {
  expect(HOST_ANSWER_LIMIT_MS).toBeGreaterThanOrEqual(10_000);
  expect(HOST_ANSWER_LIMIT_MS).toBeLessThanOrEqual(15_000);
});

test('a host that answers in time: its answer, and the timer cancelled', async () => {
  const timer = handTimer();
  await expect(withinHostLimit(Promise.resolve('context'), 1000, timer.schedule)).resolves.toBe('context');
  expect(timer.cancelled).toBe(true);
});

test('a framing page that refuses (not Teams): its refusal as it is, so the page behaves as in a browser', async () => {
  const timer = handTimer();
  const refusal = new Error('not a Teams host');
  await expect(withinHostLimit(Promise.reject(refusal), 1000, timer.schedule)).rejects.toBe(refusal);
  expect(timer.cancelled).toBe(true);
});

test('without an injected schedule, a real timer still ends the wait', async () => {
  // 1 ms: the wait is for the rejection (an event), not a sleep; no time is asserted.
  await expect(withinHostLimit(never, 1)).rejects.toBeInstanceOf(HostSilentError);
});
