/**
 * The Bot Connector clients' retries. Their HTTP client is the process's pooled one in the compat
 * shape botbuilder asks for (integrations/http/compat-http-client.ts, given in create-adapter.ts;
 * test/unit/lean-conversations.test.ts runs the calls through it). Behind an outbound proxy
 * botbuilder's compat layer rebuilds each request without the agent the SDK's proxy policy set,
 * so the pooled client's own proxy decision (outbound-proxy.ts) is what sends them through the
 * proxy, with its answer timeout (test/integration/outbound-proxy.test.ts).
 *
 * {@link withConnectorRetries} replaces the connector client's retry policy, so that a new
 * activity (a POST) is never sent twice (test/integration/connector-post-once.test.ts), and so
 * that a throttled call is retried the way Teams asks (exponential backoff when its 429 names no
 * wait) without ever waiting longer than {@link CONNECTOR_THROTTLE_MAX_WAIT_MS}.
 */
import type { Pipeline, PipelinePolicy, RestError, RetryStrategy } from '@azure/core-rest-pipeline';
import type * as RestPipeline from '@azure/core-rest-pipeline';
import { retryAfterMs } from '../integrations/http/capped-retry';

/**
 * Waits longer than this for a throttled call's Retry-After are not made: the 429 (or 503)
 * surfaces, and the caller (the card outbox, a turn's error handler) decides, instead of a turn,
 * a flow or every card queued behind it in that conversation stalling behind one card.
 */
export const CONNECTOR_THROTTLE_MAX_WAIT_MS = 10_000;

/** Retries of a call (each after its wait), as many as the SDK's default. */
const CONNECTOR_MAX_RETRIES = 3;

/** First backoff of a call that gets no wait named (a 429 without Retry-After, a 5xx): doubled each time, with jitter. */
const BACKOFF_BASE_MS = 1_000;

/**
 * Methods sending which twice does the same as once: an update (PUT) puts the same activity
 * again, a delete finds it gone, a read reads again. These are also sent again after a 5xx,
 * 408 or a dropped connection, as the SDK's default policy does.
 */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** Connection failures the SDK's default policy retries (its exponentialRetryStrategy's list). */
const CONNECTION_ERRORS = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOENT',
  'ENOTFOUND',
]);

/**
 * Gives a Bot Connector client (in place; returns it) a retry policy that never sends a POST
 * twice unless the connector said it did not take it. The SDK's default policy resends any
 * request answered 5xx (but 501/505), 408, or failed with a reset or timed-out connection
 * (which the pooled HTTP client reports as ECONNRESET/ETIMEDOUT): for the POSTs behind
 * sendToConversation and replyToActivity the first attempt may well have been posted, so a
 * card would appear twice, and of an approval card only the second copy's id would be kept
 * (the first would never be updated). A POST is therefore sent again only after a 429 (the
 * connector refused it unprocessed); any other failure surfaces as the SDK's RestError, for the
 * caller to handle.
 *
 * Throttling, for every method: a 429 is sent again after its Retry-After, or after an
 * exponential backoff with jitter when it names none (Teams' rate-limit guidance; the SDK's
 * default retries neither a POST's nor a PUT's 429 without one, so a card update was simply
 * lost). A wait longer than {@link CONNECTOR_THROTTLE_MAX_WAIT_MS} (429, or an update's 503) is
 * not made: the SDK's default would wait out any Retry-After, holding the card outbox's queue
 * of that conversation (and every outcome message behind it) for as long as asked.
 *
 * A client without the SDK's pipeline (a test double) is left as it is.
 */
export function withConnectorRetries<T>(client: T): T {
  const pipeline = (client as { client?: { pipeline?: Pipeline } } | undefined)?.client?.pipeline;
  if (!pipeline || typeof pipeline.removePolicy !== 'function') return client;
  // The whole Retry phase (the SDK's defaultRetryPolicy): no other policy there may resend a POST.
  pipeline.removePolicy({ phase: 'Retry' });
  pipeline.addPolicy(connectorRetryPolicy(), { phase: 'Retry' });
  return client;
}

/** The retry policy {@link withConnectorRetries} installs: throttling for all, transient failures for idempotent calls. */
function connectorRetryPolicy(maxWaitMs = CONNECTOR_THROTTLE_MAX_WAIT_MS): PipelinePolicy {
  const rest = require('@azure/core-rest-pipeline') as typeof RestPipeline;
  const options = { maxRetries: CONNECTOR_MAX_RETRIES };
  const idempotent = rest.retryPolicy([throttled(maxWaitMs, true), transient(maxWaitMs)], options);
  const posts = rest.retryPolicy([throttled(maxWaitMs, false)], options);
  return {
    name: 'acrbotConnectorRetryPolicy',
    sendRequest: (request, next) =>
      (IDEMPOTENT_METHODS.has(request.method.toUpperCase()) ? idempotent : posts).sendRequest(request, next),
  };
}

/**
 * A 429 (and, for an idempotent call, a 503 naming a wait): sent again after the wait it names
 * if that is within `maxWaitMs`, after a backoff if it names none; never after a longer wait.
 */
function throttled(maxWaitMs: number, idempotent: boolean): RetryStrategy {
  return {
    name: 'acrbotThrottled',
    retry({ retryCount, response }) {
      // A failed request carries its answer (if any) as `response` too.
      const waitMs = response ? retryAfterMs(response) : undefined;
      if (response?.status === 429) {
        if (waitMs === undefined) return { retryAfterInMs: backoffMs(retryCount, maxWaitMs) };
        return waitMs <= maxWaitMs ? { retryAfterInMs: waitMs } : { skipStrategy: true };
      }
      if (idempotent && response?.status === 503 && waitMs !== undefined)
        return waitMs <= maxWaitMs ? { retryAfterInMs: waitMs } : { skipStrategy: true };
      return { skipStrategy: true };
    },
  };
}

/**
 * An idempotent call's transient failure, as the SDK's default policy retries it: a 5xx (but
 * 501/505) or 408 that names no wait, or a dropped or timed-out connection; after a backoff.
 */
function transient(maxWaitMs: number): RetryStrategy {
  return {
    name: 'acrbotTransient',
    retry({ retryCount, response, responseError }) {
      const status = response?.status;
      if (status !== undefined) {
        // A throttled answer is the other strategy's (a wait it names is never shortened here).
        if (status === 429 || (status === 503 && retryAfterMs(response!) !== undefined)) return { skipStrategy: true };
        if ((status >= 500 || status === 408) && status !== 501 && status !== 505)
          return { retryAfterInMs: backoffMs(retryCount, maxWaitMs) };
        return { skipStrategy: true };
      }
      const code = (responseError as RestError | undefined)?.code;
      if (code && CONNECTION_ERRORS.has(code)) return { retryAfterInMs: backoffMs(retryCount, maxWaitMs) };
      return { skipStrategy: true };
    },
  };
}

/** Exponential backoff with jitter (half to all of the doubled base), at most `maxWaitMs`. */
function backoffMs(retryCount: number, maxWaitMs: number): number {
  const ceiling = Math.min(maxWaitMs, BACKOFF_BASE_MS * 2 ** retryCount);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}
