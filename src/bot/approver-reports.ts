/**
 * Problems reported to approvers outside a turn (a failing reminder, a recurring job that keeps
 * failing): a new post where the request's approvers are asked, or ACRBOT_APPROVAL_CHANNEL for a
 * problem that concerns no request.
 */
import type { ConversationReference } from 'botbuilder';
import type { ApproverReportStyle } from '../domain/approver-report';
import type { AccessRequest } from '../domain/request';
import { approverReportCard } from '../views/lifecycle-view';
import { approversPostAt } from './card-copy-places';
import { inChannel } from './conversation-targets';
import type { MessengerParts } from './messenger-parts';

/** What a report uses of the messenger. */
type ReportParts = Pick<MessengerParts, 'store' | 'log' | 'lifecycle' | 'send' | 'approversCopyOf' | 'ruleOf'>;

/**
 * Posts a problem as a new post where the request's approvers are asked, as its nudges and
 * break-glass alerts are: the channel of the rule that decides it now ({@link ruleOf}), else
 * ACRBOT_APPROVAL_CHANNEL, else the conversation of its approvers' copy (else of its
 * requester's). One that concerns no request: {@link approvalChannelReference}. Never throws:
 * `true` once the post went out, `false` when it did not (no conversation to post in, or the post
 * failed; either logged here), for a caller that must try again later (unreachable-requester.ts).
 */
export async function reportToApprovers(
  parts: ReportParts,
  request: AccessRequest | undefined,
  text: string,
  style?: ApproverReportStyle,
): Promise<boolean> {
  try {
    const reference = request ? await reportReference(parts, request) : await approvalChannelReference(parts);
    if (!reference) {
      // Ids, not the report: its text may name people (a reminder's requester) and quote an
      // error as it came; the failing job's own log line has its id and kind.
      const title = style?.title ?? (request ? `Needs attention: ${request.id}` : 'Needs attention');
      parts.log.error({ requestId: request?.id, title }, 'no conversation to report a problem to approvers');
      return false;
    }
    await parts.send(reference, approverReportCard(request, text, parts.lifecycle?.sandbox ?? false, style));
    return true;
  } catch (err) {
    parts.log.error({ err, requestId: request?.id }, 'could not report to approvers');
    return false;
  }
}

/** Where {@link reportToApprovers} posts a problem of `request`; undefined when it has no card to go by. */
async function reportReference(
  parts: ReportParts,
  request: AccessRequest,
): Promise<Partial<ConversationReference> | undefined> {
  const copies = await parts.store.listCardCopies(request.id);
  const approversCopy = parts.approversCopyOf(request, copies);
  // Any card of the request gives the Teams service URL, bot and tenant a proactive post needs.
  const origin = (approversCopy ?? copies.find((c) => c.role === 'requester'))?.conversation as
    Partial<ConversationReference> | undefined;
  if (!origin) return undefined;
  // The rule's channel first: a general ACRBOT_APPROVAL_CHANNEL is not where this rule's
  // approvers are asked (nor where its nudges and break-glass alerts go).
  const channelId = parts.ruleOf(request)?.channel ?? parts.lifecycle?.approvalChannelId;
  if (channelId) return inChannel(origin, channelId, 'approvals');
  return approversCopy ? approversPostAt(approversCopy) : origin;
}

/**
 * Where to post a problem that concerns no request (a recurring job that keeps failing):
 * ACRBOT_APPROVAL_CHANNEL, reached with the Teams service URL, bot and tenant of an earlier
 * card (a proactive post needs them; any card of the tenant will do, pending requests' first as
 * the most recent, and within a state the newest: a year-old card may carry a service URL Teams
 * no longer answers at). Without that setting, nowhere: acrbot does not guess a channel and never
 * posts into a requester's conversation. One state at a time, a few requests each: every read
 * is an index range, however many requests the store holds.
 */
async function approvalChannelReference(
  parts: Pick<ReportParts, 'store' | 'lifecycle'>,
): Promise<Partial<ConversationReference> | undefined> {
  const channelId = parts.lifecycle?.approvalChannelId;
  if (!channelId) return undefined;
  for (const state of ['pending', 'succeeded', 'revoked', 'expired', 'rejected'] as const) {
    for (const request of await parts.store.listByState([state], 3, 'newestFirst')) {
      const base = (await parts.store.listCardCopies(request.id))[0]?.conversation as
        Partial<ConversationReference> | undefined;
      if (base) return inChannel(base, channelId, 'approvals');
    }
  }
  return undefined;
}
