/**
 * The reads of a pull secret that is being deleted (`deletionTimestamp` set, held by a
 * finalizer): the precheck refuses it before any credential exists (a create would meet it, a
 * replace would put the new credential into a secret about to vanish), and `inspect` says it is
 * going (`deleting`) rather than present like any other. Against the sandbox's cluster.
 */
import { REQUEST_ID_LABEL } from '../../src/integrations/kubernetes/kube-pull-secrets';
import type { KubeObject } from '../../src/sandbox/kubernetes';
import { dockerConfig as config, useAksProd } from '../helpers/aks-prod-port';

const { emulator, port } = useAksProd();
const NS = 'payments';
const HOLD = 'example.com/hold';

/** Secret `secretName` written through the port, given a finalizer, then deleted by another client. */
async function beingDeleted(secretName: string) {
  const { kube, access } = await port();
  const out = await kube.write(access, {
    namespace: NS,
    secretName,
    dockerConfigJson: config('p'),
    labels: { [REQUEST_ID_LABEL]: 'R-DELET1NG' },
    annotations: {},
  });
  const object = emulator().getObject('secrets', NS, secretName)!;
  emulator().seedObject('secrets', { ...object, metadata: { ...object.metadata, finalizers: [HOLD] } } as KubeObject);
  emulator().deleteAsClient('secrets', NS, secretName);
  expect(emulator().getObject('secrets', NS, secretName)?.metadata.deletionTimestamp).toEqual(expect.any(String));
  return { kube, access, uid: out.uid };
}

test('precheck: a secret being deleted is refused, its finalizer named', async () => {
  const { kube, access } = await beingDeleted('acr-going-precheck');
  await expect(kube.precheck(access, { namespace: NS, secretName: 'acr-going-precheck' })).rejects.toMatchObject({
    code: 'kubernetes.secretTerminating',
    message: expect.stringContaining(`is being deleted (finalizers ${HOLD}); nothing was written.`),
  });
});

test('inspect: a secret being deleted is present, marked deleting', async () => {
  const { kube, access, uid } = await beingDeleted('acr-going-inspect');
  const seen = await kube.inspect(access, { namespace: NS, secretName: 'acr-going-inspect', serviceAccounts: [] });
  expect(seen.secret).toMatchObject({ state: 'present', uid, deleting: true });
});
