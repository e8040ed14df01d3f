/**
 * Grant and secret plans record the cluster and registry through one pair of helpers (#10 D3):
 * what the card shows, what the approval policy matches on (tags) and what the runners re-read.
 */
import type { ClusterInfo, RegistryInfo } from '../../src/domain/azure-model';
import { plannedCluster, plannedRegistry } from '../../src/domain/plan';
import { buildGrantPlan } from '../../src/flows/grant-planner';

const cluster: ClusterInfo = {
  id: '/subscriptions/s/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-prod',
  name: 'aks-prod',
  subscriptionId: 's',
  resourceGroup: 'rg-aks',
  location: 'westeurope',
  identity: { kubeletObjectId: 'k' } as ClusterInfo['identity'],
  aadEnabled: true,
  localAccountsDisabled: true,
  tags: { env: 'prod' },
};
const registry: RegistryInfo = {
  id: '/subscriptions/s/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/contosoacr',
  name: 'contosoacr',
  subscriptionId: 's',
  resourceGroup: 'rg-acr',
  loginServer: 'contosoacr.azurecr.io',
  roleAssignmentMode: 'LegacyRegistryPermissions' as RegistryInfo['roleAssignmentMode'],
  tags: { team: 'payments' },
  network: { publicNetworkAccess: 'Enabled' } as RegistryInfo['network'],
};

describe('planned cluster and registry', () => {
  it('keep ids, names, group, subscription and tags; nothing else read from Azure', () => {
    expect(plannedCluster(cluster)).toEqual({
      id: cluster.id,
      name: 'aks-prod',
      subscriptionId: 's',
      resourceGroup: 'rg-aks',
      tags: { env: 'prod' },
    });
    expect(plannedRegistry(registry)).toEqual({
      id: registry.id,
      name: 'contosoacr',
      subscriptionId: 's',
      resourceGroup: 'rg-acr',
      loginServer: 'contosoacr.azurecr.io',
      roleAssignmentMode: 'LegacyRegistryPermissions',
      tags: { team: 'payments' },
    });
  });

  it('leave tags out when Azure had none (stored plans stay as they were)', () => {
    expect('tags' in plannedCluster({ ...cluster, tags: undefined })).toBe(false);
    expect('tags' in plannedRegistry({ ...registry, tags: undefined })).toBe(false);
  });

  it('are what the grant plan records', () => {
    const plan = buildGrantPlan(cluster, registry, { kind: 'kubelet', objectId: 'k', description: 'kubelet identity' });
    expect(plan.cluster).toEqual(plannedCluster(cluster));
    expect(plan.registry).toEqual(plannedRegistry(registry));
  });
});
