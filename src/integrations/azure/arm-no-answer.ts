/**
 * ARM's bound on sends that get no answer: the shared policy (http/no-answer-policy.ts, which
 * says why a policy) under ARM's name. A call to an ARM that had stopped answering took about
 * four minutes to fail with the SDK's three resends; it is now sent twice, then fails with the
 * shared {@link NoAnswerError} with `service` `ARM` (Graph's says `Microsoft Graph`): `ARM did
 * not answer GET https://…: no answer within 60 s (sent 2 times; not sent again)`, code
 * ETIMEDOUT, `cause` the last send's error. Nothing reads which service failed but by that field
 * and the message, so ARM has no subclass of its own. The SDK retry policy's own counter stays at
 * {@link ARM_MAX_RETRIES} (its default, set explicitly), so throttled and 5xx resends are as before.
 */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { ANSWER_TIMEOUT_MS } from '../http/pooled-http-client';
import { NO_ANSWER_SENDS, NoAnswerError, noAnswerPolicy } from '../http/no-answer-policy';

/**
 * Resends of one ARM request, whatever their reason (throttling, 5xx, no answer): the SDK's
 * default, set explicitly so the bound on a request's sends is written down here.
 */
export const ARM_MAX_RETRIES = 3;

/** The name of {@link armNoAnswerPolicy} in a pipeline. */
export const ARM_NO_ANSWER_POLICY = 'armNoAnswerPolicy';

/**
 * Fails an ARM request with a {@link NoAnswerError} the {@link NO_ANSWER_SENDS}th time it ends
 * without an answer. Sits at `perRetry` in the SDK clients' `additionalPolicies`.
 * `answerTimeoutMs`: the HTTP client's, for the message.
 */
export function armNoAnswerPolicy(answerTimeoutMs: number = ANSWER_TIMEOUT_MS): PipelinePolicy {
  return noAnswerPolicy({ name: ARM_NO_ANSWER_POLICY, service: 'ARM', answerTimeoutMs });
}
