/**
 * The HTTP layer under every Kubernetes API call: a throttled call (429), and a read that meets
 * a passing server error or a reset connection, is sent again within the call's one deadline.
 */
import type * as KubeClient from '@kubernetes/client-node';

/**
 * Sends of a call the API server throttles (429: not carried out, so safe to send again), and of a
 * read that meets a passing server error or a reset connection (see {@link sendRetrying}).
 */
export const KUBE_THROTTLE_ATTEMPTS = 4;

/** Longest wait for one Retry-After; the call's deadline bounds the whole. */
export const KUBE_THROTTLE_MAX_WAIT_MS = 5_000;

/**
 * Answers a GET is sent again after, as a 429 is: the API server (or the load balancer in front
 * of it) passing through a restart or a control-plane upgrade. A read changes nothing, so sending
 * it again is safe; a write is never sent again here (its effect is unknown: the callers read the
 * object back instead, see `afterFailedWrite` and `linkServiceAccount`).
 */
const PASSING_SERVER_ERRORS: ReadonlySet<number> = new Set([500, 502, 503, 504]);

/** Network errors a GET is sent again after: the connection reset under it (an API server instance going away). */
const RESET_CODES: ReadonlySet<string> = new Set(['ECONNRESET']);

/** Wait before sending again when the answer names none (no Retry-After, or a reset). */
const DEFAULT_RETRY_WAIT_MS = 1000;

/**
 * Sends `request`, and again (at most {@link KUBE_THROTTLE_ATTEMPTS} sends in all, within the
 * call's one deadline) while it is answered 429 (API Priority and Fairness throttling a busy API
 * server: the call was not carried out, and failing the run would delete the credential it just
 * made) or, a GET only, a passing server error ({@link PASSING_SERVER_ERRORS}) or a reset
 * connection. Each wait is the answer's Retry-After, at most `maxWaitMs`. The deadline passing
 * during a wait ends it with the last answer (or error), not a timeout that would hide it. Other
 * answers go to the caller as they are.
 */
export async function sendRetrying(
  http: KubeClient.HttpLibrary,
  request: KubeClient.RequestContext,
  maxWaitMs: number,
): Promise<KubeClient.ResponseContext> {
  const read = String(request.getHttpMethod()).toUpperCase() === 'GET';
  for (let attempt = 1; ; attempt++) {
    let response: KubeClient.ResponseContext;
    try {
      response = await http.send(request).toPromise();
    } catch (err) {
      if (!read || !isReset(err) || attempt >= KUBE_THROTTLE_ATTEMPTS) throw err;
      if (!(await pause(Math.min(DEFAULT_RETRY_WAIT_MS, maxWaitMs), request.getSignal()))) throw err;
      continue;
    }
    const status = response.httpStatusCode;
    const again = status === 429 || (read && PASSING_SERVER_ERRORS.has(status));
    if (!again || attempt >= KUBE_THROTTLE_ATTEMPTS) return response;
    // Read the answer through, so its connection can carry the next attempt; kept, for the
    // caller to read should the deadline end the wait.
    const text = await response.body.text().catch(() => '');
    response.body = { text: async () => text, binary: async () => Buffer.from(text) };
    if (!(await pause(retryAfterMs(response.headers['retry-after'], maxWaitMs), request.getSignal()))) return response;
  }
}

/** A connection reset under the call (node-fetch's FetchError carries the system error's code). */
function isReset(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && RESET_CODES.has(code);
}

/** The wait a Retry-After (seconds, as the API server sends it) asks for, at most `maxWaitMs`. */
function retryAfterMs(header: string | undefined, maxWaitMs: number): number {
  const seconds = header === undefined || header.trim() === '' ? NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0
    ? Math.min(seconds * 1000, maxWaitMs)
    : Math.min(DEFAULT_RETRY_WAIT_MS, maxWaitMs);
}

/** Waits `ms`; false when `signal` (the call's deadline) aborts first or already has. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (finished: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', aborted);
      resolve(finished);
    };
    const aborted = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener('abort', aborted, { once: true });
  });
}
