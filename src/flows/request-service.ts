/**
 * Requests from creation to decision: the service composition wires up, and the one the bot, the
 * tab and the jobs ask. It holds what its parts share (the policy in force, one serialiser of
 * decisions per request, the approver reads) and hands each question to the part that answers
 * it: filing (request-creation.ts), deciding (request-decision.ts), break-glass reviews
 * (break-glass-reviews.ts), expiry (request-expiry.ts), reads (request-reads.ts) and jobs
 * (request-jobs.ts). What it does itself is small enough to need no part of its own: the
 * requester's `cancel` (serialised with the decisions on its request), and the term helpers (a
 * typed `--for` under the deployment's limits, the terms an extension may run with, how long a
 * secret's credential must live). Every step and refusal is audited; a decision by the winner of
 * its conditional write only, right after it, and undone if that entry cannot be written (G8, G11).
 */
import { termApproveRefusal, unservedApproveRefusalOf, type ApproveRefusal } from '../domain/approve-refused';
import { pendingTermPastLimits } from '../domain/pending-term';
import { isUserFacing, UserFacingError } from '../domain/errors';
import { parseAccessDuration, shortDuration } from '../domain/access-term';
import {
  factsOf,
  selectRule,
  termUnderRule,
  type Policy,
  type PolicyProvider,
  type PolicyRule,
  type RequestFacts,
} from '../domain/policy';
import { policyFromEnvironment } from '../config/policy-file';
import type { AuditEvent } from '../domain/audit-chain';
import type { AuditLog, Clock, DirectoryPort, RequestStore } from '../domain/ports';
import { VersionConflictError } from '../domain/ports';
import { actionReason, REASON_LIMITS } from '../domain/text';
import type { AccessRequest, AccessTerm, ActingContext, Actor } from '../domain/request';
import { describeState, isBeingRevoked, transition } from '../domain/request';
import { cooldownMsOf, type BreakGlassCooldown } from '../domain/break-glass-cooldown';
import { extensionRangeUnder } from '../domain/extension-terms';
import { readBreakGlassCooldown } from './break-glass-cooldown';
import { KeyedSerialiser } from '../domain/keyed-serialiser';
import type { Logger } from '../observability/logger';
import type { RequestNotifier } from './notifier';
import type { FlowSettings } from './settings';
import type { PauseReader } from './access-pause';
import { listPending, listReviewsOwed, type WaitingRequests } from './waiting-for-approvers';
import { ApproverAuthority } from './approver-authority';
import { BreakGlassReviews, type BreakGlassRevocation } from './break-glass-reviews';
import type { DecisionResult } from './decision-result';
import { RequestAudit, targetsOf } from './request-audit';
import { RequestCreation, type NewRequest } from './request-creation';
import { type DecisionClick, RequestDecisions } from './request-decision';
import { expireIfDue, type ExpiryPorts } from './request-expiry';
import {
  breakGlassReviewJobId,
  type JobScheduling,
  pendingRequestJobIds,
  scheduleExpiryForPending,
  scheduleReviewsForUnreviewed,
} from './request-jobs';
import { termEndedBy } from './access-lease';
import { openExtensionsOf, readRequest } from './request-reads';
import { newestRequestsOf, openRequestsOf } from './requester-requests';
import type { RequesterRequests } from '../domain/requester-requests';

/** Creates, decides, lists and expires requests. */
export class RequestService {
  /** Decisions on one request in this process run one after another, so a double click's loser sees the winner before auditing anything. Across processes the conditional write decides. */
  private readonly perRequest = new KeyedSerialiser();

  constructor(
    private readonly store: RequestStore,
    audit: AuditLog,
    directory: DirectoryPort,
    private readonly clock: Clock,
    private readonly settings: FlowSettings,
    private readonly notifier: RequestNotifier,
    private readonly log: Logger,
    /** Persisted schedule for the approval window's end (G6); absent in flows run without one. */
    private readonly jobs?: JobScheduling,
    /** The approval policy (G18); without one, the single rule built from the environment. */
    policies?: PolicyProvider,
    /** The operators' pause of new access, read before filing or approving; absent: never paused. */
    pauses?: PauseReader,
  ) {
    const fallback = policies ? undefined : policyFromEnvironment(settings);
    this.policies = policies ?? { current: () => fallback! };
    this.auditing = new RequestAudit(audit, store, clock, log);
    this.approvers = new ApproverAuthority(directory, clock, settings, log, this.policies);
    this.creation = new RequestCreation(
      store,
      directory,
      clock,
      settings,
      log,
      this.policies,
      this.auditing,
      this.approvers,
      jobs,
      pauses,
    );
    this.reviews = new BreakGlassReviews(
      store,
      audit,
      clock,
      log,
      notifier,
      this.policies,
      this.auditing,
      this.approvers,
      jobs,
    );
    this.expiry = { store, clock, auditing: this.auditing, notifier, jobs, log, audit };
    this.decisions = new RequestDecisions(
      store,
      clock,
      notifier,
      this.policies,
      this.auditing,
      this.approvers,
      this.reviews,
      this.expiry,
      log,
      pauses,
      settings.access,
      settings.approvalTtlMs,
      settings.subscriptionIds,
    );
  }

  private readonly policies: PolicyProvider;
  private readonly auditing: RequestAudit;
  /**
   * Who may approve, review or read, asked of the rule and the directory. Public so the rest of the
   * process asks the same instance (composition/flows.ts: nudges, pauses, the mention beside a new
   * request's card), whose reads kept a few minutes (approver-groups-cache.ts) a new request has
   * just filled.
   */
  readonly approvers: ApproverAuthority;
  private readonly creation: RequestCreation;
  private readonly reviews: BreakGlassReviews;
  private readonly decisions: RequestDecisions;
  private readonly expiry: ExpiryPorts;

  /** The policy in force now (new requests are bound to it; pending ones keep their rule). */
  currentPolicy(): Policy {
    return this.policies.current();
  }

  /**
   * The break-glass cooldown `member` is in now after a rejected review (`policy` shows it), or
   * undefined: none, or the policy has no break-glass. Read as `--break-glass` reads it.
   */
  async breakGlassCooldownOf(member: Actor): Promise<BreakGlassCooldown | undefined> {
    const bg = this.policies.current().breakGlass;
    return bg ? readBreakGlassCooldown(this.store, member, cooldownMsOf(bg), this.clock.now(), this.log) : undefined;
  }

  /** Audits a refusal made before any request was involved ({@link RequestAudit.recordRefusal}). */
  recordRefusal(event: Omit<AuditEvent, 'targetIds'> & { targetIds?: string[] }): Promise<void> {
    return this.auditing.recordRefusal(event);
  }

  /** Files a new request ({@link RequestCreation.create}). */
  create(input: NewRequest): Promise<AccessRequest> {
    return this.creation.create(input);
  }

  /**
   * Refuses a user of another tenant than acrbot's own, then any user while the operators' pause
   * of new access is in force ({@link RequestCreation.assertOpen}).
   */
  assertOpen(acting: ActingContext, targetIds: string[] = []): Promise<void> {
    return this.creation.assertOpen(acting, targetIds);
  }

  /** Refuses a user of another tenant than acrbot's own only ({@link RequestCreation.assertOwnTenant}). */
  assertOwnTenant(acting: ActingContext, targetIds: string[] = []): Promise<void> {
    return this.creation.assertOwnTenant(acting, targetIds);
  }

  /**
   * The access term for a typed `--for` (default when absent), checked against the configured
   * limits before anything is asked or read: no rule allows a term outside them. Throws a
   * `validation.duration` error that names the rules allowing less than the deployment, since
   * which of them covers the request is known only once it is planned ({@link create} checks
   * the term against that rule then, naming its range). Undefined when time-boxing is not
   * configured.
   */
  accessTerm(text: string | undefined): AccessTerm | undefined {
    const limits = this.settings.access;
    if (!limits) return undefined;
    const shorter = this.policies
      .current()
      .rules.filter((rule) => rule.maxDurationMs !== undefined && rule.maxDurationMs < limits.maxMs);
    return parseAccessDuration(text, limits, { rangeHint: rulesAllowingLess(shorter) });
  }

  /**
   * The terms an extension of `original` may ask for and run with, by the same limits
   * {@link create} applies: the deployment's minimum and maximum, and the current rule's
   * maxDuration (longer is refused) and auto-approval cap (longer is cut). For offering terms (the
   * tab); {@link create} decides again. Undefined without time-boxing, or when no rule covers it.
   */
  extensionTermRange(original: AccessRequest): { minMs: number; maxMs: number } | undefined {
    const limits = this.settings.access;
    const rule = selectRule(this.policies.current(), factsOf(original.plan));
    return limits && rule ? extensionRangeUnder(limits, rule) : undefined;
  }

  /**
   * {@link credentialLifetimeMs} for the term a request with these facts would run with under the
   * policy in force (see `termUnderRule`): a default term cut to the rule's maximum, or a term an
   * auto-approving rule caps, makes a shorter-lived credential. Without a rule, the term as asked
   * (such a request is refused anyway).
   */
  credentialLifetimeUnderPolicy(
    facts: RequestFacts,
    term: AccessTerm | undefined,
    defaultTerm: boolean,
  ): number | undefined {
    const rule = selectRule(this.policies.current(), facts);
    return this.credentialLifetimeMs(rule ? termUnderRule(term, rule, defaultTerm).granted : term);
  }

  /** How long the credential of a secret must live to outlast its access term (approval wait included). */
  credentialLifetimeMs(term: AccessTerm | undefined): number | undefined {
    if (!term) return undefined;
    if (term.permanent || !term.durationMs) return Number.MAX_SAFE_INTEGER;
    return term.durationMs + this.settings.approvalTtlMs;
  }

  /** Schedules missing break-glass review jobs at start ({@link scheduleReviewsForUnreviewed}). */
  scheduleReviewsForUnreviewed(hasJob: (jobId: string) => Promise<boolean>): Promise<number> {
    return scheduleReviewsForUnreviewed(this.store, this.jobs, this.log, hasJob);
  }

  /** Schedules missing expiry jobs of pending requests at start ({@link scheduleExpiryForPending}). */
  scheduleExpiryForPending(): Promise<number> {
    return scheduleExpiryForPending(this.store, this.jobs, { log: this.log });
  }

  /** Reads a request or says it does not exist. */
  get(id: string): Promise<AccessRequest> {
    return readRequest(this.store, id);
  }

  /**
   * Extensions of `original` still open (pending, approved or executing), oldest first, read from
   * the store so every instance sees the same: only an extension's own requester files it (the
   * requester of the original), so this reads that user's open requests through the by-requester
   * index (the per-user cap bounds the pending ones; approved and executing ones pass quickly)
   * and keeps those that extend `original`.
   */
  openExtensionsOf(original: AccessRequest): Promise<AccessRequest[]> {
    return openExtensionsOf(this.store, original);
  }

  /**
   * `requester`'s newest requests of `tenantId`, every state, newest first (`status` without an
   * id), through the by-requester index as the tab's "Your requests" reads them.
   */
  async newestRequestsOf(requester: Actor, tenantId: string, shown?: number): Promise<RequesterRequests> {
    const readAt = this.clock.now();
    return { ...(await newestRequestsOf(this.store, requester.objectId, tenantId, shown)), readAt };
  }

  /** `requester`'s open requests of `tenantId` (pending, approved, being applied), newest first, at most `shown` (`access`). */
  openRequestsOf(requester: Actor, tenantId: string, shown: number): Promise<RequesterRequests> {
    return openRequestsOf(this.store, requester.objectId, tenantId, shown);
  }

  /**
   * Every pending request, oldest first, up to WAITING_SCAN_LIMIT (`boundReached` says when
   * more were there): uncapped, since each approver's list is narrowed from it afterwards.
   */
  async pending(): Promise<WaitingRequests> {
    return listPending(this.store);
  }

  /**
   * Break-glass grants whose review is still owed (they wait for an approver too), oldest first,
   * up to WAITING_SCAN_LIMIT, as {@link pending}: read from their review jobs, so the cost follows
   * the reviews owed, not every grant that ever ended; by state where the schedule cannot list them.
   */
  async awaitingReview(): Promise<WaitingRequests> {
    const jobs = this.jobs;
    const reviewJobs = jobs?.withIdPrefix
      ? (limit: number) => jobs.withIdPrefix!(breakGlassReviewJobId(''), limit)
      : undefined;
    return listReviewsOwed(this.store, reviewJobs);
  }

  /** THE question "may this person approve this request" ({@link ApproverAuthority.isApproverOf}). */
  isApproverOf(actor: Actor, request: AccessRequest, tenantId?: string): Promise<boolean> {
    return this.approvers.isApproverOf(actor, request, tenantId);
  }

  /** Whether an approver's own account is enabled now, for a click they make as one ({@link ApproverAuthority.accountEnabledNow}). */
  approverAccountEnabled(actor: Actor, requestId: string): Promise<boolean> {
    return this.approvers.accountEnabledNow(actor, requestId);
  }

  /** The rule a request is bound to, its approvers the current policy's once decided ({@link ApproverAuthority.ruleOf}). */
  ruleOf(request: AccessRequest): PolicyRule | undefined {
    return this.approvers.ruleOf(request);
  }

  /**
   * Why an Approve of pending `request` would be refused now for its term ("asks for 30d, but rule
   * prod now grants at most 8h"; pendingTermPastLimits under the policy in force and the
   * deployment's limits, as the click and the nudges judge it), or, its term allowed, for its plan
   * in a subscription no longer in ACRBOT_SUBSCRIPTION_IDS (approve-refused.ts, the click's next
   * check), for the approvers' card to say
   * whenever it is drawn; undefined when it can be approved as it is, or it is not pending.
   */
  approveRefusedForTerm(request: AccessRequest): ApproveRefusal | undefined {
    if (request.state !== 'pending') return undefined;
    const term = pendingTermPastLimits(request, this.policies.current(), this.settings.access);
    return term ? termApproveRefusal(term) : unservedApproveRefusalOf(request, this.settings.subscriptionIds);
  }

  /** An approver under any rule of the current policy (who may list pending requests). */
  isApprover(actor: Actor): Promise<boolean> {
    return this.approvers.isApprover(actor);
  }

  /** Approvers and auditors may read the audit log. */
  mayReadAudit(actor: Actor): Promise<boolean> {
    return this.approvers.mayReadAudit(actor);
  }

  /**
   * An approve or reject click. Identity is the caller's `aadObjectId`; the request is
   * re-read from the store, whatever the card data says (G3). Exactly one decision wins (G8).
   */
  async decide(input: DecisionClick): Promise<DecisionResult> {
    return this.perRequest.run(input.requestId.toUpperCase(), () => this.decisions.decideNow(input));
  }

  /**
   * `cancel R-…`: the requester withdraws their own pending request. Serialised with decisions
   * on the same request, conditional on the version read (a concurrent approval wins or loses
   * cleanly); audited as `request.cancelled`; its jobs (expiry, reminder, escalation and
   * announcement: {@link pendingRequestJobIds}) are cancelled and every card copy updates.
   * Anyone else is refused (audited, nothing changes). The requester's own request that holds
   * access is refused with the step that ends it ({@link withRevokeStep}). `reason` (optional, as
   * typed: `cancel R-… REASON…`) is checked once the cancel is known to be allowed (who, then the
   * state) and before the write ({@link cancelReason}): someone else is refused as not its
   * requester, and a granted request points to revoke, whatever reason was typed; a refused reason
   * changes nothing; a good one is the entry's detail, which the audit channel's card and `audit
   * R-…` show.
   */
  async cancel(input: { requestId: string; acting: ActingContext; reason?: string }): Promise<AccessRequest> {
    return this.perRequest.run(input.requestId.toUpperCase(), () => this.cancelNow(input));
  }

  private async cancelNow(input: {
    requestId: string;
    acting: ActingContext;
    reason?: string;
  }): Promise<AccessRequest> {
    const request = await this.get(input.requestId);
    const { actor, tenantId } = input.acting;
    const now = this.clock.now();
    const cancelling = (reason?: string) => transition(request, { type: 'cancel', by: actor, at: now, reason });
    let next: AccessRequest;
    try {
      next = cancelling();
    } catch (err) {
      if (isUserFacing(err))
        await this.auditing.record({
          actor,
          tenantId,
          action: `request.cancel.refused.${err.code === 'request.notRequester' ? 'notRequester' : 'notPending'}`,
          requestId: request.id,
          targetIds: targetsOf(request.plan),
          outcome: 'refused',
          detail: err.message,
        });
      throw isUserFacing(err) ? withRevokeStep(err, request, now) : err;
    }
    // Its requester may cancel it now: only then is the reason judged (a refused one throws,
    // nothing written), so a short reason never hides that the cancel itself would be refused.
    const reason = input.reason === undefined ? undefined : cancelReason(input.reason);
    if (reason !== undefined) next = cancelling(reason);
    try {
      await this.auditing.updateUndoingUnseen(request, next);
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
      const winner = await this.get(request.id);
      throw new UserFacingError(
        'request.alreadyDecided',
        `Request ${request.id} was already ${describeState(winner)}; it was not cancelled.`,
      );
    }
    await this.auditing.recordOrUndo(request, next, {
      actor,
      tenantId,
      action: 'request.cancelled',
      requestId: request.id,
      targetIds: targetsOf(request.plan),
      outcome: 'cancelled',
      ...(reason && { detail: reason }),
    });
    for (const id of pendingRequestJobIds(request.id)) await this.jobs?.cancel(id);
    void this.notifier.requestChanged(next);
    return next;
  }

  /** Runs the net for decisions a stopped process left half done ({@link BreakGlassReviews.finishStoredDecisions}). */
  finishStoredDecisions(options: { atMostEveryMs?: number } = {}): Promise<void> {
    return this.reviews.finishStoredDecisions(options);
  }

  /** Wires the lifecycle's revocation of a break-glass grant rejected in review ({@link BreakGlassReviews.useRevocation}). */
  useRevocation(revoke: BreakGlassRevocation): void {
    this.reviews.useRevocation(revoke);
  }

  /** The `request.expire` job (G6): expires the request if still pending and due ({@link expireIfDue}). */
  expireIfDue(requestId: string): Promise<boolean> {
    return expireIfDue(this.expiry, requestId);
  }
}

/**
 * "Rule prod-short allows at most 8h." for the rules whose maxDuration is shorter than the
 * deployment's maximum (at most three named), so a refused `--for` can be retyped right once.
 * Undefined when there is none.
 */
function rulesAllowingLess(rules: readonly PolicyRule[]): string | undefined {
  const [only] = rules;
  if (!only) return undefined;
  if (rules.length === 1) return `Rule ${only.id} allows at most ${shortDuration(only.maxDurationMs!, 'down')}.`;
  const named = rules.slice(0, 3).map((r) => `${r.id} at most ${shortDuration(r.maxDurationMs!, 'down')}`);
  const more = rules.length > 3 ? ` and ${rules.length - 3} more` : '';
  return `Some rules allow less: ${named.join(', ')}${more}.`;
}

/**
 * THE cancel reason rule (`cancel R-… REASON…`): optional, and when given checked like every
 * reason ({@link actionReason}: at least a few readable characters, bounded, one line, nothing
 * that looks like a credential), because it is kept the same way (the audit entry, the stored
 * request, the cards). Returns the normalised text; throws `validation.reason` /
 * `validation.secret`, each saying that nothing was cancelled.
 */
export function cancelReason(raw: string): string {
  return actionReason(raw, {
    what: 'cancel reason',
    tooShort: `Say why you withdraw it in at least ${REASON_LIMITS.min} characters (e.g. "asked for the wrong registry"), or leave the reason out; nothing was cancelled.`,
    ask: 'say why you withdraw it, e.g. "asked for the wrong registry", or leave it out; nothing was cancelled',
    // Too long, or a credential in it: the requester must not take the request for withdrawn.
    nothingDone: 'Nothing was cancelled.',
  });
}

/**
 * A cancel refused because the request is no longer pending, with the way on when it holds
 * access now (granted, not being revoked, its term not passed): revoke, as `revoke` of a pending
 * request points to `cancel` (access-actions.ts). Only reached by its requester: the domain
 * refuses anyone else first, without its state. The audit keeps the refusal without the step.
 */
function withRevokeStep(err: UserFacingError, request: AccessRequest, now: Date): UserFacingError {
  const holdsAccess =
    err.code === 'request.alreadyDecided' &&
    request.state === 'succeeded' &&
    !isBeingRevoked(request) &&
    !termEndedBy(request, now);
  if (!holdsAccess) return err;
  return new UserFacingError(err.code, `${err.message} To end the access now: "@acrbot revoke ${request.id} REASON…".`);
}
