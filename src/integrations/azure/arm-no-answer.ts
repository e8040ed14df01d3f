/**
 * A bound on how often an ARM request that got no answer is sent again. The pooled HTTP client
 * gives up on an answer after its answer timeout (60 s) and reports ETIMEDOUT, which the SDK's
 * retry policy resends three times: one ARM call to an ARM that had stopped answering took about
 * four minutes to fail, and a grant's planning (three or more ARM steps one after another) kept
 * the requester's card at "Planning your request…" for twelve and more. Here a request that got
 * no answer is sent once more, not three times, and then fails saying which endpoint did not
 * answer within how long.
 *
 * Why a policy and not `retryOptions: { maxRetries: 1 }`: the SDK's retry policy counts every
 * resend with one counter (a 429 or 503 waited out by its throttling strategy, a 5xx or a lost
 * connection resent by its exponential one), so `maxRetries: 1` would also cut the throttled and
 * 5xx resends ARM's own guidance expects. The counter stays at {@link ARM_MAX_RETRIES} (the SDK's
 * default, now set explicitly) and this policy, inside it, counts only the sends that got no
 * answer.
 */
import type { PipelinePolicy, PipelineRequest } from '@azure/core-rest-pipeline';
import { ANSWER_TIMEOUT_MS } from '../http/pooled-http-client';

/**
 * Resends of one ARM request, whatever their reason (throttling, 5xx, no answer): the SDK's
 * default, set explicitly so the bound on a request's sends is written down here.
 */
export const ARM_MAX_RETRIES = 3;

/** Sends of one ARM request that may end without an answer: the first and one resend. */
export const ARM_NO_ANSWER_SENDS = 2;

/** The name of {@link armNoAnswerPolicy} in a pipeline. */
export const ARM_NO_ANSWER_POLICY = 'armNoAnswerPolicy';

/** undici's codes (on the pooled client's error's `cause`) for a wait on the answer that ran out. */
const ANSWER_TIMEOUT_CODES: ReadonlySet<string> = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * ARM gave no answer to {@link ARM_NO_ANSWER_SENDS} sends of one request. Not a `RestError` on
 * purpose (as `RetryAfterTooLongError`): the SDK's retry policy rethrows anything else untouched
 * instead of resending. Its `code` stays ETIMEDOUT, so callers still read it as a failure without
 * an answer (outage reports, a write whose answer may be lost); its message names the endpoint
 * and the wait, and `cause` is the last send's error.
 */
export class ArmNoAnswerError extends Error {
  readonly code = 'ETIMEDOUT';

  constructor(
    /** `GET https://management.azure.com/subscriptions/…` (no query). */
    readonly target: string,
    /** What ran out: `no answer within 60 s`, or the connection's own timeout. */
    readonly detail: string,
    readonly sends: number,
    cause: unknown,
  ) {
    super(`ARM did not answer ${target}: ${detail} (sent ${sends} times; not sent again)`, { cause });
    this.name = 'ArmNoAnswerError';
  }
}

/**
 * Fails a request with {@link ArmNoAnswerError} the {@link ARM_NO_ANSWER_SENDS}th time it ends
 * without an answer (ETIMEDOUT); earlier ones go to the SDK's retry policy as before. Must sit
 * inside the pipeline's retry policy (`additionalPolicies` at `perRetry`), which resends the same
 * request object, so the count is kept per request. `answerTimeoutMs`: the HTTP client's, for
 * the message.
 */
export function armNoAnswerPolicy(answerTimeoutMs: number = ANSWER_TIMEOUT_MS): PipelinePolicy {
  const unanswered = new WeakMap<PipelineRequest, number>();
  return {
    name: ARM_NO_ANSWER_POLICY,
    async sendRequest(request, next) {
      try {
        return await next(request);
      } catch (err) {
        if ((err as { code?: unknown } | null)?.code !== 'ETIMEDOUT') throw err;
        const sends = (unanswered.get(request) ?? 0) + 1;
        unanswered.set(request, sends);
        if (sends < ARM_NO_ANSWER_SENDS) throw err;
        throw new ArmNoAnswerError(targetOf(request), detailOf(err, answerTimeoutMs), sends, err);
      }
    },
  };
}

/** The method and URL without its query (api-version, filters): enough to tell the call. */
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
