/**
 * A 403 inside a cluster names the exact Role acrbot needs (docs/deploy.md) and warns against a
 * broader built-in role: the sentence reaches a cluster team through the requester, and "or RBAC
 * Writer" would have them give acrbot the power to run pods as any service account there.
 */
import { ApiException } from '@kubernetes/client-node';
import { explainKubeError } from '../../src/integrations/kubernetes/kube-errors';

const forbidden = new ApiException(
  403,
  'Unknown API Status Code!',
  JSON.stringify({ kind: 'Status', code: 403, status: 'Failure', reason: 'Forbidden', message: 'forbidden' }),
  { 'content-type': 'application/json' },
);

test('a 403 names the Role of docs/deploy.md and offers no broader role', () => {
  const { message } = explainKubeError(forbidden, {
    cluster: 'aks-x',
    namespace: 'payments',
    verb: 'create',
    resource: 'secrets',
  });
  // The platform team gives it: whoever reads the sentence (a requester) cannot.
  expect(message).toContain(
    'Ask the platform team to give it the Role and RoleBinding of docs/deploy.md in that namespace',
  );
  expect(message).toContain('and nothing broader');
  expect(message).not.toMatch(/, or Azure Kubernetes Service RBAC Writer/);
});
