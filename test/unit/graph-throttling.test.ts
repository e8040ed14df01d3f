/**
 * Graph's throttling strategy on its own: which 429s it takes, how long it waits, and when it
 * leaves the answer to the caller (the pipeline around it is exercised in
 * test/integration/graph-client.test.ts against the Graph emulator).
 */
import { createHttpHeaders, createPipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { graphThrottleStrategy } from '../../src/integrations/graph/graph-throttling';
import { retryAfterMs } from '../../src/integrations/http/capped-retry';

function answer(status: number, headers: Record<string, string> = {}): PipelineResponse {
  return {
    status,
    headers: createHttpHeaders(headers),
    request: createPipelineRequest({ url: 'https://graph.example/v1.0/x' }),
  };
}

describe('retryAfterMs', () => {
  test('reads milliseconds headers, seconds and HTTP dates; nothing when none is named', () => {
    const now = Date.parse('2026-12-02T10:00:00Z');
    expect(retryAfterMs(answer(429, { 'retry-after-ms': '250' }), now)).toBe(250);
    expect(retryAfterMs(answer(429, { 'x-ms-retry-after-ms': '40' }), now)).toBe(40);
    expect(retryAfterMs(answer(429, { 'Retry-After': '3' }), now)).toBe(3000);
    expect(retryAfterMs(answer(429, { 'Retry-After': 'Wed, 02 Dec 2026 10:00:05 GMT' }), now)).toBe(5000);
    expect(retryAfterMs(answer(429, { 'Retry-After': 'Wed, 02 Dec 2026 09:59:00 GMT' }), now)).toBe(0);
    expect(retryAfterMs(answer(429), now)).toBeUndefined();
    expect(retryAfterMs(answer(429, { 'Retry-After': 'soon' }), now)).toBeUndefined();
  });
});

describe('graphThrottleStrategy', () => {
  // `random: () => 0` waits the whole step; the jitter is test/unit/retry-jitter.test.ts's.
  const beside = graphThrottleStrategy({ withRetryAfter: false, firstBackoffMs: 100, random: () => 0 });
  const alone = graphThrottleStrategy({ withRetryAfter: true, firstBackoffMs: 100, maxWaitMs: 10_000 });

  test('takes only 429s: other failures are another policy’s (or, for writes sent once, nobody’s)', () => {
    for (const status of [200, 400, 500, 503])
      expect(alone.retry({ response: answer(status), retryCount: 0 })).toEqual({ skipStrategy: true });
    expect(alone.retry({ retryCount: 0 })).toEqual({ skipStrategy: true });
  });

  test('a 429 that names no wait backs off, doubling', () => {
    expect(beside.retry({ response: answer(429), retryCount: 0 })).toEqual({ retryAfterInMs: 100 });
    expect(beside.retry({ response: answer(429), retryCount: 2 })).toEqual({ retryAfterInMs: 400 });
  });

  test('beside the SDK’s retries, a 429 that names its wait is left to them; alone, it is waited out', () => {
    const named = answer(429, { 'Retry-After': '2' });
    expect(beside.retry({ response: named, retryCount: 0 })).toEqual({ skipStrategy: true });
    expect(alone.retry({ response: named, retryCount: 0 })).toEqual({ retryAfterInMs: 2000 });
  });

  test('a wait longer than the limit is not sat out: the 429 goes to the caller', () => {
    expect(alone.retry({ response: answer(429, { 'Retry-After': '11' }), retryCount: 0 })).toEqual({
      skipStrategy: true,
    });
  });
});
