/**
 * After a call that got no answer the Kubernetes adapter reads the cluster from ARM to tell a
 * stopped cluster apart (kube-cluster-stopped.ts): once per access, not once per failed call, so
 * a `check` of many secrets on a running cluster acrbot cannot reach (a private one) costs one
 * ARM read, whether its calls fail at once (check reads a few secrets at a time) or one after the
 * other. A read that fails keeps the call's failure and is logged once, with its error.
 */
import type { ContainerServiceClient } from '@azure/arm-containerservice';
import { createServer } from 'node:net';
import { isUserFacing } from '../../src/domain/errors';
import { CLUSTER_STOPPED, isNoAnswer } from '../../src/domain/kube-no-answer';
import { KubePullSecrets } from '../../src/integrations/kubernetes/kube-pull-secrets';
import { LogCapture } from '../helpers/log-capture';

const FAILED_READ =
  "reading a cluster's power state after a call to it got no answer failed; the failure is told as it was";

/** A local port nothing listens on: every call to it is refused at once (no answer). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The adapter over a cluster at `port`, whose ARM GET answers `read` (or throws it), counting the GETs. */
function adapter(port: number, read: unknown, log?: LogCapture) {
  const kubeconfig = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: `https://127.0.0.1:${port}` } }],
    contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'c',
    users: [{ name: 'u', user: { token: 'test-token' } }],
  });
  const reads: string[] = [];
  const aks = {
    managedClusters: {
      listClusterUserCredentials: async () => ({
        kubeconfigs: [{ name: 'clusterUser', value: Buffer.from(kubeconfig) }],
      }),
      get: async (rg: string, name: string) => {
        reads.push(`${rg}/${name}`);
        if (read instanceof Error) throw read;
        return read;
      },
    },
  } as unknown as ContainerServiceClient;
  const kube = new KubePullSecrets(
    () => aks,
    { getToken: async () => null },
    5_000,
    undefined,
    undefined,
    log?.logger(),
  );
  return { kube, reads };
}

const cluster = { subscriptionId: 'sub', resourceGroup: 'rg-dev', name: 'aks-dev', aadEnabled: false };
const target = (n: number) => ({ namespace: 'payments', secretName: `acr-auth-${n}`, serviceAccounts: [] });

/** Six reads of one access: four at once, as `check` makes them, then two after. */
async function sixFailures(kube: KubePullSecrets): Promise<unknown[]> {
  const access = await kube.access(cluster);
  const fail = (n: number) =>
    kube.inspect(access, target(n)).then(
      () => undefined,
      (err: unknown) => err,
    );
  const first = await Promise.all([0, 1, 2, 3].map(fail));
  return [...first, await fail(4), await fail(5)];
}

test('a running cluster that does not answer: one ARM read for every failed call of the access', async () => {
  const { kube, reads } = adapter(await closedPort(), { powerState: { code: 'Running' } });
  const failures = await sixFailures(kube);
  for (const err of failures) expect(isNoAnswer(err)).toBe(true);
  expect(reads).toEqual(['rg-dev/aks-dev']);
});

test('a stopped cluster: every failed call told stopped, from one ARM read', async () => {
  const { kube, reads } = adapter(await closedPort(), { powerState: { code: 'Stopped' } });
  const failures = await sixFailures(kube);
  for (const err of failures) expect(isUserFacing(err) && err.code).toBe(CLUSTER_STOPPED);
  expect(reads).toHaveLength(1);
});

test('another access (the next check, the next run) reads the cluster again', async () => {
  const port = await closedPort();
  const { kube, reads } = adapter(port, { powerState: { code: 'Running' } });
  await sixFailures(kube);
  await sixFailures(kube);
  expect(reads).toHaveLength(2);
});

test('a failed ARM read: the failures stand, and it is logged once, with its error, at warn', async () => {
  const logs = new LogCapture();
  const { kube, reads } = adapter(await closedPort(), new Error('ARM down'), logs);
  const failures = await sixFailures(kube);
  for (const err of failures) expect(isNoAnswer(err)).toBe(true);
  expect(reads).toHaveLength(1);
  const lines = logs.entries().filter((e) => e.msg === FAILED_READ);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({
    level: 40,
    cluster: 'aks-dev',
    err: expect.objectContaining({ message: 'ARM down' }),
  });
});
