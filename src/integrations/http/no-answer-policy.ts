/**
 * A bound on how often a request that got no answer is sent again, for any service called over
 * an Azure SDK pipeline (ARM, Microsoft Graph). The pooled HTTP client gives up on an answer
 * after its answer timeout (60 s) and reports ETIMEDOUT, which the SDK's retry policy resends
 * three times: one call to a service that had stopped answering took about four minutes to fail,
 * and a flow making several calls one after another (a grant's planning) waited for twelve and
 * more. Here a request that got no answer is sent once more, not three times, and then fails
 * saying which service and endpoint did not answer within how long.
 *
 * Why a policy and not `retryOptions: { maxRetries: 1 }`: the SDK's retry policy counts every
 * resend with one counter (a 429 or 503 waited out by its throttling strategy, a 5xx or a lost
 * connection resent by its exponential one), so `maxRetries: 1` would also cut the throttled and
 * 5xx resends the services' own guidance expects. This policy, inside the retry policies,
 * counts only the sends that got no answer.
 */
import type { HttpClient, PipelinePolicy, PipelineRequest } from '@azure/core-rest-pipeline';
import { ANSWER_TIMEOUT_MS } from './pooled-http-client';

/** Sends of one request that may end without an answer: the first and one resend. */
export const NO_ANSWER_SENDS = 2;

/** An HTTP client with its wait for an answer when it has one (the pooled client's), for the message. */
export type AnswerTimedHttpClient = HttpClient & { readonly answerTimeoutMs?: number };

/** undici's codes (on the pooled client's error's `cause`) for a wait on the answer that ran out. */
const ANSWER_TIMEOUT_CODES: ReadonlySet<string> = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * A service gave no answer to {@link NO_ANSWER_SENDS} sends of one request. Not a `RestError` on
 * purpose (as `RetryAfterTooLongError`): the SDK's retry policies rethrow anything else untouched
 * instead of resending. Its `code` stays ETIMEDOUT, so callers still read it as a failure without
 * an answer (outage reports, a write whose answer may be lost); its message names the service,
 * the endpoint and the wait, and `cause` is the last send's error.
 */
export class NoAnswerError extends Error {
  readonly code = 'ETIMEDOUT';

  constructor(
    /** As the message names it: `ARM`, `Microsoft Graph`. */
    readonly service: string,
    /** `GET https://management.azure.com/subscriptions/…` (no query). */
    readonly target: string,
    /** What ran out: `no answer within 60 s`, or the connection's own timeout. */
    readonly detail: string,
    readonly sends: number,
    cause: unknown,
  ) {
    super(`${service} did not answer ${target}: ${detail} (sent ${sends} times; not sent again)`, { cause });
    this.name = 'NoAnswerError';
  }
}

/** Options of {@link noAnswerPolicy}. */
export interface NoAnswerPolicyOptions {
  /** The policy's name in its pipeline (one name per pipeline). */
  name: string;
  /** Named in the error: `ARM`, `Microsoft Graph`. */
  service: string;
  /** The HTTP client's wait for an answer, for the message; default {@link ANSWER_TIMEOUT_MS}. */
  answerTimeoutMs?: number;
}

/**
 * Fails a request with a {@link NoAnswerError} the {@link NO_ANSWER_SENDS}th time it ends without
 * an answer (ETIMEDOUT); earlier ones go to the retry policies as before. Must sit inside the
 * pipeline's retry policies (ARM: `additionalPolicies` at `perRetry`; a pipeline built by hand:
 * `afterPhase: 'Retry'`), which resend the same request object, so the count is kept per request.
 */
export function noAnswerPolicy(options: NoAnswerPolicyOptions): PipelinePolicy {
  const { name, service, answerTimeoutMs = ANSWER_TIMEOUT_MS } = options;
  const unanswered = new WeakMap<PipelineRequest, number>();
  return {
    name,
    async sendRequest(request, next) {
      try {
        return await next(request);
      } catch (err) {
        if ((err as { code?: unknown } | null)?.code !== 'ETIMEDOUT') throw err;
        const sends = (unanswered.get(request) ?? 0) + 1;
        unanswered.set(request, sends);
        if (sends < NO_ANSWER_SENDS) throw err;
        throw new NoAnswerError(service, targetOf(request), detailOf(err, answerTimeoutMs), sends, err);
      }
    },
  };
}

/** The method and URL without its query (api-version, filters, search terms): enough to tell the call. */
function targetOf(request: PipelineRequest): string {
  const url = new URL(request.url);
  return `${request.method} ${url.origin}${url.pathname}`;
}

/** `no answer within N s` for a wait on the answer; the error's own text for a connection that timed out. */
function detailOf(err: unknown, answerTimeoutMs: number): string {
  const e = err as { message?: unknown; cause?: { code?: unknown; message?: unknown } };
  const causeCode = typeof e.cause?.code === 'string' ? e.cause.code : '';
  // The pooled client's Node path says "no answer within … ms" itself (with no undici cause).
  const nodeTimeout = typeof e.message === 'string' && e.message.startsWith('no answer within');
  if (ANSWER_TIMEOUT_CODES.has(causeCode) || nodeTimeout) return `no answer within ${answerTimeoutMs / 1000} s`;
  return `timed out (${typeof e.message === 'string' ? e.message : 'ETIMEDOUT'})`;
}
