/**
 * The requester's messages outside a turn, in the conversation where they asked (the conversation
 * reference stored with their card): the news of each decision and the outcome card as their
 * request changes, and the news the lifecycle jobs send (reminders, ends).
 */
import type { ConversationReference } from 'botbuilder';
import { UserFacingError } from '../domain/errors';
import { extensionTermToOffer } from '../domain/extension-terms';
import { isOtherTenant } from '../domain/own-tenant';
import type { CardCopy } from '../domain/ports';
import type { AccessRequest } from '../domain/request';
import type { RequesterNews } from '../flows/lifecycle-messenger';
import type { RequestChange } from '../flows/notifier';
import { REQUESTER_NOT_TOLD_CODE } from '../flows/requester-not-told';
import { credentialReminderCard, expiryReminderCard, requesterNewsCard } from '../views/lifecycle-view';
import { groupedReminderCard } from '../views/grouped-reminder-view';
import { outcomeCard } from '../views/request-view';
import { conversationKey } from './card-copy-places';
import { EXECUTING_HOLD_MS } from './card-copy-updates';
import type { MessengerParts } from './messenger-parts';

/**
 * Tells the requester proactively, in the conversation where they asked (the request's thread
 * in a channel, or their chat with acrbot): the conversation reference stored with their card.
 * `'noConversation'` when they have no card copy (nothing to post in). Never throws, unless
 * `reportFailure` (a reminder, whose job retries): then a post that did not go out throws, but
 * one Teams refused for good (403: acrbot not in it; 404: gone) resolves `'refused'`.
 */
export async function tellRequester(
  parts: Pick<MessengerParts, 'store' | 'log' | 'send' | 'ownCards' | 'lifecycle' | 'extensionTermRange'>,
  request: AccessRequest,
  news: RequesterNews,
  options: { reportFailure?: boolean } = {},
): Promise<'noConversation' | 'refused' | undefined> {
  try {
    const requesterCopy = (await parts.store.listCardCopies(request.id)).find((c) => c.role === 'requester');
    if (!requesterCopy) return 'noConversation';
    const card =
      news.kind === 'expiring'
        ? expiryReminderCard(
            request,
            news.inMs,
            extensionTermOffered(parts, request, Date.parse(request.access!.expiresAt!) - news.inMs),
            news.paused,
            news.extensionWaiting,
            news.notServed,
            news.unserved,
            news.otherTenant,
          )
        : news.kind === 'credentialExpiring'
          ? credentialReminderCard(
              request,
              news.inMs,
              news.at,
              extensionTermOffered(parts, request, Date.parse(news.at) - news.inMs),
              news.paused,
              news.extensionWaiting,
              news.notServed,
              news.unserved,
              news.otherTenant,
            )
          : news.kind === 'expiringGrouped'
            ? groupedReminderCard(
                news.items.map((item) => ({
                  ...item,
                  offeredMs: extensionTermOffered(parts, item.request, Date.parse(item.at) - item.inMs),
                })),
                news.more,
                news.paused,
                news.notServed,
                news.otherTenant,
              )
            : // Another tenant's requester is given no command to ask again (own-tenant.ts).
              requesterNewsCard(
                request,
                news.kind === 'ended' && isOtherTenant(request.tenantId, parts.lifecycle?.ownTenantId)
                  ? { ...news, requesterOfOtherTenant: true }
                  : news,
              );
    const to = requesterCopy.conversation as Partial<ConversationReference>;
    // Only the post's failure is worded for the approvers' report of a failing reminder; a
    // failed read of the copies goes as it is (the report gives its log reference).
    let refused = false;
    const id = await parts.send(to, card).catch((err: unknown) => {
      if (!options.reportFailure) throw err;
      // Teams refused the conversation itself (acrbot removed from the chat, the team
      // deleted: 403 or 404): no retry can reach it, so the job must not retry and report for
      // days. Any other answer (a 401 of rejected credentials, a 400 of a card acrbot built
      // wrong) is acrbot's problem: retried and reported.
      if (!conversationGone(err)) throw notPostedToRequester(err);
      parts.log.warn({ err, requestId: request.id, news: news.kind }, 'Teams refused a post to the requester');
      refused = true;
      return undefined;
    });
    if (refused) return 'refused';
    // A reminder's Extend turns its message into the extension's card, if acrbot remembers
    // posting it (never throws: the post went out, and a retry would post it again).
    // A grouped one too: an Extend on any of its rows turns the whole card into that extension's.
    if (news.kind === 'expiring' || news.kind === 'credentialExpiring' || news.kind === 'expiringGrouped')
      await parts
        .ownCards()
        ?.remember(
          'reminder',
          String(to.conversation?.id ?? ''),
          id,
          news.kind === 'expiringGrouped' ? Math.max(...news.items.map((item) => item.inMs)) : news.inMs,
        );
    return undefined;
  } catch (err) {
    // The caller's job logs it once, as it fails, and its report to the approvers quotes it.
    if (options.reportFailure) throw err;
    parts.log.error({ err, requestId: request.id, news: news.kind }, 'could not tell the requester');
    return undefined;
  }
}

/**
 * The term a reminder's Extend is pre-filled with ({@link extensionTermToOffer}): the smallest of
 * the deployment's default (cut to what the request's rule allows: its maxDuration, its
 * auto-approval cap), then the tab's choices, that is allowed and ends well after the access's
 * current end. `now`: when the reminder is sent (its end less the time left it tells). The
 * default alone (8h) a day before the end would be refused as ending before it; undefined when
 * no term allowed would do, and the reminder offers no Extend.
 */
function extensionTermOffered(
  parts: Pick<MessengerParts, 'lifecycle' | 'extensionTermRange'>,
  request: AccessRequest,
  now: number,
): number | undefined {
  const defaultMs = parts.lifecycle?.defaultAccessMs ?? 30 * 86_400_000;
  return extensionTermToOffer(defaultMs, parts.extensionTermRange(request), request.access?.expiresAt, now);
}

/**
 * Queues the requester's messages of a change (see {@link CardMessenger.requestChanged}): the
 * news of a decision, and on a final grant/secret state the outcome card, none for a mark within
 * the state (`markOnly`). Synchronous up to the queueing, after the card replacements the caller
 * queued before; returns the messages, each resolving once sent or failed (logged).
 * `noConversation`: there was news or an outcome to tell, and the request has no requester's copy
 * to tell it beside (its card could not be placed): nothing sent, a warning logged, and the caller
 * says so (the outcome's `request.outcome.told` entry is `unposted`).
 */
export function queueRequesterMessages(
  parts: Pick<MessengerParts, 'log' | 'send' | 'outbox' | 'ruleOf' | 'lifecycle'>,
  request: AccessRequest,
  change: RequestChange,
  copies: readonly CardCopy[],
): { work: Promise<unknown>[]; noConversation: boolean } {
  const work: Promise<unknown>[] = [];
  const requesterCopy = copies.find((c) => c.role === 'requester');
  const to = requesterCopy?.conversation as Partial<ConversationReference> | undefined;
  // The requester hears about every decision, not only the end (proactive; G17 notifications).
  const news = change.markOnly
    ? undefined
    : request.state === 'rejected'
      ? 'rejected'
      : request.state === 'expired'
        ? 'expiredUnapproved'
        : request.state === 'executing' && request.outcome === undefined && request.decision?.approved
          ? 'approved'
          : undefined;
  // A requester of another tenant than acrbot's own, whose requests are refused when made (an
  // earlier release's, or one made before the rule): offered no command that would be refused.
  const otherTenant = isOtherTenant(request.tenantId, parts.lifecycle?.ownTenantId);
  const outcome =
    !change.markOnly && (request.state === 'succeeded' || request.state === 'failed') && !request.access?.extendedBy
      ? outcomeCard(request, parts.ruleOf(request), otherTenant)
      : undefined;
  if (!to && (outcome || news)) {
    parts.log.warn(
      { requestId: request.id, news: outcome ? 'outcome' : news },
      'the requester has no conversation acrbot knows of: not told',
    );
    return { work, noConversation: true };
  }
  // New messages are never coalesced: each goes out, in order, after the card replacements
  // queued before it in that conversation. Only the "approved" news waits (see
  // EXECUTING_HOLD_MS), and the outcome withdraws it while it still waits.
  const newsTag = `approved-news:${request.id}`;
  // Each message's failure is handled where it is queued: awaited only after the audit card,
  // a rejection would otherwise be unhandled meanwhile (and end the process).
  const told = (what: string) => (err: unknown) =>
    parts.log.warn({ err, requestId: request.id }, `the requester's ${what} could not be sent`);
  if (to && outcome) {
    parts.outbox.dropHeld(conversationKey(to), newsTag);
    work.push(parts.outbox.send(conversationKey(to), () => parts.send(to, outcome)).catch(told('outcome card')));
  }
  if (to && news)
    work.push(
      parts.outbox
        .send(
          conversationKey(to),
          () =>
            parts.send(
              to,
              requesterNewsCard(request, {
                kind: news,
                ...(news === 'expiredUnapproved' && change.approvalCardRefused && { approvalCardRefused: true }),
                ...((news === 'expiredUnapproved' || news === 'rejected') &&
                  otherTenant && { requesterOfOtherTenant: true }),
              }),
            ),
          news === 'approved' ? { ms: EXECUTING_HOLD_MS, tag: newsTag } : undefined,
        )
        .catch(told(`${news} news`)),
    );
  return { work, noConversation: false };
}

/** Teams' answer that a conversation can no longer be posted to: 403 (bot not in it) or 404 (gone). */
function conversationGone(err: unknown): boolean {
  const status = (err as { statusCode?: unknown } | undefined)?.statusCode;
  return status === 403 || status === 404;
}

/**
 * A message to the requester that did not go out, for the report of its failing job: Teams'
 * status (a number, never the answer's text), else nothing more; the original is the cause.
 */
function notPostedToRequester(err: unknown): UserFacingError {
  const status = (err as { statusCode?: unknown } | undefined)?.statusCode;
  const answered = typeof status === 'number' ? ` (Teams answered ${status})` : '';
  return new UserFacingError(REQUESTER_NOT_TOLD_CODE, `The message to the requester could not be posted${answered}.`, {
    cause: err,
  });
}
