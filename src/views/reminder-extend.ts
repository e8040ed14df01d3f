/**
 * Whether an expiry reminder offers Extend, and if not, why: one decision for the single
 * reminder's card (lifecycle-view.ts) and each row of the grouped one (grouped-reminder-view.ts),
 * so neither offers an Extend the other leaves out. Each card words the reason its own way.
 */
import { clusterGoneNote } from '../domain/cluster-gone';
import { driftedReminderNote } from '../domain/drifted-access';
import type { AccessRequest } from '../domain/request';
import type { UnservedResource } from '../domain/served-subscriptions';

/**
 * Why a reminder offers no Extend (each would be refused, or does not apply): a grant removed or
 * changed outside acrbot (drift), a grant whose cluster the drift check read gone (cluster-gone.ts), break-glass access, a permanent access's secret credential
 * (nothing to extend: asked for again), new access paused, an extension already waiting for
 * approval, no term allowed that would end much later yet (extension-terms.ts); before all of
 * them, a requester's tenant this deployment no longer serves (ACRBOT_ALLOWED_TENANTS), whose
 * every turn is refused, then a requester of another served tenant than acrbot's own, whose every
 * request is refused (own-tenant.ts), then a plan's cluster or registry in a subscription it no
 * longer serves (ACRBOT_SUBSCRIPTION_IDS), whose extension is refused (served-subscriptions.ts).
 */
export type NoExtendReason =
  | 'notServed'
  | 'otherTenant'
  | 'subscriptionUnserved'
  | 'drifted'
  | 'clusterGone'
  | 'breakGlass'
  | 'permanentCredential'
  | 'paused'
  | 'extensionWaiting'
  | 'noTermYet';

/** What a reminder says instead of Extend to a requester of a tenant no longer served. */
export const NOT_SERVED_NOTE =
  'This acrbot no longer serves your organisation (tenant), so nothing can be extended or asked for here.';

/**
 * What a reminder says instead of Extend of access whose cluster or registry (`resource`) is in a
 * subscription this deployment no longer serves: an extension would be refused. Names from the
 * stored plan (Azure resource names: no markdown or mentions).
 */
export function unservedSubscriptionNote(resource: UnservedResource): string {
  const kind = resource.kind === 'cluster' ? 'cluster' : 'registry';
  return `Its ${kind} ${resource.name} is in a subscription this deployment no longer serves, so it cannot be extended here.`;
}

/** What a reminder of one access knows when it decides. */
export interface ReminderExtendCase {
  request: AccessRequest;
  /** It reminds of a pull secret's credential expiry, not of the term's end. */
  credential: boolean;
  /** New access is paused. */
  paused: boolean;
  /** The request's tenant is no longer served (every turn of it is refused). */
  notServed?: boolean;
  /**
   * The requester is of another tenant than acrbot's own, though served (own-tenant.ts): their
   * extension is refused when it is made, as any request of theirs.
   */
  otherTenant?: boolean;
  /** The plan's cluster or registry in a subscription no longer served (its extension is refused). */
  unserved?: UnservedResource;
  /** An extension of it waiting for approval (its id). */
  extensionWaiting?: string;
  /** The term its Extend would be pre-filled with; undefined: none allowed would end much later. */
  offeredMs?: number;
}

/**
 * Why the reminder of `c` offers no Extend, the first that applies in this order, or undefined
 * when it offers one. A tenant no longer served first: no way on works for its requester. Another
 * tenant than acrbot's own next: no request of its requester's is granted here, whatever else
 * holds (a guest account in acrbot's organisation is their way on). A subscription no longer served next: an extension there is refused, whatever else holds. Drift before break-glass: whatever the grant was, the cluster no longer
 * pulls with it, and the way on (a new grant) is the same; a cluster read gone next (a drift mark
 * says what the drift did instead, as the grant's card does). Drift is recorded on grants only, so
 * a credential's reminder never reads it; break-glass access is always a grant.
 */
export function noExtendReason(c: ReminderExtendCase): NoExtendReason | undefined {
  if (c.notServed) return 'notServed';
  if (c.otherTenant) return 'otherTenant';
  if (c.unserved) return 'subscriptionUnserved';
  if (!c.credential && driftedReminderNote(c.request)) return 'drifted';
  if (!c.credential && clusterGoneNote(c.request)) return 'clusterGone';
  if (c.request.policy?.breakGlass) return 'breakGlass';
  if (c.credential && c.request.access?.permanent) return 'permanentCredential';
  if (c.paused) return 'paused';
  if (c.extensionWaiting) return 'extensionWaiting';
  if (c.offeredMs === undefined) return 'noTermYet';
  return undefined;
}
