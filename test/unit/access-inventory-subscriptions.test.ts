/**
 * The inventory over several subscriptions: an assignment at a management group is listed in
 * each subscription under that group, and only there. It covers registries in the subscriptions
 * that listed it (another subscription may sit under another group), and it is one way of
 * pulling, however many listings returned it.
 */
import type { ClusterInfo, RegistryInfo, RoleAssignmentInfo } from '../../src/domain/azure-model';
import { ROLE_IDS } from '../../src/domain/roles';
import { acrPullDefinition, customPullDefinition } from './support/role-definitions';
import { AccessInventory, type AccessInventoryPorts } from '../../src/flows/access-inventory';
import type { ResourceResolver } from '../../src/flows/resource-resolver';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { FakeClock } from './support/fake-clock';

const SUB_A = 'aaaaaaaa-0000-4000-8000-00000000000a';
const SUB_B = 'bbbbbbbb-0000-4000-8000-00000000000b';
const KUBELET = '0b000000-0000-4000-8000-0000000000c1';
const MG = '/providers/Microsoft.Management/managementGroups/nonprod';

const cluster: ClusterInfo = {
  id: `/subscriptions/${SUB_A}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-a`,
  name: 'aks-a',
  subscriptionId: SUB_A,
  resourceGroup: 'rg',
  identity: { identityType: 'SystemAssigned', servicePrincipalClientId: 'msi', kubeletObjectId: KUBELET },
  aadEnabled: false,
};
const registryIn = (sub: string, name: string): RegistryInfo => ({
  id: `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/${name}`,
  name,
  subscriptionId: sub,
  resourceGroup: 'rg',
  loginServer: `${name}.azurecr.io`,
  roleAssignmentMode: 'LegacyRegistryPermissions',
});
const mgPull: RoleAssignmentInfo = {
  id: `${MG}/providers/Microsoft.Authorization/roleAssignments/11111111-0000-4000-8000-000000000001`,
  name: '11111111-0000-4000-8000-000000000001',
  scope: MG,
  roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${ROLE_IDS.acrPull}`,
  principalId: KUBELET,
  principalType: 'ServicePrincipal',
};

function inventory(listedBy: Record<string, RoleAssignmentInfo[]>): AccessInventory {
  const registries: Record<string, RegistryInfo[]> = {
    [SUB_A]: [registryIn(SUB_A, 'acra')],
    [SUB_B]: [registryIn(SUB_B, 'acrb')],
  };
  const ports = {
    azure: {
      listClusters: async (s: string) => (s === SUB_A ? [cluster] : []),
      listRegistries: async (s: string) => registries[s] ?? [],
      getCluster: async () => cluster,
      getRegistry: async () => undefined,
    },
    roleAssignments: {
      listInSubscription: async (s: string) => listedBy[s] ?? [],
      listAssignedTo: async (s: string) => listedBy[s] ?? [],
      getRoleDefinition: async () => acrPullDefinition(),
    },
    directory: { servicePrincipalObjectId: async () => undefined, memberGroupsAmong: async () => [] },
    requests: new MemoryRequestStore(),
    clock: new FakeClock(),
  } as unknown as AccessInventoryPorts;
  return new AccessInventory(ports, {} as ResourceResolver, [SUB_A, SUB_B]);
}

const pullsFrom = (cells: { registry: { name: string }; canPull: boolean; paths: unknown[] }[]) =>
  cells.filter((c) => c.canPull).map((c) => `${c.registry.name}:${c.paths.length}`);

test('listed in subscription A only: it covers A’s registry, not B’s', async () => {
  const { cells } = await inventory({ [SUB_A]: [mgPull] }).matrix();
  expect(pullsFrom(cells)).toEqual(['acra:1']);
});

test('listed in both: it covers both registries, as one way of pulling each', async () => {
  const { cells } = await inventory({ [SUB_A]: [mgPull], [SUB_B]: [mgPull] }).matrix();
  expect(pullsFrom(cells).sort()).toEqual(['acra:1', 'acrb:1']);
});

describe('a custom role assigned at a management group, readable only under that group', () => {
  // Defined at the management group over subscription B only: ARM answers its GET anywhere under
  // B (at B, at the registry in it) and 404 under A (a custom role exists only inside its
  // assignable scopes).
  const CUSTOM = '33333333-0000-4000-8000-000000000003';
  const puller = customPullDefinition(CUSTOM, 'Image puller');
  const mgCustom: RoleAssignmentInfo = {
    ...mgPull,
    roleDefinitionId: `${MG}/providers/Microsoft.Authorization/roleDefinitions/${CUSTOM}`,
  };
  const acrb = registryIn(SUB_B, 'acrb');

  function inventoryOverB(reads: string[]): AccessInventory {
    const ports = {
      azure: {
        listClusters: async (s: string) => (s === SUB_A ? [cluster] : []),
        listRegistries: async (s: string) => (s === SUB_B ? [acrb] : []),
      },
      roleAssignments: {
        listInSubscription: async (s: string) => (s === SUB_B ? [mgCustom] : []),
        listAssignedTo: async (s: string) => (s === SUB_B ? [mgCustom] : []),
        listAssignedToAt: async () => [mgCustom],
        listAtOrAbove: async () => [mgCustom],
        getRoleDefinition: async (scope: string, guid: string) => {
          reads.push(scope);
          const underB = scope.toLowerCase().startsWith(`/subscriptions/${SUB_B}`.toLowerCase());
          return underB && guid === CUSTOM ? puller : undefined;
        },
      },
      directory: { servicePrincipalObjectId: async () => undefined, memberGroupsAmong: async () => [] },
      requests: new MemoryRequestStore(),
      clock: new FakeClock(),
    } as unknown as AccessInventoryPorts;
    const resolver = {
      resolveCluster: async () => cluster,
      resolveRegistry: async () => acrb,
    } as unknown as ResourceResolver;
    return new AccessInventory(ports, resolver, [SUB_A, SUB_B]);
  }

  test('its definition is read in a subscription that listed it, so the cluster is shown able to pull', async () => {
    const reads: string[] = [];
    const inventory = inventoryOverB(reads);
    expect(pullsFrom((await inventory.matrix()).cells)).toEqual(['acrb:1']);
    expect(pullsFrom((await inventory.forCluster('aks-a')).cells)).toEqual(['acrb:1']);
    expect(pullsFrom((await inventory.forRegistry('acrbregistry')).cells)).toEqual(['acrb:1']);
    const diagnosis = await inventory.check('aks-a', 'acrbregistry');
    expect(diagnosis.canPull).toBe(true);
    expect(diagnosis.verdict).toContain('Image puller on a management group above it');
    expect(reads.length).toBeGreaterThan(0);
    // At the registry it covers (where the deployment gives acrbot Reader), never under A.
    expect(reads.every((s) => s === acrb.id)).toBe(true);
  });
});
