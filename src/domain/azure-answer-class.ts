/**
 * The one line acrbot draws through the answers of Azure's services (ARM, ACR, Microsoft Graph)
 * to a call that failed: a refusal (a 4xx other than 408 and 429) changed nothing; anything else
 * may have gone through. A 5xx, 408 or 429 says the service could not serve the call now, and a
 * gateway can answer it after passing the call on; no answer at all (a lost connection) says
 * nothing. The runners read it to know whether a write may have been applied (grant-runner.ts,
 * the secret runner's credential steps), the outage summary which failures are passing
 * (outage-report-failure.ts), a revocation whether its DELETE's mark stands (deletion-mark.ts).
 */

/**
 * How a failed call's HTTP status reads:
 * - `refused`: a 4xx other than 408 and 429; the call changed nothing and needs a person.
 * - `notServedNow`: a 5xx, 408 (timeout) or 429 (throttling); the call may have been carried out.
 * - `noAnswer`: no status (a lost connection, a timeout before any answer); it may have been too.
 * - `notAFailure`: below 400 (a 2xx whose body could not be read): carried out.
 */
type AzureAnswerClass = 'refused' | 'notServedNow' | 'noAnswer' | 'notAFailure';

/** The {@link AzureAnswerClass} of `status`, the HTTP status of a failed call (undefined: none came). */
export function azureAnswerClass(status: number | undefined): AzureAnswerClass {
  if (status === undefined) return 'noAnswer';
  if (status >= 500 || status === 408 || status === 429) return 'notServedNow';
  return status >= 400 ? 'refused' : 'notAFailure';
}

/** A plain refusal (a 4xx other than 408 and 429): the call changed nothing. */
export function isRefusalStatus(status: number | undefined): boolean {
  return azureAnswerClass(status) === 'refused';
}

/**
 * The HTTP status `err` itself carries, or undefined: `statusCode` (the Azure SDK's RestError, a
 * CloudApiError), else `status` (where Graph's errors keep it, graph-failure.ts); only an integer
 * from 100 to 599 counts, anything else is read as no status. Not down the causes: callers walk
 * those themselves (error-causes.ts), each stopping at what else it looks for.
 */
export function httpStatusOf(err: unknown): number | undefined {
  const { statusCode, status } = (err ?? {}) as { statusCode?: unknown; status?: unknown };
  const answer = statusCode ?? status;
  return typeof answer === 'number' && Number.isInteger(answer) && answer >= 100 && answer <= 599 ? answer : undefined;
}
