/**
 * The look for clusters sharing a grant's identity indexes a cluster listing once for every plan
 * that reads it (docs/performance.md round forty-eight): the index answers what scanning the
 * listing with `pullsAs` answers, in the listing's order, and the resolver hands every plan of
 * the same shared listings the same array, so the index is built once per listing, not per plan.
 */
import type { ClusterIdentityFacts, ClusterInfo } from '../../src/domain/azure-model';
import type { AzureResourceReader } from '../../src/domain/ports';
import { pullsAs } from '../../src/domain/identity';
import { clustersPullingAs } from '../../src/domain/pull-identity-index';
import { type ClusterListings, ResourceResolver, SHARING_LISTING_TTL_MS } from '../../src/flows/resource-resolver';

const SUB_A = '11111111-1111-4111-8111-111111111111';
const SUB_B = '22222222-2222-4222-8222-222222222222';
const KUBELET = '0d000000-0000-4000-8000-0000000000d1';
const OTHER_KUBELET = '0d000000-0000-4000-8000-0000000000d2';
const APP = '0f000000-0000-4000-8000-0000000000f2';

function cluster(name: string, identity: ClusterIdentityFacts, sub = SUB_A): ClusterInfo {
  return {
    id: `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/${name}`,
    name,
    subscriptionId: sub,
    resourceGroup: 'rg',
    identity,
    aadEnabled: false,
  };
}
const kubelet = (objectId: string, identityType = 'UserAssigned'): ClusterIdentityFacts => ({
  identityType,
  servicePrincipalClientId: 'msi',
  kubeletObjectId: objectId,
});

/** Kubelet and service-principal clusters interleaved, casings mixed, and two with no pull identity. */
const LISTING: ClusterInfo[] = [
  cluster('sp-1', { servicePrincipalClientId: APP }),
  cluster('kubelet-1', kubelet(KUBELET)),
  cluster('other', kubelet(OTHER_KUBELET, 'SystemAssigned')),
  cluster('no-kubelet', { identityType: 'UserAssigned', servicePrincipalClientId: 'msi' }),
  cluster('kubelet-2', kubelet(KUBELET.toUpperCase(), 'systemassigned')),
  cluster('sp-2', { servicePrincipalClientId: APP.toUpperCase() }),
  cluster('none', { servicePrincipalClientId: 'msi' }),
  // A service principal whose app id is the kubelet object id: a different identity (pullsAs compares by kind).
  cluster('sp-kubelet-id', { servicePrincipalClientId: KUBELET }),
  cluster('kubelet-3', kubelet(KUBELET)),
];

describe('clustersPullingAs: the listing index answers what scanning it with pullsAs answers', () => {
  test.each([
    ['a kubelet identity', { objectId: KUBELET }],
    ['a kubelet identity typed in capitals', { objectId: KUBELET.toUpperCase() }],
    ['a service principal', { objectId: '0f100000-0000-4000-8000-0000000000f3', appId: APP.toUpperCase() }],
    ['an object id that is both a kubelet identity and an app id', { objectId: KUBELET, appId: APP }],
    ['an identity nobody pulls with', { objectId: '0e000000-0000-4000-8000-0000000000e9' }],
  ])('%s', (_, identity) => {
    const scanned = LISTING.filter((c) => pullsAs(c, identity));
    expect(clustersPullingAs(LISTING, identity)).toEqual(scanned);
    // Asked again of the same listing (answered from its index): the same clusters, in order.
    expect(clustersPullingAs(LISTING, identity).map((c) => c.name)).toEqual(scanned.map((c) => c.name));
  });

  test('clusters of both kinds come back in the listing order', () => {
    expect(clustersPullingAs(LISTING, { objectId: KUBELET, appId: APP }).map((c) => c.name)).toEqual([
      'sp-1',
      'kubelet-1',
      'kubelet-2',
      'sp-2',
      'kubelet-3',
    ]);
  });

  test('an empty listing shares with nobody', () => {
    expect(clustersPullingAs([], { objectId: KUBELET })).toEqual([]);
  });
});

describe('ResourceResolver.listAllClusters: one array while the shared listings are the same', () => {
  function resolverOver(listings: Record<string, () => Promise<ClusterInfo[]>>, now: () => Date) {
    const azure = { listClusters: (s: string) => listings[s]() } as unknown as AzureResourceReader;
    return new ResourceResolver(azure, Object.keys(listings), now);
  }
  let at = Date.parse('2026-12-06T19:00:00Z');
  const now = () => new Date(at);

  test('plans within SHARING_LISTING_TTL_MS get the same array; a listing made after it, a new one', async () => {
    const resolver = resolverOver(
      {
        [SUB_A]: async () => [cluster('a', kubelet(KUBELET))],
        [SUB_B]: async () => [cluster('b', kubelet(KUBELET), SUB_B)],
      },
      now,
    );
    const first = await resolver.listAllClusters();
    const second = await resolver.listAllClusters();
    expect(first.clusters.map((c) => c.name)).toEqual(['a', 'b']);
    expect(second.clusters).toBe(first.clusters);
    at += SHARING_LISTING_TTL_MS;
    const later = await resolver.listAllClusters();
    expect(later.clusters).not.toBe(first.clusters);
    expect(later.clusters).toEqual(first.clusters);
  });

  test("a plan's own listing is joined afresh and not kept for the next plan", async () => {
    const resolver = resolverOver({ [SUB_A]: async () => [cluster('a', kubelet(KUBELET))] }, now);
    const shared = await resolver.listAllClusters();
    const own: ClusterListings = new Map([[SUB_A, Promise.resolve([cluster('own', kubelet(KUBELET))])]]);
    const planned = await resolver.listAllClusters(own);
    expect(planned.clusters.map((c) => c.name)).toEqual(['own']);
    expect((await resolver.listAllClusters()).clusters).toBe(shared.clusters);
  });

  test('with a subscription unlisted, nothing is kept: the next plan asks it again and joins anew', async () => {
    let refuse = true;
    const resolver = resolverOver(
      {
        [SUB_A]: async () => [cluster('a', kubelet(KUBELET))],
        [SUB_B]: async () => {
          if (refuse) throw Object.assign(new Error('AuthorizationFailed'), { statusCode: 403 });
          return [cluster('b', kubelet(KUBELET), SUB_B)];
        },
      },
      now,
    );
    const first = await resolver.listAllClusters();
    expect(first.unlisted).toEqual([SUB_B]);
    refuse = false;
    const second = await resolver.listAllClusters();
    expect(second.unlisted).toEqual([]);
    expect(second.clusters.map((c) => c.name)).toEqual(['a', 'b']);
    expect((await resolver.listAllClusters()).clusters).toBe(second.clusters);
  });
});
