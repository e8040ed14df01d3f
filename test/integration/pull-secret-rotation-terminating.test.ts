/**
 * A secret rotation (an approved extension writing its new credential into the secret the
 * original wrote) while someone deletes that secret, held by a finalizer, between acrbot's check
 * and its PUT: the extension fails as `kubernetes.secretTerminating`, reports nothing as written,
 * and deletes its new token again; the secret, still the original's, goes once its finalizer
 * clears. End to end (server, scheduler, Kubernetes emulator, test clock); the port-level cases
 * are in kube-replace-terminating.test.ts.
 */
import { users } from '../helpers/harness';
import {
  advance,
  grantedSecretOnAksDev,
  h,
  MINUTE,
  requestExtension,
  tokens,
  useLifecycleHooks,
} from '../helpers/lifecycle';

useLifecycleHooks();

test('deleted between the check and the PUT: the extension fails, nothing reported written, its new token deleted', async () => {
  const { id: first, k8s } = await grantedSecretOnAksDev(
    'aks-dev contosoacr --namespace payments --for 1h pull for payments-api',
  );
  // Someone's controller protects the secret (before the extension's check reads it).
  const written = k8s.getObject('secrets', 'payments', 'acr-auth')!;
  k8s.seedObject('secrets', { ...written, metadata: { ...written.metadata, finalizers: ['example.com/hold'] } });
  advance(MINUTE);
  const extension = await requestExtension(first, '--for 2h still needed for payments');
  k8s.faults.inject({
    method: 'PUT',
    resource: 'secrets',
    name: 'acr-auth',
    meanwhile: () => void k8s.deleteAsClient('secrets', 'payments', 'acr-auth'),
  });
  await h.click(users.approver, 'approve', { requestId: extension });
  const done = await h.settle(extension);
  expect(done.state).toBe('failed');
  expect(done.outcome?.errorCode).toBe('kubernetes.secretTerminating');
  expect(done.outcome?.error).toBe(
    `Secret payments/acr-auth in cluster aks-dev is being deleted (finalizers example.com/hold); nothing was written. Try again when it is gone (a new request may also choose another --name). The credential acrbot had created was deleted again. Access of ${first} was not extended; it still ends at 2026-11-30 11:00 UTC.`,
  );
  expect(done.outcome?.secret).toBeUndefined();
  expect(done.created?.some((o) => o.kind === 'pullSecret')).toBe(false);
  const secret = k8s.getObject('secrets', 'payments', 'acr-auth')!;
  expect(secret.metadata.deletionTimestamp).toEqual(expect.any(String));
  expect(secret.metadata.labels?.['acrbot.io/request-id']).toBe(first);
  expect(tokens()).toEqual([`acrbot-${first.toLowerCase()}`]);
});
