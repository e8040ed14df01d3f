/**
 * Which failed DELETEs void a revocation's mark (deletion-mark.ts `refusedDelete`), and which
 * failures are passing (outage-report-failure.ts), for the errors without an ARM status: a long
 * DELETE acrbot stopped waiting for, Graph's own errors (their status is `status`), an
 * application Graph deleted whose permanent delete is not visible yet, and a failure acrbot
 * cannot classify, which may have gone through as much as one never answered.
 */
import { CloudApiError } from '../../src/domain/ports';
import { refusedDelete } from '../../src/flows/deletion-mark';
import { passingFailure } from '../../src/flows/outage-report-failure';
import { GraphError } from '../../src/integrations/graph/graph-failure';

test('a token DELETE Azure did not finish in time may still complete: not a refusal, a passing failure', () => {
  const err = new CloudApiError('OperationTimedOut', undefined, 'token delete did not finish within 180 s');
  expect(passingFailure(err)).toMatchObject({ answer: 'no answer' });
  expect(refusedDelete(err)).toBe(false);
});

test("Graph's errors are read by their status: a 503 passes, a 403 refuses", () => {
  expect(passingFailure(new GraphError(503, 'ServiceUnavailable'))).toMatchObject({ answer: '503 ServiceUnavailable' });
  expect(refusedDelete(new GraphError(503, 'ServiceUnavailable'))).toBe(false);
  expect(refusedDelete(new GraphError(403, 'Authorization_RequestDenied'))).toBe(true);
});

test('an application Graph deleted but whose permanent delete is pending is not a refused DELETE', () => {
  const pending = new CloudApiError(
    'PermanentDeletePending',
    undefined,
    'application deleted, not yet in deleted items',
  );
  Object.defineProperty(pending, 'cause', { value: new GraphError(404, 'Request_ResourceNotFound') });
  expect(refusedDelete(pending)).toBe(false);
});

test('a failure acrbot cannot classify (no status, no code) may have gone through: it keeps the mark', () => {
  expect(refusedDelete(new Error('socket closed while reading the answer'))).toBe(false);
  expect(refusedDelete(new CloudApiError('Unexpected', undefined, 'no status'))).toBe(false);
  // A 2xx whose body could not be read: the DELETE went through.
  expect(refusedDelete(new CloudApiError('BadBody', 200, 'unreadable answer'))).toBe(false);
});

test('a refusal is read down the causes, as the ports wrap it; several at once refuse only when each does', () => {
  const wrapped = new Error('role assignment delete failed', {
    cause: new GraphError(403, 'Authorization_RequestDenied'),
  });
  expect(refusedDelete(wrapped)).toBe(true);
  const refusal = new CloudApiError('ScopeLocked', 409, 'locked');
  expect(refusedDelete(new AggregateError([refusal, refusal], 'both'))).toBe(true);
  expect(refusedDelete(new AggregateError([refusal, new Error('unclassified')], 'both'))).toBe(false);
});

test('a 404 or a 409 on the DELETE is a refusal', () => {
  expect(refusedDelete(new CloudApiError('ScopeLocked', 409, 'locked'))).toBe(true);
  expect(refusedDelete(new CloudApiError('AuthorizationFailed', 403, 'no'))).toBe(true);
});
