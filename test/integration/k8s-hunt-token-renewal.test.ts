/**
 * On an Entra-enabled cluster the bot's token for the AKS server application is asked of the
 * credential for every call, not fixed when the access is made: a secret-flow run holds its
 * access for minutes (a new service principal's role assignment alone may wait two out), and the
 * credential hands out a cached token until shortly before it expires. A token the cluster no
 * longer accepts (expired) is replaced by the one the credential renews; the run goes on. A
 * renewal that fails fails that call with its own error (never the cluster's 401 for an old
 * token), and the next call asks the credential again.
 */
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { UserFacingError } from '../../src/domain/errors';
import { KubePullSecrets } from '../../src/integrations/kubernetes/kube-pull-secrets';
import { SANDBOX_BOT_OBJECT_ID, SANDBOX_CLUSTERS } from '../../src/sandbox/fixtures';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox';
import { sandboxArm } from '../helpers/sandbox-arm';

describe('the Entra token of a cluster access is renewed, not fixed at access', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.stop());

  test('the first token expires while the access is held: the next calls carry the renewed one', async () => {
    const { reader } = sandboxArm(sandbox);
    const cluster = (await reader.listClusters(SANDBOX_CLUSTERS.prod.subscriptionId)).find(
      (c) => c.name === 'aks-prod',
    )!;
    expect(cluster.aadEnabled).toBe(true);
    const k8s = sandbox.kubernetes['aks-prod'];
    k8s.addToken('renewal-token-1', SANDBOX_BOT_OBJECT_ID);
    k8s.addToken('renewal-token-2', SANDBOX_BOT_OBJECT_ID);
    // The credential's cache: the token it holds now, replaced when it renews.
    let cached = 'renewal-token-1';
    const credential: TokenCredential = {
      getToken: async (): Promise<AccessToken> => ({ token: cached, expiresOnTimestamp: Date.now() + 300_000 }),
    };
    const kube = new KubePullSecrets((s) => reader.aksClient(s), credential);
    const target = { namespace: 'payments', secretName: 'acr-pull' };
    const access = await kube.access(cluster);
    await expect(kube.precheck(access, target)).resolves.toEqual({});

    // The first token expires; the credential has renewed it.
    k8s.revokeToken('renewal-token-1');
    cached = 'renewal-token-2';
    const before = k8s.requests.length;
    await expect(kube.precheck(access, target)).resolves.toEqual({});
    const seen = k8s.requests.slice(before);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.map((r) => r.status).filter((s) => s === 401)).toEqual([]);
    expect(seen.every((r) => r.user === SANDBOX_BOT_OBJECT_ID)).toBe(true);
  });

  test('a renewal that fails fails that call with its own error and cause; the next call asks again', async () => {
    const { reader } = sandboxArm(sandbox);
    const cluster = (await reader.listClusters(SANDBOX_CLUSTERS.prod.subscriptionId)).find(
      (c) => c.name === 'aks-prod',
    )!;
    const k8s = sandbox.kubernetes['aks-prod'];
    k8s.addToken('renewal-token-3', SANDBOX_BOT_OBJECT_ID);
    const outage = new Error('AADSTS90002: the token service is unavailable');
    let failing = false;
    let current = 'renewal-token-3';
    const credential: TokenCredential = {
      getToken: async (): Promise<AccessToken> => {
        if (failing) throw outage;
        return { token: current, expiresOnTimestamp: Date.now() + 300_000 };
      },
    };
    const kube = new KubePullSecrets((s) => reader.aksClient(s), credential);
    const target = { namespace: 'payments', secretName: 'acr-pull' };
    const access = await kube.access(cluster);
    // The old token expires while the token service is down: it must not be sent (the cluster's
    // 401 would blame the cluster's rights).
    k8s.revokeToken('renewal-token-3');
    failing = true;
    const before = k8s.requests.length;
    const failed = await kube.precheck(access, target).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failed).toBeInstanceOf(UserFacingError);
    expect(failed).toMatchObject({ code: 'cluster.noToken' });
    expect((failed as Error).message).toContain('could not get an Entra token for cluster aks-prod');
    expect((failed as Error).cause).toBe(outage);
    // A write whose token fails was never sent: its own error, not "did not confirm writing".
    await expect(
      kube.write(access, {
        ...target,
        dockerConfigJson: '{"auths":{}}',
        labels: {},
        annotations: {},
      }),
    ).rejects.toMatchObject({ code: 'cluster.noToken', cause: outage });
    expect(k8s.requests.slice(before)).toEqual([]);

    // The token service is back: the next call asks the credential again, nothing cached of the failure.
    k8s.addToken('renewal-token-4', SANDBOX_BOT_OBJECT_ID);
    current = 'renewal-token-4';
    failing = false;
    await expect(kube.precheck(access, target)).resolves.toEqual({});
    const seen = k8s.requests.slice(before);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((r) => r.status !== 401 && r.user === SANDBOX_BOT_OBJECT_ID)).toBe(true);
  });
});
