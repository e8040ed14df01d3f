/**
 * `access` alone reads the asker's own requests within the inventory's bound, and shows those of
 * the asker's tenant only: the bound is counted over that tenant's requests, so requests of the
 * same object id in another tenant (a guest's home tenant) cannot use it up and leave the asker
 * fewer than the bound although they hold more, with a note that the read was cut short.
 */
import type { GrantPlan } from '../../src/domain/plan';
import type { AccessRequest } from '../../src/domain/request';
import { ROLE_IDS } from '../../src/domain/roles';
import { AccessInventory, type AccessInventoryPorts } from '../../src/flows/access-inventory';
import type { ResourceResolver } from '../../src/flows/resource-resolver';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { FakeClock } from './support/fake-clock';

const SUB = 'aaaaaaaa-0000-4000-8000-00000000000a';
const LIMIT = 5;

/** A live grant of Riley's, made `n` minutes into 2026 in `tenantId`. */
function granted(n: number, tenantId: string): AccessRequest {
  const plan: GrantPlan = {
    kind: 'grant',
    cluster: {
      id: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-${n}`,
      name: `aks-${n}`,
      subscriptionId: SUB,
      resourceGroup: 'rg',
    },
    registry: {
      id: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr${n}`,
      name: `acr${n}`,
      subscriptionId: SUB,
      resourceGroup: 'rg',
      loginServer: `acr${n}.azurecr.io`,
      roleAssignmentMode: 'LegacyRegistryPermissions',
    },
    identity: { kind: 'kubelet', objectId: '0b000000-0000-4000-8000-0000000000c1', description: 'kubelet' },
    role: { id: ROLE_IDS.acrPull, name: 'AcrPull' },
    scope: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr${n}`,
    roleAssignmentName: `aaaaaaaa-0000-4000-8000-${String(n).padStart(12, '0')}`,
    operations: [],
  };
  const at = new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString();
  return {
    id: `R-${String(n).padStart(8, 'A')}`,
    version: 3,
    state: 'succeeded',
    tenantId,
    requester: { objectId: 'req', name: 'Riley' },
    reason: 'r',
    plan,
    createdAt: at,
    expiresAt: at,
    updatedAt: at,
    decision: { by: { objectId: 'ap', name: 'Alex' }, at, approved: true },
    origin: { conversationId: 'c', conversationType: 'channel' },
    sandbox: true,
  };
}

async function inventoryOver(requests: AccessRequest[]): Promise<AccessInventory> {
  const store = new MemoryRequestStore();
  for (const r of requests) await store.create(r);
  const ports = {
    requests: store,
    clock: new FakeClock(),
    log: { warn: jest.fn() },
  } as unknown as AccessInventoryPorts;
  return new AccessInventory(ports, {} as ResourceResolver, [SUB], LIMIT);
}

test("a user's requests in another tenant, read first, do not use up the bound of their own tenant's", async () => {
  // The same object id's older requests in another tenant, as many as the bound, then three here.
  const elsewhere = Array.from({ length: LIMIT }, (_, i) => granted(i + 1, 'tenant-b'));
  const here = [granted(50, 'tenant-a'), granted(51, 'tenant-a'), granted(52, 'tenant-a')];
  const inventory = await inventoryOver([...elsewhere, ...here]);

  const own = await inventory.forUser({ objectId: 'req', name: 'Riley' }, 'tenant-a');

  expect(own.entries.map((e) => e.request.requestId)).toEqual(['R-AAAAAA52', 'R-AAAAAA51', 'R-AAAAAA50']);
  expect(own.incomplete).toBeUndefined();
});

test("more of the user's requests in their tenant than the bound: the bound's worth of them, and the note", async () => {
  const elsewhere = Array.from({ length: LIMIT }, (_, i) => granted(i + 1, 'tenant-b'));
  const here = Array.from({ length: LIMIT + 1 }, (_, i) => granted(i + 50, 'tenant-a'));
  const inventory = await inventoryOver([...elsewhere, ...here]);

  const own = await inventory.forUser({ objectId: 'req', name: 'Riley' }, 'tenant-a');

  expect(own.entries).toHaveLength(LIMIT);
  expect(own.entries.every((e) => e.request.requestId >= 'R-AAAAAA50')).toBe(true);
  expect(own.incomplete).toMatch(/live requests/);
});

test('asked without a tenant (operators), every tenant counts towards the bound, as before', async () => {
  const elsewhere = Array.from({ length: LIMIT }, (_, i) => granted(i + 1, 'tenant-b'));
  const inventory = await inventoryOver([...elsewhere, granted(50, 'tenant-a')]);

  const own = await inventory.forUser({ objectId: 'req', name: 'Riley' });

  expect(own.entries).toHaveLength(LIMIT);
  expect(own.incomplete).toMatch(/live requests/);
});
