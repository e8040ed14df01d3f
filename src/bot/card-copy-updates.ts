/**
 * Updates of every copy of a request's card (its requester's and approvers' copies) when the
 * request changes: queued per conversation in the outbox, each drawn from the newest state of the
 * request as stored, with its viewers.
 */
import type { ConversationReference } from 'botbuilder';
import type { CardCopy } from '../domain/ports';
import type { AccessRequest } from '../domain/request';
import { BatchedRead } from './batched-read';
import { conversationKey } from './card-copy-places';
import { postedCardFor } from './card-viewers';
import type { MessengerParts } from './messenger-parts';
import { cardActivity } from './turn-cards';

/**
 * How long the "executing" state of a request's cards, and the requester's "approved, running
 * now" news, wait before they are written. A grant's outcome usually follows within a second;
 * if it arrives in this time the cards go straight to it and the news is dropped (the outcome
 * card names the approvers), saving one Bot Connector call per copy and one message: the
 * requester gets one notification instead of two in quick succession. The approver who clicked
 * already sees "executing" (the invoke's answer); a slower run shows "executing" and sends the
 * news after this delay (docs/performance.md, P8).
 */
export const EXECUTING_HOLD_MS = 2_000;

/** What a copy's update uses of the messenger. */
type CopyUpdateParts = Pick<
  MessengerParts,
  'store' | 'log' | 'viewersOf' | 'inConversation' | 'approveRefusedForTerm'
> &
  Partial<Pick<MessengerParts, 'ruleOf'>>;

/**
 * Queues the update of every copy of the request's card but its audit card (see
 * {@link CardMessenger.requestChanged}); returns the updates, each resolving once written or
 * failed (logged). Synchronous up to the queueing, so the caller's later queueing follows.
 */
export function queueCopyUpdates(
  parts: CopyUpdateParts & Pick<MessengerParts, 'outbox' | 'approversCopyOf'>,
  request: AccessRequest,
  copies: readonly CardCopy[],
): Promise<unknown>[] {
  // The copies whose member lookups overlap share one store read (see updateCopy).
  const newest = new BatchedRead(() => newestOf(parts, request));
  // A requester's copy that serves the approvers too is drawn as theirs (shareRequesterCopy).
  const approversCopy = parts.approversCopyOf(request, copies);
  // Everything is queued before the first await, so a later state's call queues after this one.
  const work: Promise<unknown>[] = copies
    .filter((c) => c.role !== 'audit')
    .map((copy) =>
      parts.outbox.replace(
        conversationKey(copy.conversation),
        copy.activityId,
        request.version,
        () => updateCopy(parts, copy === approversCopy ? { ...copy, role: 'approver' } : copy, request, newest),
        { holdMs: request.state === 'executing' ? EXECUTING_HOLD_MS : undefined },
      ),
    );
  return work;
}

/**
 * One write of a copy of a request's card: the newer of `given` and the request as stored
 * right before drawing. The outbox keeps this instance's writes of a card in order, but the
 * steps of a request run on different instances: one whose write of an older state waited (a
 * held "executing", a busy lane, a slow member lookup) must not put it over the newer state
 * another instance wrote meanwhile (the audit card does the same under its lease).
 *
 * No cross-instance lease here (unlike the audit card): the read leaves only the window from
 * it to the PUT landing (a card render and one connector call) for an older state to land last,
 * and it needs two instances updating one card within it with the older one slower; every
 * later change draws again from the store, and the requester's and approvers' own views are
 * drawn from the store whenever Teams refreshes them (refresh.userIds). A lease would cost two
 * store writes per card update and make the copies wait on each other, on the path P8 measures
 * (docs/performance.md). The audit card needs its lease anyway, its first write being a post
 * (two instances would each post one).
 *
 * `newest` is shared by the copies of one {@link requestChanged} call: each copy looks up its
 * viewers first (it may ask Teams), then is drawn from a store read that started after its own
 * lookup ended; the copies whose lookups overlap share that read ({@link BatchedRead}). So a
 * change costs one store read, not one per copy (six to eight per grant flow, on the path P8
 * measures), and a slow lookup never leaves its copy drawn from a read older than it.
 * Never throws (a failure is logged).
 */
export async function updateCopy(
  parts: CopyUpdateParts,
  copy: CardCopy,
  given: AccessRequest,
  newest: BatchedRead<AccessRequest>,
): Promise<void> {
  const reference = copy.conversation as Partial<ConversationReference>;
  try {
    // Who gets their own view does not change with the state (the requester, the rule's
    // approvers); looked up first, as it may ask Teams, so the read is as late as it can be.
    const { looked: viewers, read: request } = await newest.after(() => parts.viewersOf(given, reference));
    const card = postedCardFor(
      request,
      copy.role,
      viewers,
      parts.approveRefusedForTerm(request),
      parts.ruleOf?.(request),
    );
    await parts.inConversation(reference, async (ctx) => {
      await ctx.updateActivity(cardActivity(card, copy.activityId));
    });
  } catch (err) {
    parts.log.warn({ err, requestId: given.id, activityId: copy.activityId }, 'card copy update failed');
  }
}

/**
 * The newer (by version) of `given` and the request as stored now; `given` when the store
 * cannot be read (the card then shows what it was told, as before; logged).
 */
export async function newestOf(
  parts: Pick<MessengerParts, 'store' | 'log'>,
  given: AccessRequest,
): Promise<AccessRequest> {
  try {
    // On one instance the stored state is nearly always the one given: a store that can answer
    // "nothing newer" without reading the whole document does (no parse of it per card change).
    const stored = parts.store.getNewer
      ? await parts.store.getNewer(given.id, given.version)
      : await parts.store.get(given.id);
    return stored && stored.version > given.version ? stored : given;
  } catch (err) {
    parts.log.warn({ err, requestId: given.id }, 'request not read before its card update; drawing the state given');
    return given;
  }
}
