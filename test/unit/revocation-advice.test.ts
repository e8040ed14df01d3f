/**
 * What the approvers' report of a failing revocation advises, by the failure: a passing one (5xx,
 * 408, 429, no answer) says acrbot retries and nothing is needed by hand unless it lasts; the 403
 * text only for a 403; any other refusal, deleting by hand. And which failures are passing.
 */
import { UserFacingError } from '../../src/domain/errors';
import { CloudApiError } from '../../src/domain/ports';
import { revocationAdvice } from '../../src/flows/azure-failure-text';
import { passingFailure } from '../../src/flows/outage-report-failure';

const arm = (status: number | undefined, code: string) => new CloudApiError(code, status, 'deleting failed');
const wrapped = (cause: unknown) => new Error('the revocation failed', { cause });

test.each([
  [503, 'ServiceUnavailable', 'Azure answered 503 ServiceUnavailable'],
  [500, 'InternalServerError', 'Azure answered 500 InternalServerError'],
  [429, 'TooManyRequests', 'Azure answered 429 TooManyRequests'],
  [408, 'RequestTimeout', 'Azure answered 408 RequestTimeout'],
  [undefined, 'ECONNRESET', 'Azure did not answer (a timeout or a dropped connection)'],
  [undefined, 'ETIMEDOUT', 'Azure did not answer'],
  [undefined, 'REQUEST_SEND_ERROR', 'Azure did not answer'],
])('a passing failure (%s %s): acrbot retries, nothing by hand unless it lasts', (status, code, says) => {
  const advice = revocationAdvice(wrapped(arm(status, code)));
  expect(advice).toContain(says);
  expect(advice).toContain('a passing failure');
  expect(advice).toContain('acrbot keeps retrying, and the access ends as soon as Azure answers');
  expect(advice).toContain('nothing is needed by hand unless it lasts for hours');
  expect(advice).not.toContain('403');
  expect(advice).not.toContain('delete it in Azure by hand');
});

test('a 403: the missing right and the delete by hand (also under a sentence that wraps it)', () => {
  for (const err of [
    arm(403, 'AuthorizationFailed'),
    new UserFacingError('registry.cannotTell', 'acrbot cannot tell whether it was deleted', {
      cause: arm(403, 'AuthorizationFailed'),
    }),
  ]) {
    const advice = revocationAdvice(err);
    expect(advice).toContain('Azure refused (403): acrbot lacks a right it needs there');
    expect(advice).toContain('To end the access at once, delete it in Azure by hand');
    expect(advice).not.toContain('passing failure');
  }
});

test.each([
  ['401', arm(401, 'InvalidAuthenticationToken')],
  ['404', arm(404, 'SubscriptionNotFound')],
  ['409', arm(409, 'Conflict')],
  ['unclassified', new Error('something else')],
  [
    'a sentence for people over a 503',
    new UserFacingError('x', 'a sentence', { cause: arm(503, 'ServiceUnavailable') }),
  ],
])('another refusal (%s): the delete by hand, without the 403 text', (_name, err) => {
  const advice = revocationAdvice(err);
  expect(advice).toBe(
    ' To end the access at once, delete it in Azure by hand: the next attempt finds it gone and finishes.',
  );
});

test('a lock and a moved registry keep their own advice', () => {
  expect(revocationAdvice(arm(409, 'ScopeLocked'))).toContain('blocks the delete (Azure answered ScopeLocked)');
  expect(revocationAdvice(new UserFacingError('registry.moved', 'moved'))).toBe('');
});

test('passing failures are grouped by service and status; several at once only when each is passing', () => {
  expect(passingFailure(wrapped(arm(503, 'ServiceUnavailable')))).toEqual({
    service: 'Azure',
    answer: '503 ServiceUnavailable',
    key: 'Azure:503',
  });
  const graph = Object.assign(arm(502, 'BadGateway'), { service: 'Microsoft Graph' });
  expect(passingFailure(graph)).toMatchObject({ service: 'Microsoft Graph', key: 'Microsoft Graph:502' });
  expect(passingFailure(arm(undefined, 'ECONNREFUSED'))).toMatchObject({ answer: 'no answer', key: 'Azure:noAnswer' });
  // A code not shaped like ARM's is not quoted.
  expect(passingFailure(arm(503, 'a proxy <b>said</b>'))?.answer).toBe('503');
  const both = [arm(503, 'ServiceUnavailable'), arm(500, 'InternalServerError')];
  expect(passingFailure(wrapped(new AggregateError(both, 'several')))).toMatchObject({ key: 'Azure:503' });
  expect(passingFailure(new AggregateError([both[0], arm(403, 'AuthorizationFailed')], 'several'))).toBeUndefined();
  expect(passingFailure(arm(403, 'AuthorizationFailed'))).toBeUndefined();
  expect(passingFailure(new Error('no status'))).toBeUndefined();
});
