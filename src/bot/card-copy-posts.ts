/**
 * Posting a request's card and recording its copies (CardCopy: where each copy is, so that every
 * later change updates it): the approvers' copy, a reply in the current turn, and the requester's
 * copy that serves the approvers too.
 */
import { type ConversationReference, TurnContext } from 'botbuilder';
import type { CardCopy, RequestStore } from '../domain/ports';
import type { AccessRequest } from '../domain/request';
import type { AdaptiveCardJson } from '../views/card-templates';
import { type MentionParts, mentionNewRequestApprovers, mentionPlaceOf } from './approver-mention-posts';
import { BatchedRead } from './batched-read';
import { conversationKey } from './card-copy-places';
import { newestOf, updateCopy } from './card-copy-updates';
import { sameConversation } from './conversation-targets';
import type { MessengerParts } from './messenger-parts';
import { PostedNotRecorded } from './posted-not-recorded';
import { sendMarkingRefusal } from './teams-refusal';
import { sendCard } from './turn-cards';

/**
 * Whether a copy of the request's card (its requester's or an approvers', not the audit
 * channel's card) is tracked in `reference`'s channel or chat, a thread counted as its channel.
 */
export async function hasRequestCopyIn(
  store: Pick<RequestStore, 'listCardCopies'>,
  requestId: string,
  reference: Partial<ConversationReference>,
): Promise<boolean> {
  return (await store.listCardCopies(requestId)).some(
    (c) => c.role !== 'audit' && sameConversation(c.conversation as Partial<ConversationReference>, reference),
  );
}

/** Records an activity of the current conversation as a copy of the request's card. */
export async function track(
  store: Pick<RequestStore, 'addCardCopy'>,
  ctx: TurnContext,
  requestId: string,
  activityId: string,
  role: CardCopy['role'],
): Promise<void> {
  await store.addCardCopy({
    requestId,
    activityId,
    role,
    conversation: TurnContext.getConversationReference(ctx.activity),
  });
}

/** Sends a card in the current turn and records it as a copy of the request's card. */
export async function replyAndTrack(
  parts: Pick<MessengerParts, 'store' | 'log' | 'withRequestViewers'>,
  ctx: TurnContext,
  request: AccessRequest,
  card: AdaptiveCardJson,
  role: CardCopy['role'],
): Promise<void> {
  const viewed =
    role === 'requester' || role === 'approver'
      ? await parts.withRequestViewers(request, TurnContext.getConversationReference(ctx.activity), card)
      : card;
  const sent = await sendCard(ctx, viewed, parts.log);
  if (sent?.id) await track(parts.store, ctx, request.id, sent.id, role);
}

/**
 * Posts the approvers' copy to a channel or chat and records it, then mentions the request's
 * named approvers still waited on in the card's thread (approver-mention-posts.ts: a message of
 * its own, never the card's activity's `text`; a failure of it is logged, not thrown). Teams
 * refusing the post for good rejects with TeamsPostRefused (teams-refusal.ts); a failure to
 * record it, once posted, with PostedNotRecorded (its cause the store's error), after the
 * mention: the card is out all the same.
 */
export async function postApproval(
  parts: Pick<MessengerParts, 'store' | 'send' | 'postedRequestCard'> & MentionParts,
  reference: Partial<ConversationReference>,
  request: AccessRequest,
): Promise<string | undefined> {
  // Read-only as posted: approvers get Approve/Reject in their own view (refresh.userIds).
  const card = await parts.postedRequestCard(request, reference, 'approver');
  // Only the send's refusal is Teams': the store's errors before and after it have the same status.
  const id = await sendMarkingRefusal(() => parts.send(reference, card));
  if (!id) return id;
  // Posted: a failure to record it is the store's, marked so callers do not say it was not posted.
  const notRecorded = await parts.store
    .addCardCopy({ requestId: request.id, activityId: id, role: 'approver', conversation: reference })
    .then(
      () => undefined,
      (err: unknown) => new PostedNotRecorded(id, err),
    );
  await mentionNewRequestApprovers(parts, request, mentionPlaceOf(reference, id));
  if (notRecorded) throw notRecorded;
  return id;
}

/**
 * A request made where its approvers are asked (its approvals channel, or a channel or group
 * chat with none configured): its requester's copy there is the approvers' copy too, since a
 * second card in the same conversation would show twice, both with Approve/Reject
 * ({@link approversCopyOf} finds it for nudges, reports and updates). It is redrawn as the
 * approvers' copy when that differs (Approve/Reject for everyone there while none of its
 * approvers has a view of their own). So that copy must have been posted with its viewers
 * (replyAndTrack, {@link postedRequestCard}): one without them would leave named approvers with
 * a read-only card and no view of their own. False when no requester's copy is in `target`'s
 * conversation (it could not be placed): the caller posts the approvers' copy instead. Shared,
 * the request's named approvers still waited on are mentioned in a reply in that copy's thread
 * (approver-mention-posts.ts; a failure of it logged, not thrown): no new post tells them.
 */
export async function shareRequesterCopy(
  parts: Pick<MessengerParts, 'store' | 'log' | 'outbox' | 'viewersOf' | 'inConversation' | 'approveRefusedForTerm'> &
    MentionParts,
  request: AccessRequest,
  target: Partial<ConversationReference>,
): Promise<boolean> {
  const copy = (await parts.store.listCardCopies(request.id)).find(
    (c) => c.role === 'requester' && sameConversation(c.conversation as Partial<ConversationReference>, target),
  );
  if (!copy) return false;
  const reference = copy.conversation as Partial<ConversationReference>;
  // Only a pending request's card has Approve/Reject: a break-glass grant's review appears once
  // it ran, when its run's updates draw this copy as the approvers' (requestChanged).
  if (request.state === 'pending' && (await parts.viewersOf(request, reference)).approvers.length === 0)
    await parts.outbox.replace(conversationKey(reference), copy.activityId, request.version, () =>
      updateCopy(parts, { ...copy, role: 'approver' }, request, new BatchedRead(() => newestOf(parts, request))),
    );
  // No new post notifies anyone here: its named approvers are mentioned in the copy's thread.
  await mentionNewRequestApprovers(parts, request, reference);
  return true;
}
