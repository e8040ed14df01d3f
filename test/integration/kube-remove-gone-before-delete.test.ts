/**
 * `KubePullSecrets.remove` on a secret deleted by someone else between its read and acrbot's
 * conditional DELETE: the DELETE's 404 means the credential is gone, which is what the
 * revocation wanted, so it is answered as `absent` (with that 404's Audit-Id), not as a failure
 * to retry. Against the sandbox's cluster; the emulator's `meanwhile` fault lands the other
 * delete just before acrbot's.
 */
import { REQUEST_ID_LABEL } from '../../src/integrations/kubernetes/kube-pull-secrets';
import { dockerConfig as config, useAksProd } from '../helpers/aks-prod-port';

const { emulator, port } = useAksProd();
const REQUEST = 'R-G0NEDEL0';

test('deleted by someone else between the read and the delete: absent, not a failure', async () => {
  const { kube, access } = await port();
  const secretName = 'acr-gone-meanwhile';
  const out = await kube.write(access, {
    namespace: 'payments',
    secretName,
    dockerConfigJson: config('p'),
    labels: { [REQUEST_ID_LABEL]: REQUEST },
    annotations: {},
  });
  let deletes = 0;
  emulator().faults.inject({
    verb: 'delete',
    resource: 'secrets',
    name: secretName,
    meanwhile: () => {
      deletes++;
      emulator().deleteObject('secrets', 'payments', secretName);
    },
  });
  const result = await kube.remove(access, {
    namespace: 'payments',
    secretName,
    serviceAccounts: [],
    requestId: REQUEST,
    writtenUid: out.uid,
  });
  expect(deletes).toBe(1);
  expect(result.secret).toBe('absent');
  expect(result.requestId).toEqual(expect.any(String));
  expect(emulator().getObject('secrets', 'payments', secretName)).toBeUndefined();
});
