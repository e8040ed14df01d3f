/**
 * The one rule for which of a request's live overlays its state badge shows, wherever one is
 * drawn: the request card, `status`'s list and the audit channel's card (stateLabelOf,
 * src/views/request-view.ts), `access`'s rows and cells (src/views/access-view.ts), the tab's
 * rows (src/tab/tab-rows.ts) and the page's badges, State filter and CSV (web/src/format.ts
 * `shownState`). Each place works out the facts its data holds and draws the kind in its own
 * colours and words (live-drift.ts's); none orders them itself, so no two disagree.
 *
 * The order: a revocation under way says how the access ends, over anything it ends ("Being
 * revoked"); a drift mark says the access was removed or no longer serves ("Removed outside
 * acrbot", "No longer gives pull"); access past its end and waiting for its end job reads
 * "Expired", which says it gives nothing, over its cluster read gone (docs/access-inventory.md,
 * cluster-gone.ts `liveClusterGoneAt`); a cluster read gone says the live grant gives nothing
 * ("Cluster gone"); else the stored state. A place that cannot tell an end passed (a card drawn
 * without a time) leaves `expired` out.
 *
 * Pure, and with no imports at all: the page bundles it (web/src may import only files whose
 * imports never reach a `node:` module).
 */

/** What a state badge shows: one overlay, or the state as stored. */
export type LiveBadgeKind = 'beingRevoked' | 'drift' | 'clusterGone' | 'expired' | 'state';

/** The overlays, first wins: {@link liveBadgeKind}'s order. */
export type LiveOverlay = Exclude<LiveBadgeKind, 'state'>;

/**
 * Which overlays hold for one request (or one way of pulling, or a cell), as its place can tell:
 * a place whose data already settles one (the inventory's `expired` state) leaves it out.
 */
export type LiveBadgeFacts = Readonly<Partial<Record<LiveOverlay, boolean>>>;

/** {@link liveBadgeKind}'s order, for what lists it (a test's pairs). */
export const LIVE_OVERLAY_ORDER: readonly LiveOverlay[] = ['beingRevoked', 'drift', 'expired', 'clusterGone'];

/**
 * The kind of badge `facts` call for: the first overlay that holds, in the order "Being revoked" >
 * drift > "Expired" (past its end) > "Cluster gone" > the stored state.
 */
export function liveBadgeKind(facts: LiveBadgeFacts): LiveBadgeKind {
  if (facts.beingRevoked) return 'beingRevoked';
  if (facts.drift) return 'drift';
  if (facts.expired) return 'expired';
  if (facts.clusterGone) return 'clusterGone';
  return 'state';
}

/**
 * {@link liveBadgeKind} over badges already drawn: the badge of each overlay that holds (undefined
 * for one that does not), and the state's. For a place whose every overlay is a badge of its own.
 */
export function liveBadge<B>(overlays: Readonly<Partial<Record<LiveOverlay, B>>>, state: B): B {
  const kind = liveBadgeKind({
    beingRevoked: overlays.beingRevoked !== undefined,
    drift: overlays.drift !== undefined,
    expired: overlays.expired !== undefined,
    clusterGone: overlays.clusterGone !== undefined,
  });
  return kind === 'state' ? state : (overlays[kind] ?? state);
}
