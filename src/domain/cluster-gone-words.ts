/**
 * What acrbot says of a live grant whose cluster the drift check read gone (`access.clusterGoneAt`,
 * cluster-gone.ts): it gives nothing. One sentence for every card that says so beside its
 * "Cluster gone" badge (src/views/cluster-gone-badge.ts) — the request card's Access line, the
 * `access` row's line and `status`'s list line — and one, shorter, for the tab's drawer notes,
 * which say what the page's list line says (web/src/format.ts clusterGoneLine, built in the
 * browser). Lowercase, no full stop: each place frames it. Pure.
 */
import { formatUtc } from './access-term';
import { shortTime } from './pull-diagnosis';

/**
 * The cards' words: "cluster aks-prod no longer exists (seen …); this grant gives nothing; its
 * role assignment is deleted at its end". `cluster` is Azure's name: each card neutralises it.
 */
export function clusterGoneWords(cluster: string, goneAt: string): string {
  return `cluster ${cluster} no longer exists (seen ${shortTime(goneAt)}); this grant gives nothing; its role assignment is deleted at its end`;
}

/**
 * The tab's drawer note: "cluster aks-prod gone since …: this grant gives nothing", as its list
 * line says.
 */
export function clusterGoneSinceWords(cluster: string, goneAt: string): string {
  return `cluster ${cluster} gone since ${formatUtc(goneAt)}: this grant gives nothing`;
}
