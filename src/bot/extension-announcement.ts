/**
 * An extension asked for outside a turn (the tab): its cards posted where the original request's
 * cards are, the requester's and the approvers', then its audit card.
 */
import type { ConversationReference } from 'botbuilder';
import type { CardCopy } from '../domain/ports';
import type { AccessRequest } from '../domain/request';
import { approversPostAt } from './card-copy-places';
import { conversationIdOf, sameConversation } from './conversation-targets';
import type { MessengerParts } from './messenger-parts';

/**
 * An extension asked for outside a turn (the tab): the requester's copy in the conversation of
 * their original request's card, the approvers' copy in `channelId` (the rule's channel), else
 * ACRBOT_APPROVAL_CHANNEL, else as a new post where the original's approval card is; then the
 * audit card. Where the requester's copy went into that conversation itself, it is the
 * approvers' copy too ({@link shareRequesterCopy}): no second card there. Returns where the
 * approval card went. Never throws (failures are logged).
 */
export async function announceExtension(
  parts: Pick<
    MessengerParts,
    | 'store'
    | 'log'
    | 'lifecycle'
    | 'send'
    | 'postedRequestCard'
    | 'trackAt'
    | 'approversCopyOf'
    | 'shareRequesterCopy'
    | 'postApproval'
    | 'syncAuditCard'
  >,
  extension: AccessRequest,
  original: AccessRequest,
  channelId: string | undefined,
): Promise<{ approvalPostedTo?: string }> {
  let copies: CardCopy[] = [];
  try {
    copies = await parts.store.listCardCopies(original.id);
  } catch (err) {
    parts.log.error({ err, requestId: extension.id }, 'extension: card copies of the original could not be read');
    return {};
  }
  const requesterCopy = copies.find((c) => c.role === 'requester');
  const approverCopy = parts.approversCopyOf(original, copies);
  // Where the extension's requester copy went, once recorded.
  let placed: Partial<ConversationReference> | undefined;
  if (requesterCopy) {
    const to = requesterCopy.conversation as Partial<ConversationReference>;
    try {
      // With its viewers, as a reply in a turn is (replyAndTrack): where this copy is the
      // approvers' too, their own views (Approve/Reject) are on it, since shareRequesterCopy
      // redraws it only when none of them has one.
      const id = await parts.send(to, await parts.postedRequestCard(extension, to, 'requester'));
      if (id) {
        await parts.trackAt(to, extension.id, id, 'requester');
        placed = to;
      }
    } catch (err) {
      parts.log.warn({ err, requestId: extension.id }, "extension: the requester's copy could not be posted");
    }
  }
  let approvalPostedTo: string | undefined;
  if (extension.state === 'pending') {
    const base = (requesterCopy ?? approverCopy)?.conversation as Partial<ConversationReference> | undefined;
    const channel = channelId ?? parts.lifecycle?.approvalChannelId;
    const target: Partial<ConversationReference> | undefined =
      channel && base
        ? {
            ...base,
            conversation: {
              id: channel,
              isGroup: true,
              conversationType: 'channel',
              tenantId: base.conversation?.tenantId,
              name: 'approvals',
            },
          }
        : approverCopy && approversPostAt(approverCopy);
    if (target)
      try {
        if (placed && sameConversation(placed, target)) {
          if (await parts.shareRequesterCopy(extension, target)) approvalPostedTo = conversationIdOf(target);
        } else if (await parts.postApproval(target, extension)) approvalPostedTo = String(target.conversation?.id);
      } catch (err) {
        parts.log.warn({ err, requestId: extension.id }, 'extension: the approval card could not be posted');
      }
    else parts.log.warn({ requestId: extension.id }, 'extension: no conversation to post the approval card to');
  }
  await parts.syncAuditCard(extension);
  return { approvalPostedTo };
}
