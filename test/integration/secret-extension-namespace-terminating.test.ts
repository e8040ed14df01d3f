/**
 * An extension of a pull secret whose namespace is being deleted (Terminating, held by a
 * finalizer) fails, and says what an extension can do about it: `extend` takes only `--for`, so
 * not "choose a namespace that is not going away" but the namespace made again once it is
 * gone and `extend` again, or a new pull secret in the workload's namespace with the `secret`
 * command written out.
 */
import { users } from '../helpers/harness';
import { grantedSecretOnAksDev, h, requestExtension, useLifecycleHooks } from '../helpers/lifecycle';

useLifecycleHooks();

test('its namespace being deleted: made again and extend, or a new secret in another namespace; never "ask again"', async () => {
  const { id, k8s } = await grantedSecretOnAksDev(
    'aks-dev contosoacr --namespace payments --service-account default --for 1h pull for payments-api',
  );
  const extensionId = await requestExtension(id, '--for 3h rollout still running');
  expect(k8s.terminateNamespace('payments')).toBe(true);
  await h.click(users.approver, 'approve', { requestId: extensionId });
  const done = await h.settle(extensionId);
  expect(done.state).toBe('failed');
  expect(done.outcome?.errorCode).toBe('kubernetes.namespaceTerminating');
  expect(done.outcome?.error).toBe(
    `Namespace payments of cluster aks-dev is being deleted (Terminating), so nothing can be created in it, and its deletion cannot be undone (if it stays Terminating, a finalizer holds it: the cluster's owners can see which); as an extension writes only into namespace payments, have it created again once it is gone (and service account default in it) and then extend again, or ask for a new pull secret in the workload's namespace: "@acrbot secret aks-dev contosoacr --namespace NAMESPACE --name acr-auth --service-account default --for 3h REASON…". Access of ${id} was not extended; it still ends at 2026-11-30 11:00 UTC.`,
  );
  expect(done.outcome?.error).not.toContain('choose a namespace');
});
