/**
 * The Bot Connector clients' retries. Their HTTP client is the process's pooled one in the compat
 * shape botbuilder asks for (integrations/http/compat-http-client.ts, given in create-adapter.ts;
 * test/unit/lean-conversations.test.ts runs the calls through it). Behind an outbound proxy
 * botbuilder's compat layer rebuilds each request without the agent the SDK's proxy policy set,
 * so the pooled client's own proxy decision (outbound-proxy.ts) is what sends them through the
 * proxy, with its answer timeout (test/integration/outbound-proxy.test.ts).
 *
 * {@link withConnectorRetries} replaces the connector client's retry policy, so that a new
 * activity (a POST) is never sent twice (test/integration/connector-post-once.test.ts).
 */
import type { HttpClient, Pipeline, PipelinePolicy, PipelineResponse, RetryStrategy } from '@azure/core-rest-pipeline';
import type * as RestPipeline from '@azure/core-rest-pipeline';
import { retryAfterMs } from '../integrations/http/capped-retry';

/**
 * Waits longer than this for a throttled POST's Retry-After are not made: the 429 surfaces,
 * and the caller (the card outbox, a turn's error handler) decides, instead of a turn or a
 * flow stalling behind one card.
 */
export const CONNECTOR_THROTTLE_MAX_WAIT_MS = 10_000;

/** Retries of a throttled POST (each after its Retry-After), as many as the SDK's default. */
const CONNECTOR_POST_MAX_RETRIES = 3;

/**
 * Methods sending which twice does the same as once: an update (PUT) puts the same activity
 * again, a delete finds it gone, a read reads again. The SDK's default retries stay on them.
 */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/**
 * Gives a Bot Connector client (in place; returns it) a retry policy that never sends a POST
 * twice unless the connector said it did not take it. The SDK's default policy resends any
 * request answered 5xx (but 501/505), 408, or failed with a reset or timed-out connection
 * (which the pooled HTTP client reports as ECONNRESET/ETIMEDOUT): for the POSTs behind
 * sendToConversation and replyToActivity the first attempt may well have been posted, so a
 * card would appear twice, and of an approval card only the second copy's id would be kept
 * (the first would never be updated). A POST is therefore sent again only after a 429 whose
 * Retry-After is at most {@link CONNECTOR_THROTTLE_MAX_WAIT_MS} (the connector refused it
 * unprocessed); any other failure surfaces as the SDK's RestError, for the caller to handle.
 * Updates (PUT), deletes and reads keep the SDK's default retries.
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

/** The retry policy {@link withConnectorRetries} installs: by method, the SDK's default or throttling only. */
function connectorRetryPolicy(maxWaitMs = CONNECTOR_THROTTLE_MAX_WAIT_MS): PipelinePolicy {
  const rest = require('@azure/core-rest-pipeline') as typeof RestPipeline;
  const idempotent = rest.defaultRetryPolicy();
  const posts = rest.retryPolicy([throttledOnly(maxWaitMs)], { maxRetries: CONNECTOR_POST_MAX_RETRIES });
  return {
    name: 'acrbotConnectorRetryPolicy',
    sendRequest: (request, next) =>
      (IDEMPOTENT_METHODS.has(request.method.toUpperCase()) ? idempotent : posts).sendRequest(request, next),
  };
}

/**
 * Sends again only after a 429 with a Retry-After within `maxWaitMs`: the one answer that
 * says the request was not carried out. Everything else is left to the caller as it is.
 */
function throttledOnly(maxWaitMs: number): RetryStrategy {
  return {
    name: 'acrbotThrottledOnly',
    retry({ response }) {
      // A failed request carries its answer (if any) as `response` too.
      if (response?.status !== 429) return { skipStrategy: true };
      const waitMs = retryAfterMs(response);
      if (waitMs === undefined || waitMs > maxWaitMs) return { skipStrategy: true };
      return { retryAfterInMs: waitMs };
    },
  };
}
