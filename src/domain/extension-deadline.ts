/**
 * How long an extension may wait for a decision. Its original's access ending closes it
 * unapproved (close-pending-extensions.ts), and an approval after that end is refused, so the
 * approval window of an extension is cut to that end: its card's "Decide by", the tab's and its
 * `request.expire` job then name the real deadline, not the approval TTL's.
 */
import type { AccessRequest, ExtendedAccess } from './request';

/**
 * What an extension records of its original when filed ({@link AccessRequest.extendsAccess}):
 * undefined when there is no original or its access has no end (nothing cuts the wait then).
 */
export function extendedAccessOf(original: AccessRequest | undefined): ExtendedAccess | undefined {
  const end = original?.access?.expiresAt;
  if (!end || original.access?.permanent) return undefined;
  return { endsAt: end, extendedTimes: original.access?.extendedBy?.length ?? 0 };
}

/**
 * When a request filed at `now` stops waiting for a decision: the approval TTL, or for an
 * extension the end of the access it extends when that comes first.
 */
export function decisionDeadline(now: Date, approvalTtlMs: number, extended?: ExtendedAccess): string {
  const ttlEnd = now.getTime() + approvalTtlMs;
  const end = extended ? Math.min(ttlEnd, Date.parse(extended.endsAt)) : ttlEnd;
  return new Date(end).toISOString();
}

/**
 * The end of the access `request` extends, when its wait for a decision ends with it (the
 * deadline {@link decisionDeadline} cut to it); undefined otherwise (its approval TTL ends first,
 * or it is no extension, or one filed before the end was recorded).
 */
export function waitEndsWithOriginal(request: Pick<AccessRequest, 'expiresAt' | 'extendsAccess'>): string | undefined {
  const end = request.extendsAccess?.endsAt;
  return end && Date.parse(end) === Date.parse(request.expiresAt) ? end : undefined;
}

/**
 * Whether `request`, an expired extension, ended with the access it extends: `extend` of its
 * original is then refused (extend.notActive), so its requester is sent to a new request. So when
 * it recorded that the access had ended or was being revoked as it expired (`originalEnded`: the
 * close of pending extensions at that end, close-pending-extensions.ts, or its own expiry finding
 * it so, request-expiry.ts, whichever ran first and however late); and, for extensions expired
 * before that was recorded, when it expired at or after the end recorded when it was filed (one
 * whose wait was cut to that end, {@link waitEndsWithOriginal}, always does), or before its own
 * deadline, which only that close does (its `request.expire` job and a late click expire it at or
 * after `expiresAt`). False for an extension its approval TTL closed while its original still
 * ran: extending that still works; and for one its expiry or a drift close recorded found the
 * original still running (`originalWentOn`: its wait was cut to an end another extension moved
 * since; `originalDrifted`: the access ran but no longer gave pull), whatever the times say.
 */
export function closedWithOriginal(
  request: Pick<
    AccessRequest,
    | 'state'
    | 'extendsRequestId'
    | 'expiresAt'
    | 'extendsAccess'
    | 'updatedAt'
    | 'originalEnded'
    | 'originalDrifted'
    | 'originalWentOn'
    | 'originalClusterGoneAt'
  >,
): boolean {
  if (request.state !== 'expired' || !request.extendsRequestId) return false;
  if (request.originalEnded) return true;
  // Recorded as it expired: the original still ran then, whenever that was.
  if (request.originalWentOn || request.originalDrifted || request.originalClusterGoneAt) return false;
  const at = Date.parse(request.updatedAt);
  const end = request.extendsAccess?.endsAt;
  return (end !== undefined && at >= Date.parse(end)) || at < Date.parse(request.expiresAt);
}

/**
 * Why `request`, an expired extension, sends its requester to a new request rather than to
 * `extend` of its original, which is then refused: `ended` when it closed with the access it
 * extends ({@link closedWithOriginal}: extend.notActive), `drifted` when that access still ran but
 * no longer gave pull as it expired (`originalDrifted`, recorded by its expiry: extend.drifted,
 * drifted-access.ts), `clusterGone` when the drift check read that access's cluster gone, which
 * closed it (`originalClusterGoneAt`: extend.clusterGone, cluster-gone.ts). Undefined for an
 * extension its approval TTL closed while its original still held its access, and for any other
 * request.
 */
export function originalLostAtExpiry(
  request: Parameters<typeof closedWithOriginal>[0],
): 'ended' | 'drifted' | 'clusterGone' | undefined {
  if (closedWithOriginal(request)) return 'ended';
  if (request.state === 'expired' && request.extendsRequestId && request.originalClusterGoneAt) return 'clusterGone';
  return request.state === 'expired' && request.extendsRequestId && request.originalDrifted ? 'drifted' : undefined;
}
