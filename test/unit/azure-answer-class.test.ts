/**
 * The one line through Azure's answers to a failed call (domain/azure-answer-class.ts): which
 * statuses refuse (changed nothing), which may have gone through, and which status an error carries.
 */
import { azureAnswerClass, httpStatusOf, isRefusalStatus } from '../../src/domain/azure-answer-class';

test('a 4xx refuses, except a timeout (408) and throttling (429)', () => {
  for (const status of [400, 401, 403, 404, 409, 412, 499]) expect(azureAnswerClass(status)).toBe('refused');
  for (const status of [408, 429, 500, 502, 503, 504]) expect(azureAnswerClass(status)).toBe('notServedNow');
});

test('no status is no answer; below 400 is no failure; neither is a refusal', () => {
  expect(azureAnswerClass(undefined)).toBe('noAnswer');
  expect(azureAnswerClass(200)).toBe('notAFailure');
  expect(azureAnswerClass(302)).toBe('notAFailure');
  for (const status of [undefined, 200, 302, 408, 429, 503]) expect(isRefusalStatus(status)).toBe(false);
  expect(isRefusalStatus(403)).toBe(true);
});

test("the status an error carries: ARM's statusCode first, else Graph's status; only a real HTTP status", () => {
  expect(httpStatusOf({ statusCode: 503 })).toBe(503);
  expect(httpStatusOf({ status: 404 })).toBe(404);
  expect(httpStatusOf({ statusCode: 409, status: 500 })).toBe(409);
  for (const err of [
    { statusCode: 0 },
    { status: 600 },
    { statusCode: '503' },
    { status: 404.5 },
    'x',
    null,
    undefined,
  ])
    expect(httpStatusOf(err)).toBeUndefined();
});
