/**
 * One test of "the call got no answer": the planner words such a failure from a private cluster
 * as acrbot running outside its network, and the Kubernetes adapter reads ARM after one to tell a
 * stopped cluster apart; both take the same failures for it (kube-no-answer.ts), the adapter's
 * own wording of no answer included, and a stopped cluster's refusal carries the same code as the
 * adapter's failure and the same command to start it, in its subscription.
 */
import type { ContainerServiceClient } from '@azure/arm-containerservice';
import { UserFacingError } from '../../src/domain/errors';
import { CLUSTER_STOPPED, isNoAnswer, startClusterCommand } from '../../src/domain/kube-no-answer';
import { clusterStoppedRefusal, privateClusterUnreachable } from '../../src/flows/secret-planner';
import {
  clusterStoppedText,
  explainNoAnswer,
  isClusterStopped,
} from '../../src/integrations/kubernetes/kube-cluster-stopped';
import { explainKubeError } from '../../src/integrations/kubernetes/kube-errors';

const cluster = { subscriptionId: 'sub', resourceGroup: 'rg-dev', name: 'aks-dev' };

/** An AKS client whose cluster GET says it is stopped. */
const stopped = () =>
  ({
    managedClusters: { get: async () => ({ powerState: { code: 'Stopped' } }) },
  }) as unknown as ContainerServiceClient;

const failures: Array<[string, unknown, boolean]> = [
  [
    'no answer',
    new UserFacingError('kubernetes.failed', 'Cluster aks-dev could not be reached (no answer) …', {
      cause: new Error('No Kubernetes answer to read secrets: Error ECONNREFUSED'),
    }),
    true,
  ],
  ['no answer in time', new UserFacingError('kubernetes.timeout', 'Cluster aks-dev did not answer in time …'), true],
  [
    'an answer (HTTP 500)',
    new UserFacingError('kubernetes.failed', 'Cluster aks-dev failed (HTTP 500) …', {
      cause: new Error('Kubernetes answered 500 to read secrets'),
    }),
    false,
  ],
  ['a refusal', new UserFacingError('kubernetes.forbidden', 'no'), false],
  ['not user-facing', new Error('No Kubernetes answer'), false],
];

test.each(failures)('%s: the planner and the adapter agree on whether it got no answer', async (_n, err, none) => {
  expect(isNoAnswer(err)).toBe(none);
  expect(privateClusterUnreachable(err, cluster, false)?.code).toBe(none ? 'cluster.privateUnreachable' : undefined);
  const told = await explainNoAnswer(err, cluster, () => isClusterStopped(stopped, cluster));
  expect((told as { code?: string }).code === CLUSTER_STOPPED).toBe(none);
});

test("a stopped cluster's refusal at plan time and at run time has the adapter's code", () => {
  expect(CLUSTER_STOPPED).toBe('cluster.stopped');
  expect(clusterStoppedRefusal(cluster).code).toBe(CLUSTER_STOPPED);
  expect(clusterStoppedRefusal(cluster, { earlierCredential: false }).code).toBe(CLUSTER_STOPPED);
});

test("the Kubernetes adapter's own failure for a call that got no answer is taken for one", () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' });
  const failure = explainKubeError(refused, {
    cluster: 'aks-dev',
    namespace: 'payments',
    verb: 'read',
    resource: 'secrets',
  });
  expect(failure.code).toBe('kubernetes.failed');
  expect(isNoAnswer(failure)).toBe(true);
});

test('the command that starts a stopped cluster names its subscription, and every refusal uses it', () => {
  const start = 'az aks start --subscription sub -g rg-dev -n aks-dev';
  expect(startClusterCommand(cluster)).toBe(start);
  expect(clusterStoppedRefusal(cluster).message).toContain(`start it with ${start} and ask again`);
  expect(clusterStoppedText(cluster)).toContain(`until it is started: ${start}.`);
});
