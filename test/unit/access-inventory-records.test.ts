/**
 * The inventory's bounded read of acrbot's records: live access (succeeded) is read before ended
 * access (revoked, never purged, listed oldest first), so old ended requests cannot crowd the
 * newest live grant out; when a bound is still reached, the report says so and it is logged once.
 */
import type { ClusterInfo, RegistryInfo, RoleAssignmentInfo } from '../../src/domain/azure-model';
import type { GrantPlan } from '../../src/domain/plan';
import type { AccessRequest } from '../../src/domain/request';
import { ROLE_IDS } from '../../src/domain/roles';
import { acrPullDefinition } from './support/role-definitions';
import { AccessInventory, type AccessInventoryPorts } from '../../src/flows/access-inventory';
import type { ResourceResolver } from '../../src/flows/resource-resolver';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { clusterAccessCard } from '../../src/views/access-view';
import { FakeClock } from './support/fake-clock';

const SUB = 'aaaaaaaa-0000-4000-8000-00000000000a';
const KUBELET = '0b000000-0000-4000-8000-0000000000c1';
const cluster: ClusterInfo = {
  id: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-a`,
  name: 'aks-a',
  subscriptionId: SUB,
  resourceGroup: 'rg',
  identity: { identityType: 'SystemAssigned', servicePrincipalClientId: 'msi', kubeletObjectId: KUBELET },
  aadEnabled: false,
};
const registry: RegistryInfo = {
  id: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acra`,
  name: 'acra',
  subscriptionId: SUB,
  resourceGroup: 'rg',
  loginServer: 'acra.azurecr.io',
  roleAssignmentMode: 'LegacyRegistryPermissions',
};
const LIMIT = 5;

function grant(n: number, state: 'succeeded' | 'revoked'): AccessRequest {
  const name = `aaaaaaaa-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const plan: GrantPlan = {
    kind: 'grant',
    cluster: { id: cluster.id, name: cluster.name, subscriptionId: SUB, resourceGroup: 'rg' },
    registry: { ...registry },
    identity: { kind: 'kubelet', objectId: KUBELET, description: 'kubelet' },
    role: { id: ROLE_IDS.acrPull, name: 'AcrPull' },
    scope: registry.id,
    roleAssignmentName: name,
    operations: [],
  };
  const at = new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString();
  return {
    id: `R-${String(n).padStart(8, 'A')}`,
    version: 3,
    state,
    tenantId: 't',
    requester: { objectId: 'req', name: 'Riley' },
    reason: 'r',
    plan,
    createdAt: at,
    expiresAt: at,
    updatedAt: at,
    decision: { by: { objectId: 'ap', name: 'Alex' }, at, approved: true },
    origin: { conversationId: 'c', conversationType: 'channel' },
    sandbox: true,
    ...(state === 'revoked' && { access: { revokedAt: at, revokedBy: { objectId: 'ap', name: 'Alex' } } }),
  };
}

const assignmentOf = (r: AccessRequest): RoleAssignmentInfo => {
  const plan = r.plan as GrantPlan;
  return {
    id: `${plan.scope}/providers/Microsoft.Authorization/roleAssignments/${plan.roleAssignmentName}`,
    name: plan.roleAssignmentName,
    scope: plan.scope,
    roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${ROLE_IDS.acrPull}`,
    principalId: KUBELET,
    principalType: 'ServicePrincipal',
  };
};

async function setUp(requests: AccessRequest[], live: AccessRequest[]) {
  const store = new MemoryRequestStore();
  for (const r of requests) await store.create(r);
  const warn = jest.fn();
  const assignments = live.map(assignmentOf);
  const ports = {
    azure: {
      listClusters: async () => [cluster],
      listRegistries: async () => [registry],
    },
    roleAssignments: {
      listInSubscription: async () => assignments,
      listAssignedTo: async () => assignments,
      getRoleDefinition: async () => acrPullDefinition(),
    },
    directory: { servicePrincipalObjectId: async () => undefined, memberGroupsAmong: async () => [] },
    requests: store,
    clock: new FakeClock(),
    log: { warn },
  } as unknown as AccessInventoryPorts;
  const resolver = { resolveCluster: async () => cluster } as unknown as ResourceResolver;
  return { inventory: new AccessInventory(ports, resolver, [SUB], LIMIT), warn };
}

describe('the inventory reads live access before ended access', () => {
  test('old revoked requests beyond the bound do not turn the newest live grant into "granted outside acrbot"', async () => {
    const ended = Array.from({ length: LIMIT + 2 }, (_, i) => grant(i + 1, 'revoked'));
    const newest = grant(100, 'succeeded');
    const { inventory, warn } = await setUp([...ended, newest], [newest]);

    const matrix = await inventory.matrix();
    const paths = matrix.cells[0]!.paths;
    const live = paths.find((p) => p.kind === 'roleAssignment');
    expect(live).toMatchObject({ origin: 'acrbot', requests: [{ requestId: newest.id }] });
    // Not everything ended fitted: the report says so, and the log says it once.
    expect(matrix.incomplete).toMatch(/ended requests/);
    expect(paths.filter((p) => p.kind === 'endedGrant')).toHaveLength(LIMIT - 1);
    await inventory.matrix();
    expect(warn).toHaveBeenCalledTimes(1);

    const report = await inventory.forCluster('aks-a');
    expect(JSON.stringify(clusterAccessCard(report, false))).toContain(report.incomplete!);
  });

  test('everything read: no note, nothing logged', async () => {
    const newest = grant(100, 'succeeded');
    const { inventory, warn } = await setUp([grant(1, 'revoked'), newest], [newest]);
    const matrix = await inventory.matrix();
    expect(matrix.incomplete).toBeUndefined();
    expect(matrix.cells[0]!.paths.map((p) => p.kind).sort()).toEqual(['endedGrant', 'roleAssignment']);
    expect(warn).not.toHaveBeenCalled();
  });

  test('more live requests than the bound: the report says live access is incomplete', async () => {
    const live = Array.from({ length: LIMIT + 1 }, (_, i) => grant(i + 1, 'succeeded'));
    const { inventory } = await setUp(live, live);
    const own = await inventory.forUser({ objectId: 'req', name: 'Riley' });
    expect(own.entries).toHaveLength(LIMIT);
    expect(own.incomplete).toMatch(/live requests/);
  });
});
