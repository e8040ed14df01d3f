/**
 * `KubePullSecrets.remove` on a secret written in between its read and its conditional delete
 * (409 Conflict on the preconditions), for requests recorded before uids were kept (labels are
 * the only record then): the secret is read again and deleted when it is still the object first
 * read; one made since under the same name, labels copied, is left (G15). Against the sandbox's
 * cluster; the emulator's `meanwhile` fault lands the other write just before the DELETE.
 * The lifecycle (uid recorded) is covered in secret-revoke-conflict.test.ts.
 */
import { KubePullSecrets, REQUEST_ID_LABEL } from '../../src/integrations/kubernetes/kube-pull-secrets';
import { SANDBOX_CLUSTERS } from '../../src/sandbox/fixtures';
import type { KubeObject } from '../../src/sandbox/kubernetes';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox';
import { sandboxArm } from '../helpers/sandbox-arm';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.stop());
afterEach(() => sandbox.kubernetes['aks-prod'].faults.clear());

const emulator = () => sandbox.kubernetes['aks-prod'];

/** A secret written through the port under `requestId`'s label, and the port's access. */
async function written(secretName: string, requestId: string) {
  const { reader } = sandboxArm(sandbox);
  const cluster = (await reader.listClusters(SANDBOX_CLUSTERS.prod.subscriptionId)).find((c) => c.name === 'aks-prod')!;
  const kube = new KubePullSecrets((s) => reader.aksClient(s), sandbox.credential);
  const access = await kube.access(cluster);
  await kube.write(access, {
    namespace: 'payments',
    secretName,
    dockerConfigJson: JSON.stringify({ auths: { 'contosoacr.azurecr.io': { username: 'u', password: 'p' } } }),
    labels: { [REQUEST_ID_LABEL]: requestId },
    annotations: {},
  });
  const removal = { namespace: 'payments', secretName, serviceAccounts: [], requestId };
  return { kube, access, removal, object: emulator().getObject('secrets', 'payments', secretName)! };
}

test('no uid recorded, annotated in between: read again, the same object, deleted', async () => {
  const { kube, access, removal, object } = await written('acr-annotated', 'R-ANN0TATE');
  emulator().faults.inject({
    verb: 'delete',
    resource: 'secrets',
    name: 'acr-annotated',
    meanwhile: () =>
      emulator().seedObject('secrets', {
        ...object,
        metadata: { ...object.metadata, annotations: { 'example.com/touched': 'yes' } },
      } as KubeObject),
  });
  const result = await kube.remove(access, removal);
  expect(result.secret).toBe('deleted');
  expect(emulator().getObject('secrets', 'payments', 'acr-annotated')).toBeUndefined();
});

test('no uid recorded, replaced in between with the labels copied: another object, left in place', async () => {
  const { kube, access, removal, object } = await written('acr-replaced', 'R-REP1ACED');
  let plantedUid: unknown;
  emulator().faults.inject({
    verb: 'delete',
    resource: 'secrets',
    name: 'acr-replaced',
    meanwhile: () => {
      emulator().deleteObject('secrets', 'payments', 'acr-replaced');
      plantedUid = emulator().seedObject('secrets', {
        ...object,
        metadata: { name: 'acr-replaced', namespace: 'payments', labels: object.metadata.labels },
      } as KubeObject).metadata.uid;
    },
  });
  const result = await kube.remove(access, removal);
  expect(result.secret).toBe('notOurs');
  expect(plantedUid).not.toBe(object.metadata.uid);
  expect(emulator().getObject('secrets', 'payments', 'acr-replaced')?.metadata.uid).toBe(plantedUid);
});
