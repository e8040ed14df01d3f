/**
 * The write linking its secret to a service account that changes between the link's read and
 * its JSON Patch: the patch tests the resourceVersion read, so a change in that window fails it
 * (422) and the account is read again. An account made again under the name gets the entry with
 * its own uid recorded (the revocation touches only the object recorded, G15), and an entry of
 * the same name added meanwhile is not added twice. Against the sandbox's cluster; the
 * emulator's `meanwhile` fault lands the change just before the PATCH.
 */
import { REQUEST_ID_LABEL } from '../../src/integrations/kubernetes/kube-pull-secrets';
import type { KubeObject } from '../../src/sandbox/kubernetes';
import { dockerConfig as config, useAksProd } from '../helpers/aks-prod-port';
import { serviceAccounts } from '../helpers/service-account-seeds';

const { emulator, port } = useAksProd();
const NS = 'payments';

const { seed: seedAccount, entriesOf } = serviceAccounts(emulator, NS);

async function writeLinked(secretName: string, serviceAccount: string) {
  const { kube, access } = await port({ callTimeoutMs: 10_000, throttleWaitMs: 10 });
  return kube.write(access, {
    namespace: NS,
    secretName,
    dockerConfigJson: config('p'),
    labels: { [REQUEST_ID_LABEL]: 'R-L1NKRACE' },
    annotations: {},
    serviceAccount,
  });
}

test('made again between the read and the patch: the entry goes to the new object, whose uid is recorded', async () => {
  const old = seedAccount('sa-remade', ['team']);
  let remadeUid: string | undefined;
  emulator().faults.inject({
    verb: 'patch',
    resource: 'serviceaccounts',
    name: 'sa-remade',
    meanwhile: () => {
      emulator().deleteObject('serviceaccounts', NS, 'sa-remade');
      remadeUid = seedAccount('sa-remade', ['team']).metadata.uid;
    },
  });
  const out = await writeLinked('acr-remade', 'sa-remade');
  expect(remadeUid).toBeDefined();
  expect(remadeUid).not.toBe(old.metadata.uid);
  expect(out.serviceAccountPatched).toBe(true);
  expect(out.serviceAccountUid).toBe(remadeUid);
  expect(entriesOf('sa-remade')).toEqual(['team', 'acr-remade']);
});

test('the same entry added by someone else between the read and the patch: not added twice', async () => {
  seedAccount('sa-dup', ['team']);
  emulator().faults.inject({
    verb: 'patch',
    resource: 'serviceaccounts',
    name: 'sa-dup',
    meanwhile: () => {
      const account = emulator().getObject('serviceaccounts', NS, 'sa-dup')!;
      emulator().seedObject('serviceaccounts', {
        ...account,
        imagePullSecrets: [...(account.imagePullSecrets as { name: string }[]), { name: 'acr-dup' }],
      } as KubeObject);
    },
  });
  const out = await writeLinked('acr-dup', 'sa-dup');
  // Someone else's entry: acrbot did not add it, so its revocation must not take it out.
  expect(out.serviceAccountPatched).toBe(false);
  expect(entriesOf('sa-dup')).toEqual(['team', 'acr-dup']);
});

test("no answer to the patch, and the account made again meanwhile with that entry: not taken as acrbot's", async () => {
  seedAccount('sa-lost', ['team']);
  emulator().faults.inject({
    verb: 'patch',
    resource: 'serviceaccounts',
    name: 'sa-lost',
    drop: true,
    meanwhile: () => {
      // Another object under the name, its makers' list naming the secret: not acrbot's entry.
      emulator().deleteObject('serviceaccounts', NS, 'sa-lost');
      seedAccount('sa-lost', ['acr-lost']);
    },
  });
  const out = await writeLinked('acr-lost', 'sa-lost');
  expect(out.serviceAccountPatched).toBe(false);
  expect(out.serviceAccountLinkUnknown).toBeUndefined();
  expect(out.serviceAccountFailure).toBeDefined();
  expect(entriesOf('sa-lost')).toEqual(['acr-lost']);
});
