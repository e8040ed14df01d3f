/**
 * What a narrowed setting left in the store, counted at start for the operator: live permanent
 * access once ACRBOT_ALLOW_PERMANENT is off (it has no end, so nothing ends it), and pending and
 * live requests on a cluster or registry of a subscription ACRBOT_SUBSCRIPTION_IDS no longer
 * lists. Read by state, as the start's count of tenants no longer served is (request-reads.ts
 * notServedCounts): no index finds them by term or subscription, so each read is bounded.
 */
import type { RequestStore } from '../domain/ports';
import type { AccessRequest } from '../domain/request';
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
 * Counts what narrowing ACRBOT_ALLOW_PERMANENT and ACRBOT_SUBSCRIPTION_IDS left: one read of the
 * live requests and, when subscriptions are listed, one of the pending ones, each at most
 * WAITING_SCAN_LIMIT, oldest first. On SQLite an indexed query each; on Azure Tables the state's
 * index rows and a point read per request found (nothing indexes the term or the subscription).
 */
export async function settingsLeftBehind(
  store: Pick<RequestStore, 'listByState'>,
  settings: NarrowedSettings,
): Promise<LeftBehind> {
  const listed = new Set(settings.subscriptionIds.map((s) => s.toLowerCase()));
  const bySubscription = listed.size > 0;
  const [pending, active] = await Promise.all([
    bySubscription ? store.listByState(['pending'], WAITING_SCAN_LIMIT) : [],
    bySubscription || !settings.allowPermanent ? store.listByState(['succeeded'], WAITING_SCAN_LIMIT) : [],
  ]);
  const permanent = settings.allowPermanent ? [] : active.filter((r) => r.access?.permanent);
  const unlistedOf = (r: AccessRequest) =>
    [r.plan.cluster.subscriptionId, r.plan.registry.subscriptionId].filter((s) => !listed.has(s.toLowerCase()));
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
    boundReached: pending.length >= WAITING_SCAN_LIMIT || active.length >= WAITING_SCAN_LIMIT,
  };
}

/** The ids of the first {@link LEFT_BEHIND_IDS_NAMED} of `requests`. */
function idsOf(requests: readonly AccessRequest[]): string[] {
  return requests.slice(0, LEFT_BEHIND_IDS_NAMED).map((r) => r.id);
}
