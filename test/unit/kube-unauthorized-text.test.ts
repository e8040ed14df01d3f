/**
 * The sentence of a cluster's 401 by how acrbot signed in (kube-errors.ts): an Entra-integrated
 * cluster needs access for acrbot's identity; one without managed Entra integration does not
 * accept Entra tokens, whatever role acrbot holds; not known, the sentence says which advice is
 * for which kind of cluster rather than guess. The integration test
 * (kube-unauthorized-sign-in.test.ts) checks that acrbot tells the kinds apart from Azure's settings.
 */
import { ApiException } from '@kubernetes/client-node';
import { explainKubeError, type KubeSignIn } from '../../src/integrations/kubernetes/kube-errors';

const unauthorized = new ApiException(
  401,
  'Unknown API Status Code!',
  JSON.stringify({ kind: 'Status', code: 401, status: 'Failure', reason: 'Unauthorized', message: 'Unauthorized' }),
  { 'content-type': 'application/json' },
);
const call = { cluster: 'aks-x', namespace: 'payments', verb: 'read', resource: 'secrets' };
const text = (signIn?: KubeSignIn) => explainKubeError(unauthorized, { ...call, signIn }).message;

test('Entra-integrated cluster: a sign-in failure, no role advice (no role fixes a 401), nothing about integration', () => {
  expect(text('entra')).toContain('this is a sign-in failure, not a missing right');
  expect(text('entra')).not.toContain('RBAC Writer');
  expect(text('entra')).not.toContain('does not accept Entra tokens');
});

test('acrbot’s Entra token at a cluster Azure shows without managed Entra integration: the integration, no role', () => {
  const sentence = text('entraNotIntegrated');
  expect(sentence).toContain("Cluster aks-x did not accept acrbot's Entra token");
  expect(sentence).toContain('does not accept Entra tokens');
  expect(sentence).toContain('managed Microsoft Entra integration with Azure RBAC for Kubernetes');
  expect(sentence).not.toContain('RBAC Writer');
});

test('sign-in not known: both causes, each for its kind of cluster', () => {
  const sentence = text(undefined);
  expect(sentence).toContain('On a cluster with managed Microsoft Entra integration');
  expect(sentence).toContain('this is a sign-in failure, not a missing right');
  expect(sentence).toContain('a cluster without it does not accept Entra tokens at all');
});
