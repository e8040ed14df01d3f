/**
 * Microsoft Graph's throttling (429), retried where the Azure SDK's default policy does not:
 * a 429 without `Retry-After`, and any 429 of a write that is otherwise sent once.
 */
import type { PipelinePolicy, RetryStrategy } from '@azure/core-rest-pipeline';
import type * as RestPipeline from '@azure/core-rest-pipeline';
import { RETRY_AFTER_MAX_WAIT_MS, retryAfterMs } from '../http/capped-retry';

/** How many times a throttled call is sent again. */
export const GRAPH_THROTTLE_RETRIES = 3;
/**
 * A `Retry-After` longer than this is not waited out. In a GraphClient pipeline the shared cap
 * (`retryAfterCapPolicy`, capped-retry.ts) fails such an answer before this strategy sees it.
 */
export const GRAPH_THROTTLE_MAX_WAIT_MS = RETRY_AFTER_MAX_WAIT_MS;
/** Longest first wait when Graph gives no `Retry-After`; doubled on each retry (jittered below it). */
export const GRAPH_THROTTLE_FIRST_BACKOFF_MS = 1_000;

/** How {@link graphThrottleStrategy} retries. */
export interface GraphThrottleOptions {
  /** Also take 429s that name their wait (true where the SDK's own retries are off). */
  withRetryAfter: boolean;
  /** First wait after a 429 that names none; default {@link GRAPH_THROTTLE_FIRST_BACKOFF_MS}. */
  firstBackoffMs?: number;
  /** Longest wait sat out; default {@link GRAPH_THROTTLE_MAX_WAIT_MS}. */
  maxWaitMs?: number;
  /** A number in [0, 1) that spreads the backoff; default `Math.random` (tests pass a fixed one). */
  random?: () => number;
}

/**
 * A retry strategy for Graph's 429, which Graph answers before it does anything, so sending the
 * call again is safe even for a write that must not be sent twice (addPassword).
 * `withRetryAfter: false` leaves a 429 that names its wait to the SDK's default policy (which
 * honours it) and takes only the ones that name none, which the default policy gives up on at
 * once; those wait half to all of 1 s, 2 s, 4 s (from `firstBackoffMs`), at random: calls
 * throttled together (a matrix's membership checks) would otherwise all come back at the same
 * instant and be throttled again. Half at least, not anything from zero: with only
 * {@link GRAPH_THROTTLE_RETRIES} retries, one sent again at once would mostly be spent on a
 * second 429. A wait Graph names is kept as it is: it says when the throttle ends, and this
 * pipeline serves people's turns and background jobs alike, so there is no caller to make wait
 * longer.
 */
export function graphThrottleStrategy(options: GraphThrottleOptions): RetryStrategy {
  const maxWaitMs = options.maxWaitMs ?? GRAPH_THROTTLE_MAX_WAIT_MS;
  const firstBackoffMs = options.firstBackoffMs ?? GRAPH_THROTTLE_FIRST_BACKOFF_MS;
  const random = options.random ?? Math.random;
  return {
    name: 'graphThrottleStrategy',
    retry({ response, retryCount }) {
      if (response?.status !== 429) return { skipStrategy: true };
      const asked = retryAfterMs(response);
      if (asked !== undefined && !options.withRetryAfter) return { skipStrategy: true };
      const waitMs = asked ?? equalJitterMs(firstBackoffMs * 2 ** retryCount, random);
      if (waitMs > maxWaitMs) return { skipStrategy: true };
      return { retryAfterInMs: waitMs };
    },
  };
}

/** The pipeline policy around {@link graphThrottleStrategy}, sent at most {@link GRAPH_THROTTLE_RETRIES} more times. */
export function graphThrottlePolicy(rest: typeof RestPipeline, options: GraphThrottleOptions): PipelinePolicy {
  const policy = rest.retryPolicy([graphThrottleStrategy(options)], { maxRetries: GRAPH_THROTTLE_RETRIES });
  // Its own name: a pipeline refuses two policies of one name, and the SDK's is a retry policy too.
  return { name: GRAPH_THROTTLE_POLICY, sendRequest: (request, next) => policy.sendRequest(request, next) };
}

/** The name of {@link graphThrottlePolicy} in a pipeline. */
export const GRAPH_THROTTLE_POLICY = 'graphThrottlePolicy';

/**
 * "Equal jitter": `ceilingMs` less a random part of its half, so the wait is more than half the
 * backoff step and at most all of it (whole milliseconds); `random() = 0` waits the whole step.
 */
function equalJitterMs(ceilingMs: number, random: () => number): number {
  return Math.round(ceilingMs - random() * (ceilingMs / 2));
}
