/**
 * A namespace being deleted (phase Terminating) never becomes Active again: a finalizer only
 * holds its deletion. So its refusal does not offer to keep it ("if it should stay"): it says the
 * deletion cannot be undone, and the way on is the namespace made again once gone, or another.
 * (The approver's plan-time warning says the same: secret-target-check.test.ts.)
 */
import { namespaceTerminatingError } from '../../src/integrations/kubernetes/kube-errors';

test('the refusal of a new secret: the deletion cannot be undone; made again once gone, or another namespace', () => {
  const err = namespaceTerminatingError({ cluster: 'aks-prod', namespace: 'payments' });
  expect(err.message).toBe(
    "Namespace payments of cluster aks-prod is being deleted (Terminating), so nothing can be created in it, and its deletion cannot be undone (if it stays Terminating, a finalizer holds it: the cluster's owners can see which); once it is gone, have it created again, or choose a namespace that is not going away.",
  );
  expect(err.message).not.toMatch(/should stay/);
});
