/**
 * Whether an expired request reads "Closed" rather than "Expired": one rule for every place that
 * labels a request's state (its card, `status`'s list, the audit channel's card, the tab), so
 * none of them tells its approvers ran out of time when acrbot closed it early.
 */
import { originalLostAtExpiry } from './extension-deadline';

/**
 * True for an extension acrbot closed without a decision because the access it extends ended,
 * was revoked or drifted, or its cluster was read gone, before anyone decided
 * ({@link originalLostAtExpiry}), maybe days before its deadline: "Expired" would say its
 * approvers ran out of time. False for one its approval
 * TTL closed while its original still held its access, and for any other request.
 */
export function closedWithItsAccess(request: Parameters<typeof originalLostAtExpiry>[0]): boolean {
  return originalLostAtExpiry(request) !== undefined;
}
