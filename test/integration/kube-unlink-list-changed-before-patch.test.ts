/**
 * The revocation taking acrbot's entry out of a service account that changes between its read
 * and its JSON Patch: the patch tests the entry's name at the index read, so an entry someone
 * put in front of it meanwhile makes the test fail (422) and the list is read again; never is
 * the entry now at that index (someone else's pull secret) removed. An account deleted in that
 * window is answered as absent, not as one that no longer lists the entry. Against the
 * sandbox's cluster; the emulator's `meanwhile` fault lands the change just before the PATCH.
 */
import { REQUEST_ID_LABEL } from '../../src/integrations/kubernetes/kube-pull-secrets';
import type { KubeObject } from '../../src/sandbox/kubernetes';
import { useAksProd } from '../helpers/aks-prod-port';
import { serviceAccounts } from '../helpers/service-account-seeds';

const { emulator, port } = useAksProd();
const NS = 'payments';
const REQUEST = 'R-UNL1NK00';

const { seed: seedAccount, entriesOf } = serviceAccounts(emulator, NS);

/** The secret written for {@link REQUEST} and linked to `serviceAccount`; the port and removal input. */
async function linked(secretName: string, serviceAccount: string) {
  const { kube, access } = await port({ callTimeoutMs: 10_000, throttleWaitMs: 10 });
  const out = await kube.write(access, {
    namespace: NS,
    secretName,
    dockerConfigJson: JSON.stringify({ auths: { 'contosoacr.azurecr.io': { username: 'u', password: 'p' } } }),
    labels: { [REQUEST_ID_LABEL]: REQUEST },
    annotations: {},
    serviceAccount,
  });
  const removal = {
    namespace: NS,
    secretName,
    serviceAccounts: [serviceAccount],
    requestId: REQUEST,
    writtenUid: out.uid,
    serviceAccountUids: { [serviceAccount]: out.serviceAccountUid! },
  };
  return { kube, access, removal };
}

test("an entry put in front of acrbot's between the read and the patch: only acrbot's entry goes", async () => {
  seedAccount('sa-shifted', ['team']);
  const { kube, access, removal } = await linked('acr-shifted', 'sa-shifted');
  expect(entriesOf('sa-shifted')).toEqual(['team', 'acr-shifted']);
  emulator().faults.inject({
    verb: 'patch',
    resource: 'serviceaccounts',
    name: 'sa-shifted',
    meanwhile: () => {
      // Same object (uid kept), its list edited: acrbot's entry moves from index 1 to 2.
      const account = emulator().getObject('serviceaccounts', NS, 'sa-shifted')!;
      emulator().seedObject('serviceaccounts', {
        ...account,
        imagePullSecrets: [{ name: 'platform' }, ...(account.imagePullSecrets as { name: string }[])],
      } as KubeObject);
    },
  });
  const result = await kube.remove(access, removal);
  expect(result.secret).toBe('deleted');
  expect(result.serviceAccountsPatched).toEqual(['sa-shifted']);
  expect(entriesOf('sa-shifted')).toEqual(['platform', 'team']);
});

test('an account deleted between the read and the patch: answered as absent', async () => {
  seedAccount('sa-vanished', []);
  const { kube, access, removal } = await linked('acr-vanished', 'sa-vanished');
  emulator().faults.inject({
    verb: 'patch',
    resource: 'serviceaccounts',
    name: 'sa-vanished',
    meanwhile: () => {
      emulator().deleteObject('serviceaccounts', NS, 'sa-vanished');
    },
  });
  const result = await kube.remove(access, removal);
  expect(result.secret).toBe('deleted');
  expect(result.serviceAccountsAbsent).toEqual(['sa-vanished']);
  expect(result.serviceAccountsNoEntry).toBeUndefined();
  expect(result.serviceAccountFailure).toBeUndefined();
});

test('one account failing its patch: the next is still taken care of, the failure answered', async () => {
  seedAccount('sa-fails', []);
  const { kube, access, removal } = await linked('acr-two', 'sa-fails');
  // A second account acrbot's records say it linked (as an earlier write for the name did).
  const next = seedAccount('sa-next', ['team', 'acr-two']);
  emulator().faults.inject({ verb: 'patch', resource: 'serviceaccounts', name: 'sa-fails', status: 500 });
  const result = await kube.remove(access, {
    ...removal,
    serviceAccounts: ['sa-fails', 'sa-next'],
    serviceAccountUids: { ...removal.serviceAccountUids, 'sa-next': next.metadata.uid! },
  });
  expect(result.secret).toBe('deleted');
  expect(result.failedServiceAccount).toBe('sa-fails');
  expect(result.serviceAccountsPatched).toEqual(['sa-next']);
  expect(entriesOf('sa-next')).toEqual(['team']);
  expect(entriesOf('sa-fails')).toEqual(['acr-two']);
});
