/**
 * A grant whose cluster the drift check read gone (`access.clusterGoneAt`, set by
 * src/flows/drift-detector.ts when ARM answers 404 for it) gives nothing: the cluster's kubelet
 * identity went with it, so the role assignment on the registry grants pull to no one. Extending
 * it would say "Extended" of access nobody has, so every way to extend refuses it (the typed
 * `extend`, a card's or the tab's Extend: AccessActions.mayExtend), an approver's Approve of an
 * extension of it asked for before the note was written is refused in the note's words
 * (approval.refused.clusterGone, request-decision.ts), and an expiry reminder, single or grouped
 * (reminder-extend.ts), offers no Extend, saying why in the same sentence. When the drift detector
 * writes the note it closes the grant's extensions still waiting for approval (as a drift mark
 * does: close-pending-extensions.ts), each requester told why in the note's words
 * ({@link closedByClusterGoneNote}), so no approver is reminded of one Approve would refuse. Pure.
 */
import { accessEnd } from './access-end';
import { clusterGoneNoteWords } from './cluster-gone-words';
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
  return sentence(clusterGoneNoteWords(request.plan.cluster.name, request.id, at));
}

/**
 * When the drift check read `request`'s cluster gone while its grant is live (in place, not
 * drift-marked, no revocation under way, its end not passed at `now`): `access.clusterGoneAt`.
 * The one rule for whether a grant is shown as giving nothing because its cluster is gone
 * (badged "Cluster gone"), wherever requests and their states are shown — the request card,
 * `status`'s list, `access` (acrbot-request-ref.ts) and the tab — so no two places disagree on
 * it. Undefined otherwise: a drift or a revocation under way says more, a grant past its end and
 * waiting for its end job reads Expired (which says it gives nothing) wherever a time is known, an
 * ended grant's state says how it ended (the note stays on it), and a pull secret is never noted
 * so. Without `now` (a card drawn at an event, when its end has not passed) the end is not read.
 */
export function liveClusterGoneAt(request: AccessRequest, now?: Date): string | undefined {
  const access = request.access;
  if (request.state !== 'succeeded' || request.plan.kind !== 'grant' || !access?.clusterGoneAt) return undefined;
  if (access.driftDetectedAt || access.revokedAt || isBeingRevoked(request)) return undefined;
  const end = now && accessEnd(request);
  return end && Date.parse(end) <= now.getTime() ? undefined : access.clusterGoneAt;
}

/**
 * What an extension closed because the drift check read its original's cluster gone
 * (`originalClusterGoneAt`, written as the drift detector closes it) says of why: the note of its
 * original, in {@link clusterGoneNote}'s words. Undefined for any other request.
 */
export function closedByClusterGoneNote(
  extension: Pick<AccessRequest, 'state' | 'extendsRequestId' | 'originalClusterGoneAt' | 'plan'>,
): string | undefined {
  const at = extension.originalClusterGoneAt;
  if (extension.state !== 'expired' || !extension.extendsRequestId || !at) return undefined;
  return sentence(clusterGoneNoteWords(extension.plan.cluster.name, extension.extendsRequestId, at));
}

/** `words` capitalised, with a full stop. */
function sentence(words: string): string {
  return `${words[0]!.toUpperCase()}${words.slice(1)}.`;
}

/** The refusal of an extension of `request` whose cluster is gone, in {@link clusterGoneNote}'s words; undefined otherwise. */
export function clusterGoneExtensionRefusal(request: AccessRequest): UserFacingError | undefined {
  const note = clusterGoneNote(request);
  return note ? new UserFacingError(EXTEND_CLUSTER_GONE, note) : undefined;
}
