/**
 * One user-assigned kubelet identity can serve several clusters. acrbot's grant for cluster A is
 * a role assignment of that identity, so cluster B pulls through it too, and loses it when A's
 * grant ends (the lifecycle deletes it then, unless an overlapping grant holds it). `access B`,
 * `check B REGISTRY` and the matrix must say so from acrbot's records (G15): acrbot's grant for
 * aks-a, with its end, never "granted outside acrbot" with no end.
 */
import type { ClusterInfo, RegistryInfo, RoleAssignmentInfo } from '../../src/domain/azure-model';
import type { GrantPlan } from '../../src/domain/plan';
import type { AccessRequest } from '../../src/domain/request';
import { ROLE_IDS } from '../../src/domain/roles';
import { AccessInventory, type AccessInventoryPorts } from '../../src/flows/access-inventory';
import type { ResourceResolver } from '../../src/flows/resource-resolver';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { clusterAccessCard } from '../../src/views/access-view';
import { FakeClock } from './support/fake-clock';
import { acrPullDefinition } from './support/role-definitions';

const SUB = 'aaaaaaaa-0000-4000-8000-00000000000a';
const SHARED_KUBELET = '0b000000-0000-4000-8000-0000000000c1';
const NOW = '2027-01-01T00:00:00.000Z';
const A_ENDS = '2027-01-04T00:00:00.000Z';

const clusterNamed = (name: string, kubelet = SHARED_KUBELET): ClusterInfo => ({
  id: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/${name}`,
  name,
  subscriptionId: SUB,
  resourceGroup: 'rg',
  identity: { identityType: 'UserAssigned', servicePrincipalClientId: 'msi', kubeletObjectId: kubelet },
  aadEnabled: false,
});
const aksA = clusterNamed('aks-a');
const aksB = clusterNamed('aks-b');
const registry: RegistryInfo = {
  id: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/sharedreg`,
  name: 'sharedreg',
  subscriptionId: SUB,
  resourceGroup: 'rg',
  loginServer: 'sharedreg.azurecr.io',
  roleAssignmentMode: 'LegacyRegistryPermissions',
};
const NAME = 'aaaaaaaa-0000-4000-8000-000000000001';
const assignment: RoleAssignmentInfo = {
  id: `${registry.id}/providers/Microsoft.Authorization/roleAssignments/${NAME}`,
  name: NAME,
  scope: registry.id,
  roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${ROLE_IDS.acrPull}`,
  principalId: SHARED_KUBELET,
  principalType: 'ServicePrincipal',
};

/** acrbot's grant for aks-a: it created the identity's assignment, which ends on A_ENDS. */
function grantForA(): AccessRequest {
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
  return {
    id: 'R-AAAAAAAA',
    version: 3,
    state: 'succeeded',
    tenantId: 't',
    requester: { objectId: 'req', name: 'Riley' },
    reason: 'r',
    plan,
    createdAt: '2026-12-01T00:00:00.000Z',
    expiresAt: '2026-12-02T00:00:00.000Z',
    updatedAt: '2026-12-01T00:00:00.000Z',
    decision: { by: { objectId: 'ap', name: 'Alex' }, at: '2026-12-01T01:00:00.000Z', approved: true },
    origin: { conversationId: 'c', conversationType: 'channel' },
    sandbox: true,
    created: [{ kind: 'roleAssignment', id: assignment.id, name: NAME, recordedAt: '2026-12-01T01:00:00.000Z' }],
    outcome: { summary: 'granted', azureRequestIds: [], createdIds: [assignment.id] },
    access: { durationMs: 34 * 24 * 3600 * 1000, expiresAt: A_ENDS },
  };
}

async function setUp(requests: AccessRequest[]): Promise<AccessInventory> {
  const store = new MemoryRequestStore();
  for (const r of requests) await store.create(r);
  const ports = {
    azure: {
      listClusters: async () => [aksA, aksB],
      listRegistries: async () => [registry],
    },
    roleAssignments: {
      listInSubscription: async () => [assignment],
      listAssignedTo: async () => [assignment],
      listAssignedToAt: async () => [assignment],
      listAtOrAbove: async () => [assignment],
      getRoleDefinition: async () => acrPullDefinition(),
    },
    directory: { servicePrincipalObjectId: async () => undefined, isMemberOfGroup: async () => false },
    requests: store,
    clock: new FakeClock(NOW),
  } as unknown as AccessInventoryPorts;
  const resolver = {
    resolveCluster: async (ref: { name: string }) => (ref.name === 'aks-a' ? aksA : aksB),
    resolveRegistry: async () => registry,
  } as unknown as ResourceResolver;
  return new AccessInventory(ports, resolver, [SUB]);
}

describe('a cluster that shares its kubelet identity with a cluster acrbot granted', () => {
  test("access: acrbot's grant for the other cluster, with its end, not a grant outside acrbot", async () => {
    const inventory = await setUp([grantForA()]);
    const report = await inventory.forCluster('aks-b');
    const [cell] = report.cells;
    expect(cell).toMatchObject({ canPull: true, state: 'expiring', expiresAt: A_ENDS });
    expect(cell.paths).toEqual([
      expect.objectContaining({
        kind: 'roleAssignment',
        origin: 'acrbot',
        requests: [],
        sharedRequests: [expect.objectContaining({ requestId: 'R-AAAAAAAA', clusterName: 'aks-a' })],
      }),
    ]);
    const card = JSON.stringify(clusterAccessCard(report, false));
    expect(card).toContain(
      'acrbot request R-AAAAAAAA for cluster aks-a (approved by Alex, until 2027-01-04 00:00 UTC)',
    );
    expect(card).not.toContain('granted outside acrbot');
    // The granted cluster's own answer is unchanged: its request, no cluster named.
    const own = (await inventory.forCluster('aks-a')).cells[0];
    expect(own.paths[0]).toMatchObject({ origin: 'acrbot', requests: [{ requestId: 'R-AAAAAAAA' }] });
    expect(own.paths[0]).not.toHaveProperty('requests.0.clusterName');
  });

  test('the matrix and access REGISTRY say the same for both clusters', async () => {
    const inventory = await setUp([grantForA()]);
    for (const cells of [(await inventory.matrix()).cells, (await inventory.forRegistry('sharedreg')).cells]) {
      const b = cells.find((c) => c.cluster.name === 'aks-b')!;
      expect(b).toMatchObject({ canPull: true, expiresAt: A_ENDS, paths: [{ origin: 'acrbot' }] });
      const a = cells.find((c) => c.cluster.name === 'aks-a')!;
      expect(a).toMatchObject({
        expiresAt: A_ENDS,
        paths: [{ origin: 'acrbot', requests: [{ requestId: 'R-AAAAAAAA' }] }],
      });
    }
  });

  test('check: pull ends with the other cluster’s grant, and the fix is a grant of its own (not "no end date")', async () => {
    const inventory = await setUp([grantForA()]);
    const d = await inventory.check('aks-b', 'sharedreg');
    expect(d.canPull).toBe(true);
    expect(d.verdict).toContain('acrbot request R-AAAAAAAA for cluster aks-a');
    expect(d.findings).toContainEqual({
      topic: 'expiry',
      level: 'warn',
      text: 'Role-based pull ends 2027-01-04 00:00 UTC.',
    });
    // aks-b's people cannot extend aks-a's request; a grant of aks-b's own overlaps it (G17).
    expect(d.fix).toBe(
      'It ends with the grant for cluster aks-a, which pulls with the same identity; to keep pulling after that: @acrbot grant aks-b sharedreg REASON…',
    );
  });
});
