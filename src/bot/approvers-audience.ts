/**
 * Which conversations only approvers (and auditors) read: a chat with acrbot, or one of the
 * channels where approvers work (ACRBOT_APPROVAL_CHANNEL, the policy's rule and break-glass
 * channels, ACRBOT_AUDIT_CHANNEL). What is for their eyes only (why new access was paused, the
 * audit log's details, the request cards a read posts with their requesters' reasons) is shown
 * there and left out elsewhere (a requesters' channel, a group chat). One request's card is also
 * shown in the conversation its own approval card went to ({@link readByApproversOf}): without
 * an approvals channel, that is the request's own channel or group chat.
 */
import type { TurnContext } from 'botbuilder';
import type { AccessRequest } from '../domain/request';
import type { BotServices } from './bot-services';

/** The channels where approvers work, by Teams channel id. */
export function approversChannels(services: Pick<BotServices, 'settings' | 'requests'>): Set<string> {
  const { settings, requests } = services;
  const policy = requests.currentPolicy();
  return new Set(
    [
      settings.approvalChannelId,
      ...policy.rules.map((r) => r.channel),
      policy.breakGlass?.channel,
      settings.auditChannelId,
    ].filter((id): id is string => !!id),
  );
}

/** Whether only approvers read the turn's conversation: a chat with acrbot, or an approvers' channel. */
export function readByApprovers(ctx: TurnContext, services: Pick<BotServices, 'settings' | 'requests'>): boolean {
  const conversation = ctx.activity.conversation;
  if (conversation?.conversationType === 'personal') return true;
  return approversChannels(services).has((conversation?.id ?? '').split(';')[0]);
}

/**
 * The channel or group chat a request's approval card was posted to (request-handler.ts,
 * postApprovalCard): the channel of the rule it was made under, else ACRBOT_APPROVAL_CHANNEL (as
 * set now, as CardMessenger reads it too), else its own channel or group chat (approvalTarget).
 * Undefined for one made in a chat with acrbot with no channel set: no approval card was posted.
 */
export function approvalConversationOf(
  request: Pick<AccessRequest, 'origin' | 'policy'>,
  approvalChannelId: string | undefined,
): string | undefined {
  const channel = request.policy?.rule?.channel ?? approvalChannelId;
  if (channel) return channel;
  const { conversationId, conversationType } = request.origin;
  if (conversationType !== 'channel' && conversationType !== 'groupChat') return undefined;
  // A channel thread's id is the channel's plus `;messageid=…`: the card went to the channel.
  return conversationId.split(';')[0];
}

/**
 * Whether `request`'s card (with its requester's reason and what approvers decide) may be posted
 * in the turn's conversation: where approvers alone read ({@link readByApprovers}), or the
 * conversation its approval card went to ({@link approvalConversationOf}), whose readers see
 * that card, reason and later changes included, already. So without ACRBOT_APPROVAL_CHANNEL an
 * approver can ask for a request where its card and its break-glass alert are.
 */
export function readByApproversOf(
  ctx: TurnContext,
  services: Pick<BotServices, 'settings' | 'requests'>,
  request: Pick<AccessRequest, 'origin' | 'policy'>,
): boolean {
  if (readByApprovers(ctx, services)) return true;
  const here = (ctx.activity.conversation?.id ?? '').split(';')[0];
  return here !== '' && here === approvalConversationOf(request, services.settings.approvalChannelId);
}
