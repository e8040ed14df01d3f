/** #11 item 7: nothing from a kubeconfig reaches a log line or a card, even inside a parser error. */
import type { ContainerServiceClient } from '@azure/arm-containerservice';
import { isUserFacing } from '../../src/domain/errors';
import { KubePullSecrets } from '../../src/integrations/kubernetes/kube-pull-secrets';
import { LogCapture } from '../helpers/log-capture';

const SENTINEL = 'sentinel-token-3f9a7c1e';

function secretsWith(kubeconfig: string): KubePullSecrets {
  const aks = {
    managedClusters: {
      listClusterUserCredentials: async () => ({
        kubeconfigs: [{ name: 'clusterUser', value: Buffer.from(kubeconfig) }],
      }),
    },
  } as unknown as ContainerServiceClient;
  return new KubePullSecrets(() => aks, { getToken: async () => null });
}

test.each([
  ['malformed YAML', `apiVersion: v1\nusers:\n- name: u\n  user: {token: "${SENTINEL}"\n  bad: [`],
  ['a YAML scalar', `"${SENTINEL}"`],
])('%s: the error names the cluster, never the content, and logging it leaks nothing', async (_what, yaml) => {
  const err = await secretsWith(yaml)
    .access({ subscriptionId: 's', resourceGroup: 'rg', name: 'aks-dev', aadEnabled: false })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(isUserFacing(err)).toBe(true);
  const logs = new LogCapture();
  const log = logs.logger();
  log.error({ err }, 'secret flow failed');
  expect(logs.lines.join('')).toContain('cluster aks-dev');
  expect(logs.lines.join('')).toContain('while parsing the kubeconfig (content withheld)');
  expect(logs.lines.join('')).not.toContain(SENTINEL);
});
