/**
 * A grant whose cluster the drift check read gone (`access.clusterGoneAt`, set by
 * src/flows/drift-detector.ts when ARM answers 404 for it) gives nothing: the cluster's kubelet
 * identity went with it, so the role assignment on the registry grants pull to no one. Extending
 * it would say "Extended" of access nobody has, so every way to extend refuses it (the typed
 * `extend`, a card's or the tab's Extend: AccessActions.mayExtend), an approver's Approve of an
 * extension of it asked for before the note was written is refused in the note's words
 * (approval.refused.clusterGone, request-decision.ts), and an expiry reminder, single or grouped
 * (reminder-extend.ts), offers no Extend, saying why in the same sentence. Pure.
 */
import { formatUtc } from './access-term';
import { UserFacingError } from './errors';
import { isBeingRevoked, type AccessRequest } from './request';

/** The refusal's code (audited as the outcome of `extend.refused`, like every extension refusal). */
export const EXTEND_CLUSTER_GONE = 'extend.clusterGone';

/**
 * Why `request` gives nothing and cannot be extended, when the drift check read its cluster gone;
 * undefined otherwise (and for a pull secret, whose plan is never noted so). AKS clusters cannot
 * be moved to another resource group or subscription, so a 404 means deleted.
 */
export function clusterGoneNote(request: AccessRequest): string | undefined {
  const at = request.access?.clusterGoneAt;
  if (!at || request.plan.kind !== 'grant') return undefined;
  return `Cluster ${request.plan.cluster.name} no longer exists (seen ${formatUtc(at)}), so ${request.id} gives nothing and cannot be extended; its role assignment is deleted at its end.`;
}

/**
 * When the drift check read `request`'s cluster gone while its grant is live (in place, not
 * drift-marked, no revocation under way): `access.clusterGoneAt`. The one rule for whether a
 * grant is shown as giving nothing because its cluster is gone (badged "Cluster gone"), wherever
 * requests and their states are shown, so no two places disagree on it. Undefined otherwise: a
 * drift or a revocation under way says more, an ended grant's state says how it ended (the note
 * stays on it), and a pull secret is never noted so.
 */
export function liveClusterGoneAt(request: AccessRequest): string | undefined {
  const access = request.access;
  if (request.state !== 'succeeded' || request.plan.kind !== 'grant' || !access?.clusterGoneAt) return undefined;
  return access.driftDetectedAt || access.revokedAt || isBeingRevoked(request) ? undefined : access.clusterGoneAt;
}

/** The refusal of an extension of `request` whose cluster is gone, in {@link clusterGoneNote}'s words; undefined otherwise. */
export function clusterGoneExtensionRefusal(request: AccessRequest): UserFacingError | undefined {
  const note = clusterGoneNote(request);
  return note ? new UserFacingError(EXTEND_CLUSTER_GONE, note) : undefined;
}
