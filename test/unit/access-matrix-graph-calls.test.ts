/**
 * The tab's matrix asks Graph within the app's budget: one `checkMemberGroups` per identity for
 * up to 20 pull groups (Graph's limit; more in chunks of 20), a service principal's object id
 * once per app id, and never more than 8 Graph calls in flight — while a cluster in a group
 * still shows the group's assignment as its way of pulling. Counted at the HTTP edge: the real
 * `GraphDirectory` over a Graph client stub that answers from a membership map.
 */
import type { ClusterInfo, RegistryInfo, RoleAssignmentInfo } from '../../src/domain/azure-model';
import { ROLE_IDS } from '../../src/domain/roles';
import { AccessInventory, type AccessInventoryPorts } from '../../src/flows/access-inventory';
import type { ResourceResolver } from '../../src/flows/resource-resolver';
import type { GraphClient } from '../../src/integrations/graph/graph-client';
import { GraphDirectory } from '../../src/integrations/graph/graph-directory';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { FakeClock } from './support/fake-clock';
import { acrPullDefinition } from './support/role-definitions';

const hex = (n: number, w = 12) => n.toString(16).padStart(w, '0');
const SUBS = Array.from({ length: 10 }, (_, i) => `00000000-0000-4000-8000-${hex(i + 1)}`);
const kubeletOf = (s: number, k: number) => `0d000000-0000-4000-8000-${hex(s * 100 + k)}`;
const groupOf = (s: number, g: number) => `9a000000-0000-4000-8000-${hex(s * 100 + g)}`;
/** Object id of the service principal of app `n`. */
const spObjectOf = (n: number) => `5b000000-0000-4000-8000-${hex(n)}`;
const appOf = (n: number) => `a0000000-0000-4000-8000-${hex(n)}`;

interface World {
  clusters: Record<string, ClusterInfo[]>;
  registries: Record<string, RegistryInfo[]>;
  assignments: Record<string, RoleAssignmentInfo[]>;
  /** Object id → the groups it is a (transitive) member of. */
  memberOf: Map<string, Set<string>>;
}

/**
 * `SUBS.length` subscriptions of `perSub` clusters each (kubelet identities, but for `spApps`
 * clusters of the first subscription, which use service principals of `spApps` apps in turn),
 * one registry each, and `groupsPerSub` pull groups at each subscription. The first cluster of
 * each subscription is in its first group.
 */
function world(
  perSub: number,
  groupsPerSub: number,
  sp: { clusters: number; apps: number } = { clusters: 0, apps: 1 },
): World {
  const w: World = { clusters: {}, registries: {}, assignments: {}, memberOf: new Map() };
  SUBS.forEach((s, si) => {
    w.clusters[s] = Array.from({ length: perSub }, (_, k) => ({
      id: `/subscriptions/${s}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-${si}-${k}`,
      name: `aks-${si}-${k}`,
      subscriptionId: s,
      resourceGroup: 'rg',
      identity:
        si === 0 && k >= perSub - sp.clusters
          ? { servicePrincipalClientId: appOf(k % sp.apps) }
          : { identityType: 'SystemAssigned', servicePrincipalClientId: 'msi', kubeletObjectId: kubeletOf(si, k) },
      aadEnabled: false,
    }));
    w.registries[s] = [
      {
        id: `/subscriptions/${s}/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr${si}`,
        name: `acr${si}`,
        subscriptionId: s,
        resourceGroup: 'rg',
        loginServer: `acr${si}.azurecr.io`,
        roleAssignmentMode: 'LegacyRegistryPermissions',
      },
    ];
    w.assignments[s] = Array.from({ length: groupsPerSub }, (_, g) => ({
      id: `/subscriptions/${s}/providers/Microsoft.Authorization/roleAssignments/${hex(si * 100 + g, 8)}-0000-4000-8000-000000000000`,
      name: `${hex(si * 100 + g, 8)}-0000-4000-8000-000000000000`,
      scope: `/subscriptions/${s}`,
      roleDefinitionId: `/subscriptions/${s}/providers/Microsoft.Authorization/roleDefinitions/${ROLE_IDS.acrPull}`,
      principalId: groupOf(si, g),
      principalType: 'Group',
    }));
    w.memberOf.set(kubeletOf(si, 0), new Set([groupOf(si, 0)]));
  });
  return w;
}

/** A Graph client stub over `w`: counts calls, their largest `groupIds`, and calls in flight. */
function graphStub(w: World) {
  const seen = { posts: 0, lookups: 0, inFlight: 0, maxInFlight: 0, maxGroupIds: 0 };
  const request = async (method: string, path: string, body?: { groupIds: string[] }) => {
    seen.inFlight++;
    seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
    try {
      // An answer comes later than the call: every caller started at once would be in flight together.
      await new Promise((resolve) => setImmediate(resolve));
      if (method === 'GET') {
        seen.lookups++;
        const app = /appId='([^']+)'/.exec(path)![1];
        return { body: { id: spObjectOf(parseInt(app.slice(-12), 16)), appId: app } };
      }
      seen.posts++;
      seen.maxGroupIds = Math.max(seen.maxGroupIds, body!.groupIds.length);
      const objectId = /directoryObjects\/([^/]+)\/checkMemberGroups/.exec(path)![1];
      const member = w.memberOf.get(objectId) ?? new Set();
      return { body: { value: body!.groupIds.filter((g) => member.has(g)) } };
    } finally {
      seen.inFlight--;
    }
  };
  return { graph: { request } as unknown as GraphClient, seen };
}

function inventory(w: World, graph: GraphClient): AccessInventory {
  const ports = {
    azure: {
      listClusters: async (s: string) => w.clusters[s],
      listRegistries: async (s: string) => w.registries[s],
    },
    roleAssignments: {
      listInSubscription: async (s: string) => w.assignments[s],
      getRoleDefinition: async () => acrPullDefinition(),
    },
    directory: new GraphDirectory(graph),
    requests: new MemoryRequestStore(),
    clock: new FakeClock(),
  } as unknown as AccessInventoryPorts;
  return new AccessInventory(ports, {} as ResourceResolver, SUBS);
}

test('300 clusters × 20 pull groups: one checkMemberGroups per identity, at most 8 in flight', async () => {
  const w = world(30, 2);
  const { graph, seen } = graphStub(w);
  const matrix = await inventory(w, graph).matrix();

  expect(seen.posts).toBeLessThanOrEqual(300);
  expect(seen.maxGroupIds).toBeLessThanOrEqual(20);
  expect(seen.maxInFlight).toBeLessThanOrEqual(8);
  // The answers are unchanged: the group's member pulls through it, its neighbour does not.
  // A pair with no way of pulling has no cell.
  const cell = (cluster: string, registry: string) =>
    matrix.cells.find((c) => c.cluster.name === cluster && c.registry.name === registry);
  expect(cell('aks-3-0', 'acr3')?.paths).toEqual([
    expect.objectContaining({ kind: 'roleAssignment', viaGroupId: groupOf(3, 0) }),
  ]);
  expect(cell('aks-3-0', 'acr3')?.canPull).toBe(true);
  expect(cell('aks-3-1', 'acr3')).toBeUndefined();
  expect(cell('aks-3-0', 'acr4')).toBeUndefined();
});

test('more than 20 pull groups are asked 20 at a time, and a member of a later chunk still pulls', async () => {
  const w = world(2, 3);
  // 30 groups in all: the first cluster of the last subscription is in the last of them.
  const last = SUBS.length - 1;
  w.memberOf.set(kubeletOf(last, 0), new Set([groupOf(last, 2)]));
  const { graph, seen } = graphStub(w);
  const matrix = await inventory(w, graph).matrix();

  expect(seen.maxGroupIds).toBe(20);
  expect(seen.posts).toBe(20 * 2); // 20 identities, 30 groups: two calls each
  const member = matrix.cells.find((c) => c.cluster.name === `aks-${last}-0` && c.registry.name === `acr${last}`)!;
  expect(member.paths).toEqual([expect.objectContaining({ kind: 'roleAssignment', viaGroupId: groupOf(last, 2) })]);
});

test('service-principal clusters sharing an app are looked up once per listing, a few at a time', async () => {
  // 30 clusters of the first subscription use the service principals of 3 apps.
  const w = world(30, 1, { clusters: 30, apps: 3 });
  w.memberOf.set(spObjectOf(1), new Set([groupOf(0, 0)]));
  const { graph, seen } = graphStub(w);
  const matrix = await inventory(w, graph).matrix();

  expect(seen.lookups).toBe(3);
  expect(seen.maxInFlight).toBeLessThanOrEqual(8);
  expect(matrix.unresolvedClusters).toEqual([]);
  // aks-0-1 uses app 1, whose service principal is in the group.
  const viaApp1 = matrix.cells.find((c) => c.cluster.name === 'aks-0-1' && c.registry.name === 'acr0')!;
  expect(viaApp1.paths).toEqual([expect.objectContaining({ kind: 'roleAssignment', viaGroupId: groupOf(0, 0) })]);
});
