/** Read-only commands: help, status, pending, audit. */
import { TurnContext } from 'botbuilder';
import {
  type AnchorAgreement,
  AnchorsUnavailableError,
  verdictCoverage,
  verifyWithAnchors,
} from '../../domain/audit-anchor';
import type { AuditEntry, ChainVerdict } from '../../domain/audit-chain';
import { isRequestId } from '../../domain/identifiers';
import { isOtherTenant } from '../../domain/own-tenant';
import { awaitingReview } from '../../domain/policy';
import { soonestDecisionFirst } from '../../domain/decision-order';
import {
  auditCard,
  commandHelpCard,
  helpCard,
  messageCard,
  notYoursToSeeCard,
  refusalCard,
} from '../../views/message-view';
import type { AccessRequest } from '../../domain/request';
import { isUserFacing } from '../../domain/errors';
import { errorText, requestCard, withViewers } from '../../views/request-view';
import type { AdaptiveCardJson } from '../../views/card-templates';
import { myRequestsCard } from '../../views/my-requests-view';
import { otherTenantFailedText } from '../../views/other-tenant-error';
import { nobodyDecidesText } from '../../views/nobody-decides-text';
import { readByApprovers, readByApproversOf } from '../approvers-audience';
import type { BotServices } from '../bot-services';
import { errorCardFor, sendCard } from '../turn-cards';
import type { TurnIdentity } from '../turn-identity';
import { mistypedRequestId } from '../../domain/request-id-word';
import { collapseRefusals } from '../../domain/audit-summary';
import { askedOncePerApprovers } from '../../flows/approver-question';
import { WAITING_SCAN_LIMIT, type WaitingRequests } from '../../flows/waiting-for-approvers';
import { ofTenant } from '../../domain/tenant-boundary';
import { auditRequestReadRefusal } from '../../flows/limit-audit';
import { readInTenant, refusedOutsideTenant, TENANT_REFUSAL_ACTION } from '../../flows/tenant-refusal';
import { counted } from '../../domain/text';

/** Approval cards `pending` posts at most; the count line says when there are more. */
const PENDING_CARDS_SHOWN = 20;

/**
 * Said by `pending` when a read of what waits reached its bound (RequestService.pending,
 * awaitingReview): the count, or "nothing", is of what was read only. Empty otherwise.
 */
function notAllRead(pending: WaitingRequests, reviews: WaitingRequests): string {
  const limit = WAITING_SCAN_LIMIT.toLocaleString('en-US');
  const cut = [
    ...(pending.boundReached ? [`the oldest ${limit} pending requests`] : []),
    // Reviews owed are read from live grants oldest first and from ended ones newest first.
    ...(reviews.boundReached ? [`${limit} grants of each state for break-glass reviews owed`] : []),
  ];
  if (cut.length === 0) return '';
  return ` (acrbot read only ${cut.join(' and ')}: others may wait for you too, and their approval cards were posted where their rules send them)`;
}

/**
 * Longest audit listing in one card. auditCard shortens the details it shows so that this many
 * fit under Teams' card size (CARD_MAX_BYTES); the audit log keeps them whole.
 */
const AUDIT_MAX_ENTRIES = 50;

/**
 * Most of the newest entries (of every tenant) `audit N` reads to find the reader's tenant's
 * latest, with several tenants served: a tenant whose last entry is older than these reads none.
 */
const AUDIT_TENANT_SCAN = 2000;

/** Handlers for the informational commands. */
export class InfoHandlers {
  constructor(private readonly services: BotServices) {}

  private async reply(ctx: TurnContext, card: AdaptiveCardJson): Promise<void> {
    await sendCard(ctx, card, this.services.log);
  }

  /**
   * A read refused to someone who may not make it, audited (G11 "every refusal"). The outcome is
   * the refusal's code, as a refused revoke records it. With a request (`status R-…`,
   * `pending R-…`, outside the read limit), once per person, request and command per window
   * (auditRequestReadRefusal): anyone who saw a request's id could otherwise add an entry to its
   * trail per message, which every later read of that trail reads. Those audited still collapse
   * into one line on its audit card (collapseRefusals). Without one (the `pending` list, counted
   * by the read limit), every time.
   */
  private auditRefusal(identity: TurnIdentity, action: string, code: string, request?: AccessRequest): Promise<void> {
    if (request) return auditRequestReadRefusal(this.services, identity, action, code, request);
    return this.services.requests.recordRefusal({
      actor: identity.actor,
      tenantId: identity.tenantId,
      action,
      outcome: code,
    });
  }

  /**
   * Whether `request`'s card may be posted in the turn's conversation, else says where to ask. A
   * request's card shows its requester's reason, which they may have typed in a private chat; once
   * posted it may be tracked, so a rejection's comment or a revocation's reason follow it. So, as
   * the audit log, an approvers' copy goes only where approvers alone read, or where the request's
   * own approval card is already (readByApproversOf): not a requesters' channel or a group chat
   * its card never went to. Not audited, as the audit log's answer there is not: the reader may
   * see it, only not here.
   */
  private async inApproversConversation(ctx: TurnContext, request: AccessRequest): Promise<boolean> {
    if (readByApproversOf(ctx, this.services, request)) return true;
    await this.reply(
      ctx,
      messageCard({
        title: `Request ${request.id}: ask in a chat with acrbot`,
        text: "Request cards show the requester's reason and what approvers decide, so they are shown only in a chat with acrbot, a channel where approvers work, or the conversation the request's approval card went to. Ask me there.",
        tone: 'error',
        sandbox: this.services.settings.sandbox,
      }),
    );
    return false;
  }

  /** Every command, or with `about` (`grant --help`) that command's usage only. */
  async help(ctx: TurnContext, about?: string): Promise<void> {
    const { sandbox } = this.services.settings;
    await this.reply(ctx, about ? commandHelpCard(about, sandbox) : helpCard(sandbox));
  }

  /**
   * `pending R-…`: one request as its approvers' card, with Approve and Reject while it waits for
   * them (the tab's "Open in chat to approve" types it; the list shows only the first 20); one
   * with nothing to decide as `status` shows it. Another tenant's request is not there for them
   * (tenant-boundary.ts).
   */
  private async pendingOne(ctx: TurnContext, identity: TurnIdentity, requestId: string): Promise<void> {
    const { requests, settings } = this.services;
    try {
      const request = await readInTenant(this.services, identity, 'pending', requestId);
      if (!(await requests.isApproverOf(identity.actor, request, identity.tenantId))) {
        await this.auditRefusal(identity, 'pending.refused', 'pending.notApprover', request);
        const only = `Only the approvers of request ${request.id} can decide it. To see your own request, use "@acrbot status ${request.id}".`;
        await this.reply(ctx, refusalCard('Approvers only', only, settings.sandbox));
        return;
      }
      if (!(await this.inApproversConversation(ctx, request))) return;
      // Nothing to decide (decided, running, ended, its review made): its card as `status` shows
      // it, as of now, not tracked, so asking again adds no copy that each later change must update.
      if (request.state !== 'pending' && !awaitingReview(request)) {
        await this.reply(ctx, requestCard(request, { showActions: false, now: this.services.clock.now() }));
        return;
      }
      await this.postApproversCopy(ctx, request);
    } catch (err) {
      await this.reply(ctx, errorCardFor(this.services, err));
    }
  }

  /**
   * The requester and approvers may look at a request; one of another tenant reads as one that
   * does not exist (tenant-boundary.ts), as the tab answers 404. Without an id, the asker's own
   * newest requests ({@link mine}).
   */
  async status(ctx: TurnContext, identity: TurnIdentity, requestId: string | undefined): Promise<void> {
    const sandbox = this.services.settings.sandbox;
    if (requestId === undefined) return this.mine(ctx, identity);
    // A full stop after it, a character short, a letter ids never use: said which.
    const mistyped = mistypedRequestId(requestId, 'status {id}');
    if (mistyped) {
      await this.reply(ctx, errorCardFor(this.services, mistyped, 'Which request?'));
      return;
    }
    if (!requestId || !isRequestId(requestId)) {
      await this.reply(
        ctx,
        messageCard({
          title: 'Which request?',
          text: 'Give the request id from the plan card, e.g. "@acrbot status R-7K2M9QXA".',
          tone: 'error',
          sandbox,
        }),
      );
      return;
    }
    try {
      const request = await readInTenant(this.services, identity, 'status', requestId);
      const mine = request.requester.objectId.toLowerCase() === identity.actor.objectId.toLowerCase();
      if (!mine && !(await this.services.requests.isApproverOf(identity.actor, request, identity.tenantId))) {
        await this.auditRefusal(identity, 'status.refused', 'status.notYours', request);
        await this.reply(ctx, notYoursToSeeCard(request.id, sandbox));
        return;
      }
      // Their own request anywhere they ask; someone else's (an approver's look) where approvers
      // alone read or its approval card is, as `pending R-…`: its reason is the requester's,
      // typed perhaps in private.
      if (!mine && !(await this.inApproversConversation(ctx, request))) return;
      // An owed break-glass review nobody can give as the policy stands is said so (request-view.ts).
      const reviewers = this.services.requests.ruleOf(request);
      // As of now, as the list, `access` and the tab read it: a grant whose cluster is gone reads
      // past its end as every grant waiting for its end job does, not "Cluster gone".
      const now = this.services.clock.now();
      // Whoever reads it from another tenant than acrbot's own, its requester or an approver, is
      // refused any request (own-tenant.ts): a failed run's stored error is shown without its
      // `grant`/`secret`/`extend` command (a drift's "Ask for the access again with …"), with why
      // and the way on instead, as the tab's drawer gives it to every reader there (tab-rows.ts).
      const error = request.outcome?.error;
      const notice =
        error !== undefined && isOtherTenant(identity.tenantId, this.services.settings.ownTenantId)
          ? otherTenantFailedText(error)
          : undefined;
      await this.reply(ctx, requestCard(request, { showActions: false, reviewers, now, ...(notice && { notice }) }));
    } catch (err) {
      await this.reply(ctx, errorCardFor(this.services, err));
    }
  }

  /**
   * `status` alone: the asker's newest requests of their organisation (tenant), every state, as
   * the tab's "Your requests" reads them (the by-requester index), with how to see one or, having
   * none, how to ask. Only their own, so anywhere they ask: no reason or comment is on it.
   */
  private async mine(ctx: TurnContext, identity: TurnIdentity): Promise<void> {
    try {
      const mine = await this.services.requests.newestRequestsOf(identity.actor, identity.tenantId);
      const { sandbox, ownTenantId } = this.services.settings;
      // Their requests are refused when made (own-tenant.ts): the way on, not a command to ask.
      await this.reply(
        ctx,
        myRequestsCard(mine, identity.actor, sandbox, isOtherTenant(identity.tenantId, ownTenantId)),
      );
    } catch (err) {
      await this.reply(ctx, errorCardFor(this.services, err));
    }
  }

  /**
   * Approvers get every pending request as an approval card (tracked, so it updates too, unless
   * this conversation has a tracked copy of it already: {@link postApproversCopy}). Outside the
   * conversations approvers alone read, only those whose approval card went to this one, the
   * others counted (readByApproversOf).
   */
  async pending(ctx: TurnContext, identity: TurnIdentity, requestId?: string): Promise<void> {
    if (requestId) return this.pendingOne(ctx, identity, requestId);
    const { requests, settings } = this.services;
    // Only the requests this approver may decide, not every pending one. Asked of each request
    // even for someone who approves under no rule of the policy in force: a pending request keeps
    // the rule it was made under (docs/policy.md), and its approvers decide it after a reload.
    // Every request that waits, narrowed to theirs before any cut: a cap first (the oldest 50 of
    // every rule) could hold none of theirs while theirs waited.
    const reviews = await requests.awaitingReview();
    const open = await requests.pending();
    // Reviews owed first (due soonest first), then the requests whose time to decide runs out
    // first: the store's order is creation, and an extension's wait is cut to its grant's end, so
    // a new one ending within the hour came after hundreds of older ones, past the 20 shown.
    const soonest = [...open.requests].sort(soonestDecisionFirst);
    const pending = await this.waitingFor(identity, [...reviews.requests, ...soonest]);
    // Past WAITING_SCAN_LIMIT only the oldest were read: the answer says so rather than "all".
    const unread = notAllRead(open, reviews);
    if (pending.length === 0 && !(await requests.isApprover(identity.actor))) {
      await this.auditRefusal(identity, 'pending.refused', 'pending.notApprover');
      const only =
        'Only approvers can list pending requests. To see your own requests, type "@acrbot status" alone; for one of them, "@acrbot status REQUEST-ID".';
      await this.reply(ctx, refusalCard('Approvers only', only, settings.sandbox));
      return;
    }
    // After the refusal, as `audit`: someone who may not list them is told so wherever they ask.
    // Where approvers do not alone read (a requesters' channel, a group chat), only the requests
    // whose approval card went here (readByApproversOf): their readers see those cards already,
    // and the others' reasons stay out. The others are counted, to be seen in a chat with acrbot.
    const listed = pending.filter((r) => readByApproversOf(ctx, this.services, r));
    const elsewhere = pending.length - listed.length;
    if (listed.length === 0 && elsewhere > 0) {
      await this.reply(
        ctx,
        messageCard({
          title: 'Pending requests: ask in a chat with acrbot',
          text: `${elsewhere} request${elsewhere === 1 ? ' waits' : 's wait'} for you${unread}, but request cards show the requester's reason and what approvers decide, so they are shown only in a chat with acrbot, a channel where approvers work, or the conversation each request's approval card went to. Ask me there.`,
          tone: 'error',
          sandbox: settings.sandbox,
        }),
      );
      return;
    }
    // What nobody can decide as the policy stands is in no approver's list (nobody's isApproverOf
    // holds): said after it, where approvers alone read. From the reads above and the policy in
    // memory, no directory read (nobody-decides-text.ts).
    const nobody = readByApprovers(ctx, this.services)
      ? nobodyDecidesText([...reviews.requests, ...open.requests], (r) => requests.ruleOf(r), identity.tenantId)
      : undefined;
    if (pending.length === 0) {
      await this.reply(
        ctx,
        messageCard({
          title: unread ? 'Nothing pending among those read' : 'Nothing pending',
          text: unread
            ? `None of the requests read waits for you${unread}.`
            : nobody
              ? 'None of the requests waiting for approval or review is yours to decide.'
              : 'There are no requests waiting for approval or review.',
          tone: unread ? 'info' : 'good',
          sandbox: settings.sandbox,
        }),
      );
      if (nobody) await ctx.sendActivity(nobody);
      return;
    }
    // While paused, Approve is refused: say so up front (who and why are on `pause`'s card, not
    // repeated in this plain-text line).
    const paused = await this.services.pauses.current();
    const owed = listed.some((r) => awaitingReview(r));
    const shown = Math.min(listed.length, PENDING_CARDS_SHOWN);
    await ctx.sendActivity(
      `${listed.length} request${listed.length === 1 ? '' : 's'} waiting for approval${elsewhere ? ` whose approval card${listed.length === 1 ? ' is' : 's are'} in this conversation` : ''}${owed ? ' (break-glass grants to review first)' : ''}${unread}${
        shown < listed.length
          ? `; the first ${shown} are shown here (${owed ? 'break-glass reviews, then ' : ''}those whose time to decide runs out first), "@acrbot pending R-…" shows any other`
          : ''
      }${
        elsewhere
          ? `; ${elsewhere} more wait${elsewhere === 1 ? 's' : ''} for you, which "@acrbot pending" shows in a chat with acrbot`
          : ''
      }${
        paused
          ? '. New access is paused, so Approve is refused until an approver types "@acrbot resume"; Reject and reviews work ("@acrbot pause" says who paused it and why)'
          : ''
      }:`,
    );
    for (const request of listed.slice(0, PENDING_CARDS_SHOWN)) await this.postApproversCopy(ctx, request);
    if (nobody) await ctx.sendActivity(nobody);
  }

  /**
   * The requests that wait for `identity`: those of their tenant they may decide
   * (RequestService.isApproverOf), less the pending ones they approved already (under a quorum,
   * someone else must approve next; the tab's list leaves them out too). The answer depends only
   * on the rule's approvers once the actor is not the requester, so it is asked once per rule: a
   * non-approver typing `pending` costs one Graph lookup per group of the rules in use, not one
   * per request.
   */
  private async waitingFor(identity: TurnIdentity, candidates: readonly AccessRequest[]): Promise<AccessRequest[]> {
    const { requests } = this.services;
    const { actor, tenantId } = identity;
    const id = actor.objectId.toLowerCase();
    const approves = askedOncePerApprovers(
      (request) => requests.ruleOf(request),
      (request) => requests.isApproverOf(actor, request),
    );
    const out: AccessRequest[] = [];
    for (const request of candidates) {
      // Another tenant's requests are not listed, as in the tab (tenant-boundary.ts).
      if (!ofTenant(request, tenantId)) continue;
      // Their own requests first (askedOncePerApprovers' condition): never theirs to decide.
      if (request.requester.objectId.toLowerCase() === id) continue;
      if (request.state === 'pending' && request.approvals?.some((a) => a.by.objectId.toLowerCase() === id)) continue;
      if (!requests.ruleOf(request)) continue;
      if (await approves(request)) out.push(request);
    }
    return out;
  }

  /**
   * An approvers' copy of a request card in this conversation, posted as every other copy is
   * (CardMessenger.postedRequestCard): read-only as posted, so others who read the conversation
   * see no Approve/Reject, with per-user views (`refresh.userIds`) for the requester and the
   * named approvers. The caller, an approver of it (checked), gets one too, even when only a
   * group makes them one. Their view shows the buttons only while there is something to decide
   * (pending, or a break-glass review owed).
   *
   * Tracked, so it changes with the request like the others, unless this channel or chat already
   * has a tracked copy of the request (the approvals channel's, or one an earlier `pending` posted
   * here): every tracked copy costs one Teams update per later change, and copies are never
   * dropped, so one per conversation. The new one is still posted, at the bottom where the
   * approver looks; its viewers' views stay current through their refresh (the caller's first),
   * and every click is checked against the stored request (G5). Only others' as-posted view is
   * of now, as `status`'s card is.
   */
  private async postApproversCopy(ctx: TurnContext, request: AccessRequest): Promise<void> {
    const { messenger } = this.services;
    const here = TurnContext.getConversationReference(ctx.activity);
    const [posted, tracked] = await Promise.all([
      messenger.postedRequestCard(request, here, 'approver'),
      messenger.hasRequestCopyIn(request.id, here),
    ]);
    const viewers = (posted as { refresh?: { userIds?: string[] } }).refresh?.userIds ?? [];
    // The caller first: the views are capped (MAX_CARD_VIEWERS), and they asked for this copy.
    const card = ctx.activity.from?.id ? withViewers(posted, [ctx.activity.from.id, ...viewers]) : posted;
    const sent = await sendCard(ctx, card, this.services.log);
    if (sent?.id && !tracked) await messenger.track(ctx, request.id, sent.id, 'approver');
  }

  /**
   * The audit trail of request `id` as someone of `tenantId` may read it: none for another
   * tenant's request (tenant-boundary.ts), exactly as for an id nothing was recorded under. Its
   * tenant is the stored request's, or once it is gone from the store, its first entry's (its
   * creation, recorded in the requester's tenant). Of their own tenant's request, their tenant's
   * entries only, as `audit N` lists them: a person of another tenant who clicked on its card
   * (approval.refused.tenant) is not named to this one. Another tenant's stored request is audited
   * as every other ask of it is (tenant-refusal.ts), the answer the same.
   */
  private async requestTrail(id: string, identity: TurnIdentity): Promise<AuditEntry[]> {
    const { tenantId } = identity;
    const [request, entries] = await Promise.all([
      this.services.requests.get(id).catch((err: unknown) => {
        if (isUserFacing(err)) return undefined;
        throw err;
      }),
      this.services.audit.forRequest(id),
    ]);
    const first = entries.reduce<AuditEntry | undefined>((a, e) => (!a || e.seq < a.seq ? e : a), undefined);
    const owner = request?.tenantId ?? first?.tenantId;
    if (owner !== undefined && !ofTenant({ tenantId: owner }, tenantId)) {
      if (request) await refusedOutsideTenant(this.services, identity, 'audit', request);
      return [];
    }
    return entries.filter((e) => ofTenant(e, tenantId));
  }

  /**
   * `audit [n]`, `audit <request-id>`, `audit verify` — approvers and auditors only. With several
   * tenants served, `audit [n]` lists the reader's tenant's entries only (tenant-boundary.ts).
   */
  async audit(ctx: TurnContext, identity: TurnIdentity, argument: string | undefined): Promise<void> {
    const { requests, audit, settings } = this.services;
    if (!(await requests.mayReadAudit(identity.actor))) {
      await requests.recordRefusal({
        actor: identity.actor,
        tenantId: identity.tenantId,
        action: 'audit.refused',
        outcome: 'refused',
      });
      await this.reply(
        ctx,
        messageCard({
          title: 'Approvers and auditors only',
          text: 'Only approvers and auditors can read the audit log.',
          tone: 'error',
          sandbox: settings.sandbox,
        }),
      );
      return;
    }
    const arg = argument?.trim();
    // Entries name approvers' comments, refusals and why new access was paused: listed only where
    // approvers alone read them. The verdict of `audit verify` (counts and seqs) goes anywhere.
    if (arg?.toLowerCase() !== 'verify' && !readByApprovers(ctx, this.services)) {
      await this.reply(
        ctx,
        messageCard({
          title: 'Audit log: ask in a chat with acrbot',
          text: "The audit log names approvers' comments and why new access was paused, so it is shown only in a chat with acrbot or a channel where approvers work. Ask me there.",
          tone: 'error',
          sandbox: settings.sandbox,
        }),
      );
      return;
    }
    if (arg?.toLowerCase() === 'verify') {
      const { anchors } = this.services;
      let verdict: ChainVerdict & { anchors?: AnchorAgreement };
      try {
        // With anchors, the same check as `npm run audit:verify`: the chain, then every published anchor.
        verdict = anchors
          ? await verifyWithAnchors(audit, anchors.log, anchors.key, {
              intervalMs: anchors.intervalMs,
              now: anchors.clock.now(),
            })
          : await audit.verify();
      } catch (err) {
        if (!(err instanceof AnchorsUnavailableError)) throw err;
        // Anchors that cannot be read verify nothing: no "intact" without them (exit 2 in the CLI).
        await this.reply(
          ctx,
          messageCard({
            title: 'Audit chain NOT VERIFIED',
            text: `The store could not be checked against the published anchors: ${errorText(err.message)}. The anchors are what reveal a rewrite by someone who holds the audit key, so no verdict is given without them.`,
            tone: 'error',
            sandbox: settings.sandbox,
          }),
        );
        return;
      }
      const scope = anchors
        ? 'Checked the chain in the store and the store against every published anchor.'
        : 'Checked the chain in the store (no anchors are configured, ACRBOT_AUDIT_ANCHOR).';
      // The bot knows it holds the key when it checks anchors (they are signed with it); otherwise
      // MACs are named only when the verdict shows them (an unkeyed prefix before the first MAC).
      const checked = verdict.intact ? verdictCoverage(verdict, anchors ? true : undefined) : [];
      // One chain holds every served tenant's entries (G11): with several, its count is all of
      // theirs, not the reader's (whose own `audit` lists only theirs), so it says so.
      const whose = settings.allowedTenantIds.length > 1 ? ' (all organisations)' : '';
      const text = verdict.intact
        ? `The audit chain is intact, ${counted(verdict.count, 'entry', 'entries')}${whose}. ${checked.map((c) => `${c}. `).join('')}${scope}`
        : `The audit chain is broken at seq ${verdict.brokenAtSeq}: ${verdict.problem}. ${scope}`;
      await this.reply(
        ctx,
        messageCard({
          title: verdict.intact ? 'Audit chain intact' : 'Audit chain BROKEN',
          text,
          tone: verdict.intact ? 'good' : 'error',
          sandbox: settings.sandbox,
        }),
      );
      return;
    }
    if (arg && isRequestId(arg)) {
      const entries = await this.requestTrail(arg.toUpperCase(), identity);
      // Refused clicks in a row are one counted line, as on the audit channel's card: a flood
      // of them cannot push the request's history out of the lines shown (audit:export has each).
      const lines = collapseRefusals(entries);
      const counted = `${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}`;
      const note = lines.length < entries.length ? '; refused clicks in a row are one line' : '';
      await this.reply(
        ctx,
        auditCard(
          `Audit trail of ${arg.toUpperCase()}`,
          lines.length > AUDIT_MAX_ENTRIES
            ? `The last ${AUDIT_MAX_ENTRIES} of ${lines.length} lines (${counted}${note})`
            : `${counted}${note}`,
          lines.slice(-AUDIT_MAX_ENTRIES),
          settings.sandbox,
        ),
      );
      return;
    }
    const mistyped = mistypedRequestId(arg, 'audit {id}');
    if (mistyped) {
      await this.reply(ctx, errorCardFor(this.services, mistyped, 'Audit'));
      return;
    }
    const n = arg ? Number(arg) : 10;
    if (!Number.isInteger(n) || n < 1 || n > AUDIT_MAX_ENTRIES) {
      await this.reply(
        ctx,
        messageCard({
          title: 'Audit',
          text: `Use "audit", "audit N" (1-${AUDIT_MAX_ENTRIES}), "audit REQUEST-ID" or "audit verify".`,
          tone: 'error',
          sandbox: settings.sandbox,
        }),
      );
      return;
    }
    // One tenant served: every entry, as ever (refusals of turns from tenants not served among them).
    if (settings.allowedTenantIds.length <= 1) {
      const entries = await audit.latest(n);
      await this.reply(
        ctx,
        auditCard('Latest audit entries', `last ${entries.length}, newest last`, entries, settings.sandbox),
      );
      return;
    }
    const { entries, cut } = await this.latestOfTenant(n, identity.tenantId);
    const scanned = cut ? `; only the newest ${AUDIT_TENANT_SCAN.toLocaleString('en-US')} entries were read` : '';
    await this.reply(
      ctx,
      auditCard(
        'Latest audit entries',
        `last ${entries.length} of your organisation (tenant), newest last${scanned}`,
        entries,
        settings.sandbox,
      ),
    );
  }

  /**
   * The newest `n` entries of `tenantId` (tenant-boundary.ts): the store lists the latest of every
   * tenant, so wider windows of them are read, each at most four times the one before, until `n`
   * are found, the log ends or {@link AUDIT_TENANT_SCAN} entries were read (`cut`). Without
   * `request.refused.tenant` entries: recorded in the asking user's tenant, they name another
   * tenant's request and its tenant, which this tenant's readers (the asker among them) were
   * answered does not exist; the deployment's export lists them (tenant-refusal.ts).
   */
  private async latestOfTenant(n: number, tenantId: string): Promise<{ entries: AuditEntry[]; cut: boolean }> {
    for (let window = n; ; window = Math.min(window * 4, AUDIT_TENANT_SCAN)) {
      const read = await this.services.audit.latest(window);
      const theirs = read.filter((e) => ofTenant(e, tenantId) && e.action !== TENANT_REFUSAL_ACTION);
      const ended = read.length < window;
      if (theirs.length >= n || ended || window >= AUDIT_TENANT_SCAN)
        return { entries: theirs.slice(-n), cut: theirs.length < n && !ended };
    }
  }
}
