/**
 * Who may decide a request. Pure: membership in the approver group is looked up by the caller
 * at decision time and passed in (G5).
 */
import { formatUtc } from './access-term';
import { waitEndsWithOriginal } from './extension-deadline';
import type { AccessRequest, Actor } from './request';
import { isExpired } from './request';
import { readableLength, singleLine } from './text';

/** Why a decision was refused; also the audit action suffix (`approval.refused.<reason>`). */
export type RefusalReason = 'self' | 'notApprover' | 'expired' | 'justification';

/** The outcome of the policy check. */
export type PolicyVerdict = { allowed: true } | { allowed: false; reason: RefusalReason; message: string };

/** Inputs the policy needs besides the request. */
export interface DecisionContext {
  actor: Actor;
  /** The actor is in ACRBOT_APPROVERS or (checked now) in ACRBOT_APPROVER_GROUP. */
  actorIsApprover: boolean;
  /**
   * Not an approver of the request's rule as it was bound, the actor is one under the policy in
   * force (of the rule with its id, or of a rule fitting its pair): a reload added them after it
   * was made. Only the words of the refusal follow from it.
   */
  actorApprovesUnderPolicyNow?: boolean;
  approving: boolean;
  justification?: string;
  approverJustificationRequired: boolean;
  now: Date;
}

/**
 * Checks, in order: the requester never decides their own request (G4, whatever the card
 * data says), an expired request cannot be decided (G6), only approvers decide (G5), and a
 * justification is present when policy requires one (G7).
 */
export function checkDecision(request: AccessRequest, ctx: DecisionContext): PolicyVerdict {
  if (ctx.actor.objectId.toLowerCase() === request.requester.objectId.toLowerCase()) {
    return {
      allowed: false,
      reason: 'self',
      message: `You asked for request ${request.id} yourself, so someone else must approve or reject it.`,
    };
  }
  if (isExpired(request, ctx.now)) return { allowed: false, reason: 'expired', message: expiredMessage(request) };
  if (!ctx.actorIsApprover) {
    return {
      allowed: false,
      reason: 'notApprover',
      message: ctx.actorApprovesUnderPolicyNow
        ? keptApproversMessage(request)
        : `Only approvers can decide request ${request.id}; ask a member of the approvers list or group.`,
    };
  }
  if (ctx.approving && ctx.approverJustificationRequired && !isJustification(ctx.justification)) {
    return {
      allowed: false,
      reason: 'justification',
      message: "Approvals need a justification here: type it in the card's comment box and approve again.",
    };
  }
  return { allowed: true };
}

/**
 * Why someone the approval policy in force makes an approver of the request's pair, but whom its
 * rule did not name when it was made, may not decide it: a pending request keeps the approvers of
 * the rule it was made under (G18). "Only approvers can decide" would read as if they were none.
 */
function keptApproversMessage(request: AccessRequest): string {
  const rule = request.policy?.rule?.id ?? request.policy?.ruleId;
  const under = rule ? `rule ${rule}` : 'its rule';
  return (
    `Request ${request.id} keeps the approvers ${under} had when it was made, before the approval policy changed, ` +
    `and you are not one of them: ask one of them to decide it, or its requester can cancel it ` +
    `("@acrbot cancel ${request.id}") and ask again, so that the policy in force applies.`
  );
}

/**
 * Why an expired request can no longer be decided. An extension whose wait was cut to its
 * original's end (extension-deadline.ts) says that end: the access it would extend is gone, so
 * asking its requester for the same extension again would not help. One its approval window
 * closed while that access ran on says the way its requester's card gives (lifecycle-view.ts):
 * `extend` the original again, which works while its access runs; a new request is the way once
 * it ended (`extend` is refused then), and a grant's request is made anew.
 */
function expiredMessage(request: AccessRequest): string {
  const end = waitEndsWithOriginal(request);
  const originalId = request.extendsRequestId;
  if (end && originalId)
    return `The access of ${originalId} ended at ${formatUtc(end)}, so its extension ${request.id} closed without a decision and nothing was extended; ask the requester for a new request if the access is still needed.`;
  if (originalId)
    return `Extension ${request.id} expired at ${formatUtc(request.expiresAt)} without a decision, and nothing was extended; ask the requester to extend ${originalId} again while its access runs, or to make a new request once it has ended.`;
  return `Request ${request.id} expired at ${formatUtc(request.expiresAt)}; ask the requester to make a new one.`;
}

/**
 * True when `text` counts as a justification (G7): at least 3 characters a reader sees, counted
 * as reasons are ({@link readableLength}), once cleaned. The one test for approvals, rejections
 * and break-glass reviews.
 */
export function isJustification(text: string | undefined): boolean {
  return readableLength(singleLine(text ?? '')) >= 3;
}
