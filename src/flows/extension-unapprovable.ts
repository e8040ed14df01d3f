/**
 * Whether an Approve of a pending extension would be refused because of the access it extends:
 * that access is gone (ended, being revoked, drifted: approval.refused.notActive, access-lease.ts)
 * or the drift check read its cluster gone (approval.refused.clusterGone, cluster-gone.ts). The
 * approval reminders and escalations skip such an extension, single or grouped (approval-nudges.ts,
 * nudge-siblings.ts): the approvers have nothing to do for it. The drift detector closes the
 * extensions of a grant as it notes its cluster gone; this covers one that close left pending
 * (it failed, or the extension was filed as the note was written).
 */
import { clusterGoneNote } from '../domain/cluster-gone';
import type { RequestStore } from '../domain/ports';
import type { AccessRequest } from '../domain/request';
import { originalAccessGone } from './access-lease';

/** True when approving `request`, an extension, at `at` would be refused for its original; false for any other request. */
export async function extensionUnapprovable(
  store: Pick<RequestStore, 'get'>,
  request: AccessRequest,
  at: Date,
): Promise<boolean> {
  if (!request.extendsRequestId) return false;
  const original = await store.get(request.extendsRequestId);
  if (originalAccessGone(original, at)) return true;
  return clusterGoneNote(original!) !== undefined;
}
