/**
 * What a narrowed setting left in the store, counted at start for the operator: requests of a
 * tenant ACRBOT_ALLOWED_TENANTS no longer lists (undecidable and unseen, tenant-boundary.ts),
 * live permanent access once ACRBOT_ALLOW_PERMANENT is off (it has no end, so nothing ends it),
 * and pending and live requests on a cluster or registry of a subscription
 * ACRBOT_SUBSCRIPTION_IDS no longer lists. No index finds them by tenant, term or subscription:
 * the counts share one bounded read of each state they need ({@link listsToCount}).
 */
import type { RequestStore } from '../domain/ports';
import type { AccessRequest } from '../domain/request';
import { planResourcesOutside } from '../domain/served-subscriptions';
import { isServedTenant } from '../domain/tenant-boundary';
import { WAITING_SCAN_LIMIT } from './waiting-for-approvers';

/** Most request ids a count names (its line names the rest by their number only). */
const LEFT_BEHIND_IDS_NAMED = 20;

/** The settings whose narrowing {@link settingsLeftBehind} looks for. */
export interface NarrowedSettings {
  /** ACRBOT_ALLOW_PERMANENT: live permanent access is counted only while it is off. */
  allowPermanent: boolean;
  /** ACRBOT_SUBSCRIPTION_IDS (with AZURE_SUBSCRIPTION_ID); none: not counted. */
  subscriptionIds: readonly string[];
}

/** Requests a narrowed setting left: how many, and the ids of the first {@link LEFT_BEHIND_IDS_NAMED}. */
export interface LeftBehind {
  /** Live (succeeded) permanent access, counted while ACRBOT_ALLOW_PERMANENT is off. */
  permanent: { active: number; requestIds: string[] };
  /** Pending and live requests on a cluster or registry of a subscription no longer listed. */
  unlisted: { pending: number; active: number; subscriptionIds: string[]; requestIds: string[] };
  /** A read took WAITING_SCAN_LIMIT requests of its state: more may be left than counted. */
  boundReached: boolean;
}

/**
 * The pending and the live (succeeded) requests the start's counts read, each at most
 * WAITING_SCAN_LIMIT, oldest first; a state no count needs is not read (empty).
 */
export interface StartLists {
  pending: readonly AccessRequest[];
  active: readonly AccessRequest[];
}

/**
 * Reads the lists the start's counts need, each once, so the counts share them: both states
 * when tenants are counted (`tenants`) or subscriptions listed, the live requests alone when only
 * permanent access is counted. On SQLite an indexed query each; on Azure Tables the state's index
 * rows and a point read per request found.
 */
export async function listsToCount(
  store: Pick<RequestStore, 'listByState'>,
  counts: { tenants: boolean; narrowed?: NarrowedSettings },
): Promise<StartLists> {
  const pending = counts.tenants || Boolean(counts.narrowed?.subscriptionIds.length);
  const active = pending || counts.narrowed?.allowPermanent === false;
  const [pendingList, activeList] = await Promise.all([
    pending ? store.listByState(['pending'], WAITING_SCAN_LIMIT) : [],
    active ? store.listByState(['succeeded'], WAITING_SCAN_LIMIT) : [],
  ]);
  return { pending: pendingList, active: activeList };
}

/** A list that took WAITING_SCAN_LIMIT requests of its state: more may be there than counted. */
function full(...lists: (readonly AccessRequest[])[]): boolean {
  return lists.some((list) => list.length >= WAITING_SCAN_LIMIT);
}

/**
 * Pending and live requests of tenants this deployment no longer serves (`served`:
 * ACRBOT_ALLOWED_TENANTS), in `lists` ({@link listsToCount} with `tenants`): they stay in the
 * store, undecidable and invisible (tenant-boundary.ts), until they expire or their access ends.
 */
export function notServedCounts(
  lists: StartLists,
  served: readonly string[],
): { pending: number; active: number; boundReached: boolean } {
  const gone = (list: readonly AccessRequest[]) => list.filter((r) => !isServedTenant(r.tenantId, served)).length;
  return { pending: gone(lists.pending), active: gone(lists.active), boundReached: full(lists.pending, lists.active) };
}

/**
 * Counts what narrowing ACRBOT_ALLOW_PERMANENT and ACRBOT_SUBSCRIPTION_IDS left in `lists`
 * ({@link listsToCount} with `settings`): the live requests and, when subscriptions are listed,
 * the pending ones. Only those lists count towards `boundReached`, whatever else was read.
 */
export function settingsLeftBehind(lists: StartLists, settings: NarrowedSettings): LeftBehind {
  const bySubscription = settings.subscriptionIds.length > 0;
  const pending = bySubscription ? lists.pending : [];
  const active = bySubscription || !settings.allowPermanent ? lists.active : [];
  const permanent = settings.allowPermanent ? [] : active.filter((r) => r.access?.permanent);
  const unlistedOf = (r: AccessRequest) =>
    planResourcesOutside(r.plan, settings.subscriptionIds).map((place) => place.subscriptionId);
  const unlisted = bySubscription ? [...pending, ...active].filter((r) => unlistedOf(r).length > 0) : [];
  const subscriptionIds = [...new Set(unlisted.flatMap(unlistedOf).map((s) => s.toLowerCase()))];
  return {
    permanent: { active: permanent.length, requestIds: idsOf(permanent) },
    unlisted: {
      pending: unlisted.filter((r) => r.state === 'pending').length,
      active: unlisted.filter((r) => r.state === 'succeeded').length,
      subscriptionIds,
      requestIds: idsOf(unlisted),
    },
    boundReached: full(pending, active),
  };
}

/** The ids of the first {@link LEFT_BEHIND_IDS_NAMED} of `requests`. */
function idsOf(requests: readonly AccessRequest[]): string[] {
  return requests.slice(0, LEFT_BEHIND_IDS_NAMED).map((r) => r.id);
}
