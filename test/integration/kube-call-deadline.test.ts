/**
 * Every Kubernetes API call has a deadline: an API server that accepts the connection and never
 * answers fails the call as "did not answer in time" instead of holding the run for ever.
 * Real client-node over HTTPS to the sandbox's Kubernetes emulator, slowed by a fault.
 */
import { UserFacingError } from '../../src/domain/errors';
import { KubePullSecrets } from '../../src/integrations/kubernetes/kube-pull-secrets';
import { SANDBOX_CLUSTERS } from '../../src/sandbox/fixtures';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox';
import { sandboxArm } from '../helpers/sandbox-arm';

describe('Kubernetes calls have a deadline and wait out throttling', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.stop());

  const arm = () => sandboxArm(sandbox);

  test('a call the API server never answers fails after the deadline, with a sentence that says so', async () => {
    const { conn, reader } = arm();
    const kube = new KubePullSecrets((s) => reader.aksClient(s), conn.credential, 300);
    const cluster = (await reader.listClusters(SANDBOX_CLUSTERS.prod.subscriptionId)).find(
      (c) => c.name === 'aks-prod',
    )!;
    const access = await kube.access(cluster);
    // The next call is held for a minute: far past the deadline.
    const slowed = sandbox.kubernetes['aks-prod'].faults.inject({ delayMs: 60_000, times: 1 });
    const failure = await kube.precheck(access, { namespace: 'payments', secretName: 'acr-pull' }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(UserFacingError);
    expect(failure).toMatchObject({ code: 'kubernetes.timeout' });
    expect((failure as Error).message).toBe(
      'Cluster aks-prod did not answer in time while acrbot tried to read the namespace in namespace payments; check that its API server is up and reachable.',
    );
    // On a loaded machine the deadline can pass before the call reaches the emulator, leaving the
    // slowdown for the next call: it is removed, so the next call is not slowed either way.
    slowed();
    // The next call, not slowed, goes through: on a client with the default deadline, as 300 ms
    // is too short a promise for a call meant to succeed on a loaded machine.
    const patient = new KubePullSecrets((s) => reader.aksClient(s), conn.credential);
    await expect(
      patient.precheck(await patient.access(cluster), { namespace: 'payments', secretName: 'acr-pull' }),
    ).resolves.toBeDefined();
  });

  test('a throttled call (429 with Retry-After) is sent again and goes through; throttled for good, it fails', async () => {
    const { conn, reader } = arm();
    const kube = new KubePullSecrets((s) => reader.aksClient(s), conn.credential, undefined, 50);
    const cluster = (await reader.listClusters(SANDBOX_CLUSTERS.prod.subscriptionId)).find(
      (c) => c.name === 'aks-prod',
    )!;
    const access = await kube.access(cluster);
    const emulator = sandbox.kubernetes['aks-prod'];
    emulator.faults.inject({ status: 429, retryAfterSeconds: 1, times: 2 });
    await expect(kube.precheck(access, { namespace: 'payments', secretName: 'acr-pull' })).resolves.toBeDefined();
    emulator.faults.inject({ status: 429, retryAfterSeconds: 1, times: Infinity });
    try {
      await expect(kube.precheck(access, { namespace: 'payments', secretName: 'acr-pull' })).rejects.toMatchObject({
        code: 'kubernetes.failed',
        message: expect.stringContaining('(429)'),
      });
    } finally {
      emulator.faults.clear();
    }
  });
});
