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

/**
 * The conversation a reference posts into, a channel thread counted as its channel: Teams gives a
 * thread the channel's id followed by `;messageid=…`.
 */
export function conversationIdOf(reference: Partial<ConversationReference> | undefined): string {
  return (reference?.conversation?.id ?? '').split(';')[0];
}

/**
 * Whether two references post into the same channel or chat (a thread and its channel are one):
 * a card posted through each would show twice to the people there.
 */
export function sameConversation(
  a: Partial<ConversationReference> | undefined,
  b: Partial<ConversationReference> | undefined,
): boolean {
  const id = conversationIdOf(a);
  return id !== '' && id === conversationIdOf(b);
}

/**
 * A new post where `reference` points, not a reply in its thread: a channel thread's channel
 * (acrbot's nudges and reports stand on their own, where approvers see them first).
 */
export function newPostAt(reference: Partial<ConversationReference>): Partial<ConversationReference> {
  const id = reference.conversation?.id;
  if (!reference.conversation || !id?.includes(';')) return reference;
  return { ...reference, conversation: { ...reference.conversation, id: conversationIdOf(reference) } };
}

/**
 * Whether a requester's copy posted at `reference` is in the conversation where the request's
 * approvers are asked: `approvalChannelId` (the rule's channel, else ACRBOT_APPROVAL_CHANNEL), or
 * without one the request's own channel or group chat ({@link approvalTarget}). There it is the
 * approvers' copy too: no second card is posted beside it (request-handler.ts).
 */
export function inApprovalConversation(
  reference: Partial<ConversationReference>,
  approvalChannelId: string | undefined,
): boolean {
  if (approvalChannelId) return conversationIdOf(reference) === approvalChannelId;
  const type = reference.conversation?.conversationType;
  return type === 'channel' || type === 'groupChat';
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
