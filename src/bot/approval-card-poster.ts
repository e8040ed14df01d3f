/**
 * The approvers' card of a request posted outside any turn, for the `approval.announce` job
 * (flows/approval-announce.ts): to where the announcement in the turn would have posted it
 * (request-handler.ts, postApprovalCard), reached with the Teams service URL, bot and tenant
 * that one of the request's card copies carries (a proactive post needs them).
 */
import type { ConversationReference } from 'botbuilder';
import type { CardCopy, RequestStore } from '../domain/ports';
import type { AccessRequest } from '../domain/request';
import type { ApprovalCardPort, ApprovalCardPost } from '../flows/approval-announce';
import type { Logger } from '../observability/logger';
import { messageCard } from '../views/message-view';
import type { CardMessenger } from './card-messenger';
import { conversationIdOf, inChannel, sameConversation } from './conversation-targets';
import { PostedNotRecorded } from './posted-not-recorded';
import { TeamsPostRefused } from './teams-refusal';

/** How many recent requests of each state are looked through for a reference when the request has no card at all. */
const OTHER_REQUESTS_READ = 3;

/** What the poster asks of the card messenger. */
export type ApprovalCardMessenger = Pick<
  CardMessenger,
  'postApproval' | 'shareRequesterCopy' | 'breakGlassUsed' | 'syncAuditCard' | 'send'
>;

/** Posts a request's approvers' card where its approvers are asked, without a turn. */
export class ApprovalCardPoster implements ApprovalCardPort {
  constructor(
    private readonly messenger: ApprovalCardMessenger,
    private readonly store: RequestStore,
    /** ACRBOT_APPROVAL_CHANNEL, where a request whose rule names no channel is asked. */
    private readonly approvalChannelId: string | undefined,
    private readonly log: Logger,
  ) {}

  async hasApproversCopy(request: AccessRequest): Promise<boolean> {
    return (await this.store.listCardCopies(request.id)).some((c) => c.role === 'approver');
  }

  /**
   * `refused` when Teams refused the post for good (TeamsPostRefused: 403, acrbot is not in the
   * conversation; 404, it is gone), with its status and code: no retry at the backoff gets
   * through, and the job audits it and tries again slowly instead of failing. Any other error
   * (the store's, even with the same status) rejects, and the job retries at its backoff; but a
   * post Teams took whose copy the store failed to record (PostedNotRecorded) is out: returned
   * with `notRecorded`, so the job records it and posts no second card.
   */
  async postApprovalCard(request: AccessRequest): Promise<ApprovalCardPost | undefined> {
    const copies = await this.store.listCardCopies(request.id);
    const target = await this.targetOf(request, copies);
    if (!target) return undefined;
    const conversationId = conversationIdOf(target);
    // A requester's copy already where the approvers are asked is theirs too, as in the turn.
    const inTarget = copies.some(
      (c) => c.role === 'requester' && sameConversation(c.conversation as Partial<ConversationReference>, target),
    );
    try {
      const shared = inTarget && (await this.messenger.shareRequesterCopy(request, target));
      if (!shared) await this.messenger.postApproval(target, request);
      return { conversationId, shared };
    } catch (err) {
      // Out, though not recorded: the job must not post it again nor say it could not be posted.
      if (err instanceof PostedNotRecorded) return { conversationId, shared: false, notRecorded: { err: err.cause } };
      // Only the send's own refusal: the card copy written after it fails with the same status.
      if (!(err instanceof TeamsPostRefused)) throw err;
      return { conversationId, refused: err.refusal };
    }
  }

  async tellRequester(request: AccessRequest, text: string): Promise<boolean> {
    try {
      const copy = (await this.store.listCardCopies(request.id)).find((c) => c.role === 'requester');
      if (!copy) {
        this.log.warn(
          { requestId: request.id, news: 'approvalCardNotPosted' },
          'the requester has no conversation acrbot knows of: not told',
        );
        return false;
      }
      const card = messageCard({ title: 'Note', text, sandbox: request.sandbox });
      await this.messenger.send(copy.conversation as Partial<ConversationReference>, card);
      return true;
    } catch (err) {
      this.log.warn({ err, requestId: request.id }, 'could not tell the requester');
      return false;
    }
  }

  breakGlassUsed(request: AccessRequest, channelId: string | undefined): Promise<boolean> {
    return this.messenger.breakGlassUsed(request, channelId);
  }

  syncAuditCard(request: AccessRequest): Promise<void> {
    return this.messenger.syncAuditCard(request);
  }

  /**
   * The rule's channel, else ACRBOT_APPROVAL_CHANNEL, else the request's own channel or group
   * chat (a new post there, not in its thread), as conversation-targets.ts' approvalTarget says
   * for a turn. Undefined for a request made in a personal chat with no channel (nowhere to ask).
   * Throws when there is somewhere to ask but no card gives a way to reach Teams (a deployment's
   * first request, stopped before any card went out): the job is retried, and a card posted
   * meanwhile (another request's) gives it the way.
   */
  private async targetOf(
    request: AccessRequest,
    copies: readonly CardCopy[],
  ): Promise<Partial<ConversationReference> | undefined> {
    const channelId = request.policy?.rule?.channel ?? this.approvalChannelId;
    const type = request.origin.conversationType;
    if (!channelId && type !== 'channel' && type !== 'groupChat') return undefined;
    const found = await this.baseOf(request, copies);
    if (!found)
      throw new Error(
        "no card of this request or of another gives the service URL, bot and tenant to reach Teams by: its approvers' card cannot be posted yet",
      );
    // Who and what the copy answered are not the approvers' card's (as approvalTarget builds it).
    const { channelId: channel, serviceUrl, bot, locale, conversation } = found;
    const base = { channelId: channel, serviceUrl, bot, locale, conversation };
    if (channelId) return inChannel(base, channelId, 'approvals');
    return {
      ...base,
      conversation: {
        id: conversationIdOf({ conversation: { id: request.origin.conversationId } } as Partial<ConversationReference>),
        isGroup: true,
        conversationType: type,
        tenantId: base.conversation?.tenantId ?? request.tenantId,
        name: '',
      },
    };
  }

  /**
   * A reference carrying the service URL, bot and tenant a proactive post needs: one of the
   * request's cards (its requester's first), else of the request it extends, else of a recent
   * request of the same tenant (the process may have stopped before the request had any card).
   */
  private async baseOf(
    request: AccessRequest,
    copies: readonly CardCopy[],
  ): Promise<Partial<ConversationReference> | undefined> {
    const first = (list: readonly CardCopy[]) =>
      (list.find((c) => c.role === 'requester') ?? list[0])?.conversation as Partial<ConversationReference> | undefined;
    const own = first(copies);
    if (own) return own;
    if (request.extendsRequestId) {
      const original = first(await this.store.listCardCopies(request.extendsRequestId));
      if (original) return original;
    }
    for (const state of ['pending', 'succeeded'] as const)
      for (const other of await this.store.listByState([state], OTHER_REQUESTS_READ, 'newestFirst')) {
        if (other.id === request.id || other.tenantId !== request.tenantId) continue;
        const found = first(await this.store.listCardCopies(other.id));
        if (found) return found;
      }
    return undefined;
  }
}
