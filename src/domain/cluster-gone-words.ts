/**
 * What acrbot says of a live grant whose cluster the drift check read gone (`access.clusterGoneAt`,
 * cluster-gone.ts): it gives nothing. One sentence for every card that says so beside its
 * "Cluster gone" badge (src/views/cluster-gone-badge.ts) — the request card's Access line, the
 * `access` row's line and `status`'s list line — and one, shorter, for the tab's drawer notes,
 * which say what the page's list line says (web/src/format.ts clusterGoneLine, built in the
 * browser). The refusals and reminders' note (cluster-gone.ts clusterGoneNote) and the requester's
 * news of an extension closed by the note say it with the same opening ({@link clusterGoneSeenWords}).
 * Lowercase, no full stop: each place frames it. Pure.
 */
import { formatUtc } from './access-term';
import { shortTime } from './pull-diagnosis';

/** "cluster aks-prod no longer exists (seen …)": how every cluster-gone sentence opens. */
export function clusterGoneSeenWords(cluster: string, goneAt: string): string {
  return `cluster ${cluster} no longer exists (seen ${shortTime(goneAt)})`;
}

/** How every cluster-gone sentence ends: what becomes of the grant's role assignment. */
export const CLUSTER_GONE_END_WORDS = 'its role assignment is deleted at its end';

/**
 * The cards' words: "cluster aks-prod no longer exists (seen …); this grant gives nothing; its
 * role assignment is deleted at its end". `cluster` is Azure's name: each card neutralises it.
 */
export function clusterGoneWords(cluster: string, goneAt: string): string {
  return `${clusterGoneSeenWords(cluster, goneAt)}; this grant gives nothing; ${CLUSTER_GONE_END_WORDS}`;
}

/**
 * The note's words (clusterGoneNote, cluster-gone.ts): "cluster aks-prod no longer exists (seen
 * …), so R-… gives nothing and cannot be extended; its role assignment is deleted at its end",
 * said wherever an extension of `requestId` is refused or not offered.
 */
export function clusterGoneNoteWords(cluster: string, requestId: string, goneAt: string): string {
  return `${clusterGoneSeenWords(cluster, goneAt)}, so ${requestId} gives nothing and cannot be extended; ${CLUSTER_GONE_END_WORDS}`;
}

/**
 * The tab's drawer note: "cluster aks-prod gone since …: this grant gives nothing", as its list
 * line says.
 */
export function clusterGoneSinceWords(cluster: string, goneAt: string): string {
  return `cluster ${cluster} gone since ${formatUtc(goneAt)}: this grant gives nothing`;
}
