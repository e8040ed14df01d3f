/**
 * The order pending requests are shown to an approver in (chat's `pending`, the tab's "Waiting
 * for your approval"): the one whose time to decide runs out first leads. A pending request's
 * `expiresAt` is that deadline (the card's "Decide by"): the approval TTL, or for an extension
 * the end of the access it extends when that comes first (extension-deadline.ts), so a new
 * extension of a grant ending within the hour comes before a day-old request with hours left.
 * Creation order alone put it last among hundreds.
 */
import type { AccessRequest } from './request';

/**
 * Compares two pending requests by their decision deadline (`expiresAt`), then creation, then
 * id (a stable order between equals); for `Array.prototype.sort`.
 */
export function soonestDecisionFirst(
  a: Pick<AccessRequest, 'expiresAt' | 'createdAt' | 'id'>,
  b: Pick<AccessRequest, 'expiresAt' | 'createdAt' | 'id'>,
): number {
  return (
    Date.parse(a.expiresAt) - Date.parse(b.expiresAt) ||
    a.createdAt.localeCompare(b.createdAt) ||
    a.id.localeCompare(b.id)
  );
}
