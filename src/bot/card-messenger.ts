/**
 * Posts and updates cards outside the current turn (proactive messages): the approval card
 * in the approvals channel, updates of every copy of a request's card, the outcome card.
 * Implements the flows' {@link RequestNotifier}.
 */
import { collapseRefusals } from '../domain/audit-summary';
import { UserFacingError } from '../domain/errors';
import { type CloudAdapter, type ConversationReference, TeamsInfo, TurnContext } from 'botbuilder';
import type { AuditLog, CardCopy, Clock, RequestStore } from '../domain/ports';
import type { AccessRequest } from '../domain/request';
import type { NudgeNotifier } from '../flows/approval-nudges';
import type { PolicyRule } from '../domain/policy';
import type { Logger } from '../observability/logger';
import type { AdaptiveCardJson } from '../views/card-templates';
import { auditCard } from '../views/message-view';
import { escalationMessage, reminderMessage } from '../views/nudge-view';
import { breakGlassCard } from '../views/policy-view';
import { MAX_CARD_VIEWERS, outcomeCard, requestCard, withViewers } from '../views/request-view';
import { type AuditCardLeases, withAuditCardLease } from './audit-card-lease';
import { BatchedRead } from './batched-read';
import { CardOutbox } from './card-outbox';
import type { OwnCards } from './own-cards';
import {
  conversationIdOf,
  inApprovalConversation,
  inChannel,
  newPostAt,
  sameConversation,
} from './conversation-targets';
import { cardActivity, sendCard } from './turn-cards';
import type { ExtensionAnnouncer } from '../flows/access-actions';
import type { LifecycleMessenger, RequesterNews } from '../flows/lifecycle-messenger';
import type { RequestChange } from '../flows/notifier';
import {
  approverReportCard,
  credentialReminderCard,
  expiryReminderCard,
  requesterNewsCard,
} from '../views/lifecycle-view';

/** People remembered in the Teams-id caches before they are emptied (a tenant's active users fit). */
const MAX_REMEMBERED = 10_000;

/**
 * How long Teams' answer that someone is not a member of a conversation (404) is believed before
 * they are asked about again there. The answer goes stale when they join (an approver added to
 * the approvals channel): until it expires, the cards this instance draws there leave them out
 * of `refresh.userIds` (no Approve/Reject view), while an instance that asked after they joined
 * gives them one. An hour: such an approver is left out of the cards written there in at most the
 * first hour after joining. Shorter would cost more member lookups: each expiry asks again about
 * every absent person in each conversation, and a busy channel's cards are written many times an
 * hour (without this memory it would be one lookup per absent person per card write, against
 * Teams' 3,600 member reads an hour per thread, CONTRACTS §6).
 */
export const ABSENT_MEMBER_TTL_MS = 60 * 60_000;

/** Real time, unless the composition root passes its clock. */
const SYSTEM_CLOCK: Clock = { now: () => new Date() };

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

/** Sends and updates cards through the adapter. */
export class CardMessenger implements NudgeNotifier, LifecycleMessenger, ExtensionAnnouncer {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly botAppId: string,
    private readonly store: RequestStore,
    private readonly log: Logger,
    /**
     * ACRBOT_AUDIT_CHANNEL and the audit log its card shows; `leases`: the store's leases, so the
     * card's writes take turns across instances (audit-card-lease.ts; without them, this
     * instance's outbox is the only order).
     */
    private readonly audit?: { log: AuditLog; channelId: string; leases?: AuditCardLeases },
    /** Where problems are reported, and the default extension length on reminders. */
    private readonly lifecycle?: { approvalChannelId?: string; defaultAccessMs: number; sandbox?: boolean },
    /** Card replacements and messages of {@link requestChanged}, batched per conversation. */
    readonly outbox: CardOutbox = new CardOutbox(),
    /** Times how long a "not a member" answer is believed ({@link ABSENT_MEMBER_TTL_MS}). */
    private readonly clock: Clock = SYSTEM_CLOCK,
  ) {}

  /**
   * Tells the requester proactively, in the conversation where they asked (the request's thread
   * in a channel, or their chat with acrbot): the conversation reference stored with their card.
   * `'noConversation'` when they have no card copy (nothing to post in). Never throws, unless
   * `reportFailure` (a reminder, whose job retries): then a post that did not go out throws, but
   * one Teams refused for good (403: acrbot not in it; 404: gone) resolves `'refused'`.
   */
  async tellRequester(
    request: AccessRequest,
    news: RequesterNews,
    options: { reportFailure?: boolean } = {},
  ): Promise<'noConversation' | 'refused' | undefined> {
    try {
      const requesterCopy = (await this.store.listCardCopies(request.id)).find((c) => c.role === 'requester');
      if (!requesterCopy) return 'noConversation';
      const defaultAccessMs = this.extensionDefaultMs(request);
      const card =
        news.kind === 'expiring'
          ? expiryReminderCard(request, news.inMs, defaultAccessMs, news.paused)
          : news.kind === 'credentialExpiring'
            ? credentialReminderCard(request, news.inMs, news.at, defaultAccessMs, news.paused)
            : requesterNewsCard(request, news);
      const to = requesterCopy.conversation as Partial<ConversationReference>;
      // Only the post's failure is worded for the approvers' report of a failing reminder; a
      // failed read of the copies goes as it is (the report gives its log reference).
      let refused = false;
      const id = await this.send(to, card).catch((err: unknown) => {
        if (!options.reportFailure) throw err;
        // Teams refused the conversation itself (acrbot removed from the chat, the team
        // deleted: 403 or 404): no retry can reach it, so the job must not retry and report for
        // days. Any other answer (a 401 of rejected credentials, a 400 of a card acrbot built
        // wrong) is acrbot's problem: retried and reported.
        if (!conversationGone(err)) throw notPostedToRequester(err);
        this.log.warn({ err, requestId: request.id, news: news.kind }, 'Teams refused a post to the requester');
        refused = true;
        return undefined;
      });
      if (refused) return 'refused';
      // A reminder's Extend turns its message into the extension's card, if acrbot remembers
      // posting it (never throws: the post went out, and a retry would post it again).
      if (news.kind === 'expiring' || news.kind === 'credentialExpiring')
        await this.ownCards?.remember('reminder', String(to.conversation?.id ?? ''), id, news.inMs);
      return undefined;
    } catch (err) {
      // The caller's job logs it once, as it fails, and its report to the approvers quotes it.
      if (options.reportFailure) throw err;
      this.log.error({ err, requestId: request.id, news: news.kind }, 'could not tell the requester');
      return undefined;
    }
  }

  /**
   * An extension asked for outside a turn (the tab): the requester's copy in the conversation of
   * their original request's card, the approvers' copy in `channelId` (the rule's channel), else
   * ACRBOT_APPROVAL_CHANNEL, else as a new post where the original's approval card is; then the
   * audit card. Where the requester's copy went into that conversation itself, it is the
   * approvers' copy too ({@link shareRequesterCopy}): no second card there. Returns where the
   * approval card went. Never throws (failures are logged).
   */
  async announceExtension(
    extension: AccessRequest,
    original: AccessRequest,
    channelId: string | undefined,
  ): Promise<{ approvalPostedTo?: string }> {
    let copies: CardCopy[] = [];
    try {
      copies = await this.store.listCardCopies(original.id);
    } catch (err) {
      this.log.error({ err, requestId: extension.id }, 'extension: card copies of the original could not be read');
      return {};
    }
    const requesterCopy = copies.find((c) => c.role === 'requester');
    const approverCopy = this.approversCopyOf(original, copies);
    // Where the extension's requester copy went, once recorded.
    let placed: Partial<ConversationReference> | undefined;
    if (requesterCopy) {
      const to = requesterCopy.conversation as Partial<ConversationReference>;
      try {
        // With its viewers, as a reply in a turn is (replyAndTrack): where this copy is the
        // approvers' too, their own views (Approve/Reject) are on it, since shareRequesterCopy
        // redraws it only when none of them has one.
        const id = await this.send(to, await this.postedRequestCard(extension, to, 'requester'));
        if (id) {
          await this.trackAt(to, extension.id, id, 'requester');
          placed = to;
        }
      } catch (err) {
        this.log.warn({ err, requestId: extension.id }, "extension: the requester's copy could not be posted");
      }
    }
    let approvalPostedTo: string | undefined;
    if (extension.state === 'pending') {
      const base = (requesterCopy ?? approverCopy)?.conversation as Partial<ConversationReference> | undefined;
      const channel = channelId ?? this.lifecycle?.approvalChannelId;
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
            if (await this.shareRequesterCopy(extension, target)) approvalPostedTo = conversationIdOf(target);
          } else if (await this.postApproval(target, extension)) approvalPostedTo = String(target.conversation?.id);
        } catch (err) {
          this.log.warn({ err, requestId: extension.id }, 'extension: the approval card could not be posted');
        }
      else this.log.warn({ requestId: extension.id }, 'extension: no conversation to post the approval card to');
    }
    await this.syncAuditCard(extension);
    return { approvalPostedTo };
  }

  /**
   * Posts a problem as a new post where the request's approvers are asked, as its nudges and
   * break-glass alerts are: the channel of the rule that decides it now ({@link ruleOf}), else
   * ACRBOT_APPROVAL_CHANNEL, else the conversation of its approvers' copy (else of its
   * requester's). One that concerns no request: {@link approvalChannelReference}.
   */
  async reportToApprovers(request: AccessRequest | undefined, text: string): Promise<void> {
    try {
      const reference = request ? await this.reportReference(request) : await this.approvalChannelReference();
      if (!reference) {
        // Ids, not the report: its text may name people (a reminder's requester) and quote an
        // error as it came; the failing job's own log line has its id and kind.
        const title = request ? `Needs attention: ${request.id}` : 'Needs attention';
        this.log.error({ requestId: request?.id, title }, 'no conversation to report a problem to approvers');
        return;
      }
      await this.send(reference, approverReportCard(request, text, this.lifecycle?.sandbox ?? false));
    } catch (err) {
      this.log.error({ err, requestId: request?.id }, 'could not report to approvers');
    }
  }

  /** Where {@link reportToApprovers} posts a problem of `request`; undefined when it has no card to go by. */
  private async reportReference(request: AccessRequest): Promise<Partial<ConversationReference> | undefined> {
    const copies = await this.store.listCardCopies(request.id);
    const approversCopy = this.approversCopyOf(request, copies);
    // Any card of the request gives the Teams service URL, bot and tenant a proactive post needs.
    const origin = (approversCopy ?? copies.find((c) => c.role === 'requester'))?.conversation as
      Partial<ConversationReference> | undefined;
    if (!origin) return undefined;
    // The rule's channel first: a general ACRBOT_APPROVAL_CHANNEL is not where this rule's
    // approvers are asked (nor where its nudges and break-glass alerts go).
    const channelId = this.ruleOf(request)?.channel ?? this.lifecycle?.approvalChannelId;
    if (channelId) return inChannel(origin, channelId, 'approvals');
    return approversCopy ? approversPostAt(approversCopy) : origin;
  }

  /**
   * Where to post a problem that concerns no request (a recurring job that keeps failing):
   * ACRBOT_APPROVAL_CHANNEL, reached with the Teams service URL, bot and tenant of an earlier
   * card (a proactive post needs them; any card of the tenant will do, pending requests' first as
   * the most recent). Without that setting, nowhere: acrbot does not guess a channel and never
   * posts into a requester's conversation. One state at a time, a few requests each: every read
   * is an index range, however many requests the store holds.
   */
  private async approvalChannelReference(): Promise<Partial<ConversationReference> | undefined> {
    const channelId = this.lifecycle?.approvalChannelId;
    if (!channelId) return undefined;
    for (const state of ['pending', 'succeeded', 'revoked', 'expired', 'rejected'] as const) {
      for (const request of await this.store.listByState([state], 3)) {
        const base = (await this.store.listCardCopies(request.id))[0]?.conversation as
          Partial<ConversationReference> | undefined;
        if (base) return inChannel(base, channelId, 'approvals');
      }
    }
    return undefined;
  }

  /**
   * The compact audit card of a request in ACRBOT_AUDIT_CHANNEL: posted once, then updated in
   * place as the request moves (one card per request lifecycle, not a flood of messages).
   *
   * Its writes go through the outbox as one card per request: one at a time, so two syncs at
   * once (the handler's and the run's, for a request approved by its rule) post it once and the
   * second updates it; never an older state of the request over a newer one (a late caller);
   * and each write reads the request's entries and the chain head when it starts, so a write
   * that waited, or that took the place of others, shows everything appended before it.
   */
  async syncAuditCard(request: AccessRequest, copies?: CardCopy[]): Promise<void> {
    const audit = this.audit;
    if (!audit) return;
    try {
      await this.outbox.replace(`audit ${audit.channelId}`, `audit-card:${request.id}`, request.version, () =>
        audit.leases
          ? withAuditCardLease(audit.leases, request.id, this.log, () =>
              this.writeAuditCard(audit, request, undefined, true),
            )
          : this.writeAuditCard(audit, request, copies),
      );
    } catch (err) {
      this.log.warn({ err, requestId: request.id }, 'audit card could not be posted');
    }
  }

  /**
   * One write of a request's audit card (see {@link syncAuditCard}): an update, else the first
   * post. `fresh` (under the audit card lease): the request and its copies are read afresh, as
   * another instance may have posted the card, or stored a newer state, meanwhile.
   */
  private async writeAuditCard(
    audit: { log: AuditLog; channelId: string },
    given: AccessRequest,
    copies: CardCopy[] | undefined,
    fresh = false,
  ): Promise<void> {
    const stored = fresh ? await this.store.get(given.id) : undefined;
    const request = stored && stored.version > given.version ? stored : given;
    // Read again unless the caller's list has the audit copy: an earlier write may have posted it.
    const all = copies?.some((c) => c.role === 'audit') ? copies : await this.store.listCardCopies(request.id);
    const entries = await audit.log.forRequest(request.id);
    // Read after the request's entries, so the head covers them: every card update publishes
    // the head of that moment outside the store (G11).
    const [head] = await audit.log.latest(1);
    const card = auditCard(
      `${request.id} · ${request.plan.kind} · ${request.state}`,
      `${request.requester.name}: ${request.plan.cluster.name} → ${request.plan.registry.name}`,
      // Repeated refused clicks are one counted line, so they cannot flush the history off the card.
      collapseRefusals(entries).slice(-30),
      request.sandbox,
      head,
    );
    const existing = all.find((c) => c.role === 'audit');
    if (existing) {
      await this.inConversation(existing.conversation as Partial<ConversationReference>, async (ctx) => {
        await ctx.updateActivity(cardActivity(card, existing.activityId));
      });
      return;
    }
    const origin = all.find((c) => c.role === 'requester')?.conversation as Partial<ConversationReference> | undefined;
    if (!origin) return;
    const reference = {
      ...origin,
      conversation: {
        id: audit.channelId,
        isGroup: true,
        conversationType: 'channel',
        tenantId: origin.conversation?.tenantId,
        name: 'audit',
      },
    } as Partial<ConversationReference>;
    const id = await this.send(reference, card);
    if (id)
      await this.store.addCardCopy({ requestId: request.id, activityId: id, role: 'audit', conversation: reference });
  }

  /**
   * A reference to `channelId` built from one of the request's card copies (for the service
   * URL and bot account): nudges and break-glass alerts are posted outside any turn.
   */
  private async channelReference(
    requestId: string,
    channelId: string,
    name: string,
  ): Promise<Partial<ConversationReference> | undefined> {
    const copies = await this.store.listCardCopies(requestId);
    const base = (copies.find((c) => c.role === 'requester') ?? copies[0])?.conversation as
      Partial<ConversationReference> | undefined;
    return base && inChannel(base, channelId, name);
  }

  /**
   * A reminder (or escalation) in the rule's channel, mentioning the rule's named approvers by
   * Entra object id (Teams accepts a user id, object id or UPN in `mentioned.id`). An escalation
   * goes to the escalation channel too, the same message in both: who was asked and who is told
   * now (views/nudge-view.ts). Without a rule channel, a new post where the approvers' copy is.
   * One post per conversation: an escalation channel that is where the approvers are asked gets
   * it once. False, with a warning logged, when it found no conversation to post in (the caller
   * audits it as not posted): no rule channel and no approvers' copy, e.g. a request whose one
   * card was shared in the old ACRBOT_APPROVAL_CHANNEL after that setting changed
   * ({@link approversCopyOf} goes by the current settings).
   */
  async nudgeApprovers(
    request: AccessRequest,
    rule: PolicyRule,
    kind: 'remind' | 'escalate',
  ): Promise<false | undefined> {
    const approverCopy = this.approversCopyOf(request, await this.store.listCardCopies(request.id));
    const targets: Partial<ConversationReference>[] = [];
    const main = rule.channel
      ? await this.channelReference(request.id, rule.channel, 'approvals')
      : approverCopy && approversPostAt(approverCopy);
    if (main) targets.push(main);
    if (kind === 'escalate' && rule.escalateTo?.channel) {
      const escalation = await this.channelReference(request.id, rule.escalateTo.channel, 'escalation');
      if (escalation && !targets.some((t) => sameConversation(t, escalation))) targets.push(escalation);
    }
    if (targets.length === 0) {
      this.log.warn(
        { requestId: request.id, kind },
        "an approval nudge had nowhere to go: no rule channel, and no approvers' card to post beside",
      );
      return false;
    }
    const { text, entities } = kind === 'remind' ? reminderMessage(request, rule) : escalationMessage(request, rule);
    await eachTarget(targets, this.log, request.id, kind === 'remind' ? 'reminder' : 'escalation', (target) =>
      this.inConversation(target, async (ctx) => {
        ctx.onSendActivities(async (_ctx, activities, next) => {
          for (const a of activities) delete a.replyToId;
          return next();
        });
        await ctx.sendActivity({ type: 'message', text, entities });
      }),
    );
    return undefined;
  }

  /**
   * The loud break-glass card: in the break-glass channel and the audit channel, else where its
   * approvers are asked ({@link postBreakGlass}). False when it had nowhere to go (logged).
   */
  async breakGlassUsed(request: AccessRequest, channelId: string | undefined): Promise<boolean> {
    return this.postBreakGlass(request, channelId, 'used');
  }

  /** The daily report of an unreviewed break-glass grant (same places as the alert); false when posted nowhere. */
  async breakGlassUnreviewed(request: AccessRequest): Promise<boolean> {
    return this.postBreakGlass(request, this.breakGlassChannel(), 'unreviewed');
  }

  /**
   * The terms an extension of a request may run with (RequestService.extensionTermRange, by the
   * rule that fits its stored tags; wired by the composition root). Undefined when nothing
   * bounds it: the reminders then offer the deployment's default term.
   */
  extensionTermRange: (request: AccessRequest) => { minMs: number; maxMs: number } | undefined = () => undefined;

  /**
   * The term a reminder's Extend is pre-filled with: the one `extend R-…` without `--for` gets,
   * the deployment's default cut to what the request's rule allows (its maxDuration, its
   * auto-approval cap). The default alone (30d) under an 8h rule would be refused as offered.
   */
  private extensionDefaultMs(request: AccessRequest): number {
    const defaultMs = this.lifecycle?.defaultAccessMs ?? 30 * 86_400_000;
    const range = this.extensionTermRange(request);
    return range ? Math.max(range.minMs, Math.min(defaultMs, range.maxMs)) : defaultMs;
  }

  /**
   * Object ids of the people named as approvers of a request (the rule it is bound to; wired by
   * the composition root). Group members are not listed: they open their view with the card's
   * manual refresh, and every click is authorised on its own anyway (G5).
   */
  approverIdsOf: (request: AccessRequest) => readonly string[] = () => [];

  /** Entra object id → Teams user id (MRI): one per person in the tenant, whatever the conversation. */
  private readonly teamsIds = new Map<string, string>();
  /**
   * `<conversation id> <object id>` of people Teams said are not in that conversation, with when
   * it said so (ms, {@link clock}). Kept per conversation: not being a member of the requester's
   * chat says nothing of the approvals channel. Believed for {@link ABSENT_MEMBER_TTL_MS} only,
   * as people join conversations.
   */
  private readonly absent = new Map<string, number>();

  /** Whether Teams said, within {@link ABSENT_MEMBER_TTL_MS}, that `key`'s person is not in its conversation. */
  private isAbsent(key: string, now: number): boolean {
    const since = this.absent.get(key);
    if (since === undefined) return false;
    // A clock moved back (a test's, or the process clock corrected) counts as expired, not as new.
    if (now - since < ABSENT_MEMBER_TTL_MS && now >= since) return true;
    this.absent.delete(key);
    return false;
  }

  /** Remembers the Teams id of whoever a conversation reference names (the user of a turn). */
  private learn(reference: Partial<ConversationReference> | undefined): void {
    const user = reference?.user as { id?: string; aadObjectId?: string } | undefined;
    if (user?.id && user.aadObjectId) this.teamsIds.set(user.aadObjectId.toLowerCase(), user.id);
  }

  /**
   * The Teams ids that get their own view of a request's card through `refresh.userIds`
   * (CONTRACTS §7a): the requester and the named approvers. Unknown ids are asked of Teams once
   * (`GET /v3/conversations/{id}/members/{objectId}`) in the card's conversation.
   */
  async viewersOf(
    request: AccessRequest,
    reference: Partial<ConversationReference>,
  ): Promise<{ all: string[]; approvers: string[] }> {
    this.learn(reference);
    const requester = request.requester.objectId.toLowerCase();
    const approvers = this.approverIdsOf(request)
      .map((id) => id.toLowerCase())
      .filter((id, i, all) => id !== requester && all.indexOf(id) === i)
      .slice(0, MAX_CARD_VIEWERS - 1);
    // A channel thread's id is the channel's plus `;messageid=…`: its members are the channel's.
    const where = (reference.conversation?.id ?? '').split(';')[0];
    const now = this.clock.now().getTime();
    const unknown = [requester, ...approvers].filter(
      (id) => !this.teamsIds.has(id) && !this.isAbsent(`${where} ${id}`, now),
    );
    if (unknown.length)
      await this.inConversation(reference, async (ctx) => {
        // Bounded: both are caches of what Teams answers, refilled by asking again.
        if (this.teamsIds.size > MAX_REMEMBERED) this.teamsIds.clear();
        if (this.absent.size > MAX_REMEMBERED) this.absent.clear();
        for (const id of unknown) {
          try {
            const member = await TeamsInfo.getMember(ctx, id);
            if (typeof member?.id === 'string' && member.id) this.teamsIds.set(id, member.id);
            else this.absent.set(`${where} ${id}`, this.clock.now().getTime());
          } catch (err) {
            // Not a member of this conversation (or the connector does not list members): they
            // see this copy as posted. Remembered for this conversation for ABSENT_MEMBER_TTL_MS,
            // so asked about once an hour there, not at every card write; not after a failure
            // that says nothing about them (throttled, refused credentials, 5xx, no answer), or
            // one bad moment would keep an approver from their view there meanwhile.
            if (saysAbsent(err)) this.absent.set(`${where} ${id}`, this.clock.now().getTime());
            this.log.warn({ err, requestId: request.id, objectId: id }, 'no Teams id for a card viewer');
          }
        }
      });
    const known = (ids: string[]) => ids.map((id) => this.teamsIds.get(id)).filter((id): id is string => Boolean(id));
    return { all: known([requester, ...approvers]), approvers: known(approvers) };
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
    return postedCardFor(request, role, await this.viewersOf(request, reference));
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
   * Posts a break-glass card in `channelId` (`breakGlass.channel`) and ACRBOT_AUDIT_CHANNEL. Both
   * are optional: without either, it goes where the request's approvers are asked (the channel of
   * the rule that decides it now, {@link ruleOf}, else ACRBOT_APPROVAL_CHANNEL, else the
   * conversation of its approval card), since an alert or a report of an owed review that
   * reaches nobody must not pass for one that was made. True when some copy went out; false,
   * with a warning logged, when there was nowhere to post it (the caller audits it so). Throws
   * when every target refused it (eachTarget).
   */
  private async postBreakGlass(
    request: AccessRequest,
    channelId: string | undefined,
    kind: 'used' | 'unreviewed',
  ): Promise<boolean> {
    const card = breakGlassCard(request, kind);
    const targets = await this.breakGlassTargets(request, channelId);
    if (targets.length === 0) {
      this.log.warn(
        { requestId: request.id, kind },
        'a break-glass card had nowhere to go: set breakGlass.channel or ACRBOT_AUDIT_CHANNEL (or an approvals channel)',
      );
      return false;
    }
    await eachTarget(targets, this.log, request.id, `break-glass ${kind} card`, async (reference) => {
      await this.send(reference, card);
    });
    return true;
  }

  /** Where a break-glass card goes (see {@link postBreakGlass}): conversations found, in order. */
  private async breakGlassTargets(
    request: AccessRequest,
    channelId: string | undefined,
  ): Promise<Partial<ConversationReference>[]> {
    const configured = [...new Set([channelId, this.audit?.channelId].filter((c): c is string => Boolean(c)))];
    const found: Partial<ConversationReference>[] = [];
    for (const id of configured) {
      const reference = await this.channelReference(request.id, id, 'break-glass');
      if (reference) found.push(reference);
    }
    if (found.length > 0) return found;
    const approvals = this.ruleOf(request)?.channel ?? this.lifecycle?.approvalChannelId;
    const inApprovals = approvals ? await this.channelReference(request.id, approvals, 'approvals') : undefined;
    if (inApprovals) return [inApprovals];
    const approverCopy = this.approversCopyOf(request, await this.store.listCardCopies(request.id));
    return approverCopy ? [approversPostAt(approverCopy)] : [];
  }

  /** A refused click, reported in the audit channel on the request's audit card. */
  async refusalNoted(request: AccessRequest): Promise<void> {
    await this.syncAuditCard(request);
  }

  /**
   * Runs `work` in a conversation outside any turn (a proactive post or update). botbuilder hands
   * a failure inside it to the adapter's onTurnError, which logs it as an unhandled turn error and
   * returns: the caller would carry on as if the card had been posted (and audit it so). The
   * failure is caught here and thrown to the caller instead, which knows what it means.
   */
  private async inConversation(
    reference: Partial<ConversationReference>,
    work: (ctx: TurnContext) => Promise<void>,
  ): Promise<void> {
    let failure: { err: unknown } | undefined;
    await this.adapter.continueConversationAsync(this.botAppId, reference, async (ctx) => {
      try {
        await work(ctx);
      } catch (err) {
        failure = { err };
      }
    });
    if (failure) throw failure.err;
  }

  /** Sends a card into a conversation; returns the new activity id. */
  async send(reference: Partial<ConversationReference>, card: AdaptiveCardJson): Promise<string | undefined> {
    let id: string | undefined;
    await this.inConversation(reference, async (ctx) => {
      // A new post, not a reply: the continuation activity's made-up id must not become replyToId.
      ctx.onSendActivities(async (_ctx, activities, next) => {
        for (const a of activities) delete a.replyToId;
        return next();
      });
      id = (await ctx.sendActivity(cardActivity(card)))?.id;
    });
    return id;
  }

  /** Replaces a card posted earlier (e.g. the form a submit answered at once, once planning is done). */
  async updateCard(
    reference: Partial<ConversationReference>,
    activityId: string,
    card: AdaptiveCardJson,
  ): Promise<void> {
    await this.inConversation(reference, async (ctx) => {
      await ctx.updateActivity(cardActivity(card, activityId));
    });
  }

  /** Records an activity of a conversation (by reference) as a copy of the request's card. */
  async trackAt(
    reference: Partial<ConversationReference>,
    requestId: string,
    activityId: string,
    role: CardCopy['role'],
  ): Promise<void> {
    await this.store.addCardCopy({ requestId, activityId, role, conversation: reference });
  }

  /** Sends a card in the current turn and records it as a copy of the request's card. */
  async replyAndTrack(
    ctx: TurnContext,
    request: AccessRequest,
    card: AdaptiveCardJson,
    role: CardCopy['role'],
  ): Promise<void> {
    const viewed =
      role === 'requester' || role === 'approver'
        ? await this.withRequestViewers(request, TurnContext.getConversationReference(ctx.activity), card)
        : card;
    const sent = await sendCard(ctx, viewed, this.log);
    if (sent?.id) await this.track(ctx, request.id, sent.id, role);
  }

  /**
   * Whether a copy of the request's card (its requester's or an approvers', not the audit
   * channel's card) is tracked in `reference`'s channel or chat, a thread counted as its channel.
   */
  async hasRequestCopyIn(requestId: string, reference: Partial<ConversationReference>): Promise<boolean> {
    return (await this.store.listCardCopies(requestId)).some(
      (c) => c.role !== 'audit' && sameConversation(c.conversation as Partial<ConversationReference>, reference),
    );
  }

  /** Records an activity of the current conversation as a copy of the request's card. */
  async track(ctx: TurnContext, requestId: string, activityId: string, role: CardCopy['role']): Promise<void> {
    await this.store.addCardCopy({
      requestId,
      activityId,
      role,
      conversation: TurnContext.getConversationReference(ctx.activity),
    });
  }

  /** Posts the approvers' copy to a channel or chat and records it. */
  async postApproval(reference: Partial<ConversationReference>, request: AccessRequest): Promise<string | undefined> {
    // Read-only as posted: approvers get Approve/Reject in their own view (refresh.userIds).
    const id = await this.send(reference, await this.postedRequestCard(request, reference, 'approver'));
    if (id)
      await this.store.addCardCopy({
        requestId: request.id,
        activityId: id,
        role: 'approver',
        conversation: reference,
      });
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
   * conversation (it could not be placed): the caller posts the approvers' copy instead.
   */
  async shareRequesterCopy(request: AccessRequest, target: Partial<ConversationReference>): Promise<boolean> {
    const copy = (await this.store.listCardCopies(request.id)).find(
      (c) => c.role === 'requester' && sameConversation(c.conversation as Partial<ConversationReference>, target),
    );
    if (!copy) return false;
    const reference = copy.conversation as Partial<ConversationReference>;
    // Only a pending request's card has Approve/Reject: a break-glass grant's review appears once
    // it ran, when its run's updates draw this copy as the approvers' (requestChanged).
    if (request.state === 'pending' && (await this.viewersOf(request, reference)).approvers.length === 0)
      await this.outbox.replace(conversationKey(reference), copy.activityId, request.version, () =>
        this.updateCopy({ ...copy, role: 'approver' }, request, new BatchedRead(() => this.newestOf(request))),
      );
    return true;
  }

  /**
   * The copy of a request's card its approvers act on: its requester's copy when that is where
   * they are asked ({@link shareRequesterCopy}), else its first approvers' copy. (A request from
   * a release that posted both there has its requester's copy drawn as the approvers' too: it
   * shows what the other card shows, and goes on living only until it is decided.)
   */
  private approversCopyOf(request: AccessRequest, copies: readonly CardCopy[]): CardCopy | undefined {
    const requester = copies.find((c) => c.role === 'requester');
    const channel = request.policy?.rule?.channel ?? this.lifecycle?.approvalChannelId;
    if (requester && inApprovalConversation(requester.conversation as Partial<ConversationReference>, channel))
      return requester;
    return copies.find((c) => c.role === 'approver');
  }

  /**
   * Updates every copy; on a final grant/secret state, sends the outcome card to the requester,
   * and tells them of decisions, unless the change is a mark within the state (`markOnly`).
   * Never throws.
   */
  async requestChanged(request: AccessRequest, change: RequestChange = {}): Promise<void> {
    try {
      const copies = await this.store.listCardCopies(request.id);
      // The copies whose member lookups overlap share one store read (see updateCopy).
      const newest = new BatchedRead(() => this.newestOf(request));
      // A requester's copy that serves the approvers too is drawn as theirs (shareRequesterCopy).
      const approversCopy = this.approversCopyOf(request, copies);
      // Everything is queued before the first await, so a later state's call queues after this one.
      const work: Promise<unknown>[] = copies
        .filter((c) => c.role !== 'audit')
        .map((copy) =>
          this.outbox.replace(
            conversationKey(copy.conversation),
            copy.activityId,
            request.version,
            () => this.updateCopy(copy === approversCopy ? { ...copy, role: 'approver' } : copy, request, newest),
            { holdMs: request.state === 'executing' ? EXECUTING_HOLD_MS : undefined },
          ),
        );
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
      const outcome =
        !change.markOnly && (request.state === 'succeeded' || request.state === 'failed') && !request.access?.extendedBy
          ? outcomeCard(request)
          : undefined;
      // New messages are never coalesced: each goes out, in order, after the card replacements
      // queued before it in that conversation. Only the "approved" news waits (see
      // EXECUTING_HOLD_MS), and the outcome withdraws it while it still waits.
      const newsTag = `approved-news:${request.id}`;
      // Each message's failure is handled where it is queued: awaited only after the audit card,
      // a rejection would otherwise be unhandled meanwhile (and end the process).
      const told = (what: string) => (err: unknown) =>
        this.log.warn({ err, requestId: request.id }, `the requester's ${what} could not be sent`);
      if (to && outcome) {
        this.outbox.dropHeld(conversationKey(to), newsTag);
        work.push(this.outbox.send(conversationKey(to), () => this.send(to, outcome)).catch(told('outcome card')));
      }
      if (to && news)
        work.push(
          this.outbox
            .send(
              conversationKey(to),
              () => this.send(to, requesterNewsCard(request, { kind: news })),
              news === 'approved' ? { ms: EXECUTING_HOLD_MS, tag: newsTag } : undefined,
            )
            .catch(told(`${news} news`)),
        );
      await this.syncAuditCard(request, copies);
      await Promise.all(work);
    } catch (err) {
      this.log.warn({ err, requestId: request.id }, 'could not update request cards');
    }
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
   */
  private async updateCopy(copy: CardCopy, given: AccessRequest, newest: BatchedRead<AccessRequest>): Promise<void> {
    const reference = copy.conversation as Partial<ConversationReference>;
    try {
      // Who gets their own view does not change with the state (the requester, the rule's
      // approvers); looked up first, as it may ask Teams, so the read is as late as it can be.
      const { looked: viewers, read: request } = await newest.after(() => this.viewersOf(given, reference));
      const card = postedCardFor(request, copy.role, viewers);
      await this.inConversation(reference, async (ctx) => {
        await ctx.updateActivity(cardActivity(card, copy.activityId));
      });
    } catch (err) {
      this.log.warn({ err, requestId: given.id, activityId: copy.activityId }, 'card copy update failed');
    }
  }

  /**
   * The newer (by version) of `given` and the request as stored now; `given` when the store
   * cannot be read (the card then shows what it was told, as before; logged).
   */
  private async newestOf(given: AccessRequest): Promise<AccessRequest> {
    try {
      // On one instance the stored state is nearly always the one given: a store that can answer
      // "nothing newer" without reading the whole document does (no parse of it per card change).
      const stored = this.store.getNewer
        ? await this.store.getNewer(given.id, given.version)
        : await this.store.get(given.id);
      return stored && stored.version > given.version ? stored : given;
    } catch (err) {
      this.log.warn({ err, requestId: given.id }, 'request not read before its card update; drawing the state given');
      return given;
    }
  }
}

/** A request card as posted (see {@link CardMessenger.postedRequestCard}), for viewers already looked up. */
function postedCardFor(
  request: AccessRequest,
  role: CardCopy['role'],
  viewers: { all: string[]; approvers: string[] },
): AdaptiveCardJson {
  return requestCard(request, {
    showActions: role === 'approver' && viewers.approvers.length === 0,
    viewers: viewers.all,
  });
}

/**
 * A new post where a request's approvers' copy is (a nudge, a report, an extension's approval
 * card). A requester's copy that serves as theirs is a reply in the request's thread: the post
 * goes to that thread's channel, where an approvers' copy of its own would have been.
 */
function approversPostAt(copy: CardCopy): Partial<ConversationReference> {
  const reference = copy.conversation as Partial<ConversationReference>;
  return copy.role === 'requester' ? newPostAt(reference) : reference;
}

/**
 * Posts to every target, each on its own: one that refuses (acrbot removed from that channel)
 * neither stops the others nor, when a retry follows, posts again where it went out. Throws only
 * when no target took it (the caller's job then retries, and whoever catches it logs the first
 * failure); every other failure is logged here, so no channel's cause goes unseen.
 */
async function eachTarget<T>(
  targets: readonly T[],
  log: Logger,
  requestId: string,
  what: string,
  post: (target: T) => Promise<void>,
): Promise<void> {
  const results = await Promise.allSettled(targets.map((t) => post(t)));
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length === 0) return;
  const none = failed.length === results.length;
  for (const f of none ? failed.slice(1) : failed)
    log.warn({ err: f.reason, requestId }, `the ${what} could not be posted in one of its channels`);
  if (none) throw failed[0].reason;
}

/**
 * Whether a failed member lookup is an answer about the person: Teams' 404
 * (`MemberNotFoundInConversation` from the members endpoint, CONTRACTS §6: not in that
 * conversation), or 501 (a connector without the members API names nobody there). Anything else
 * says nothing about them, and they are asked about again at the next card write: a failure of
 * the moment (408, 429, a 5xx, no answer) or a refusal of acrbot's own call (401 credentials
 * rejected, 403 acrbot not in the conversation, 400). Remembering those would leave everyone a
 * credential hiccup happened to ask about without their view until the answer expired.
 */
function saysAbsent(err: unknown): boolean {
  const status = (err as { statusCode?: unknown } | undefined)?.statusCode;
  return status === 404 || status === 501;
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
  return new UserFacingError('requester.notTold', `The message to the requester could not be posted${answered}.`, {
    cause: err,
  });
}

/** The conversation a stored reference points at (the outbox's lane). */
function conversationKey(reference: unknown): string {
  const r = reference as Partial<ConversationReference> | undefined;
  return `${r?.serviceUrl ?? ''} ${r?.conversation?.id ?? ''}`;
}
