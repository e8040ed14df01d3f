/**
 * A pull secret write answered 408 Request Timeout: unlike the other 4xx, a 408 does not say
 * the API server left the object alone (the request may have been carried out after the
 * answer's deadline), so the secret is read back as after a lost answer (G13, G14): holding
 * exactly what acrbot sent under its request's label it is the write, taken as done; absent,
 * the write is unconfirmed and the credential is kept. Against the sandbox's cluster; the
 * emulator's `meanwhile` fault lands the write before answering 408.
 */
import { SECRET_WRITE_UNCONFIRMED } from '../../src/domain/secret-ownership';
import { MANAGED_BY_LABEL, REQUEST_ID_LABEL } from '../../src/integrations/kubernetes/kube-pull-secrets';
import type { KubeObject } from '../../src/sandbox/kubernetes';
import { dockerConfig as config, dockerConfigData as data, useAksProd } from '../helpers/aks-prod-port';

const { emulator, port } = useAksProd();
const REQUEST = 'R-T1MEOUT0';

const write = (secretName: string) => ({
  namespace: 'payments',
  secretName,
  dockerConfigJson: config('fresh'),
  labels: { [REQUEST_ID_LABEL]: REQUEST },
  annotations: {},
});

test('a create answered 408 that did land: read back and taken as written', async () => {
  const { kube, access } = await port({ throttleWaitMs: 10 });
  let landed = 0;
  emulator().faults.inject({
    verb: 'create',
    resource: 'secrets',
    status: 408,
    meanwhile: () => {
      landed++;
      emulator().seedObject('secrets', {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'kubernetes.io/dockerconfigjson',
        metadata: {
          name: 'acr-late',
          namespace: 'payments',
          labels: { [REQUEST_ID_LABEL]: REQUEST, [MANAGED_BY_LABEL]: 'acrbot' },
        },
        data: { '.dockerconfigjson': data('fresh') },
      } as KubeObject);
    },
  });
  const out = await kube.write(access, write('acr-late'));
  expect(landed).toBe(1);
  expect(out.action).toBe('created');
  expect(out.uid).toBe(emulator().getObject('secrets', 'payments', 'acr-late')?.metadata.uid);
});

test('a create answered 408 that did not land: unconfirmed, never a plain refusal', async () => {
  const { kube, access } = await port({ throttleWaitMs: 10 });
  emulator().faults.inject({ verb: 'create', resource: 'secrets', status: 408 });
  await expect(kube.write(access, write('acr-unknown'))).rejects.toMatchObject({ code: SECRET_WRITE_UNCONFIRMED });
});
