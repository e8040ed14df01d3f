/**
 * The cooldown after a rejected break-glass review: a member whose break-glass grant an approver
 * rejected may not use --break-glass again until `breakGlass.cooldownAfterRejection` has passed
 * since the rejection, on any pair (the rejection judges their use of break-glass, not the pair).
 * Pure: the request service reads the member's requests from the store and asks here, so a
 * rejection recorded on any instance counts.
 */
import { describeDurationMs, formatUtc, formatUtcUp } from './access-term';
import { DEFAULT_BREAK_GLASS_COOLDOWN_MS, type BreakGlassPolicy } from './policy';
import type { AccessRequest, Actor, RequestState } from './request';

/**
 * The states a break-glass grant rejected in review can be in: `revoked` once the review's
 * revocation (or an earlier one) is done, `succeeded` while it is being revoked or where no
 * revocation is wired (`breakglass.revoke.unavailable`). A failed run owes no review, so
 * `failed`, which accumulates, is not read.
 */
export const REJECTED_BREAK_GLASS_STATES: readonly RequestState[] = ['succeeded', 'revoked'];

/** How long `bg` refuses break-glass after a rejection; 0: not at all. */
export function cooldownMsOf(bg: BreakGlassPolicy): number {
  return bg.cooldownAfterRejectionMs ?? DEFAULT_BREAK_GLASS_COOLDOWN_MS;
}

/** A member's break-glass refused after a rejected review: which request, who rejected it, when, and until when. */
export interface BreakGlassCooldown {
  /** The rejected break-glass request. */
  requestId: string;
  /** The approver who rejected it (the approvers' record; the requester's own card shows it too). */
  rejectedBy?: Actor;
  /** When it was rejected (ISO). */
  rejectedAt: string;
  /** When break-glass is available to the member again (ISO). */
  until: string;
  cooldownMs: number;
}

/**
 * The cooldown in force at `now` for `requesterId` among `requests` (any requests: those of
 * others and those not rejected are passed over), or undefined. Of several rejections, the one
 * whose cooldown ends last. The cooldown is the policy's now, so a reload that shortens it (or
 * turns it off with 0) holds at once for rejections made before.
 */
export function cooldownInForce(
  requests: readonly AccessRequest[],
  requesterId: string,
  cooldownMs: number,
  now: Date,
): BreakGlassCooldown | undefined {
  if (cooldownMs <= 0) return undefined;
  const who = requesterId.toLowerCase();
  let found: BreakGlassCooldown | undefined;
  for (const request of requests) {
    const review = request.policy?.review;
    if (!request.policy?.breakGlass || review?.outcome !== 'rejected' || !review.at) continue;
    if (request.requester.objectId.toLowerCase() !== who) continue;
    const until = Date.parse(review.at) + cooldownMs;
    if (!(until > now.getTime()) || (found && Date.parse(found.until) >= until)) continue;
    found = {
      requestId: request.id,
      rejectedBy: review.by,
      rejectedAt: review.at,
      until: new Date(until).toISOString(),
      cooldownMs,
    };
  }
  return found;
}

/**
 * The answer to a member in a cooldown: what happened (which request's review rejected it, by
 * whom, when), until when break-glass is unavailable to them, and that a normal request of the
 * pair goes to its approvers as usual. `pair`: the cluster and registry as a command must name
 * them (typed-names.ts `typedNames`: as the member typed them), since the answer quotes that
 * request for copying: a bare name two resources share would be refused.
 */
export function cooldownRefusal(cooldown: BreakGlassCooldown, pair: { cluster: string; registry: string }): string {
  const by = cooldown.rejectedBy ? ` by ${cooldown.rejectedBy.name}` : '';
  return (
    `Break-glass is not available to you until ${formatUtcUp(cooldown.until)}: the review of your break-glass ` +
    `request ${cooldown.requestId} was rejected${by} at ${formatUtc(cooldown.rejectedAt)}, and after a rejected ` +
    `review break-glass is refused for ${describeDurationMs(cooldown.cooldownMs)}, on every pair. Nothing was ` +
    `requested. To ask for access now, send a normal request without --break-glass ` +
    `("@acrbot grant ${pair.cluster} ${pair.registry} REASON…"): it goes to the approvers as usual.`
  );
}
