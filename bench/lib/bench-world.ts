/**
 * Extra clusters for benchmarks that need many distinct grants: each is a system-assigned MSI
 * cluster in the platform subscription whose kubelet identity exists in the directory (else ARM
 * answers PrincipalNotFound), so a grant on it is a real first grant.
 */
import { randomUUID } from 'node:crypto';
import { SANDBOX_SUBSCRIPTIONS } from '../../src/sandbox/fixtures';
import type { Sandbox } from '../../src/sandbox/sandbox';

/** A benchmark cluster. */
export interface BenchCluster {
  /** What to type: `rg-bench/aks-bench-<n>`. */
  ref: string;
  kubeletObjectId: string;
}

/** The benchmarks' resource group. */
export const BENCH_RESOURCE_GROUP = 'rg-bench';

/** Adds `count` clusters named aks-bench-0… to the sandbox. */
export function addBenchClusters(sandbox: Sandbox, count: number, prefix = 'aks-bench'): BenchCluster[] {
  const out: BenchCluster[] = [];
  for (let i = 0; i < count; i++) {
    const name = `${prefix}-${i}`;
    const kubeletObjectId = randomUUID();
    const kubeletClientId = randomUUID();
    sandbox.arm.state.addCluster({
      subscriptionId: SANDBOX_SUBSCRIPTIONS.platform,
      resourceGroup: BENCH_RESOURCE_GROUP,
      name,
      identity: 'SystemAssigned',
      controlPlanePrincipalId: randomUUID(),
      controlPlaneClientId: randomUUID(),
      kubeletObjectId,
      kubeletClientId,
      aad: true,
      enableAzureRBAC: true,
    });
    sandbox.directory.addServicePrincipal({
      id: kubeletObjectId,
      appId: kubeletClientId,
      displayName: `${name}-agentpool`,
      servicePrincipalType: 'ManagedIdentity',
    });
    out.push({ ref: `${BENCH_RESOURCE_GROUP}/${name}`, kubeletObjectId });
  }
  return out;
}

/** Removes every role assignment of the cluster's kubelet identity, so the next grant is a first grant again. */
export function revoke(sandbox: Sandbox, cluster: BenchCluster): void {
  const store = sandbox.arm.state.roleAssignments;
  for (const ra of store.forPrincipal(cluster.kubeletObjectId)) store.delete(ra.name);
}
