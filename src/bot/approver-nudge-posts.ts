/**
 * An approval nudge posted outside a turn: a reminder (or escalation) of a pending request to its
 * rule's approvers, where they are asked, and for an escalation in the escalation channel too.
 */
import type { ConversationReference } from 'botbuilder';
import type { ApproveRefusal } from '../domain/approve-refused';
import type { NudgeSignIns } from '../domain/nudge-group';
import type { PolicyRule } from '../domain/policy';
import { nowhereToPost } from '../flows/approval-nudges';
import type { AccessRequest } from '../domain/request';
import { groupedNudgeMessage } from '../views/grouped-nudge-view';
import { escalationMessage, type NudgeMessage, reminderMessage } from '../views/nudge-view';
import { approversPostAt, channelReference } from './card-copy-places';
import { sameConversation } from './conversation-targets';
import { eachTarget } from './each-target';
import type { MessengerParts } from './messenger-parts';

/**
 * A reminder (or escalation) in the rule's channel, mentioning the rule's named approvers by
 * Entra object id (Teams accepts a user id, object id or UPN in `mentioned.id`) and showing their
 * display names (`signIns.names`; views/nudge-view.ts, mentionsOf). An escalation
 * goes to the escalation channel too, the same message in both: who was asked and who is told
 * now (views/nudge-view.ts). Without a rule channel, a new post where the approvers' copy is.
 * One post per conversation: an escalation channel that is where the approvers are asked gets
 * it once. False, with a warning logged, when it found no conversation to post in (the caller
 * audits it as not posted): no rule channel and no approvers' copy, e.g. a request whose one
 * card was shared in the old ACRBOT_APPROVAL_CHANNEL after that setting changed
 * ({@link approversCopyOf} goes by the current settings). `'refused'`, with one error logged
 * naming the conversations, when Teams refused it in every one for good (403/404: acrbot removed
 * from them, eachTarget): no retry gets through, so the caller audits it as not posted instead
 * of retrying it until the request expires. `approveRefused`: why an Approve of it would be
 * refused now (a reload lowered its rule's maxDuration), which the message says. `signIns`: the
 * named approvers who can no longer sign in, whom it does not mention, and the display names of
 * the others (views/nudge-view.ts).
 */
export async function nudgeApprovers(
  parts: NudgeParts,
  request: AccessRequest,
  rule: PolicyRule,
  kind: 'remind' | 'escalate',
  approveRefused?: ApproveRefusal,
  signIns?: NudgeSignIns,
): Promise<false | 'refused' | undefined> {
  const message =
    kind === 'remind'
      ? reminderMessage(request, rule, approveRefused, signIns)
      : escalationMessage(request, rule, approveRefused, signIns);
  return postNudge(parts, [request], rule, kind, message);
}

/**
 * One reminder (or escalation) for several pending requests due at once in the rule's channel
 * (flows/nudge-siblings.ts): `requests[0]` is the one whose job posts it, whose channel and
 * escalation channel it goes to (the others share both), the rest are listed after it. Posted
 * and answered as {@link nudgeApprovers}; the message is views/grouped-nudge-view.ts's. Each
 * channel is reached by the first request in order with a card copy to build its reference
 * from, so one whose announcement stored none does not leave the others it lists unposted.
 */
export async function nudgeApproversGrouped(
  parts: NudgeParts,
  requests: readonly AccessRequest[],
  rule: PolicyRule,
  kind: 'remind' | 'escalate',
  now: Date,
  approveRefused?: ReadonlyMap<string, ApproveRefusal>,
  signIns?: NudgeSignIns,
): Promise<false | 'refused' | undefined> {
  return postNudge(parts, requests, rule, kind, groupedNudgeMessage(requests, kind, now, approveRefused, signIns));
}

/** The parts a nudge's post uses. */
type NudgeParts = Pick<MessengerParts, 'store' | 'log' | 'approversCopyOf' | 'inConversation'>;

/**
 * Posts `message` where the nudge of `requests[0]` goes ({@link nudgeApprovers} says where and
 * what it answers); a channel is reached by the first of `requests` with a copy to reach it by.
 */
async function postNudge(
  parts: NudgeParts,
  requests: readonly AccessRequest[],
  rule: PolicyRule,
  kind: 'remind' | 'escalate',
  { text, entities }: NudgeMessage,
): Promise<false | 'refused' | undefined> {
  const request = requests[0]!;
  const approverCopy = parts.approversCopyOf(request, await parts.store.listCardCopies(request.id));
  const targets: Partial<ConversationReference>[] = [];
  const main = rule.channel
    ? await firstChannelReference(parts, requests, rule.channel, 'approvals')
    : approverCopy && approversPostAt(approverCopy);
  if (main) targets.push(main);
  if (kind === 'escalate' && rule.escalateTo?.channel) {
    const escalation = await firstChannelReference(parts, requests, rule.escalateTo.channel, 'escalation');
    if (escalation && !targets.some((t) => sameConversation(t, escalation))) targets.push(escalation);
  }
  if (targets.length === 0) {
    parts.log.warn(
      { requestId: request.id, kind, reason: nowhereToPost(rule, kind) },
      'an approval nudge had nowhere to go',
    );
    return false;
  }
  const refused = await eachTarget(
    targets,
    parts.log,
    request.id,
    kind === 'remind' ? 'reminder' : 'escalation',
    (target) =>
      parts.inConversation(target, async (ctx) => {
        ctx.onSendActivities(async (_ctx, activities, next) => {
          for (const a of activities) delete a.replyToId;
          return next();
        });
        await ctx.sendActivity({ type: 'message', text, entities });
      }),
    { refusedForGood: true },
  );
  if (!refused) return undefined;
  parts.log.error(
    { requestId: request.id, kind, conversations: targets.map((t) => String(t.conversation?.id ?? '')) },
    'Teams refused an approval nudge in every channel (acrbot is not in them): add acrbot back or change the channels',
  );
  return 'refused';
}

/**
 * A reference to `channelId` built from the card copies of the first of `requests` that has one
 * (channelReference): a copy of any of them gives the service URL and bot account to reach the
 * channel by, and the grouped post is due there for all of them.
 */
async function firstChannelReference(
  parts: NudgeParts,
  requests: readonly AccessRequest[],
  channelId: string,
  name: string,
): Promise<Partial<ConversationReference> | undefined> {
  for (const request of requests) {
    const reference = await channelReference(parts.store, request.id, channelId, name);
    if (reference) return reference;
  }
  return undefined;
}
