/**
 * How long the page waits for the app that frames it. teams-js's `app.initialize()` has no time
 * limit of its own: a host that never answers (an app that does not support this tab, a page
 * that frames it without being Teams, a Teams client that hangs) would leave "Loading…" on the
 * page for good. So the wait is bounded, and past it the page says what to do instead.
 * No teams-js here, so tests can import it without the bundle's browser-only code.
 */

/**
 * Longest wait for the framing host to answer, in milliseconds: well past what a slow Teams
 * client takes to answer (a few seconds on a cold start), short enough that someone looking at
 * the page is told something before they give up on it.
 */
export const HOST_ANSWER_LIMIT_MS = 15_000;

/** The framing host did not answer within the limit; the message says what to do. */
export class HostSilentError extends Error {
  constructor(readonly limitMs: number) {
    super(
      `The app showing this tab (Teams, Outlook or Microsoft 365) did not answer within ` +
        `${Math.round(limitMs / 1000)} seconds, so the tab could not start. Reload the page; if this ` +
        'stays, the app may not support this tab: tell the platform team.',
    );
    this.name = 'HostSilentError';
  }
}

/** Starts a timer; returns a function that cancels it. Injectable so tests fire it by hand. */
export type Schedule = (fire: () => void, ms: number) => () => void;

const realSchedule: Schedule = (fire, ms) => {
  const timer = setTimeout(fire, ms);
  return () => clearTimeout(timer);
};

/**
 * `work`'s result, or a {@link HostSilentError} when it has not settled within `limitMs`. A
 * rejection of `work` passes through as it is (a framing page that is not Teams may refuse, and
 * then the page behaves as in a browser). The timer is cancelled once `work` settles.
 */
export function withinHostLimit<T>(
  work: Promise<T>,
  limitMs: number = HOST_ANSWER_LIMIT_MS,
  schedule: Schedule = realSchedule,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cancel = schedule(() => reject(new HostSilentError(limitMs)), limitMs);
    work.then(
      (value) => {
        cancel();
        resolve(value);
      },
      (err: unknown) => {
        cancel();
        reject(err);
      },
    );
  });
}
