/**
 * The @mention of a new request's named approvers, sent once its approvers' card is out: a new
 * post of the card (card-copy-posts.ts, postApproval) gets it as a reply in the card's thread
 * (in a group chat, the message after it), and a requester's copy that serves as the approvers'
 * (shareRequesterCopy) gets it in that copy's thread. The card mentions nobody, and a channel's
 * new post raises no banner or feed item under Teams' usual settings; a mention notifies the
 * person mentioned at once, hours before a `remindAfter` reminder would (a rule may have none).
 *
 * Its own message, not `text` beside the card in the card's activity: Teams splits an activity
 * with text and a card into two messages and answers the post with no activity id (202), and
 * without the id the card's copy is not recorded, so no decision would ever update it
 * (turn-cards.ts, cardActivity: never `text`).
 *
 * Whom: views/new-request-mention-view.ts (the reminder's mentions). Right before it is sent the
 * accounts of those it would mention are looked up (ApproverAuthority.enabledNamesAmong, `reused`):
 * one disabled or deleted is left out, the others are shown by display name. The request was made
 * a moment ago, and its making read the same named users' accounts, with their names, to tell
 * whether its quorum is in reach (readNamedApprovers, kept five minutes by
 * approver-groups-cache.ts): that read answers, so a new request costs Graph no second query
 * (one is made, and kept, only when there is none: a rule naming fewer than its quorum and no
 * groups, break-glass, a read that failed, an announcement retried minutes later). Reused, not
 * fresh, because a mention decides nothing: one sent to someone disabled in the last five minutes
 * is harmless, it changes nothing (it lets nobody approve, counts nobody, and only notifies a
 * person who can no longer sign in to act on it), and one left out as enabled only since still
 * has the card and its reminder. Who may approve is asked of Graph at every click (G5), and the
 * nudges, whose reads say a quorum is lost, read afresh. No read when nobody is to be mentioned
 * (a rule with only groups costs no Graph call). A directory that cannot be read leaves everyone
 * still waited on mentioned by number ("approver 1"), as a nudge does, with a warning at most hourly: a mention is what tells
 * them, and the card is out already whatever happens here. A failed send is a warning too, never
 * the card's failure.
 */
import type { ConversationReference } from 'botbuilder';
import { type NudgeSignIns, waitedOnUsers } from '../domain/nudge-group';
import { awaitingReview } from '../domain/policy';
import type { AccessRequest } from '../domain/request';
import { warnUnreadApproversHourly } from '../flows/approver-groups-read';
import { newRequestMentionMessage } from '../views/new-request-mention-view';
import { conversationIdOf } from './conversation-targets';
import type { MessengerParts } from './messenger-parts';

/** The parts the mention uses: a narrow view of the messenger's, so a test gives only these. */
export type MentionParts = Pick<MessengerParts, 'log' | 'inConversation' | 'ruleOf' | 'approverAccounts'>;

/**
 * Where the mention of a card posted at `reference` as activity `activityId` goes: in a channel,
 * a reply in the card's thread (Teams names a thread by its channel's id and `;messageid=` its
 * first post's), so the notification opens on the card; in a chat, the next message.
 */
export function mentionPlaceOf(
  reference: Partial<ConversationReference>,
  activityId: string,
): Partial<ConversationReference> {
  if (reference.conversation?.conversationType !== 'channel') return reference;
  return {
    ...reference,
    conversation: { ...reference.conversation, id: `${conversationIdOf(reference)};messageid=${activityId}` },
  };
}

/**
 * Sends, at `at`, the mention of `request`'s named approvers still waited on, when its card asks
 * something of them (pending; a break-glass grant owing its review) and somebody is left to
 * mention. How many it mentioned (0: nothing sent, or the send failed: logged). Never throws.
 */
export async function mentionNewRequestApprovers(
  parts: MentionParts,
  request: AccessRequest,
  at: Partial<ConversationReference>,
): Promise<number> {
  if (request.state !== 'pending' && !awaitingReview(request)) return 0;
  const rule = parts.ruleOf(request);
  if (!rule) return 0;
  const ids = waitedOnUsers(request, rule);
  // Nobody named (groups only), or all of them done: no directory read, no message.
  if (ids.length === 0) return 0;
  const message = newRequestMentionMessage(request, rule, await signInsOf(parts, request, ids));
  if (!message) return 0;
  try {
    await parts.inConversation(at, async (ctx) => {
      // The continuation activity's made-up id must not become replyToId: the conversation id
      // (a thread's, in a channel) says where it goes.
      ctx.onSendActivities(async (_ctx, activities, next) => {
        for (const a of activities) delete a.replyToId;
        return next();
      });
      await ctx.sendActivity({ type: 'message', text: message.text, entities: message.entities });
    });
    return message.entities.length;
  } catch (err) {
    parts.log.warn(
      { err, requestId: request.id, mentions: message.entities.length },
      "the message mentioning a new request's named approvers could not be posted; its card is out; only its reminder (a rule's remindAfter), if it has one, mentions them",
    );
    return 0;
  }
}

/**
 * The directory's word on `ids` (the named approvers still waited on): who cannot sign in and the
 * others' display names, in one read, the request's own when it is kept (see the top of this
 * file). Undefined without the directory (then everyone, by number) or when the read failed (the
 * same, with a warning at most hourly).
 */
async function signInsOf(
  parts: MentionParts,
  request: AccessRequest,
  ids: readonly string[],
): Promise<NudgeSignIns | undefined> {
  const accounts = parts.approverAccounts();
  if (!accounts) return undefined;
  try {
    const enabled = await accounts.enabledNamesAmong(ids, { reused: true });
    const names = new Map<string, string>();
    for (const [id, name] of enabled) if (name !== undefined) names.set(id, name);
    return {
      cannotSignIn: new Set(ids.map((id) => id.toLowerCase()).filter((id) => !enabled.has(id))),
      names,
    };
  } catch (err) {
    warnUnreadApproversHourly(
      parts.log,
      { err, requestId: request.id, approvers: ids.length },
      "a new request's approvers could not be read in the directory; the message beside its card mentions every named approver still waited on, by number",
    );
    return undefined;
  }
}
