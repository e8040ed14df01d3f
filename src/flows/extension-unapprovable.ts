/**
 * Whether an Approve of a pending extension would be refused because of the access it extends:
 * that access is gone (ended, being revoked, drifted: approval.refused.notActive, access-lease.ts)
 * or the drift check read its cluster gone (approval.refused.clusterGone, cluster-gone.ts). The
 * one rule the Approve refuses by (request-decision.ts) and the approval reminders and
 * escalations skip by, single or grouped (approval-nudges.ts, nudge-siblings.ts): the approvers
 * have nothing to do for such an extension. The drift detector closes the extensions of a grant
 * as it notes its cluster gone; this covers one that close left pending (it failed, or the
 * extension was filed as the note was written).
 */
import { clusterGoneNote } from '../domain/cluster-gone';
import type { RequestStore } from '../domain/ports';
import type { AccessRequest } from '../domain/request';
import { type AccessGone, originalAccessGone } from './access-lease';

/**
 * Why an extension's original gives nothing worth extending: {@link AccessGone}, or a live grant
 * whose cluster the drift check read gone (`access.clusterGoneAt`).
 */
export type OriginalUnapprovable = AccessGone | { why: 'clusterGone'; original: AccessRequest };

/**
 * Why an Approve of an extension of `original` (as read; undefined: not found) would be refused
 * at `at`: its access gone ({@link originalAccessGone}: a drift says more than the cluster note,
 * an end that it ended), else its cluster read gone; undefined while it gives its access.
 */
export function originalUnapprovable(original: AccessRequest | undefined, at: Date): OriginalUnapprovable | undefined {
  const gone = originalAccessGone(original, at);
  if (gone) return gone;
  // Not gone means read and live.
  return clusterGoneNote(original!) !== undefined ? { why: 'clusterGone', original: original! } : undefined;
}

/**
 * True when approving `request`, an extension, at `at` would be refused for its original
 * ({@link originalUnapprovable}); false for any other request.
 */
export async function extensionUnapprovable(
  store: Pick<RequestStore, 'get'>,
  request: AccessRequest,
  at: Date,
): Promise<boolean> {
  if (!request.extendsRequestId) return false;
  return originalUnapprovable(await store.get(request.extendsRequestId), at) !== undefined;
}
