/**
 * A cluster added to the sandbox's ARM whose kubelet runs as aks-prod's user-assigned identity:
 * a grant for either gives the other pull too, which the shared-identity tests are about.
 */
import { SANDBOX_CLUSTERS } from '../../src/sandbox/fixtures';
import type { Harness } from './harness';

/** Where the sharing cluster stands, and its `env` tag (which picks its policy rule). */
export interface SharerSpec {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  env: string;
}

/** Adds a cluster pulling with aks-prod's kubelet identity to `h`'s sandbox ARM (its resource group too). */
export function addProdKubeletSharer(h: Harness, { subscriptionId, resourceGroup, name, env }: SharerSpec): void {
  const prod = SANDBOX_CLUSTERS.prod;
  h.app.sandbox!.arm.state.addCluster({
    subscriptionId,
    resourceGroup,
    name,
    identity: 'UserAssigned',
    controlPlanePrincipalId: '0c000000-0000-4000-8000-0000000000c9',
    kubeletObjectId: prod.kubeletObjectId,
    kubeletClientId: prod.kubeletClientId,
    aad: false,
    tags: { env },
  });
}
