/**
 * `KubePullSecrets.remove` with the uid acrbot recorded, on a secret that another acrbot request
 * has since replaced: a PUT keeps the uid, so the uid alone still matches, but the request-id
 * label now names the newer request. The label never makes a secret this request's, yet one
 * naming another request makes acrbot more careful: the secret (the newer request's credential)
 * is left, answered as `notOurs` with that request named (G15, G17). Against the sandbox's cluster.
 */
import { REQUEST_ID_LABEL } from '../../src/integrations/kubernetes/kube-pull-secrets';
import { dockerConfig as config, useAksProd } from '../helpers/aks-prod-port';

const { emulator, port } = useAksProd();
const OLD = 'R-0LDREQST';
const NEWER = 'R-NEWERREQ';

test("uid recorded, replaced since by another request (uid kept, label the newer request's): left, not deleted", async () => {
  const { kube, access } = await port();
  const secretName = 'acr-relabelled';
  const first = await kube.write(access, {
    namespace: 'payments',
    secretName,
    dockerConfigJson: config('old'),
    labels: { [REQUEST_ID_LABEL]: OLD },
    annotations: {},
  });
  const { existing } = await kube.precheck(access, { namespace: 'payments', secretName });
  // The newer request's replace: same object (uid kept), its own label and credential.
  await kube.write(access, {
    namespace: 'payments',
    secretName,
    dockerConfigJson: config('newer'),
    labels: { [REQUEST_ID_LABEL]: NEWER },
    annotations: {},
    replaceResourceVersion: existing!.resourceVersion,
    replaceUid: existing!.uid,
    replaceRequestIdLabel: existing!.requestIdLabel,
  });
  const before = emulator().getObject('secrets', 'payments', secretName)!;
  expect(before.metadata.uid).toBe(first.uid);

  const result = await kube.remove(access, {
    namespace: 'payments',
    secretName,
    serviceAccounts: [],
    requestId: OLD,
    writtenUid: first.uid,
  });

  expect(result.secret).toBe('notOurs');
  expect(result.ownerRequestId).toBe(NEWER);
  const after = emulator().getObject('secrets', 'payments', secretName);
  expect(after?.metadata.uid).toBe(first.uid);
  expect(after?.metadata.labels?.[REQUEST_ID_LABEL]).toBe(NEWER);
});
