/**
 * Where a turn's cards go: the conversation a request was made in, and the conversation the
 * approvers' copy is posted to.
 */
import type { ConversationReference, TurnContext } from 'botbuilder';
import type { AccessRequest } from '../domain/request';

/** Where the request was made. */
export function originOf(ctx: TurnContext): AccessRequest['origin'] {
  return {
    conversationId: ctx.activity.conversation.id,
    conversationType: ctx.activity.conversation.conversationType ?? 'personal',
  };
}

/**
 * The key the redelivery check remembers an activity by (`RequestGate.admit`): its conversation
 * and id, as Teams sends the same activity again with the same id in the same conversation.
 * Undefined for an activity without an id.
 */
export function activityKeyOf(conversationId: string, activityId: string | undefined): string | undefined {
  return activityId ? `${conversationId.slice(0, 300)}|${activityId.slice(0, 200)}` : undefined;
}

/**
 * A new post in the Teams channel `channelId`, sent with the service URL, bot and tenant of
 * `base` (any conversation of the same tenant acrbot already talked in).
 */
export function inChannel(
  base: Partial<ConversationReference>,
  channelId: string,
  name: string,
): Partial<ConversationReference> {
  return {
    ...base,
    conversation: {
      id: channelId,
      isGroup: true,
      conversationType: 'channel',
      tenantId: base.conversation?.tenantId,
      name,
    },
  };
}

/** The conversation reference for the approval card, or undefined in a personal chat with no channel configured. */
export function approvalTarget(
  ctx: TurnContext,
  approvalChannelId: string | undefined,
): Partial<ConversationReference> | undefined {
  const a = ctx.activity;
  const base = { channelId: a.channelId, serviceUrl: a.serviceUrl, bot: a.recipient, locale: a.locale };
  if (approvalChannelId) {
    return {
      ...base,
      conversation: {
        id: approvalChannelId,
        isGroup: true,
        conversationType: 'channel',
        tenantId: a.conversation.tenantId,
        name: 'approvals',
      },
    };
  }
  const type = a.conversation.conversationType;
  if (type === 'channel' || type === 'groupChat') {
    // A new post in the channel (not the request's thread), so approvers see it.
    const channelId =
      (a.channelData as { channel?: { id?: string } } | undefined)?.channel?.id ?? a.conversation.id.split(';')[0];
    return {
      ...base,
      conversation: {
        id: type === 'channel' ? channelId : a.conversation.id,
        isGroup: true,
        conversationType: type,
        tenantId: a.conversation.tenantId,
        name: '',
      },
    };
  }
  return undefined;
}
