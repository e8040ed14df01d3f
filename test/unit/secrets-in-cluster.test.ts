/**
 * `check`'s look in the cluster is bounded: at most CHECK_MAX_CLUSTER_READS objects per answer, a
 * few at a time, and a cluster that does not answer leaves the secrets "not checked" rather than
 * holding the answer.
 */
import type { PullSecretPath } from '../../src/domain/access-inventory';
import type { ClusterInfo } from '../../src/domain/azure-model';
import type { ClusterAccess, PullSecretInspection } from '../../src/domain/ports';
import {
  CHECK_MAX_CLUSTER_READS,
  CHECK_PARALLEL_SECRETS,
  secretsInCluster,
  type SecretInspector,
} from '../../src/flows/secrets-in-cluster';

const cluster = {
  id: '/subscriptions/s/resourceGroups/rg/providers/x/managedClusters/aks',
  name: 'aks',
} as ClusterInfo;

function path(n: number, serviceAccounts: string[]): PullSecretPath {
  return {
    kind: 'pullSecret',
    namespace: `ns-${n}`,
    secretName: 'acr-auth',
    credentialKind: 'token',
    serviceAccounts,
    request: { requestId: `R-${n}` } as PullSecretPath['request'],
    state: 'active',
  };
}

describe('secretsInCluster', () => {
  test(`reads at most ${CHECK_MAX_CLUSTER_READS} objects, ${CHECK_PARALLEL_SECRETS} secrets at a time; the rest are not checked`, async () => {
    let reads = 0;
    let running = 0;
    let most = 0;
    const kube: SecretInspector = {
      access: async () => ({ clusterName: 'aks' }) as ClusterAccess,
      inspect: async (_access, input: PullSecretInspection) => {
        reads += 1 + input.serviceAccounts.length;
        most = Math.max(most, ++running);
        await Promise.resolve();
        running--;
        return {
          secret: { state: 'present' },
          serviceAccounts: Object.fromEntries(input.serviceAccounts.map((n) => [n, 'listed' as const])),
        };
      },
    };
    // Ten secrets, each on two service accounts: three reads each.
    const paths = Array.from({ length: 10 }, (_, n) => path(n, ['default', 'builder']));
    const seen = (await secretsInCluster(kube, cluster, paths, []))!;
    // Six secrets fit in the reads (18 of 20; a seventh would make 21), and the pool is full.
    expect(reads).toBe(18);
    expect(reads).toBeLessThanOrEqual(CHECK_MAX_CLUSTER_READS);
    expect(most).toBe(CHECK_PARALLEL_SECRETS);
    const states = paths.map((p) => seen.get(`${p.namespace}/${p.secretName}`)?.secret);
    expect(states.filter((s) => s === 'present')).toHaveLength(6);
    expect(seen.get('ns-9/acr-auth')).toEqual({
      secret: 'notChecked',
      notCheckedBecause: `acrbot reads at most ${CHECK_MAX_CLUSTER_READS} objects in a cluster per answer`,
    });
  });

  test('a cluster that does not answer in the budget: not checked, the answer not held', async () => {
    const kube: SecretInspector = {
      access: async () => ({ clusterName: 'aks' }) as ClusterAccess,
      inspect: () => new Promise(() => {}),
    };
    const seen = (await secretsInCluster(kube, cluster, [path(1, [])], [], undefined, 0))!;
    expect(seen.get('ns-1/acr-auth')).toEqual({
      secret: 'notChecked',
      notCheckedBecause: 'cluster aks did not answer within 0 seconds',
    });
  });

  test('a stopped cluster: not checked, with how to start it, and no call made', async () => {
    let calls = 0;
    const kube: SecretInspector = {
      access: async () => {
        calls++;
        return { clusterName: 'aks' } as ClusterAccess;
      },
      inspect: async () => {
        calls++;
        return new Promise(() => {});
      },
    };
    const stopped = { ...cluster, subscriptionId: 's', resourceGroup: 'rg', powerState: 'Stopped' } as ClusterInfo;
    const seen = (await secretsInCluster(kube, stopped, [path(1, []), path(2, ['default'])], []))!;
    expect(calls).toBe(0);
    for (const key of ['ns-1/acr-auth', 'ns-2/acr-auth'])
      expect(seen.get(key)).toEqual({
        secret: 'notChecked',
        notCheckedBecause:
          'cluster aks is stopped (its power state is Stopped): start it with az aks start --subscription s -g rg -n aks',
      });
  });

  test('a port without inspect leaves the records unchecked', async () => {
    const kube: SecretInspector = { access: async () => ({ clusterName: 'aks' }) as ClusterAccess };
    expect(await secretsInCluster(kube, cluster, [path(1, [])], [])).toBeUndefined();
  });
});
