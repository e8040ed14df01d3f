/**
 * One cluster × registry cell judged from its ways of pulling and the registry's network, as
 * `check` reads it: its state, whether the cluster can pull, and until when.
 */
import type { AccessCell, AccessState, InventoryCluster, InventoryRegistry, PullPath } from './inventory-rows';
import { LIVE, overdueEnd, pathEnd, pullsNow } from './pull-path-term';
import { registryReach } from './registry-reach';

// Unverified first: it may still pull, and nobody can tell; then what changed outside acrbot.
const ENDED_ORDER: readonly AccessState[] = ['unverified', 'drifted', 'expired', 'revoked'];

/**
 * A cell judged from its ways of pulling (state, whether it pulls, until when), the registry's
 * network read as `check` reads it; tenant-boundary.ts judges a cell again after leaving out what
 * its reader may not see.
 */
export function cellOf(cluster: InventoryCluster, registry: InventoryRegistry, paths: PullPath[]): AccessCell {
  // As `check` reads the network (registry-reach.ts): nothing counts when nothing reaches the
  // registry, and anonymous pull lets the cluster pull without any of its paths.
  const reach = registryReach(registry, registry.network);
  const unreachable = reach.unreachable ? { unreachable: reach.finding!.text } : {};
  // Anonymous pull or a way of pulling: either way through the network's condition.
  const anonymous = reach.anonymous ? { anonymousPull: reach.anonymousText! } : {};
  const condition = reach.condition ? { networkCondition: reach.condition } : {};
  // Put on the cell once, so what leaves out the network facts (ended-access.ts) leaves it out too.
  const admin = reach.adminUserText ? { adminUser: reach.adminUserText } : {};
  const live = paths.filter((p) => LIVE.includes(p.state) && (p.kind !== 'roleAssignment' || p.honoured));
  if (live.length) {
    const ends = live.map((p) => pathEnd(p));
    const unbounded = ends.some((e) => e === undefined);
    const latest = unbounded ? undefined : ends.reduce<string | undefined>((m, e) => (!m || e! > m ? e : m), undefined);
    return {
      cluster,
      registry,
      paths,
      state: live.some((p) => p.state === 'active') ? 'active' : 'expiring',
      canPull: !reach.unreachable,
      expiresAt: latest,
      ...unreachable,
      ...anonymous,
      ...condition,
      ...admin,
    };
  }
  // Only assignments whose acrbot access ran out still give pull: expired, with when it ended.
  const overdue = paths.flatMap((p) => (p.kind === 'roleAssignment' && pullsNow(p) ? [overdueEnd(p)!] : []));
  if (overdue.length)
    return {
      cluster,
      registry,
      paths,
      state: 'expired',
      canPull: !reach.unreachable,
      expiresAt: overdue.sort()[overdue.length - 1],
      ...unreachable,
      ...anonymous,
      ...condition,
      ...admin,
    };
  const ended = ENDED_ORDER.find((s) => paths.some((p) => p.state === s));
  // Only unhonoured assignments left: nothing works, and nothing ended either.
  return {
    cluster,
    registry,
    paths,
    state: ended ?? 'revoked',
    canPull: reach.anonymous,
    ...unreachable,
    ...anonymous,
    ...condition,
    ...admin,
  };
}

/** Registries any cluster that reaches them can pull from: anonymous pull on, and reachable. */
export function anonymousPullRegistries(registries: readonly InventoryRegistry[]): InventoryRegistry[] {
  return registries.filter((r) => registryReach(r, r.network).anonymous);
}
