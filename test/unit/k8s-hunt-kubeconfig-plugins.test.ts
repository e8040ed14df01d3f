/**
 * A kubeconfig whose user is an auth-provider plugin is refused by name before any call, on a
 * cluster that is not Entra-enabled (there acrbot uses its own token instead): client-node would
 * run the plugin's `cmd-path` on acrbot's machine, or send a local `tokenFile` as the token.
 */
import type { ContainerServiceClient } from '@azure/arm-containerservice';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { KubePullSecrets } from '../../src/integrations/kubernetes/kube-pull-secrets';
import { TempDirs } from '../helpers/temp-dirs';

const dirs = new TempDirs();
afterAll(() => dirs.removeAll());

/** The kubeconfig ARM answers: a cluster with its CA and `user` as the current user. */
function secretsWith(user: Record<string, unknown>): KubePullSecrets {
  const kubeconfig = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'c',
        cluster: {
          server: 'https://127.0.0.1:1',
          'certificate-authority-data': Buffer.from('not a CA').toString('base64'),
        },
      },
    ],
    contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'c',
    users: [{ name: 'u', user }],
  });
  const aks = {
    managedClusters: {
      listClusterUserCredentials: async () => ({
        kubeconfigs: [{ name: 'clusterUser', value: Buffer.from(kubeconfig) }],
      }),
    },
  } as unknown as ContainerServiceClient;
  return new KubePullSecrets(() => aks, { getToken: async () => null }, 1_000);
}

const cluster = { subscriptionId: 's', resourceGroup: 'rg', name: 'aks-dev', aadEnabled: false };

test.each([
  ['gcp with a cmd-path', (marker: string) => ({ name: 'gcp', config: { 'cmd-path': 'touch', 'cmd-args': marker } })],
  [
    'azure with a cmd-path',
    (marker: string) => ({ name: 'azure', config: { 'cmd-path': 'touch', 'cmd-args': marker } }),
  ],
  ['a tokenFile', (marker: string) => ({ name: 'file', config: { tokenFile: marker } })],
])('an auth-provider user (%s) is refused by name, and nothing of it is run', async (_what, provider) => {
  const marker = join(dirs.make('acrbot-k8s-plugins-'), 'plugin-ran');
  const err = await secretsWith({ 'auth-provider': provider(marker) })
    .access(cluster)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(err).toMatchObject({
    code: 'cluster.badKubeconfig',
    message: expect.stringContaining('an auth-provider plugin'),
  });
  expect(existsSync(marker)).toBe(false);
});
