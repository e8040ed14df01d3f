/**
 * One plan lists each allowed subscription's clusters at most once: a cluster named by name is
 * found in the listings that the look for clusters sharing its identity then reads again, rather
 * than listing every subscription twice (20 paged ARM lists per grant request on 10
 * subscriptions). A listing that failed while resolving leaves its subscription unchecked for
 * sharing without being asked again. A plan that resolved its cluster by name keeps nothing for
 * the next; the sharing look of a cluster named by id or group reads the listing of the last
 * SHARING_LISTING_TTL_MS, shared by every plan (200 grants at once list once, not 200 times).
 */
import type { ClusterInfo, RegistryInfo } from '../../src/domain/azure-model';
import type { AzureResourceReader, RoleAssignmentPort } from '../../src/domain/ports';
import { GrantPlanner, type PlanningReads } from '../../src/flows/grant-planner';
import { ResourceResolver, SHARING_LISTING_TTL_MS } from '../../src/flows/resource-resolver';
import { fakeDirectory } from './support/fake-directory';

const SUBS = [
  '11111111-1111-4111-8111-111111111111',
  '22222222-2222-4222-8222-222222222222',
  '33333333-3333-4333-8333-333333333333',
  '44444444-4444-4444-8444-444444444444',
];
const [SUB_X, SUB_Y, SUB_Z, SUB_REFUSED] = SUBS;
const SHARED_KUBELET = '0d000000-0000-4000-8000-0000000000d1';
const OTHER_KUBELET = '0d000000-0000-4000-8000-0000000000d2';

function cluster(name: string, sub: string, kubeletObjectId: string): ClusterInfo {
  return {
    id: `/subscriptions/${sub}/resourceGroups/rg-${name}/providers/Microsoft.ContainerService/managedClusters/${name}`,
    name,
    subscriptionId: sub,
    resourceGroup: `rg-${name}`,
    identity: { identityType: 'UserAssigned', servicePrincipalClientId: 'msi', kubeletObjectId },
    aadEnabled: false,
  };
}

const registry: RegistryInfo = {
  id: `/subscriptions/${SUB_Y}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/contosoacr`,
  name: 'contosoacr',
  subscriptionId: SUB_Y,
  resourceGroup: 'rg-acr',
  loginServer: 'contosoacr.azurecr.io',
  roleAssignmentMode: 'LegacyRegistryPermissions',
};

const aksX = cluster('aks-x', SUB_X, SHARED_KUBELET);
const aksTwin = cluster('aks-twin', SUB_Z, SHARED_KUBELET);
const CLUSTERS: Record<string, ClusterInfo[]> = {
  [SUB_X]: [aksX],
  [SUB_Y]: [cluster('aks-y', SUB_Y, OTHER_KUBELET)],
  [SUB_Z]: [aksTwin],
};

/** A planner over the real resolver on `subscriptions`; a subscription without clusters refuses its listing (403). */
function plannerOn(subscriptions: string[], now?: () => Date) {
  const listed: string[] = [];
  const azure = {
    listClusters: async (s: string) => {
      listed.push(s);
      const found = CLUSTERS[s];
      if (!found) throw Object.assign(new Error('AuthorizationFailed'), { statusCode: 403 });
      return found;
    },
    getCluster: async (s: string, group: string, name: string) =>
      CLUSTERS[s]?.find((c) => c.resourceGroup === group && c.name === name),
    listRegistries: async (s: string) => (s === SUB_Y ? [registry] : []),
  } as unknown as AzureResourceReader;
  const ports = {
    listAssignedToAt: async () => [],
    canAssignRoles: async () => true,
  } as unknown as RoleAssignmentPort & PlanningReads;
  const planner = new GrantPlanner(new ResourceResolver(azure, subscriptions, now), ports, fakeDirectory());
  return { planner, listed };
}

const sorted = (ids: string[]) => [...ids].sort();

describe('the cluster listings of one grant plan', () => {
  test('a cluster named by name: each subscription listed once, the sharing cluster still found', async () => {
    const subscriptions = [SUB_X, SUB_Y, SUB_Z];
    const { planner, listed } = plannerOn(subscriptions);
    const result = await planner.plan('aks-x', 'contosoacr');
    expect(listed.length).toBeLessThanOrEqual(subscriptions.length);
    expect(sorted(listed)).toEqual(sorted(subscriptions));
    expect(result.plan.sharedWith).toMatchObject({ clusters: [{ id: aksTwin.id }], more: 0, unchecked: [] });
  });

  test('a listing refused while resolving: that subscription is unchecked for sharing, and not asked again', async () => {
    const subscriptions = [SUB_X, SUB_Y, SUB_Z, SUB_REFUSED];
    const { planner, listed } = plannerOn(subscriptions);
    const result = await planner.plan('aks-x', 'contosoacr');
    expect(listed.filter((s) => s === SUB_REFUSED)).toHaveLength(1);
    expect(listed).toHaveLength(subscriptions.length);
    expect(result.plan.sharedWith).toMatchObject({ clusters: [{ id: aksTwin.id }], unchecked: [SUB_REFUSED] });
  });

  test('a cluster named by resource id: no listing resolves it, so sharing lists each subscription once', async () => {
    const subscriptions = [SUB_X, SUB_Y, SUB_Z];
    const { planner, listed } = plannerOn(subscriptions);
    const result = await planner.plan(aksX.id, 'contosoacr');
    expect(sorted(listed)).toEqual(sorted(subscriptions));
    expect(result.plan.sharedWith?.clusters.map((c) => c.id)).toEqual([aksTwin.id]);
  });

  test('nothing is kept across plans: a second plan lists again and sees the clusters as they are now', async () => {
    const subscriptions = [SUB_X, SUB_Y, SUB_Z];
    const { planner, listed } = plannerOn(subscriptions);
    await planner.plan('aks-x', 'contosoacr');
    const twins = CLUSTERS[SUB_Z];
    CLUSTERS[SUB_Z] = [];
    try {
      const again = await planner.plan('aks-x', 'contosoacr');
      expect(sorted(listed)).toEqual(sorted([...subscriptions, ...subscriptions]));
      expect(again.plan).not.toHaveProperty('sharedWith');
    } finally {
      CLUSTERS[SUB_Z] = twins;
    }
  });
});

describe('the sharing look across plans of clusters named by id', () => {
  test('plans within SHARING_LISTING_TTL_MS share one listing per subscription; a later one lists again', async () => {
    const subscriptions = [SUB_X, SUB_Y, SUB_Z];
    let at = Date.parse('2026-12-05T09:00:00Z');
    const { planner, listed } = plannerOn(subscriptions, () => new Date(at));
    const plans = await Promise.all([planner.plan(aksX.id, 'contosoacr'), planner.plan(aksX.id, 'contosoacr')]);
    at += SHARING_LISTING_TTL_MS - 1;
    plans.push(await planner.plan(aksX.id, 'contosoacr'));
    expect(sorted(listed)).toEqual(sorted(subscriptions));
    for (const p of plans) expect(p.plan.sharedWith?.clusters.map((c) => c.id)).toEqual([aksTwin.id]);
    at += 1;
    await planner.plan(aksX.id, 'contosoacr');
    expect(sorted(listed)).toEqual(sorted([...subscriptions, ...subscriptions]));
  });

  test('a failed listing is not kept: the next plan asks that subscription again', async () => {
    const subscriptions = [SUB_X, SUB_Y, SUB_REFUSED];
    const at = Date.parse('2026-12-05T09:00:00Z');
    const { planner, listed } = plannerOn(subscriptions, () => new Date(at));
    const first = await planner.plan(aksX.id, 'contosoacr');
    const second = await planner.plan(aksX.id, 'contosoacr');
    expect(listed.filter((s) => s === SUB_REFUSED)).toHaveLength(2);
    expect(listed.filter((s) => s === SUB_X)).toHaveLength(1);
    expect(first.plan.sharedWith?.unchecked).toEqual([SUB_REFUSED]);
    expect(second.plan.sharedWith?.unchecked).toEqual([SUB_REFUSED]);
  });
});
