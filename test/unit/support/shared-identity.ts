/**
 * Two clusters, aks-a and aks-b, pulling with one user-assigned kubelet identity, a registry, and
 * the AcrPull assignment acrbot made for aks-a (G15: acrbot's records say it created it): the
 * inventory and the tab tests of a cluster that pulls through another cluster's grant.
 */
import type { ClusterInfo, RegistryInfo, RoleAssignmentInfo } from '../../../src/domain/azure-model';
import type { GrantPlan } from '../../../src/domain/plan';
import type { AccessRequest, Actor } from '../../../src/domain/request';
import { ROLE_IDS } from '../../../src/domain/roles';
import { AccessInventory, type AccessInventoryPorts } from '../../../src/flows/access-inventory';
import type { ResourceResolver } from '../../../src/flows/resource-resolver';
import type { MemoryRequestStore } from '../../../src/integrations/store/memory-stores';
import type { FakeClock } from './fake-clock';
import { APPROVER, pendingRequest } from './requests';
import { acrPullDefinition } from './role-definitions';

export const SUB = 'aaaaaaaa-0000-4000-8000-00000000000a';
export const SHARED_KUBELET = '0b000000-0000-4000-8000-0000000000c1';
/** The tests' time, and the end of aks-a's grant three days later. */
export const NOW = '2027-01-01T00:00:00.000Z';
export const A_ENDS = '2027-01-04T00:00:00.000Z';

/** A cluster pulling with the shared kubelet identity. */
const clusterNamed = (name: string): ClusterInfo => ({
  id: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/${name}`,
  name,
  subscriptionId: SUB,
  resourceGroup: 'rg',
  identity: { identityType: 'UserAssigned', servicePrincipalClientId: 'msi', kubeletObjectId: SHARED_KUBELET },
  aadEnabled: false,
});
export const aksA = clusterNamed('aks-a');
export const aksB = clusterNamed('aks-b');
export const registry: RegistryInfo = {
  id: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/sharedreg`,
  name: 'sharedreg',
  subscriptionId: SUB,
  resourceGroup: 'rg',
  loginServer: 'sharedreg.azurecr.io',
  roleAssignmentMode: 'LegacyRegistryPermissions',
};
export const NAME = 'aaaaaaaa-0000-4000-8000-000000000001';
export const assignment: RoleAssignmentInfo = {
  id: `${registry.id}/providers/Microsoft.Authorization/roleAssignments/${NAME}`,
  name: NAME,
  scope: registry.id,
  roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${ROLE_IDS.acrPull}`,
  principalId: SHARED_KUBELET,
  principalType: 'ServicePrincipal',
};

/** Riley's grant for aks-a, approved by `approver`: it created the shared identity's assignment, ending on A_ENDS. */
export function grantForA(approver: Actor = APPROVER): AccessRequest {
  const plan: GrantPlan = {
    kind: 'grant',
    cluster: { id: aksA.id, name: aksA.name, subscriptionId: SUB, resourceGroup: 'rg' },
    registry: { ...registry },
    identity: { kind: 'kubelet', objectId: SHARED_KUBELET, description: 'kubelet' },
    role: { id: ROLE_IDS.acrPull, name: 'AcrPull' },
    scope: registry.id,
    roleAssignmentName: NAME,
    operations: [],
  };
  return pendingRequest({
    id: 'R-AAAAAAAA',
    version: 3,
    state: 'succeeded',
    plan,
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-01T01:00:00.000Z',
    decision: { by: approver, at: '2026-12-01T01:00:00.000Z', approved: true },
    created: [{ kind: 'roleAssignment', id: assignment.id, name: NAME, recordedAt: '2026-12-01T01:00:00.000Z' }],
    outcome: { summary: 'granted', azureRequestIds: [], createdIds: [assignment.id] },
    access: { durationMs: 34 * 24 * 3600 * 1000, expiresAt: A_ENDS },
  });
}

/** The inventory over aks-a, aks-b and the registry, where Azure lists the one assignment. */
export function inventoryOver(store: MemoryRequestStore, clock: FakeClock): AccessInventory {
  const ports = {
    azure: { listClusters: async () => [aksA, aksB], listRegistries: async () => [registry] },
    roleAssignments: {
      listInSubscription: async () => [assignment],
      listAssignedTo: async () => [assignment],
      listAssignedToAt: async () => [assignment],
      listAtOrAbove: async () => [assignment],
      getRoleDefinition: async () => acrPullDefinition(),
    },
    directory: { servicePrincipalObjectId: async () => undefined, memberGroupsAmong: async () => [] },
    requests: store,
    clock,
  } as unknown as AccessInventoryPorts;
  const resolver = {
    resolveCluster: async (ref: { name: string }) => (ref.name === 'aks-a' ? aksA : aksB),
    resolveRegistry: async () => registry,
  } as unknown as ResourceResolver;
  return new AccessInventory(ports, resolver, [SUB]);
}
