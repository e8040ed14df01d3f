/**
 * Posts and updates cards outside the current turn (proactive messages): the approval card
 * in the approvals channel, updates of every copy of a request's card, the outcome card.
 * Implements the flows' {@link RequestNotifier}.
 *
 * The work itself is in one file per concept, each given the messenger's parts
 * (messenger-parts.ts): proactive-conversations.ts (posting and updating outside a turn),
 * card-viewers.ts (who gets their own view), card-copy-places.ts (where a request's cards are),
 * card-copy-posts.ts and card-copy-updates.ts (a card's copies, posted and updated),
 * requester-messages.ts, approver-reports.ts, approver-nudge-posts.ts, approver-mention-posts.ts,
 * break-glass-posts.ts, audit-card-sync.ts and extension-announcement.ts (the messages of each
 * event).
 */
import type { ApproverReportStyle } from '../domain/approver-report';
import type { CloudAdapter, ConversationReference, TurnContext } from 'botbuilder';
import type { ApproveRefusal } from '../domain/approve-refused';
import type { CardCopy, Clock, RequestStore } from '../domain/ports';
import type { NudgeSignIns } from '../domain/nudge-group';
import type { PolicyRule } from '../domain/policy';
import type { AccessRequest } from '../domain/request';
import type { ExtensionAnnouncer } from '../flows/access-actions';
import type { ApproverAuthority } from '../flows/approver-authority';
import type { NudgeNotifier } from '../flows/approval-nudges';
import type { LifecycleMessenger, RequesterNews } from '../flows/lifecycle-messenger';
import type { RequestChange } from '../flows/notifier';
import type { Logger } from '../observability/logger';
import type { AdaptiveCardJson } from '../views/card-templates';
import { withViewers } from '../views/request-view';
import { reportToApprovers } from './approver-reports';
import { nudgeApprovers, nudgeApproversGrouped } from './approver-nudge-posts';
import { syncAuditCard } from './audit-card-sync';
import { postBreakGlass } from './break-glass-posts';
import { approversCopyOf } from './card-copy-places';
import { hasRequestCopyIn, postApproval, replyAndTrack, shareRequesterCopy, track } from './card-copy-posts';
import { queueCopyUpdates } from './card-copy-updates';
import { CardOutbox } from './card-outbox';
import { CardViewers, postedCardFor } from './card-viewers';
import { announceExtension } from './extension-announcement';
import type { MessengerAuditSettings, MessengerLifecycleSettings, MessengerParts } from './messenger-parts';
import type { OwnCards } from './own-cards';
import { ProactiveConversations } from './proactive-conversations';
import { queueRequesterMessages, tellRequester } from './requester-messages';

export { ABSENT_MEMBER_TTL_MS } from './card-viewers';
export { EXECUTING_HOLD_MS } from './card-copy-updates';

/** Real time, unless the composition root passes its clock. */
const SYSTEM_CLOCK: Clock = { now: () => new Date() };

/** Sends and updates cards through the adapter. */
export class CardMessenger implements NudgeNotifier, LifecycleMessenger, ExtensionAnnouncer {
  /** Posts and updates outside any turn. */
  private readonly conversations: ProactiveConversations;
  /** This instance's memory of who gets their own view of a card. */
  private readonly viewers: CardViewers;
  /** What the files this class delegates to use of it, bound late (messenger-parts.ts). */
  private readonly parts: MessengerParts;

  constructor(
    adapter: CloudAdapter,
    botAppId: string,
    store: RequestStore,
    private readonly log: Logger,
    /**
     * ACRBOT_AUDIT_CHANNEL and the audit log its card shows; `leases`: the store's leases, so the
     * card's writes take turns across instances (audit-card-lease.ts; without them, this
     * instance's outbox is the only order).
     */
    private readonly audit?: MessengerAuditSettings,
    /** Where problems are reported, and the default extension length on reminders. */
    private readonly lifecycle?: MessengerLifecycleSettings,
    /** Card replacements and messages of {@link requestChanged}, batched per conversation. */
    readonly outbox: CardOutbox = new CardOutbox(),
    /** Times how long a "not a member" answer is believed ({@link ABSENT_MEMBER_TTL_MS}). */
    clock: Clock = SYSTEM_CLOCK,
  ) {
    const conversations = new ProactiveConversations(adapter, botAppId);
    this.conversations = conversations;
    // The wired hooks (approverIdsOf, ruleOf, …) are read at each call: the composition root
    // sets them after construction.
    this.viewers = new CardViewers(
      (request) => this.approverIdsOf(request),
      (reference, work) => conversations.inConversation(reference, work),
      clock,
      log,
    );
    this.parts = {
      store,
      log,
      outbox: this.outbox,
      audit,
      lifecycle,
      send: (reference, card) => this.send(reference, card),
      inConversation: (reference, work) => conversations.inConversation(reference, work),
      viewersOf: (request, reference) => this.viewersOf(request, reference),
      postedRequestCard: (request, reference, role) => this.postedRequestCard(request, reference, role),
      withRequestViewers: (request, reference, card) => this.withRequestViewers(request, reference, card),
      approversCopyOf: (request, copies) => approversCopyOf(request, copies, lifecycle?.approvalChannelId),
      ruleOf: (request) => this.ruleOf(request),
      approveRefusedForTerm: (request) => this.approveRefusedForTerm(request),
      extensionTermRange: (request) => this.extensionTermRange(request),
      ownCards: () => this.ownCards,
      approverAccounts: () => this.approverAccounts,
      syncAuditCard: (request, copies) => this.syncAuditCard(request, copies),
      trackAt: (reference, requestId, activityId, role) => this.trackAt(reference, requestId, activityId, role),
      postApproval: (reference, request) => this.postApproval(reference, request),
      shareRequesterCopy: (request, target) => this.shareRequesterCopy(request, target),
    };
  }

  /**
   * Tells the requester proactively, in the conversation where they asked (requester-messages.ts).
   * `'noConversation'` when they have no card copy (nothing to post in). Never throws, unless
   * `reportFailure` (a reminder, whose job retries): then a post that did not go out throws, but
   * one Teams refused for good (403: acrbot not in it; 404: gone) resolves `'refused'`.
   */
  tellRequester(
    request: AccessRequest,
    news: RequesterNews,
    options: { reportFailure?: boolean } = {},
  ): Promise<'noConversation' | 'refused' | undefined> {
    return tellRequester(this.parts, request, news, options);
  }

  /**
   * An extension asked for outside a turn (the tab): its requester's and approvers' copies where
   * the original's cards are, then its audit card (extension-announcement.ts). Returns where the
   * approval card went. Never throws (failures are logged).
   */
  announceExtension(
    extension: AccessRequest,
    original: AccessRequest,
    channelId: string | undefined,
  ): Promise<{ approvalPostedTo?: string }> {
    return announceExtension(this.parts, extension, original, channelId);
  }

  /**
   * Posts a problem as a new post where the request's approvers are asked, or for one that
   * concerns no request in ACRBOT_APPROVAL_CHANNEL (approver-reports.ts). Never throws; `false`
   * when the post did not go out (logged), `true` when it did.
   */
  reportToApprovers(request: AccessRequest | undefined, text: string, style?: ApproverReportStyle): Promise<boolean> {
    return reportToApprovers(this.parts, request, text, style);
  }

  /**
   * The compact audit card of a request in ACRBOT_AUDIT_CHANNEL: posted once, then updated in
   * place as the request moves (audit-card-sync.ts). Never throws.
   */
  syncAuditCard(request: AccessRequest, copies?: CardCopy[]): Promise<void> {
    return syncAuditCard(this.parts, request, copies);
  }

  /**
   * A reminder (or escalation) in the rule's channel, mentioning the rule's named approvers
   * (approver-nudge-posts.ts). False, with a warning logged, when it found no conversation to
   * post in, `'refused'` when Teams refused it everywhere for good (the caller audits both as not posted).
   * `approveRefused`: why an Approve of it would be refused now, which the nudge says.
   */
  nudgeApprovers(
    request: AccessRequest,
    rule: PolicyRule,
    kind: 'remind' | 'escalate',
    approveRefused?: ApproveRefusal,
    signIns?: NudgeSignIns,
  ): Promise<false | 'refused' | undefined> {
    return nudgeApprovers(this.parts, request, rule, kind, approveRefused, signIns);
  }

  /**
   * One reminder (or escalation) for several pending requests due at once in `requests[0]`'s
   * rule channel, listing each (approver-nudge-posts.ts, nudgeApproversGrouped). Answers as
   * {@link nudgeApprovers}; `approveRefused` by request id.
   */
  nudgeApproversGrouped(
    requests: readonly AccessRequest[],
    rule: PolicyRule,
    kind: 'remind' | 'escalate',
    now: Date,
    approveRefused?: ReadonlyMap<string, ApproveRefusal>,
    signIns?: NudgeSignIns,
  ): Promise<false | 'refused' | undefined> {
    return nudgeApproversGrouped(this.parts, requests, rule, kind, now, approveRefused, signIns);
  }

  /**
   * The loud break-glass card: in the break-glass channel and the audit channel, else where its
   * approvers are asked ({@link postBreakGlass}). False when it had nowhere to go (logged).
   */
  async breakGlassUsed(request: AccessRequest, channelId: string | undefined): Promise<boolean> {
    // Never 'refused': only a report of an owed review resolves so (an alert refused everywhere throws).
    return (await postBreakGlass(this.parts, request, channelId, 'used')) === true;
  }

  /**
   * The daily report of an unreviewed break-glass grant (same places as the alert); false when
   * posted nowhere, `'refused'` when Teams refused it in every channel for good (403/404).
   */
  async breakGlassUnreviewed(request: AccessRequest): Promise<boolean | 'refused'> {
    return postBreakGlass(this.parts, request, this.breakGlassChannel(), 'unreviewed');
  }

  /**
   * The terms an extension of a request may run with (RequestService.extensionTermRange, by the
   * rule that fits its stored tags; wired by the composition root). Undefined when nothing
   * bounds it: the reminders then offer the deployment's default term.
   */
  extensionTermRange: (request: AccessRequest) => { minMs: number; maxMs: number } | undefined = () => undefined;

  /**
   * Object ids of the people named as approvers of a request (the rule it is bound to; wired by
   * the composition root). Group members are not listed: they open their view with the card's
   * manual refresh, and every click is authorised on its own anyway (G5).
   */
  approverIdsOf: (request: AccessRequest) => readonly string[] = () => [];

  /**
   * The Teams ids that get their own view of a request's card through `refresh.userIds`
   * (CONTRACTS §7a): the requester and the named approvers (card-viewers.ts).
   */
  viewersOf(
    request: AccessRequest,
    reference: Partial<ConversationReference>,
  ): Promise<{ all: string[]; approvers: string[] }> {
    return this.viewers.viewersOf(request, reference);
  }

  /**
   * A request card as posted: read-only for everyone, with per-user views for its viewers. The
   * one exception: an approvers' copy none of whose approvers Teams could name (approvers only
   * through a group, or a client without the members API) keeps Approve/Reject for all who see
   * it, or nobody could approve from the card; every click is still authorised on its own (G5).
   */
  async postedRequestCard(
    request: AccessRequest,
    reference: Partial<ConversationReference>,
    role: CardCopy['role'],
  ): Promise<AdaptiveCardJson> {
    const viewers = await this.viewersOf(request, reference);
    return postedCardFor(request, role, viewers, this.approveRefusedForTerm(request), this.ruleOf(request));
  }

  /** Adds the per-user views to a request card built elsewhere (a reply in the current turn). */
  async withRequestViewers(
    request: AccessRequest,
    reference: Partial<ConversationReference>,
    card: AdaptiveCardJson,
  ): Promise<AdaptiveCardJson> {
    return withViewers(card, (await this.viewersOf(request, reference)).all);
  }

  /**
   * acrbot's record of the reminders it posted (wired by AcrBot, which holds the store's
   * sightings): only a remembered reminder's message may become an extension's card.
   */
  ownCards?: OwnCards;

  /**
   * The named approvers' accounts as the directory has them (ApproverAuthority; wired by the
   * composition root): read before a new request's approvers are mentioned beside its card
   * (approver-mention-posts.ts). Unwired: everyone still waited on is mentioned, by number.
   */
  approverAccounts?: Pick<ApproverAuthority, 'enabledNamesAmong'>;

  /** Where break-glass alerts go: the current policy's `breakGlass.channel` (wired by the composition root). */
  breakGlassChannel: () => string | undefined = () => undefined;

  /**
   * The rule whose approvers act on a request now (RequestService.ruleOf; wired by the
   * composition root). A decided request whose rule was removed passes to the current rule that
   * fits it (decidedRule): a break-glass card falling back to "its rule's channel" must go to
   * that rule's, where its new reviewers are, not to the removed rule's stored with the request.
   * Unwired: the stored rule.
   */
  ruleOf: (request: AccessRequest) => PolicyRule | undefined = (request) => request.policy?.rule;

  /**
   * Why an Approve of a pending request would be refused now for its term
   * (RequestService.approveRefusedForTerm; wired by the composition root), said on an approvers'
   * copy drawn with its buttons. Unwired: never.
   */
  approveRefusedForTerm: (request: AccessRequest) => ApproveRefusal | undefined = () => undefined;

  /** A refused click, reported in the audit channel on the request's audit card. */
  async refusalNoted(request: AccessRequest): Promise<void> {
    await this.syncAuditCard(request);
  }

  /** Sends a card into a conversation; returns the new activity id. */
  send(reference: Partial<ConversationReference>, card: AdaptiveCardJson): Promise<string | undefined> {
    return this.conversations.send(reference, card);
  }

  /** Replaces a card posted earlier (e.g. the form a submit answered at once, once planning is done). */
  updateCard(reference: Partial<ConversationReference>, activityId: string, card: AdaptiveCardJson): Promise<void> {
    return this.conversations.updateCard(reference, activityId, card);
  }

  /** Records an activity of a conversation (by reference) as a copy of the request's card. */
  async trackAt(
    reference: Partial<ConversationReference>,
    requestId: string,
    activityId: string,
    role: CardCopy['role'],
  ): Promise<void> {
    await this.parts.store.addCardCopy({ requestId, activityId, role, conversation: reference });
  }

  /** Sends a card in the current turn and records it as a copy of the request's card. */
  replyAndTrack(
    ctx: TurnContext,
    request: AccessRequest,
    card: AdaptiveCardJson,
    role: CardCopy['role'],
  ): Promise<void> {
    return replyAndTrack(this.parts, ctx, request, card, role);
  }

  /**
   * Whether a copy of the request's card (its requester's or an approvers', not the audit
   * channel's card) is tracked in `reference`'s channel or chat, a thread counted as its channel.
   */
  hasRequestCopyIn(requestId: string, reference: Partial<ConversationReference>): Promise<boolean> {
    return hasRequestCopyIn(this.parts.store, requestId, reference);
  }

  /** Records an activity of the current conversation as a copy of the request's card. */
  track(ctx: TurnContext, requestId: string, activityId: string, role: CardCopy['role']): Promise<void> {
    return track(this.parts.store, ctx, requestId, activityId, role);
  }

  /** Posts the approvers' copy to a channel or chat and records it (card-copy-posts.ts). */
  postApproval(reference: Partial<ConversationReference>, request: AccessRequest): Promise<string | undefined> {
    return postApproval(this.parts, reference, request);
  }

  /**
   * A request made where its approvers are asked: its requester's copy there is the approvers'
   * copy too, redrawn as theirs when that differs (card-copy-posts.ts). False when no requester's
   * copy is in `target`'s conversation: the caller posts the approvers' copy instead.
   */
  shareRequesterCopy(request: AccessRequest, target: Partial<ConversationReference>): Promise<boolean> {
    return shareRequesterCopy(this.parts, request, target);
  }

  /**
   * Updates every copy; on a final grant/secret state, sends the outcome card to the requester,
   * and tells them of decisions, unless the change is a mark within the state (`markOnly`).
   * `'noConversation'` when there was news or an outcome and no conversation of the requester's
   * to send it in (logged). Never throws.
   */
  async requestChanged(request: AccessRequest, change: RequestChange = {}): Promise<'noConversation' | undefined> {
    try {
      const copies = await this.parts.store.listCardCopies(request.id);
      // Everything is queued before the first await, so a later state's call queues after this
      // one: the card replacements (card-copy-updates.ts), then the requester's messages after
      // them in that conversation (requester-messages.ts).
      const work = queueCopyUpdates(this.parts, request, copies);
      const requester = queueRequesterMessages(this.parts, request, change, copies);
      work.push(...requester.work);
      await this.syncAuditCard(request, copies);
      await Promise.all(work);
      return requester.noConversation ? 'noConversation' : undefined;
    } catch (err) {
      this.log.warn({ err, requestId: request.id }, 'could not update request cards');
      return undefined;
    }
  }
}
