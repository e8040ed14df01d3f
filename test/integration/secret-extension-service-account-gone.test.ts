/**
 * An extension of a pull secret whose service account was deleted since the grant fails, and
 * says what an extension can do about it: `extend` takes only `--for`, so not "check
 * --service-account" but the account made again and `extend` again, or a new pull secret for
 * another account with the `secret` command written out.
 */
import { users } from '../helpers/harness';
import { grantedSecretOnAksDev, h, requestExtension, useLifecycleHooks } from '../helpers/lifecycle';

useLifecycleHooks();

test('its service account gone: made again and extend, or a new secret for another account; never --service-account for extend', async () => {
  const { id, k8s } = await grantedSecretOnAksDev(
    'aks-dev contosoacr --namespace payments --service-account default --for 1h pull for payments-api',
  );
  k8s.deleteAsClient('serviceaccounts', 'payments', 'default');
  const extensionId = await requestExtension(id, '--for 3h rollout still running');
  await h.click(users.approver, 'approve', { requestId: extensionId });
  const done = await h.settle(extensionId);
  expect(done.state).toBe('failed');
  expect(done.outcome?.errorCode).toBe('kubernetes.noServiceAccount');
  expect(done.outcome?.error).toBe(
    `Service account default does not exist in namespace payments of cluster aks-dev; an extension links the secret only to service account default, so have it created again and then extend again, or ask for a new pull secret for the workload's service account: "@acrbot secret aks-dev contosoacr --namespace payments --name acr-auth --service-account SERVICE-ACCOUNT --for 3h REASON…". Access of ${id} was not extended; it still ends at 2026-11-30 11:00 UTC.`,
  );
  expect(done.outcome?.error).not.toContain('check --service-account');
});
