/**
 * A Kubernetes call that got no answer is said to be a stopped cluster's only when ARM says so
 * (`powerState.code` Stopped), read once after the failure; an answered call, another power
 * state or a failed read keeps the failure as it was.
 */
import type { ContainerServiceClient } from '@azure/arm-containerservice';
import { UserFacingError } from '../../src/domain/errors';
import { CLUSTER_STOPPED, isNoAnswer } from '../../src/domain/kube-no-answer';
import { explainNoAnswer, isClusterStopped } from '../../src/integrations/kubernetes/kube-cluster-stopped';

const cluster = { subscriptionId: 'sub', resourceGroup: 'rg-dev', name: 'aks-dev' };

const noAnswer = new UserFacingError('kubernetes.failed', 'Cluster aks-dev could not be reached (no answer) …', {
  cause: new Error('No Kubernetes answer to read secrets: Error ENOTFOUND'),
});
const timeout = new UserFacingError('kubernetes.timeout', 'Cluster aks-dev did not answer in time …');
const answered = new UserFacingError('kubernetes.failed', 'Cluster aks-dev failed (HTTP 500) …', {
  cause: new Error('Kubernetes answered 500 to read secrets'),
});

/** An AKS client whose cluster GET answers `read` (or throws it), counting the reads. */
function aks(read: unknown | Error) {
  const reads: string[] = [];
  const client = () =>
    ({
      managedClusters: {
        get: async (rg: string, name: string) => {
          reads.push(`${rg}/${name}`);
          if (read instanceof Error) throw read;
          return read;
        },
      },
    }) as unknown as ContainerServiceClient;
  return { client, reads };
}

/** {@link explainNoAnswer} asking ARM through `client`, as the adapter does. */
const explained = (err: unknown, client: (s: string) => ContainerServiceClient, c: typeof cluster) =>
  explainNoAnswer(err, c, () => isClusterStopped(client, c));

describe('explainNoAnswer', () => {
  test('no answer from a stopped cluster: cluster.stopped with the start command, the failure as its cause', async () => {
    for (const failure of [noAnswer, timeout]) {
      const { client, reads } = aks({ powerState: { code: 'Stopped' } });
      const err = (await explained(failure, client, cluster)) as UserFacingError;
      expect(err.code).toBe(CLUSTER_STOPPED);
      expect(err.message).toBe(
        'Cluster aks-dev is stopped (its power state is Stopped), so its API server answers nothing until it is started: az aks start --subscription sub -g rg-dev -n aks-dev.',
      );
      expect(err.cause).toBe(failure);
      expect(reads).toEqual(['rg-dev/aks-dev']);
    }
  });

  test('a running cluster, a power state not sent, or a failed read: the failure as it was', async () => {
    for (const read of [{ powerState: { code: 'Running' } }, {}, new Error('ARM down')])
      expect(await explained(noAnswer, aks(read).client, cluster)).toBe(noAnswer);
  });

  test('a call that was answered, or any other error, reads nothing', async () => {
    for (const failure of [answered, new Error('bug'), new UserFacingError('kubernetes.forbidden', 'no')]) {
      const { client, reads } = aks({ powerState: { code: 'Stopped' } });
      expect(await explained(failure, client, cluster)).toBe(failure);
      expect(reads).toEqual([]);
      expect(isNoAnswer(failure)).toBe(false);
    }
  });
});
