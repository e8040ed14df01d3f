/**
 * `access REGISTRY` reads the registry's own requests (the store's index by registry), as `check`
 * does, not everyone's cut at the inventory's bound. Cut tenant-wide, a registry's ended grants
 * older than the newest few thousand of all registries were missing, so an assignment made again
 * at an old grant's name read "this store has no record of it (a store switched or restored?)"
 * while `check` on the same pair named the grant that ended. The listings still cut tenant-wide
 * (`access CLUSTER`, the matrix) say that such a label may be wrong.
 */
import type { ClusterInfo, RegistryInfo, RoleAssignmentInfo } from '../../src/domain/azure-model';
import { roleAssignmentName } from '../../src/domain/identifiers';
import type { AccessRequest } from '../../src/domain/request';
import { AccessInventory, type AccessInventoryPorts } from '../../src/flows/access-inventory';
import type { ResourceResolver } from '../../src/flows/resource-resolver';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { FakeClock } from './support/fake-clock';
import { ACR_PULL, cluster as pair, identity, KUBELET, registry, SUB } from './support/pull-diagnosis-fixtures';

/** The inventory's bound, small: the other registry's ended grants alone fill it. */
const LIMIT = 5;
/** The fixtures' aks-prod as Azure lists it: with its kubelet identity. */
const cluster: ClusterInfo = {
  ...pair,
  identity: { identityType: 'SystemAssigned', servicePrincipalClientId: 'msi', kubeletObjectId: KUBELET },
  aadEnabled: false,
};
const other: RegistryInfo = { ...registry, id: registry.id.replace('contosoacr', 'otheracr'), name: 'otheracr' };

/** A grant of AcrPull on `on` to the cluster's kubelet, revoked `n` days into 2026. */
function revoked(n: number, on: RegistryInfo): AccessRequest {
  const name = roleAssignmentName(on.id, KUBELET, ACR_PULL.guid);
  const at = new Date(Date.UTC(2026, 0, 1) + n * 86_400_000).toISOString();
  return {
    id: `R-${String(n).padStart(8, '0')}`,
    version: 5,
    state: 'revoked',
    tenantId: 't',
    requester: { objectId: 'req', name: 'Riley' },
    reason: 'r',
    plan: {
      kind: 'grant',
      cluster: pair,
      registry: on,
      identity,
      role: { id: ACR_PULL.guid, name: 'AcrPull' },
      scope: on.id,
      roleAssignmentName: name,
      operations: [],
    },
    created: [
      {
        kind: 'roleAssignment',
        id: `${on.id}/providers/Microsoft.Authorization/roleAssignments/${name}`,
        name,
        recordedAt: at,
      },
    ],
    createdAt: at,
    updatedAt: at,
    decision: { by: { objectId: 'ap', name: 'Alex' }, at, approved: true },
    access: { expiresAt: at, revokedAt: at, revokedBy: { objectId: 'ap', name: 'Alex' } },
    origin: { conversationId: 'c', conversationType: 'channel' },
    sandbox: true,
  } as unknown as AccessRequest;
}

/** What Azure lists on the registry now: an assignment at the old grant's name, made since it ended. */
const madeAgain: RoleAssignmentInfo = {
  id: `${registry.id}/providers/Microsoft.Authorization/roleAssignments/${roleAssignmentName(registry.id, KUBELET, ACR_PULL.guid)}`,
  name: roleAssignmentName(registry.id, KUBELET, ACR_PULL.guid),
  scope: registry.id,
  roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${ACR_PULL.guid}`,
  principalId: KUBELET,
  principalType: 'ServicePrincipal',
  createdOn: '2026-12-01T00:00:00.000Z',
};

async function inventoryWith(requests: AccessRequest[]): Promise<AccessInventory> {
  const store = new MemoryRequestStore();
  for (const r of requests) await store.create(r);
  const ports = {
    azure: { listClusters: async () => [cluster], listRegistries: async () => [registry, other] },
    roleAssignments: {
      listAtOrAbove: async () => [madeAgain],
      listInSubscription: async () => [madeAgain],
      listAssignedTo: async () => [madeAgain],
      listAssignedToAt: async () => [madeAgain],
      getRoleDefinition: async () => ACR_PULL,
    },
    directory: { servicePrincipalObjectId: async () => undefined, memberGroupsAmong: async () => [] },
    requests: store,
    clock: new FakeClock('2027-01-01T00:00:00.000Z'),
  } as unknown as AccessInventoryPorts;
  const resolver = {
    resolveCluster: async () => cluster,
    resolveRegistry: async () => registry,
  } as unknown as ResourceResolver;
  return new AccessInventory(ports, resolver, [SUB], LIMIT);
}

// The registry's one grant, ended in January; then more of the other registry's than the bound.
const old = revoked(1, registry);
const newer = Array.from({ length: LIMIT + 2 }, (_, i) => revoked(100 + i, other));

test("access REGISTRY names the registry's old ended grant as check does, however many other registries' ended since", async () => {
  const inventory = await inventoryWith([old, ...newer]);

  const report = await inventory.forRegistry('contosoacr');
  const role = report.cells[0]!.paths.find((p) => p.kind === 'roleAssignment');
  expect(role).toMatchObject({ origin: 'acrbotNamed', endedRequestIds: [old.id], createdOn: madeAgain.createdOn });
  // Everything of this registry was read: no note.
  expect(report.incomplete).toBeUndefined();
  // The same answer as check's on the pair.
  expect(await inventory.acrbotNamedOnPair(cluster.id, registry.id)).toEqual([
    { name: madeAgain.name, endedRequestIds: [old.id], createdOn: madeAgain.createdOn },
  ]);
});

test('the listings still cut tenant-wide say that a "no record" label may be wrong', async () => {
  const inventory = await inventoryWith([old, ...newer]);

  const matrix = await inventory.matrix();
  const role = matrix.cells.find((c) => c.registry.id === registry.id)!.paths.find((p) => p.kind === 'roleAssignment');
  expect(role).toMatchObject({ origin: 'acrbotNamed' });
  expect(role).not.toHaveProperty('endedRequestIds');
  expect(matrix.incomplete).toMatch(
    /may be said to have no record in this store when it was made again after that grant ended/,
  );
  expect((await inventory.forCluster('aks-prod')).incomplete).toBe(matrix.incomplete);
  // A user's own access shows no role assignments: its note does not speak of them.
  const own = await inventory.forUser({ objectId: 'req', name: 'Riley' });
  expect(own.incomplete).toMatch(/ended requests/);
  expect(own.incomplete).not.toMatch(/no record/);
});
