/**
 * A removal's read (a revocation reading the secret it is to delete, `forRemoval`) that fails
 * leaves what acrbot wrote in place for the retry: none of its sentences says "nothing was left
 * behind", whatever the cluster answered; the same read outside a removal does.
 */
import { ApiException } from '@kubernetes/client-node';
import { explainKubeError, type KubeCallContext } from '../../src/integrations/kubernetes/kube-errors';

const read: KubeCallContext = { cluster: 'aks-prod', namespace: 'payments', verb: 'read', resource: 'secrets' };
const NOTHING_LEFT = 'nothing was left behind';

/** A client-node ApiException as 1.x throws it: the Status body as raw response text. */
function apiError(code: number, status: Record<string, unknown> = {}): ApiException<string> {
  return new ApiException(
    code,
    'Unknown API Status Code!',
    JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', ...status, code }),
    { 'content-type': 'application/json' },
  );
}

const answers: [string, () => unknown][] = [
  ['throttled (429)', () => apiError(429, { reason: 'TooManyRequests' })],
  ['failing (500)', () => apiError(500, { reason: 'InternalError' })],
  ['unavailable (503)', () => apiError(503, { reason: 'ServiceUnavailable' })],
  ['a 403 of no known shape', () => apiError(403, { reason: 'Forbidden', message: 'something else' })],
  ['a bad request (400)', () => apiError(400, { reason: 'BadRequest' })],
  ['no answer', () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
];

describe('a failed read made by a removal', () => {
  test.each(answers)('%s: not "nothing was left behind"', (_, err) => {
    expect(explainKubeError(err(), read).message).toContain(NOTHING_LEFT);
    expect(explainKubeError(err(), { ...read, forRemoval: true }).message).not.toContain(NOTHING_LEFT);
  });
});
