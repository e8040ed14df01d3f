/**
 * A cap on how long acrbot waits when a service throttles. The Azure SDK's retry policy waits out
 * whatever `Retry-After` a 429 or 503 names, with no limit: `Retry-After: 999999` would hold a
 * request (and the turn or run behind it) for eleven days, three times over. The policy here sits
 * inside every ARM and Graph pipeline's retries and refuses such an answer at once, so the SDK's
 * throttling strategy only ever sees waits within the cap; a normal `Retry-After` is waited out
 * as before.
 */
import type { PipelinePolicy, PipelineResponse } from '@azure/core-rest-pipeline';

/** A `Retry-After` longer than this is not waited out: the call fails with {@link RetryAfterTooLongError}. */
export const RETRY_AFTER_MAX_WAIT_MS = 60_000;

/** The name of {@link retryAfterCapPolicy} in a pipeline. */
export const RETRY_AFTER_CAP_POLICY = 'retryAfterCapPolicy';

/** The statuses whose `Retry-After` the SDK's retry policy honours. */
const THROTTLED = new Set([429, 503]);

/**
 * The wait a throttled answer asks for, in ms: `retry-after-ms`, `x-ms-retry-after-ms`, or
 * `Retry-After` in seconds or as an HTTP date; undefined when it names none.
 */
export function retryAfterMs(response: PipelineResponse, now = Date.now()): number | undefined {
  for (const header of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const ms = Number(response.headers.get(header) ?? Number.NaN);
    if (Number.isFinite(ms) && ms >= 0) return ms;
  }
  const value = response.headers.get('retry-after');
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/**
 * A throttled answer whose asked wait is longer than acrbot waits. Not a `RestError` on purpose:
 * the SDK's retry policy rethrows anything else untouched, where a RestError's response would be
 * handed to its throttling strategy, which would wait the asked time after all. It carries what
 * callers read from a RestError: `statusCode`, the service's `code` and the request id.
 */
export class RetryAfterTooLongError extends Error {
  constructor(
    /** e.g. "ARM", "Microsoft Graph". */
    readonly service: string,
    readonly statusCode: number,
    /** The service's error code, else TooManyRequests / ServiceUnavailable. */
    readonly code: string,
    readonly askedMs: number,
    readonly maxWaitMs: number,
    readonly requestId?: string,
    /** The service's own sentence (cut to 300 characters), never the request's. */
    readonly serviceMessage?: string,
  ) {
    super(
      `${service} answered ${statusCode} ${code} and asked to wait ${seconds(askedMs)} before trying again, ` +
        `longer than the ${seconds(maxWaitMs)} acrbot waits; not retried (request id ${requestId ?? 'unknown'})`,
    );
    this.name = 'RetryAfterTooLongError';
  }
}

function seconds(ms: number): string {
  return `${Math.ceil(ms / 1000)} s`;
}

/** How {@link retryAfterCapPolicy} names the service and finds its request id. */
export interface RetryAfterCapOptions {
  /** Named in the error, e.g. "ARM". */
  service: string;
  /** The header carrying the service's request id (`x-ms-request-id` for ARM, `request-id` for Graph). */
  requestIdHeader: string;
  /** Default {@link RETRY_AFTER_MAX_WAIT_MS}. */
  maxWaitMs?: number;
  /**
   * Whether a request id or error code of the answer has the service's shape. They reach the
   * error's message and the sentences people read, so one that has not (a proxy's header or page,
   * say) is not taken: no request id, the status's code instead. Default: any value is taken.
   */
  wellFormed?: (value: string) => boolean;
}

/**
 * Fails a 429 or 503 whose `Retry-After` exceeds the cap with {@link RetryAfterTooLongError}.
 * Must sit inside the pipeline's retry policies (ARM clients: `additionalPolicies` at
 * `perRetry`; Graph: after the Retry phase) so it sees every answer before they do.
 */
export function retryAfterCapPolicy(options: RetryAfterCapOptions): PipelinePolicy {
  const maxWaitMs = options.maxWaitMs ?? RETRY_AFTER_MAX_WAIT_MS;
  const taken = (value: string | undefined): string | undefined =>
    value !== undefined && (options.wellFormed?.(value) ?? true) ? value : undefined;
  return {
    name: RETRY_AFTER_CAP_POLICY,
    async sendRequest(request, next) {
      const response = await next(request);
      if (!THROTTLED.has(response.status)) return response;
      const asked = retryAfterMs(response);
      if (asked === undefined || asked <= maxWaitMs) return response;
      const error = serviceError(response.bodyAsText);
      throw new RetryAfterTooLongError(
        options.service,
        response.status,
        taken(error.code) ?? (response.status === 429 ? 'TooManyRequests' : 'ServiceUnavailable'),
        asked,
        maxWaitMs,
        taken(response.headers.get(options.requestIdHeader)),
        error.message,
      );
    },
  };
}

/** ARM's and Graph's error envelope `{ error: { code, message } }`, when the body is one. */
function serviceError(body: string | null | undefined): { code?: string; message?: string } {
  try {
    const error = (JSON.parse(body ?? '') as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    return {
      code: typeof error?.code === 'string' && error.code ? error.code : undefined,
      message: typeof error?.message === 'string' ? error.message.slice(0, 300) : undefined,
    };
  } catch {
    return {}; // not JSON (a gateway's page): the status speaks
  }
}
