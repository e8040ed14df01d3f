/**
 * The sandbox's `aks-prod` for tests of `KubePullSecrets` itself: a sandbox started once per
 * file, the cluster's emulator (its faults cleared after each test), and the port built as the
 * secret flow builds it, over the sandbox's ARM reader and credential.
 */
import { KubePullSecrets } from '../../src/integrations/kubernetes/kube-pull-secrets';
import { SANDBOX_CLUSTERS } from '../../src/sandbox/fixtures';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox';
import { sandboxArm } from './sandbox-arm';

/** A `.dockerconfigjson` for contosoacr with `password`. */
export const dockerConfig = (password: string): string =>
  JSON.stringify({ auths: { 'contosoacr.azurecr.io': { username: 'u', password } } });

/** {@link dockerConfig} as the secret's stored (base64) data. */
export const dockerConfigData = (password: string): string => Buffer.from(dockerConfig(password)).toString('base64');

/**
 * Registers the file's sandbox hooks; `port` builds a fresh `KubePullSecrets` and its access
 * to aks-prod (tests may shorten its call deadline and its wait for a throttled call's
 * Retry-After).
 */
export function useAksProd() {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.stop());
  const emulator = () => sandbox.kubernetes['aks-prod']!;
  afterEach(() => emulator().faults.clear());
  async function port(options: { callTimeoutMs?: number; throttleWaitMs?: number } = {}) {
    const { reader } = sandboxArm(sandbox);
    const cluster = (await reader.listClusters(SANDBOX_CLUSTERS.prod.subscriptionId)).find(
      (c) => c.name === 'aks-prod',
    )!;
    // Undefined options keep the port's defaults.
    const kube = new KubePullSecrets(
      (s) => reader.aksClient(s),
      sandbox.credential,
      options.callTimeoutMs,
      options.throttleWaitMs,
    );
    return { kube, cluster, access: await kube.access(cluster) };
  }
  return { emulator, port };
}
