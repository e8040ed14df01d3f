/**
 * The break-glass cards posted outside a turn: the loud alert when break-glass access is used,
 * and the daily report of a grant whose review is owed, in the break-glass and audit channels,
 * else where the request's approvers are asked.
 */
import type { ConversationReference } from 'botbuilder';
import { isUncovered, leftToNobody, namesOnlyRequester, nobodyReviews } from '../domain/decided-rule';
import type { AccessRequest } from '../domain/request';
import { breakGlassCard } from '../views/policy-view';
import { approversPostAt, channelReference } from './card-copy-places';
import { eachTarget } from './each-target';
import type { MessengerParts } from './messenger-parts';

/** What a break-glass post uses of the messenger. */
type BreakGlassParts = Pick<
  MessengerParts,
  'store' | 'log' | 'send' | 'audit' | 'lifecycle' | 'ruleOf' | 'approversCopyOf'
>;

/**
 * Posts a break-glass card in `channelId` (`breakGlass.channel`) and ACRBOT_AUDIT_CHANNEL. Both
 * are optional: without either, it goes where the request's approvers are asked (the channel of
 * the rule that decides it now, {@link ruleOf}, unless no rule covers its pair and nobody is left
 * to review it, else ACRBOT_APPROVAL_CHANNEL, else the
 * conversation of its approval card), since an alert or a report of an owed review that
 * reaches nobody must not pass for one that was made. True when some copy went out; false,
 * with a warning logged, when there was nowhere to post it (the caller audits it so). Throws
 * when every target refused it (eachTarget), except a report of an owed review that Teams
 * refused in every channel for good (403/404: acrbot removed from them): `'refused'`, with one
 * error logged naming the conversations, so its job goes on daily instead of retrying every
 * half hour to channels no retry reaches (the caller audits it as not posted).
 */
export async function postBreakGlass(
  parts: BreakGlassParts,
  request: AccessRequest,
  channelId: string | undefined,
  kind: 'used' | 'unreviewed',
): Promise<boolean | 'refused'> {
  // The report names who reviews it now: when no rule of the policy in force covers the pair
  // (decidedRule), those of the approvers its rule had whom the policy still names, or nobody
  // when it names none of them but its requester (nobodyReviews); the operators are told to mend
  // it either way, as they are when its rule names only its requester (namesOnlyRequester).
  const reviewers = kind === 'unreviewed' ? parts.ruleOf(request) : undefined;
  if (reviewers && !isUncovered(reviewers) && namesOnlyRequester(reviewers, request.requester))
    parts.log.warn(
      { requestId: request.id, policyRule: reviewers.id },
      'a break-glass review is owed under a rule that names only its requester as approver: nobody can review it; add an approver to the rule',
    );
  if (isUncovered(reviewers)) {
    if (nobodyReviews(reviewers, request.requester))
      parts.log.warn(
        { requestId: request.id, policyRule: reviewers.id },
        'a break-glass review is owed for a pair no rule of the approval policy covers now, and the policy names none of the approvers its rule had: nobody can review it; add a rule for the pair',
      );
    else
      parts.log.warn(
        { requestId: request.id, policyRule: reviewers.id },
        'a break-glass review is owed for a pair no rule of the approval policy covers now: those of the approvers its rule had whom the policy still names review it; add a rule for the pair',
      );
  }
  // The alert says so too when nobody can review it (a reload since it ran); no warning for that.
  const card = breakGlassCard(request, kind, reviewers ?? parts.ruleOf(request));
  const targets = await breakGlassTargets(parts, request, channelId);
  if (targets.length === 0) {
    parts.log.warn(
      { requestId: request.id, kind },
      'a break-glass card had nowhere to go: set breakGlass.channel or ACRBOT_AUDIT_CHANNEL (or an approvals channel)',
    );
    return false;
  }
  const refused = await eachTarget(
    targets,
    parts.log,
    request.id,
    `break-glass ${kind} card`,
    async (reference) => {
      await parts.send(reference, card);
    },
    { refusedForGood: kind === 'unreviewed' },
  );
  if (refused) {
    parts.log.error(
      { requestId: request.id, kind, conversations: targets.map((t) => String(t.conversation?.id ?? '')) },
      'Teams refused a break-glass card in every channel (acrbot is not in them): add acrbot back or change the channels',
    );
    return 'refused';
  }
  return true;
}

/** Where a break-glass card goes (see {@link postBreakGlass}): conversations found, in order. */
async function breakGlassTargets(
  parts: BreakGlassParts,
  request: AccessRequest,
  channelId: string | undefined,
): Promise<Partial<ConversationReference>[]> {
  const configured = [...new Set([channelId, parts.audit?.channelId].filter((c): c is string => Boolean(c)))];
  const found: Partial<ConversationReference>[] = [];
  for (const id of configured) {
    const reference = await channelReference(parts.store, request.id, id, 'break-glass');
    if (reference) found.push(reference);
  }
  if (found.length > 0) return found;
  // A pair no rule of the policy in force covers, with nobody left to review it (leftToNobody),
  // goes where a pair no rule covers goes (ACRBOT_APPROVAL_CHANNEL), not to the removed rule's
  // channel: those it reached are the approvers the policy dropped.
  const rule = parts.ruleOf(request);
  const approvals = (leftToNobody(rule) ? undefined : rule?.channel) ?? parts.lifecycle?.approvalChannelId;
  const inApprovals = approvals ? await channelReference(parts.store, request.id, approvals, 'approvals') : undefined;
  if (inApprovals) return [inApprovals];
  const approverCopy = parts.approversCopyOf(request, await parts.store.listCardCopies(request.id));
  return approverCopy ? [approversPostAt(approverCopy)] : [];
}
