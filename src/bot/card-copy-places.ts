/**
 * Where a request's cards are, and where posts about it go outside any turn: the copy of its
 * card its approvers act on, a new post beside that copy, a channel reached with the service URL,
 * bot and tenant of one of its copies, and the outbox lane of a stored reference.
 */
import type { ConversationReference } from 'botbuilder';
import type { CardCopy, RequestStore } from '../domain/ports';
import type { AccessRequest } from '../domain/request';
import { inApprovalConversation, inChannel, newPostAt } from './conversation-targets';

/**
 * The copy of a request's card its approvers act on: its requester's copy when that is where
 * they are asked ({@link shareRequesterCopy}), else its first approvers' copy. (A request from
 * a release that posted both there has its requester's copy drawn as the approvers' too: it
 * shows what the other card shows, and goes on living only until it is decided.)
 * `approvalChannelId`: ACRBOT_APPROVAL_CHANNEL, used when the request's rule has no channel.
 */
export function approversCopyOf(
  request: AccessRequest,
  copies: readonly CardCopy[],
  approvalChannelId: string | undefined,
): CardCopy | undefined {
  const requester = copies.find((c) => c.role === 'requester');
  const channel = request.policy?.rule?.channel ?? approvalChannelId;
  if (requester && inApprovalConversation(requester.conversation as Partial<ConversationReference>, channel))
    return requester;
  return copies.find((c) => c.role === 'approver');
}

/**
 * A new post where a request's approvers' copy is (a nudge, a report, an extension's approval
 * card). A requester's copy that serves as theirs is a reply in the request's thread: the post
 * goes to that thread's channel, where an approvers' copy of its own would have been.
 */
export function approversPostAt(copy: CardCopy): Partial<ConversationReference> {
  const reference = copy.conversation as Partial<ConversationReference>;
  return copy.role === 'requester' ? newPostAt(reference) : reference;
}

/**
 * A reference to `channelId` built from one of the request's card copies (for the service
 * URL and bot account): nudges and break-glass alerts are posted outside any turn.
 */
export async function channelReference(
  store: Pick<RequestStore, 'listCardCopies'>,
  requestId: string,
  channelId: string,
  name: string,
): Promise<Partial<ConversationReference> | undefined> {
  const copies = await store.listCardCopies(requestId);
  const base = (copies.find((c) => c.role === 'requester') ?? copies[0])?.conversation as
    Partial<ConversationReference> | undefined;
  return base && inChannel(base, channelId, name);
}

/** The conversation a stored reference points at (the outbox's lane): domain/conversation-key.ts. */
export { conversationKey } from '../domain/conversation-key';
