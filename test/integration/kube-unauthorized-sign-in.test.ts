/**
 * A cluster's 401 (its API server took acrbot's credential for no one) is explained by how acrbot
 * signed in there, which it knows from the cluster's Azure settings (`aadProfile.managed`) and
 * the kubeconfig, not from the 401. On a cluster with managed Entra integration acrbot's identity
 * must accept acrbot's identity (a sign-in failure, not a missing right). On a local-accounts cluster no Azure
 * role helps: it does not accept Entra tokens, and the fix is managed Entra integration with
 * Azure RBAC for Kubernetes. The sandbox's aks-dev has local accounts only; aks-prod is Entra-only.
 */
import type { TokenCredential } from '@azure/core-auth';
import { UserFacingError } from '../../src/domain/errors';
import { KubePullSecrets } from '../../src/integrations/kubernetes/kube-pull-secrets';
import { SANDBOX_CLUSTERS, sandboxResourceId } from '../../src/sandbox/fixtures';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox';
import { sandboxArm } from '../helpers/sandbox-arm';

describe("a cluster's 401 names the fix that fits its sign-in", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.stop());

  const target = { namespace: 'payments', secretName: 'acr-pull' };

  async function clusterNamed(name: string, subscriptionId: string) {
    const { reader } = sandboxArm(sandbox);
    return { reader, cluster: (await reader.listClusters(subscriptionId)).find((c) => c.name === name)! };
  }

  /** The error `precheck` failed with (it must fail). */
  async function refusal(run: Promise<unknown>): Promise<UserFacingError> {
    const err = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserFacingError);
    return err as UserFacingError;
  }

  test('local-accounts cluster: its credential refused, the sentence says it takes no Entra token (no RBAC Writer advice)', async () => {
    const { reader, cluster } = await clusterNamed('aks-dev', SANDBOX_CLUSTERS.dev.subscriptionId);
    expect(cluster.aadEnabled).toBe(false);
    const kube = new KubePullSecrets((s) => reader.aksClient(s), sandbox.credential);
    const access = await kube.access(cluster);
    // The cluster's local credentials rotated after Azure handed them out: the API server answers 401.
    sandbox.arm.state.updateCluster(sandboxResourceId('cluster', SANDBOX_CLUSTERS.dev), { token: 'rotated-token' });
    const before = sandbox.kubernetes['aks-dev'].requests.length;
    const err = await refusal(kube.precheck(access, target));
    expect(sandbox.kubernetes['aks-dev'].requests.slice(before).map((r) => r.status)).toContain(401);
    expect(err.code).toBe('kubernetes.unauthorized');
    expect(err.message).toContain('Cluster aks-dev did not accept the local-account credential');
    expect(err.message).toContain('does not accept acrbot');
    expect(err.message).toContain('managed Microsoft Entra integration with Azure RBAC for Kubernetes');
    expect(err.message).not.toContain('RBAC Writer');
  });

  test('Entra cluster: its 401 still asks for access for acrbot’s identity', async () => {
    const { reader, cluster } = await clusterNamed('aks-prod', SANDBOX_CLUSTERS.prod.subscriptionId);
    expect(cluster.aadEnabled).toBe(true);
    // A token the cluster does not take (not the AKS server application's).
    const credential: TokenCredential = {
      getToken: async () => ({ token: 'not-an-aks-token', expiresOnTimestamp: Date.now() + 300_000 }),
    };
    const kube = new KubePullSecrets((s) => reader.aksClient(s), credential);
    const err = await refusal(kube.precheck(await kube.access(cluster), target));
    expect(err.code).toBe('kubernetes.unauthorized');
    expect(err.message).toContain('this is a sign-in failure, not a missing right');
    expect(err.message).not.toContain('does not accept Entra tokens');
  });
});
