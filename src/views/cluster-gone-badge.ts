/**
 * The badge of a live grant whose cluster the drift check read gone (cluster-gone.ts): "Cluster
 * gone", never "Granted" or "Active", since the grant gives nothing. One badge for every card
 * that shows one — the request card, `status`'s list and the audit channel's card (stateLabelOf,
 * request-view.ts) and the `access` inventory's rows (access-view.ts) — as drift-badge.ts is for
 * a drift; their lines say why in cluster-gone-words.ts's words. Whether it or another overlay
 * wins is src/domain/live-badge.ts's order.
 */
import { liveClusterGoneAt } from '../domain/cluster-gone';
import { CLUSTER_GONE_LABEL } from '../domain/live-drift';
import type { AccessRequest } from '../domain/request';
import type { DriftBadge } from './drift-badge';

/** "Cluster gone", in the drift badges' colour: access that does not serve. */
export const CLUSTER_GONE_BADGE = { label: CLUSTER_GONE_LABEL, color: 'Attention' } as const satisfies DriftBadge;

/**
 * {@link CLUSTER_GONE_BADGE} when `request`'s grant is live at `now` and its cluster was read
 * gone ({@link liveClusterGoneAt}); undefined otherwise (a drift, a revocation under way or an
 * end, passed or reached, says more).
 */
export function liveClusterGoneBadge(request: AccessRequest, now?: Date): DriftBadge | undefined {
  return liveClusterGoneAt(request, now) ? CLUSTER_GONE_BADGE : undefined;
}
