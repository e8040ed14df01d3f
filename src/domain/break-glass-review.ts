/**
 * A break-glass request after it ran: what its review can still do, and how a late click is
 * told what became of it. Its requester "approved" it only so it ran at once, so nothing here
 * says "approved by" them (nor does describeState, which says "started as break-glass by"). Pure: the request service and the views both ask.
 */
import { describeState, isBeingRevoked, type AccessRequest } from './request';

/**
 * True when a break-glass grant's access ended (revoked: by its user, at its end) or is ending
 * (being revoked). A review made then only judges whether the use was justified: Approve says it
 * was, Reject that it was not, and nothing is revoked (there is nothing left to revoke, or the
 * revocation underway ends it); the review records it (`useOnly`). Says nothing of whether a
 * review is still owed (policy.ts, awaitingReview, does).
 */
export function reviewJudgesUseOnly(request: AccessRequest): boolean {
  return Boolean(request.policy?.breakGlass) && (request.state === 'revoked' || isBeingRevoked(request));
}

/**
 * True when the review of `request` judged only its use: recorded so (`useOnly`) since reviews
 * say it; for one stored before, made at or after the access was revoked.
 */
export function reviewedUseOnly(request: AccessRequest): boolean {
  const review = request.policy?.review;
  if (!review?.outcome) return false;
  if (review.useOnly !== undefined) return review.useOnly;
  const revokedAt = request.access?.revokedAt;
  return Boolean(revokedAt && review.at && Date.parse(review.at) >= Date.parse(revokedAt));
}

/**
 * What became of a break-glass request, to follow "Request R-…" in the answer to a click that
 * came too late: "ran as break-glass by Adele and is granted; reviewed already: kept by Alex".
 * Undefined for any other request (its `describeState` says it).
 */
export function describeBreakGlassRun(request: AccessRequest): string | undefined {
  const d = request.decision;
  if (!request.policy?.breakGlass || !d?.approved) return undefined;
  const ran = `ran as break-glass by ${d.by.name}`;
  const became = afterRun(request);
  const review = request.policy.review;
  if (!review?.outcome) return `${ran} and ${became}`;
  const by = review.by?.name ?? 'an approver';
  // Kept or rejected while it held access; reviewed once it no longer did (or a failed run's old
  // review), the review judged the use.
  const verdict =
    reviewedUseOnly(request) || request.state === 'failed'
      ? `its use was ${review.outcome} by ${by}`
      : `${review.outcome === 'accepted' ? 'kept' : 'rejected'} by ${by}`;
  return `${ran} and ${became}; reviewed already: ${verdict}`;
}

/** What became of an approved request since: it is only ever in these states afterwards (request.ts). */
function afterRun(request: AccessRequest): string {
  if (request.state === 'revoked') return `was since ${describeState(request)}`;
  if (request.state === 'failed') return 'failed';
  if (isBeingRevoked(request)) return 'is being revoked';
  if (request.state === 'succeeded') return 'is granted';
  return request.state === 'executing' ? 'is running now' : 'is starting';
}

/**
 * Why break-glass access is never extended, as chat, the tab and the policy check say it: it ran
 * without approval for at most its maxDuration, so more time is a normal grant's to ask for.
 */
export function breakGlassNotExtended(requestId: string): string {
  return `Request ${requestId} was break-glass access, which cannot be extended; ask for a normal grant and an approver will decide.`;
}
