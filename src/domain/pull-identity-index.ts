/**
 * The clusters of a listing that pull with one identity (identity.ts `pullsAs`), through an index
 * of the listing built once: every grant plan asks this of the same listing (resource-resolver.ts
 * keeps a subscription's for `SHARING_LISTING_TTL_MS`), and a scan per plan made 200 grants
 * at once look at every cluster 200 times (about 80 KiB of lower-cased ids and identity objects
 * per plan with 200 clusters, docs/performance.md round forty-eight). The index is derived from
 * the listing array alone and lives as long as it does: a new listing is a new array, so nothing
 * is served that the scan of the same listing would not have found.
 */
import type { ClusterInfo } from './azure-model';
import { UserFacingError } from './errors';
import { choosePullIdentity } from './identity';

/** A listing's clusters by pull identity key ({@link pullKey}): their places in the listing, in order. */
type PullIndex = Map<string, number[]>;

const indexes = new WeakMap<readonly ClusterInfo[], PullIndex>();

/**
 * The key of the identity `cluster` pulls with, as `pullsAs` compares it: a kubelet
 * identity's object id or a service principal's app id, without letter case. Undefined for a
 * cluster with no usable pull identity (it pulls with none).
 */
function pullKey(cluster: ClusterInfo): string | undefined {
  let chosen;
  try {
    chosen = choosePullIdentity(cluster);
  } catch (err) {
    if (err instanceof UserFacingError) return undefined;
    throw err;
  }
  return chosen.kind === 'kubelet' ? `kubelet:${chosen.objectId.toLowerCase()}` : `app:${chosen.appId.toLowerCase()}`;
}

function indexOf(clusters: readonly ClusterInfo[]): PullIndex {
  const kept = indexes.get(clusters);
  if (kept) return kept;
  const index: PullIndex = new Map();
  clusters.forEach((c, at) => {
    const key = pullKey(c);
    if (key === undefined) return;
    const places = index.get(key);
    if (places) places.push(at);
    else index.set(key, [at]);
  });
  indexes.set(clusters, index);
  return index;
}

/**
 * The clusters of `clusters` that pull with `identity`, in the listing's order: what
 * `clusters.filter((c) => pullsAs(c, identity))` returns. `clusters` is indexed on its first
 * call and must not change afterwards (a listing kept for many plans is read, never changed).
 */
export function clustersPullingAs(
  clusters: readonly ClusterInfo[],
  identity: { objectId: string; appId?: string },
): ClusterInfo[] {
  const index = indexOf(clusters);
  const kubelet = index.get(`kubelet:${identity.objectId.toLowerCase()}`) ?? [];
  const app = identity.appId === undefined ? [] : (index.get(`app:${identity.appId.toLowerCase()}`) ?? []);
  const places = app.length === 0 ? kubelet : [...kubelet, ...app].sort((a, b) => a - b);
  return places.map((at) => clusters[at]);
}
