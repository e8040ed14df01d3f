/**
 * The bot's Kubernetes client authenticates to an Entra-enabled AKS cluster with its own Entra
 * token for the AKS server application (audience 6dae42f8-…, CONTRACTS §1.2), and to a
 * local-accounts cluster with the static kubeconfig credential only. The sandbox credential gives
 * one token per audience and the clusters accept only theirs, so asking for the wrong scope
 * (e.g. the ARM token for the cluster) fails here as it would in Azure: a 401 the bot explains.
 */
import type { GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { UserFacingError } from '../../src/domain/errors';
import { KubePullSecrets } from '../../src/integrations/kubernetes/kube-pull-secrets';
import { SANDBOX_BOT_OBJECT_ID, SANDBOX_CLUSTERS } from '../../src/sandbox/fixtures';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox';
import { sandboxArm } from '../helpers/sandbox-arm';

const AKS_SCOPE = '6dae42f8-4368-4678-94ff-3960e28e3630/.default';
const ARM_SCOPE = 'https://management.azure.com/.default';

describe('the bot’s Kubernetes client asks for the AKS server audience', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.stop());

  /** The sandbox credential, recording the scopes asked for; `swap` replaces a scope first (a regression). */
  function credential(swap: Record<string, string> = {}): { cred: TokenCredential; scopes: string[] } {
    const scopes: string[] = [];
    const cred: TokenCredential = {
      getToken: (asked: string | string[], options?: GetTokenOptions) => {
        const list = (Array.isArray(asked) ? asked : [asked]).map((s) => swap[s] ?? s);
        scopes.push(...list);
        return sandbox.credential.getToken(list, options);
      },
    };
    return { cred, scopes };
  }

  async function clusterNamed(name: string, subscriptionId: string) {
    const { reader } = sandboxArm(sandbox);
    return { reader, cluster: (await reader.listClusters(subscriptionId)).find((c) => c.name === name)! };
  }

  const target = { namespace: 'payments', secretName: 'acr-pull' };

  test('Entra cluster: the token asked for is the AKS server app’s, and the API server sees the bot', async () => {
    const { reader, cluster } = await clusterNamed('aks-prod', SANDBOX_CLUSTERS.prod.subscriptionId);
    const { cred, scopes } = credential();
    const kube = new KubePullSecrets((s) => reader.aksClient(s), cred);
    const k8s = sandbox.kubernetes['aks-prod'];
    const before = k8s.requests.length;
    await expect(kube.precheck(await kube.access(cluster), target)).resolves.toBeDefined();
    // Asked for at access and again for each call (the credential renews it; k8s-hunt-token-renewal).
    expect([...new Set(scopes)]).toEqual([AKS_SCOPE]);
    const seen = k8s.requests.slice(before);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((r) => r.user === SANDBOX_BOT_OBJECT_ID && r.status !== 401)).toBe(true);
  });

  test.each([
    ['the ARM token', ARM_SCOPE],
    ['a Graph token', 'https://graph.microsoft.com/.default'],
  ])(
    'Entra cluster: %s instead of the AKS one is refused, and the bot says the cluster did not accept its credentials',
    async (_name, wrongScope) => {
      const { reader, cluster } = await clusterNamed('aks-prod', SANDBOX_CLUSTERS.prod.subscriptionId);
      const { cred, scopes } = credential({ [AKS_SCOPE]: wrongScope });
      const kube = new KubePullSecrets((s) => reader.aksClient(s), cred);
      const k8s = sandbox.kubernetes['aks-prod'];
      const before = k8s.requests.length;
      const failure = await kube.precheck(await kube.access(cluster), target).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect([...new Set(scopes)]).toEqual([wrongScope]);
      expect(failure).toBeInstanceOf(UserFacingError);
      expect(failure).toMatchObject({ code: 'kubernetes.unauthorized' });
      expect((failure as Error).message).toMatch(/^Cluster aks-prod did not accept acrbot's credentials/);
      expect(k8s.requests.slice(before).map((r) => r.status)).toEqual([401]);
    },
  );

  test('local-accounts cluster: the kubeconfig’s static credential is used, no Entra token is asked for', async () => {
    const { reader, cluster } = await clusterNamed('aks-dev', SANDBOX_CLUSTERS.dev.subscriptionId);
    const { cred, scopes } = credential();
    const kube = new KubePullSecrets((s) => reader.aksClient(s), cred);
    const k8s = sandbox.kubernetes['aks-dev'];
    const before = k8s.requests.length;
    await expect(kube.precheck(await kube.access(cluster), target)).resolves.toBeDefined();
    expect(scopes).toEqual([]);
    const seen = k8s.requests.slice(before);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((r) => r.user === 'clusterUser' && r.status !== 401)).toBe(true);
  });
});
