/**
 * The Retry-After cap on its own (which answers it refuses and what the refusal says) and how ARM
 * failures are wrapped. The pipelines around them are driven over HTTPS in
 * test/integration/arm-retry-limits.test.ts.
 */
import { createHttpHeaders, createPipelineRequest, RestError, type PipelineResponse } from '@azure/core-rest-pipeline';
import { CloudApiError } from '../../src/domain/ports';
import { armFailure } from '../../src/integrations/azure/arm-connection';
import {
  RETRY_AFTER_MAX_WAIT_MS,
  RetryAfterTooLongError,
  retryAfterCapPolicy,
} from '../../src/integrations/http/capped-retry';

const request = createPipelineRequest({ url: 'https://management.example/x' });

function answer(status: number, headers: Record<string, string> = {}, bodyAsText?: string): PipelineResponse {
  return { status, headers: createHttpHeaders(headers), request, bodyAsText };
}

const policy = retryAfterCapPolicy({ service: 'ARM', requestIdHeader: 'x-ms-request-id' });
const through = (response: PipelineResponse) => policy.sendRequest(request, async () => response);

describe('retryAfterCapPolicy', () => {
  test('passes answers that ask for no wait, a wait within the cap, or are not throttling', async () => {
    for (const response of [
      answer(200, { 'retry-after': '999999' }),
      answer(500, { 'retry-after': '999999' }),
      answer(429),
      answer(429, { 'retry-after': String(RETRY_AFTER_MAX_WAIT_MS / 1000) }),
      answer(503, { 'retry-after-ms': '1500' }),
    ])
      await expect(through(response)).resolves.toBe(response);
  });

  test('refuses a 429 or 503 asking for more than the cap, with the service, wait, code and request id', async () => {
    const err = await through(
      answer(
        429,
        { 'retry-after': '61', 'x-ms-request-id': 'req-1' },
        '{"error":{"code":"SubscriptionRequestsThrottled","message":"Too many."}}',
      ),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryAfterTooLongError);
    expect(err).toMatchObject({
      statusCode: 429,
      code: 'SubscriptionRequestsThrottled',
      askedMs: 61_000,
      requestId: 'req-1',
      serviceMessage: 'Too many.',
    });
    expect((err as Error).message).toBe(
      'ARM answered 429 SubscriptionRequestsThrottled and asked to wait 61 s before trying again, longer than the 60 s acrbot waits; not retried (request id req-1)',
    );
    // Not a RestError: the SDK's retry policy hands a RestError's response to its throttling strategy.
    expect(err).not.toBeInstanceOf(RestError);

    const later = new Date(Date.now() + 3_600_000).toUTCString();
    await expect(through(answer(503, { 'retry-after': later }, '<html>busy</html>'))).rejects.toMatchObject({
      statusCode: 503,
      code: 'ServiceUnavailable',
      requestId: undefined,
    });
    await expect(through(answer(429, { 'x-ms-retry-after-ms': '60001' }))).rejects.toMatchObject({
      code: 'TooManyRequests',
      askedMs: 60_001,
    });
  });
});

describe('armFailure', () => {
  test('wraps a RestError with its status, code, ARM’s sentence and request id, keeping it as cause', () => {
    const rest = new RestError('The scope is locked.', {
      code: 'ScopeLocked',
      statusCode: 409,
      response: { status: 409, headers: createHttpHeaders({ 'x-ms-request-id': 'req-9' }), request },
    });
    const err = armFailure(rest, 'role assignment delete');
    expect(err).toBeInstanceOf(CloudApiError);
    expect(err).toMatchObject({
      code: 'ScopeLocked',
      statusCode: 409,
      requestId: 'req-9',
      message: 'role assignment delete failed: The scope is locked.',
    });
    expect((err as Error).cause).toBe(rest);
  });

  test('reads the code of an operation core-lro reports as failed; falls back to the given request id', () => {
    const lro = new Error('The long-running operation has failed. QuotaExceeded. Too many tokens.');
    expect(armFailure(lro, 'token create', 'req-put')).toMatchObject({
      code: 'QuotaExceeded',
      statusCode: undefined,
      requestId: 'req-put',
    });
    expect(armFailure(new Error('Operation was canceled'), 'token create')).toMatchObject({ code: 'Unknown' });
  });

  test('returns a programming error as it is', () => {
    for (const bug of [new TypeError('x is undefined'), new ReferenceError('y'), new RangeError('Invalid time value')])
      expect(armFailure(bug, 'token create')).toBe(bug);
  });
});
