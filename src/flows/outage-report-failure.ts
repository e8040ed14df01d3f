/**
 * Which failures of a background job are passing: the service did not answer, or answered that
 * it could not serve the call now (5xx, 408, 429), rather than refusing it (401, 403, 404, 409,
 * any other 4xx). A passing failure usually has a common cause (an Azure outage) and goes away
 * without anyone acting; a refusal needs a person. The same line as the runners' own
 * (domain/azure-answer-class.ts), read down an error's causes.
 */
import { azureAnswerClass, httpStatusOf } from '../domain/azure-answer-class';
import { causesOf } from '../domain/error-causes';
import { isUserFacing } from '../domain/errors';
import type { ScheduledJob } from '../domain/ports';

/** A passing failure, as the approvers' summary names it and groups it. */
export interface PassingFailure {
  /** The service that did not serve the call: `Azure` (ARM, ACR) or `Microsoft Graph`. */
  service: 'Azure' | 'Microsoft Graph';
  /** Its answer, `503 ServiceUnavailable`, or `no answer` (a timeout, a dropped connection). */
  answer: string;
  /** What groups the failures one summary stands for: the service and the status (or `noAnswer`). */
  key: string;
}

/**
 * Connection failures (no answer came): the system errors the SDKs' retry policies retry, as the
 * pooled HTTP client and the Azure SDK report them, and the SDK's code for a request not sent.
 */
const NO_ANSWER_CODES: ReadonlySet<string> = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'REQUEST_SEND_ERROR',
  // A long-running operation (an ACR token's DELETE) acrbot stopped waiting for: Azure did not
  // finish it in time, and may still (arm-registry-tokens.ts).
  'OperationTimedOut',
]);

/**
 * `err` as a {@link PassingFailure}, or undefined for a refusal and for anything unclassified (a
 * bug, a sentence acrbot wrote for people — a {@link UserFacingError}, whose advice is theirs to
 * act on): those keep their own report. Decided by the first error down the causes that carries
 * a status, a connection failure's code, or a sentence for people; several failures at once
 * (an AggregateError) are passing only when each is, and then named by the first.
 */
export function passingFailure(err: unknown): PassingFailure | undefined {
  for (const e of causesOf(err)) {
    if (e instanceof AggregateError && e.errors.length) {
      const each = e.errors.map(passingFailure);
      return each.every((f) => f !== undefined) ? each[0] : undefined;
    }
    if (isUserFacing(e)) return undefined;
    const { code, service, name } = e as { code?: unknown; service?: unknown; name?: unknown };
    const statusCode = httpStatusOf(e);
    const serviceName = service === 'Microsoft Graph' ? 'Microsoft Graph' : 'Azure';
    if (statusCode !== undefined) {
      // A refusal, or a status below 400 (no failure at all): not an outage.
      if (azureAnswerClass(statusCode) !== 'notServedNow') return undefined;
      // The code only when shaped like ARM's: no text from the wire reaches a card unchecked.
      const shown = typeof code === 'string' && /^[A-Za-z][A-Za-z0-9_.]{0,79}$/.test(code) ? ` ${code}` : '';
      return { service: serviceName, answer: `${statusCode}${shown}`, key: `${serviceName}:${statusCode}` };
    }
    if ((typeof code === 'string' && NO_ANSWER_CODES.has(code)) || name === 'TimeoutError')
      return { service: serviceName, answer: 'no answer', key: `${serviceName}:noAnswer` };
  }
  return undefined;
}

/**
 * A job whose last failure was passing (`lastFailurePassing`, stored by the scheduler from
 * {@link passingFailure}): the ends an outage holds up, which the recovery pass brings forward and
 * the outage summary counts. A job stored before the field existed counts as not passing.
 */
export function failedPassingly(job: ScheduledJob): boolean {
  return job.attempts > 0 && job.lastFailurePassing === true;
}
