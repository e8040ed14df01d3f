/**
 * An approve or reject click on a pending request: judged against the request as stored now
 * (G3) and the rule it is bound to, every approval a quorum counts asked of the directory again
 * (G5), written conditionally so exactly one decision wins (G8), and audited by that winner right
 * after its write, undone when the entry cannot be written (G11). A click on a break-glass grant
 * is its review (break-glass-reviews.ts).
 */
import { checkDecision, isJustification, type RefusalReason } from '../domain/approval-policy';
import {
  awaitingReview,
  countedApprovals,
  isFailedBreakGlass,
  nextApprovalStep,
  type PolicyProvider,
  type PolicyRule,
} from '../domain/policy';
import { UserFacingError } from '../domain/errors';
import { type AccessLimits, formatUtc } from '../domain/access-term';
import { pendingTermPastLimits } from '../domain/pending-term';
import type { Clock, RequestStore } from '../domain/ports';
import { VersionConflictError } from '../domain/ports';
import type {
  AccessRequest,
  ActingContext,
  Actor,
  Approval,
  DiscountedApproval,
  PolicyBinding,
  RequestEvent,
} from '../domain/request';
import { describeState, isExpired, transition, withoutApprovalOf } from '../domain/request';
import { waitEndsWithOriginal } from '../domain/extension-deadline';
import { clusterGoneNote } from '../domain/cluster-gone';
import { describeBreakGlassRun } from '../domain/break-glass-review';
import { approvedEntryKey } from './decision-entry-net';
import { approvalEntryKey } from './approval-entry-net';
import { discountedEntry } from './discounted-approvals';
import { characterCount, looksLikeSecret, REASON_LIMITS, singleLine, tooLongSentence } from '../domain/text';
import { ofTenant, tenantNotServed } from '../domain/tenant-boundary';
import { planOutsideSubscriptions, unservedClause } from '../domain/served-subscriptions';
import type { RequestNotifier } from './notifier';
import { type PauseReader, pausedRefusal } from './access-pause';
import { type AccessGone, originalAccessGone } from './access-lease';
import { originalUnapprovable } from './extension-unapprovable';
import { type RequestAudit, targetsOf } from './request-audit';
import { readRequest } from './request-reads';
import { type ApproverAuthority, withAccountUnreadNote } from './approver-authority';
import { type DecisionResult, REJECTION_NEEDS_REASON, alreadyDecided, lostRace } from './decision-result';
import type { BreakGlassReviews } from './break-glass-reviews';
import { type ExpiryPorts, expireRequest } from './request-expiry';
import { cancelPendingRequestJobs } from './request-jobs';
import { followingMovedEnd, followMovedEnd } from './moved-end-waits';
import type { Logger } from '../observability/logger';

/**
 * Times one click is decided against the current version when the conditional write loses to a
 * change that left the request pending (a concurrent approval, a reminder's mark).
 */
const MAX_DECISION_ATTEMPTS = 5;

/** Most earlier approvals whose authors are looked up again at a click (the policy file's quorum limit). */
const MAX_QUORUM_RECHECKS = 10;

/** An approve or reject click, as {@link RequestDecisions.decideNow} is given it. */
export interface DecisionClick {
  requestId: string;
  acting: ActingContext;
  approve: boolean;
  reason?: string;
  /** The tenants served now (ACRBOT_ALLOWED_TENANTS): a request of another is decided by nobody. */
  servedTenantIds?: readonly string[];
  /**
   * Withdraw my approval instead of a decision ({@link RequestDecisions.withdrawNow}): `approve`
   * and `reason` are not read.
   */
  withdraw?: boolean;
}

/** Decides pending requests for the request service. */
export class RequestDecisions {
  constructor(
    private readonly store: RequestStore,
    private readonly clock: Clock,
    private readonly notifier: RequestNotifier,
    private readonly policies: PolicyProvider,
    private readonly auditing: RequestAudit,
    private readonly approvers: ApproverAuthority,
    private readonly reviews: BreakGlassReviews,
    private readonly expiry: ExpiryPorts,
    private readonly log: Logger,
    private readonly pauses?: PauseReader,
    /** The deployment's access terms now (ACRBOT_*_ACCESS_DURATION, ACRBOT_ALLOW_PERMANENT); absent: none. */
    private readonly accessLimits?: AccessLimits,
    /**
     * ACRBOT_APPROVAL_TTL: an extension's wait cut to an end another extension moved since is cut
     * again at a click (moved-end-waits.ts). Without it, such a click is refused as expired.
     */
    private readonly approvalTtlMs?: number,
    /** The subscriptions served now (ACRBOT_SUBSCRIPTION_IDS): a plan in another is not approved. */
    private readonly servedSubscriptionIds?: readonly string[],
  ) {}

  /**
   * One click, run under the request's serialiser (`RequestService.decide`); decided again on the
   * current version when its write loses to a change that left the request pending.
   */
  async decideNow(input: DecisionClick, attempt = 1): Promise<DecisionResult> {
    if (input.withdraw) return this.withdrawNow(input, attempt);
    let request = await readRequest(this.store, input.requestId);
    const { actor, tenantId } = input.acting;
    const now = this.clock.now();
    // The tenant boundary before anything else: what the request's state or the comment are is
    // not said to someone whose tenant may not decide it.
    const across = await this.acrossTenants(request, input.acting, input.servedTenantIds);
    if (across) return across;
    // Cleaned before anything is judged: a comment of invisible characters is no comment.
    const reason = singleLine(input.reason ?? '') || undefined;
    if (reason && reason.length > REASON_LIMITS.max) {
      // Refused, not cut: the approver would not know what was kept.
      await this.auditing.recordRefusal({
        actor,
        tenantId,
        action: 'validation.failed',
        requestId: request.id,
        targetIds: targetsOf(request.plan),
        outcome: 'validation.tooLong',
        detail: `comment of ${characterCount(reason)}; the limit is ${REASON_LIMITS.max}`,
      });
      throw new UserFacingError(
        'validation.reason',
        // In a reason's words (tooLongSentence): an emoji counts two, and the sentence says so.
        `${tooLongSentence('comment', reason, REASON_LIMITS.max, 'and click again')} Nothing was changed.`,
      );
    }
    if (reason && looksLikeSecret(reason)) {
      // Audited like every refusal (G11), without the comment: it looks like a credential.
      await this.auditing.recordRefusal({
        actor,
        tenantId,
        action: 'validation.failed',
        requestId: request.id,
        targetIds: targetsOf(request.plan),
        outcome: 'validation.secret',
      });
      throw new UserFacingError(
        'validation.secret',
        'The comment looks like it contains a credential (a token, key or password); remove it and click again. Never paste secrets in chat.',
      );
    }
    // A break-glass run that failed granted nothing: no review is owed (policy.ts, awaitingReview).
    // A click from a card drawn before it failed is refused and audited, and changes nothing:
    // recorded as a review, its Reject would promise a revocation of access that never existed.
    if (isFailedBreakGlass(request)) {
      const message = `Break-glass request ${request.id} failed: nothing was granted, so there is nothing to keep or revoke and no review is owed. Nothing was changed.`;
      await this.auditing.recordRefusal({
        actor,
        tenantId,
        action: 'breakglass.review.refused.failed',
        requestId: request.id,
        targetIds: targetsOf(request.plan),
        outcome: 'refused',
        detail: 'the break-glass run failed; nothing was granted, so no review is owed',
        ...(request.policy && { ruleId: request.policy.ruleId, policyHash: request.policy.policyHash }),
      });
      return { kind: 'refused', request, reason: 'stale', message };
    }
    // Approve/Reject on a break-glass card is its review: keep it, or revoke it at once (once
    // its access ended: whether the use was justified).
    if (awaitingReview(request)) return this.reviews.reviewNow(request, input.acting, input.approve, reason);
    // Reviewed already, by a click whose process stopped before the entry or the revocation
    // (review-reject-net.ts): this click finishes it, whoever clicks; it decides nothing new.
    // Not a review stored moments ago: its click may still be on it (CLICK_GRACE_MS).
    const finished = await this.reviews.finishReviewAtClick(request, input.acting);
    if (finished) return finished;
    if (request.state !== 'pending') {
      // The same click again by whoever decided it (a double click, a second device): their
      // decision stands, so it is answered as such, and neither audited nor counted as refused.
      if (ownDecisionStands(request, actor, input.approve))
        return { kind: 'ownDecisionStands', request, message: ownDecisionWords(request) };
      // A click on a request decided already (a late approver, a forwarded card) is refused and
      // audited, as one that loses the race is.
      await this.auditing.recordRefusal({
        actor,
        tenantId,
        action: 'approval.refused.stale',
        requestId: request.id,
        targetIds: targetsOf(request.plan),
        outcome: 'refused',
        detail: describeBreakGlassRun(request) ?? `already ${describeState(request)}`,
        ...(request.policy && { ruleId: request.policy.ruleId, policyHash: request.policy.policyHash }),
      });
      return { kind: 'refused', request, reason: 'stale', message: `${alreadyDecided(request)}; nothing was changed.` };
    }
    // An extension whose wait was cut to its original's end, clicked after that end passed but
    // before its expiry ran, while another extension has moved the end: the access still runs,
    // so it is judged by its wait following the new end, not refused as ended. Only read here:
    // the wait is written (withMovedEnd) below, once the click is one that is decided.
    const { moved, read: originalRead } = await this.movedEndOf(request, now);
    const rule = this.approvers.ruleOf(request);
    const binding = this.bindingOf(request, rule);
    // With the tenant, as the card handlers ask it: the boundary above refuses another tenant's
    // click already, and this answer stays right on its own should that order change. A rejection
    // reads the actor's own account too (one deleted or disabled since decides nothing), but only
    // once its verdict allows it (below): an expired request is told expired, whatever the
    // directory. An approval reads it later still, with the earlier approvers' (withoutFormerApprovers).
    const actorIsApprover = await this.approvers.isApproverOf(actor, request, tenantId);
    // Refused, someone a reload made an approver of this pair is told why (it keeps its approvers).
    const actorApprovesUnderPolicyNow =
      !actorIsApprover && (await this.approvers.approvesUnderPolicyNow(actor, request, tenantId));
    const judge = (r: AccessRequest) =>
      checkDecision(r, {
        actor,
        now,
        approving: input.approve,
        justification: reason,
        actorIsApprover,
        actorApprovesUnderPolicyNow,
        approverJustificationRequired: rule?.approverJustification === 'required',
      });
    let judgedOn = moved?.followed ?? request;
    let verdict = judge(judgedOn);
    // A rejection only refuses access: a directory that cannot be read now (Graph down) lets it
    // through (`unread`, said in its audit entry), a disabled account found does not. An approval
    // reads the actor's account with its earlier approvers' (withoutFormerApprovers), except before
    // the write that follows a moved end, which a disabled account's click must not make: read
    // first then, failing the click on a failed read, as approvals do.
    const account =
      actorIsApprover && verdict.allowed && (!input.approve || moved)
        ? await this.approvers.accountStandingNow(
            actor,
            request.id,
            input.approve ? { failOpen: false, undone: 'your approval was not recorded' } : { failOpen: true },
          )
        : 'enabled';
    // Written only for an approver's click the policy lets through, or finds past the approval
    // window (its refusal expires the request, by the wait as it follows): not someone else's, not
    // the requester's own, not a disabled account's. A click that decides nothing
    // changes nothing. A write that keeps losing leaves the wait cut, and the click is judged on that.
    if (moved && actorIsApprover && account !== 'disabled' && (verdict.allowed || verdict.reason === 'expired')) {
      request = await this.withMovedEnd(request, moved.original);
      judgedOn = request;
      verdict = judge(request);
    }
    // `auditDetail`: what the request's history keeps when it must say less than the clicking
    // approver is told (its requester reads that history in the tab).
    const refused = async (
      r: RefusalReason | 'twice' | 'paused' | 'notActive' | 'clusterGone' | 'term' | 'subscription' | 'disabledOrGone',
      message: string,
      auditDetail = message,
    ): Promise<DecisionResult> => {
      await this.auditing.record({
        actor,
        tenantId,
        action: `approval.refused.${r}`,
        requestId: request.id,
        targetIds: targetsOf(request.plan),
        outcome: 'refused',
        detail: auditDetail,
        ruleId: binding.ruleId,
        policyHash: binding.policyHash,
      });
      if (r === 'expired') await expireRequest(this.expiry, request, this.clock.now());
      return { kind: 'refused', request: (await this.store.get(request.id)) ?? request, reason: r, message };
    };
    // Told in the words of what it was judged on: the wait as it follows the moved end when that
    // was not written for it (a non-approver's click, a disabled account's), as when it was.
    // The original read for the moved end, if it was, serves the words too: one read a click.
    if (!verdict.allowed) return refused(verdict.reason, await this.refusalWords(judgedOn, verdict, originalRead));
    if (account === 'disabled') return refused('disabledOrGone', disabledActorWords(request, input.approve));
    // A rejection is the approver's decision on someone's request: it always says why (G7), by
    // the rule an approval's justification follows. The card asks first; this holds for any caller.
    if (!input.approve && !isJustification(reason)) return refused('justification', REJECTION_NEEDS_REASON);
    const required = Math.max(1, binding.approvalsRequired);
    // Someone whose approval already counts is told so before any pause or ended original: "approve
    // it again after the pause" would promise a click that is then refused as a second approval.
    // Their approval is never one the quorum re-check below drops: they are an approver now
    // (checked above) and the counted approvals of a pending request are fewer than the quorum.
    const again = input.approve ? nextApprovalStep(request, required, { actor, approving: true, at: now }) : undefined;
    if (again?.kind === 'refused') return refused(again.reason, again.message);
    // Its term was checked when it was asked for, under the rule and settings of then: a reload
    // that lowered the rule's maxDuration, or a restart with a shorter maximum or without permanent
    // access, holds for requests already waiting. Refused rather than cut, so nobody approves a
    // term other than the one the card shows; it stays pending, to be rejected or to expire.
    const pastLimits = input.approve ? this.termPastLimits(request, rule) : undefined;
    if (pastLimits) return refused('term', pastLimits);
    // Likewise a subscription taken out of ACRBOT_SUBSCRIPTION_IDS since it was asked for: as the
    // tenant boundary holds for requests of a tenant no longer served, this one holds for plans
    // in it. Approving would write there; rejecting harms nothing and clears it.
    const unserved = input.approve ? planOutsideSubscriptions(request.plan, this.servedSubscriptionIds) : undefined;
    if (unserved)
      return refused(
        'subscription',
        `${unservedClause(unserved)}, so request ${request.id} cannot be approved; reject it, or ask the platform team to add the subscription back. Nothing was changed.`,
      );
    // A pause stops approvals too (a pending request would otherwise become access); rejecting still works.
    const paused = input.approve ? await this.pauses?.current() : undefined;
    if (paused) {
      const stays = `Request ${request.id} stays pending; approve it again after the pause, or reject it.`;
      // The approver is told why; the request's history (which its requester reads) is not: the
      // reason is in the `access.paused` entry.
      return refused('paused', pausedRefusal(paused, stays, true), pausedRefusal(paused, stays, false));
    }
    // An extension of access that is being revoked or has ended would only fail when it runs
    // (extend.notActive): refused here, left pending for the revocation to close. So would one
    // of a grant whose cluster the drift check read gone after it was asked for (its run's
    // re-check reads the cluster gone): refused in the note's words, as `extend` of it is.
    const lost = input.approve ? await this.lostOriginal(request) : undefined;
    if (lost) return refused(lost.reason, lost.message);
    // G5 holds for every approval the quorum counts, not only this click's: an earlier approver
    // who has since left the rule's approvers, or whose account was disabled or deleted, no longer
    // counts. A rejection needs no quorum.
    // The actor's own account is read with theirs, in the same batched read (G5 for this click).
    const { current, discounted, actorEnabled } = input.approve
      ? await this.withoutFormerApprovers(request, required, now, actor)
      : { current: request, discounted: [], actorEnabled: true };
    if (!actorEnabled) return refused('disabledOrGone', disabledActorWords(request, true));
    const step = nextApprovalStep(current, required, {
      actor,
      approving: input.approve,
      at: now,
      reason,
    });
    if (step.kind === 'refused') return refused(step.reason, step.message);
    // Expiry again, just before the write: the lookups above (Graph, each retried for up to a
    // minute on 429), the pause and the original's reads take time, and a click made before the
    // expiry must not land after it (G6). Only the clock has moved since the first check, so the
    // only refusal left to it is expiry, with the same message and audit entry.
    const late = checkDecision(current, {
      actor,
      now: this.clock.now(),
      approving: input.approve,
      justification: reason,
      actorIsApprover: true,
      approverJustificationRequired: false,
    });
    if (!late.allowed) return refused(late.reason, await this.refusalWords(current, late));
    const event: RequestEvent =
      step.kind === 'rejected'
        ? { type: 'reject', by: actor, at: now, reason }
        : { type: step.kind === 'approved' ? 'approve' : 'recordApproval', by: actor, at: now, reason };
    const next = { ...transition(current, event), ...(request.policy ? {} : { policy: binding }) };
    // The conditional write picks the winner first; only the winner records the decision, so a
    // race leaves exactly one decision entry (G8).
    try {
      await this.auditing.updateUndoingUnseen(request, next);
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
      // Another approval towards the quorum or a reminder's mark moved the request: while it is
      // still pending this click is as valid as before, so it is decided again on the current
      // version. Only a request decided meanwhile (or endless contention) makes it stale.
      const latest = await readRequest(this.store, request.id);
      if (latest.state === 'pending' && attempt < MAX_DECISION_ATTEMPTS) return this.decideNow(input, attempt + 1);
      // Lost to the same decision by the same person (two devices at once): theirs stands.
      if (ownDecisionStands(latest, actor, input.approve))
        return { kind: 'ownDecisionStands', request: latest, message: ownDecisionWords(latest) };
      return lostRace(this.store, this.auditing, request, input.acting);
    }
    const action =
      step.kind === 'rejected'
        ? 'request.rejected'
        : step.kind === 'approved'
          ? 'request.approved'
          : 'approval.recorded';
    // G11: the executor is only started by the caller after this returns, so an undone decision never runs.
    await this.auditing.recordOrUndo(request, next, {
      actor,
      tenantId,
      action,
      requestId: request.id,
      targetIds: targetsOf(request.plan),
      outcome: step.kind === 'recorded' ? `${step.approvals.length} of ${step.required}` : next.state,
      detail: account === 'unread' ? withAccountUnreadNote(reason) : reason,
      ruleId: binding.ruleId,
      policyHash: binding.policyHash,
      // The resume sweep writes this entry under the same key when this process stopped before
      // it (decision-entry-net.ts): a slow append landing after that one adds nothing (G8).
      ...(action === 'request.approved' &&
        next.decision && { idempotencyKey: approvedEntryKey(request.id, next.decision) }),
      // Likewise the net for approvals (approval-entry-net.ts), keyed by the approval stored.
      ...(action === 'approval.recorded' && {
        idempotencyKey: approvalEntryKey(request.id, { by: actor, at: now.toISOString() }),
      }),
    });
    if (discounted.length > 0) await this.auditDiscounted(next, binding, discounted, tenantId);
    if (step.kind === 'recorded') {
      // Every copy shows "1 of 2 so far"; the click is answered with the same.
      void this.notifier.requestChanged(next);
      return { kind: 'recorded', request: next };
    }
    // The click is answered without waiting for the other copies: an approval's copies are
    // updated by the executor's first step ("executing") anyway, a rejection's right after.
    if (!input.approve) void this.notifier.requestChanged(next);
    // Only now, with the write won and its entry durable (an undone decision leaves the request
    // pending, needing its expiry): its expiry, nudge and announcement jobs would only run once
    // more to find it decided. Its run and end jobs are not among them.
    await cancelPendingRequestJobs(this.expiry.jobs, request.id, this.log);
    return { kind: 'decided', request: next };
  }

  /**
   * Withdraw my approval: the clicking approver's own approval towards a quorum taken back while
   * the request is pending, so a mistaken Approve is undone without a Reject, which would end the
   * request for everyone. Judged on the request as stored (G3), by who clicked, never by card
   * data: only an approval of theirs that the quorum counts (countedApprovals) is withdrawn. It
   * needs no authority (it only takes an approval away), so the directory is not asked. Written
   * conditionally on the version read, as approvals are (G8): a write that loses to a change
   * leaving the request pending (another approval, a reminder's mark, the same withdraw from a
   * second device) is judged again on the current version, and the second of two withdraws then
   * finds nothing to withdraw. Audited `approval.withdrawn` ("k of M" left) right after its write,
   * undone when the entry cannot be written (G11); every copy of the card is redrawn. They may
   * approve again later. Refused, audited as the other refused clicks (`approval.refused.*`),
   * nothing changed: another tenant's click, a request no longer pending (decided, or reached its
   * quorum and runs: the way then is revoke), and a click by anyone whose approval does not count
   * (another approver, a bystander, the requester, a withdraw already made).
   */
  private async withdrawNow(input: DecisionClick, attempt: number): Promise<DecisionResult> {
    const request = await readRequest(this.store, input.requestId);
    const { actor, tenantId } = input.acting;
    const across = await this.acrossTenants(request, input.acting, input.servedTenantIds);
    if (across) return across;
    const binding = this.bindingOf(request, this.approvers.ruleOf(request));
    const refused = async (
      reason: 'stale' | 'notCounted',
      message: string,
      detail: string,
      current = request,
    ): Promise<DecisionResult> => {
      await this.auditing.recordRefusal({
        actor,
        tenantId,
        action: `approval.refused.${reason}`,
        requestId: request.id,
        targetIds: targetsOf(request.plan),
        outcome: 'refused',
        detail: `withdraw of an approval: ${detail}`,
        ruleId: binding.ruleId,
        policyHash: binding.policyHash,
      });
      return { kind: 'refused', request: current, reason, message };
    };
    if (request.state !== 'pending')
      return refused(
        'stale',
        notPendingWithdrawWords(request),
        describeBreakGlassRun(request) ?? `already ${describeState(request)}`,
      );
    const id = actor.objectId.toLowerCase();
    if (!countedApprovals(request).some((a) => a.by.objectId.toLowerCase() === id))
      return refused(
        'notCounted',
        `You have no approval of request ${request.id} that counts (never given, or withdrawn already), so there is none to withdraw; nothing was changed.`,
        'no approval of theirs counts',
      );
    const now = this.clock.now();
    const next = { ...withoutApprovalOf(request, actor, now), policy: binding };
    try {
      await this.auditing.updateUndoingUnseen(request, next);
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
      // Still pending: judged again on what moved it (their approval may be gone already).
      const latest = await readRequest(this.store, request.id);
      if (latest.state === 'pending' && attempt < MAX_DECISION_ATTEMPTS) return this.withdrawNow(input, attempt + 1);
      return refused(
        'stale',
        notPendingWithdrawWords(latest),
        `lost the race: ${describeBreakGlassRun(latest) ?? describeState(latest)}`,
        latest,
      );
    }
    const required = Math.max(1, binding.approvalsRequired);
    await this.auditing.recordOrUndo(request, next, {
      actor,
      tenantId,
      action: 'approval.withdrawn',
      requestId: request.id,
      targetIds: targetsOf(request.plan),
      // What still counts after it, as `approval.recorded` says "k of M".
      outcome: `${countedApprovals(next).length} of ${required}`,
      ruleId: binding.ruleId,
      policyHash: binding.policyHash,
    });
    // Every copy shows the count gone down; the click is answered with the same.
    void this.notifier.requestChanged(next);
    return { kind: 'withdrawn', request: next };
  }

  /**
   * A decision across the tenant boundary (tenant-boundary.ts), refused and audited
   * (`approval.refused.tenant`), nothing changed: on another tenant's request, as to someone who
   * is no approver of it (the tab shows it to nobody of another tenant), or on one of a tenant
   * this deployment no longer serves (`served`). Nobody of such a tenant reaches acrbot any more,
   * so its requests are decided by nobody, Reject and reviews included: a pending one closes when
   * its approval window ends. Undefined when the decision may go on (always, with one tenant).
   */
  private async acrossTenants(
    request: AccessRequest,
    acting: ActingContext,
    served: readonly string[] | undefined,
  ): Promise<DecisionResult | undefined> {
    const gone = tenantNotServed(request.tenantId, served);
    if (!gone && ofTenant(request, acting.tenantId)) return undefined;
    const message = gone
      ? `Request ${request.id} was made in an organisation (tenant) this acrbot no longer serves, so it can no longer be approved, rejected or reviewed. Nothing was changed; a pending request closes when its approval window ends.`
      : `Only approvers in the organisation (tenant) request ${request.id} was made in can decide it. Nothing was changed.`;
    await this.auditing.record({
      actor: acting.actor,
      tenantId: acting.tenantId,
      action: 'approval.refused.tenant',
      requestId: request.id,
      targetIds: targetsOf(request.plan),
      outcome: 'refused',
      detail: gone
        ? `the request's tenant ${request.tenantId} is no longer served by this deployment (ACRBOT_ALLOWED_TENANTS)`
        : `the request is of tenant ${request.tenantId}, not of the deciding user's`,
      ...(request.policy && { ruleId: request.policy.ruleId, policyHash: request.policy.policyHash }),
    });
    return { kind: 'refused', request, reason: 'notApprover', message };
  }

  /**
   * The `approval.discounted` entry of the approvals this click dropped, written once its own
   * entry stands: written before it, an undo of the click (its own entry failed) would put the
   * dropped approvals back and leave the trail saying they no longer count. Keyed, and recorded
   * on the request with the click's write, so a failed append (logged) or a stop before it is
   * written late by the net for approvals (approval-entry-net.ts), not undone: the decision
   * stands either way.
   */
  private async auditDiscounted(
    next: AccessRequest,
    binding: PolicyBinding,
    discounted: DiscountedApproval[],
    tenantId: string,
  ): Promise<void> {
    await this.auditing.recordOrLeaveToNet(discountedEntry(next, binding, discounted, tenantId));
  }

  /**
   * The request with only the earlier approvals whose authors are still approvers of its rule
   * (asked now, G5) with an account the directory finds enabled, and the approvals left out,
   * recorded on it as dropped `at` this click, and whether the clicking `actor`'s own account is
   * enabled (`actorEnabled`: one disabled or deleted since approves nothing, docs/policy.md). One
   * batched read of their accounts and the actor's (so even a rule approving with one click reads
   * one account), then one approver lookup per enabled earlier approver. Counted approvals are
   * fewer than the quorum by construction (the approval reaching it decides), and never more than
   * {@link MAX_QUORUM_RECHECKS} are looked up; approvals past that bound are not counted either.
   */
  private async withoutFormerApprovers(
    request: AccessRequest,
    required: number,
    now: Date,
    actor: Actor,
  ): Promise<{ current: AccessRequest; discounted: DiscountedApproval[]; actorEnabled: boolean }> {
    const discounted: DiscountedApproval[] = [];
    const at = now.toISOString();
    const counted = countedApprovals(request);
    const rechecked = counted.slice(0, Math.min(required, MAX_QUORUM_RECHECKS));
    const enabled = await this.enabledEarlierApprovers(request, rechecked, actor);
    const actorEnabled = enabled.has(actor.objectId.toLowerCase());
    // Refused, the click changes nothing: no drop is recorded for it.
    if (!actorEnabled) return { current: request, discounted, actorEnabled };
    for (const [i, approval] of counted.entries())
      if (i >= rechecked.length) discounted.push({ by: approval.by, at, why: 'notRechecked' });
      // Graph answers group membership alike for a disabled account, and the policy file still
      // names one deleted since: neither approves now, so neither counts (docs/policy.md).
      else if (!enabled.has(approval.by.objectId.toLowerCase()))
        discounted.push({ by: approval.by, at, why: 'disabledOrGone' });
      else if (!(await this.approvers.isApproverOf(approval.by, request)))
        discounted.push({ by: approval.by, at, why: 'notApprover' });
    if (discounted.length === 0) return { current: request, discounted, actorEnabled };
    const gone = new Set(discounted.map((d) => d.by.objectId.toLowerCase()));
    const approvals = (request.approvals ?? []).filter((a) => !gone.has(a.by.objectId.toLowerCase()));
    const discountedApprovals = [...(request.discountedApprovals ?? []), ...discounted];
    return { current: { ...request, approvals, discountedApprovals }, discounted, actorEnabled };
  }

  /**
   * Which of `earlier` (approvals a click re-checks) and the clicking `actor` the directory finds
   * enabled now, in one read; its failures decided as for every approver's click
   * (ApproverAuthority.enabledForClick: a 403 counts them unchecked, any other failure fails the
   * click, nothing changed).
   */
  private enabledEarlierApprovers(request: AccessRequest, earlier: Approval[], actor: Actor): Promise<Set<string>> {
    const whose =
      earlier.length === 0
        ? 'your account is'
        : `your account and those of the earlier approvers of request ${request.id} are`;
    return this.approvers.enabledForClick([actor, ...earlier.map((a) => a.by)], {
      requestId: request.id,
      whose,
      undone: 'your approval was not recorded',
    });
  }

  /**
   * Why an extension cannot be approved because of its original, read now (the checks before it
   * may have taken a while), by the rule the approval reminders skip by (originalUnapprovable,
   * extension-unapprovable.ts): `notActive` when its access is gone ({@link endedOriginalWords}),
   * or `clusterGone` when the drift check read its cluster gone after the extension was asked for
   * (`access.clusterGoneAt`): it gives nothing, and "Extended" would be said of access nobody
   * has, so the Approve is refused in the note's words (clusterGoneNote), as `extend` of it is
   * (extend.clusterGone). Undefined for a request that extends nothing or an original still
   * giving its access.
   */
  private async lostOriginal(
    request: AccessRequest,
  ): Promise<{ reason: 'notActive' | 'clusterGone'; message: string } | undefined> {
    if (!request.extendsRequestId) return undefined;
    const original = await this.store.get(request.extendsRequestId);
    const lost = originalUnapprovable(original, this.clock.now());
    if (!lost) return undefined;
    if (lost.why !== 'clusterGone') return { reason: 'notActive', message: endedOriginalWords(request, lost) };
    // The drift detector closes it as it writes the note (close-pending-extensions.ts); one whose
    // close failed, or a click racing it, is refused here.
    return {
      reason: 'clusterGone',
      message: `${clusterGoneNote(lost.original)!} Its extension ${request.id} cannot be approved: reject it, or leave it to close without a decision. Nothing was changed.`,
    };
  }

  /**
   * When `request` is an extension past a wait cut to its original's end while the original,
   * read now, still holds its access past it (another extension moved the end after this one was
   * filed, and its own follow-up has not reached this one yet): that original, and `request` as it
   * reads once it follows the new end ({@link followingMovedEnd}, not written), as `moved`;
   * undefined otherwise. `read`: the original as read for it, whether or not its end moved (for
   * {@link refusalWords}); undefined when it was not read.
   */
  private async movedEndOf(
    request: AccessRequest,
    now: Date,
  ): Promise<{
    moved?: { original: AccessRequest; followed: AccessRequest };
    read?: { original: AccessRequest | undefined };
  }> {
    if (!request.extendsRequestId || !isExpired(request, now) || !waitEndsWithOriginal(request)) return {};
    const original = await this.store.get(request.extendsRequestId);
    const read = { original };
    if (!original || originalAccessGone(original, now)) return { read };
    const followed = followingMovedEnd(request, original, this.approvalTtlMs);
    return followed ? { moved: { original, followed }, read } : { read };
  }

  /**
   * `request` following `original`'s moved end ({@link movedEndOf}), written: its expiry job
   * moved and its cards redrawn (moved-end-waits.ts). As stored afterwards.
   */
  private withMovedEnd(request: AccessRequest, original: AccessRequest): Promise<AccessRequest> {
    const ports = { store: this.store, jobs: this.expiry.jobs, cards: this.notifier, log: this.log };
    return followMovedEnd({ ...ports, approvalTtlMs: this.approvalTtlMs }, request, original);
  }

  /**
   * What the approver is told of a refusal: the verdict's words, except for an extension whose
   * wait was cut to its original's end (approval-policy.ts then says that access ended) while the
   * access, read now, still runs: another extension moved that end since, and no approval window
   * is known to cut the wait again by ({@link withMovedEnd}). It closes without a decision, and
   * its requester can extend that access again. `read`: the original as this click read it already
   * ({@link movedEndOf}), read from the store when absent.
   */
  private async refusalWords(
    request: AccessRequest,
    verdict: { reason: RefusalReason; message: string },
    read?: { original: AccessRequest | undefined },
  ): Promise<string> {
    const cut = waitEndsWithOriginal(request);
    const originalId = request.extendsRequestId;
    if (verdict.reason !== 'expired' || !originalId || !cut) return verdict.message;
    const original = read ? read.original : await this.store.get(originalId);
    if (originalAccessGone(original, this.clock.now())) return verdict.message;
    const end = original?.access?.expiresAt;
    const runs = end ? `still runs, until ${formatUtc(end)}` : 'still runs';
    return `Extension ${request.id} could be decided until ${formatUtc(cut)}, the end the access of ${originalId} had when it was asked for; another extension has moved that end since and the access ${runs}, but this extension closed without a decision and nothing was extended: ask the requester to extend ${originalId} again.`;
  }

  /**
   * Why `request`'s term can no longer be granted (pendingTermPastLimits: under the deployment's
   * limits now and its rule's maxDuration as the policy has it now), in a sentence for the
   * approver; undefined when it can.
   */
  private termPastLimits(request: AccessRequest, bound: PolicyRule | undefined): string | undefined {
    // The reminders and escalations say the same of it (approval-nudges.ts): one rule for both.
    const why = pendingTermPastLimits(request, this.policies.current(), this.accessLimits, bound);
    return (
      why &&
      `Request ${request.id} ${why}. It cannot be approved as it is: reject it, and its requester can ask again. Nothing was changed.`
    );
  }

  /** The request's binding, or (requests made before policies) one made from the rule that fits now. */
  private bindingOf(request: AccessRequest, rule: PolicyRule | undefined): PolicyBinding {
    if (request.policy) return request.policy;
    const policy = this.policies.current();
    return {
      ruleId: rule?.id ?? 'none',
      policyHash: policy.hash,
      approvalsRequired: rule?.approvalsRequired ?? 1,
      rule,
    };
  }
}

/**
 * Why an extension cannot be approved because its original's access is gone (`gone`: being
 * revoked, no longer active, or its term passed while its end job has yet to run: another
 * grant's revocation may already have deleted the role assignment they share, see termEndedBy).
 */
function endedOriginalWords(request: AccessRequest, gone: AccessGone): string {
  const closes = `so its extension ${request.id} cannot be approved; it closes without a decision. Nothing was changed; ask for a new request if the access is still needed.`;
  if (gone.why === 'ended') return `The access of ${gone.original.id} ended at ${formatUtc(gone.endedAt)}, ${closes}`;
  const why =
    gone.why === 'revoking'
      ? 'is being revoked'
      : gone.why === 'drifted'
        ? 'no longer gives its cluster pull (its role assignment was removed or changed outside acrbot, or no longer serves)'
        : 'no longer has active access';
  return `Request ${request.extendsRequestId} ${why}, ${closes}`;
}

/**
 * What an approver whose own account the directory no longer finds enabled (disabled, or deleted)
 * is told of their click: it counts for nobody, as an earlier approval of theirs would not
 * (docs/policy.md), whatever the policy file or a group still says.
 */
function disabledActorWords(request: AccessRequest, approving: boolean): string {
  return `Your account is disabled or gone from the directory, so you can no longer ${approving ? 'approve' : 'reject'} request ${request.id}; nothing was changed.`;
}

/**
 * What a Withdraw my approval click on a request no longer pending is told: approvals can be taken
 * back only while it waits for its quorum. One approved by people (not break-glass, not an
 * auto-approval) whose access is being granted or runs is undone by revoking it, as the
 * approvers' copy says (request-view.ts wrongOneLine).
 */
function notPendingWithdrawWords(request: AccessRequest): string {
  const said = `${alreadyDecided(request)}, so approvals of it can no longer be withdrawn; nothing was changed.`;
  const policy = request.policy;
  if (!request.decision?.approved || policy?.breakGlass || policy?.autoApproved) return said;
  const revoke = `"@acrbot revoke ${request.id} REASON…"`;
  if (request.state === 'approved' || request.state === 'executing')
    return `${said} To end its access once it says Granted: ${revoke}.`;
  return request.state === 'succeeded' ? `${said} To end its access: ${revoke}.` : said;
}

/**
 * True when `request` is no longer pending because `actor` decided it as this click would
 * (`approve`): their own Approve or Reject clicked again (a double click, a second device). Read
 * from the stored decision alone (who decided, and what), never from card data, which is
 * forgeable. Never for a break-glass request, whose decision is its requester's run (its clicks
 * are reviews), nor for a request without a decision (expired, cancelled). Such a click is
 * answered as RequestDecisions does: an `ownDecisionStands` result (decision-result.ts) carrying
 * {@link ownDecisionWords}, neither audited nor counted as refused, which the card handler reads
 * by its kind.
 */
export function ownDecisionStands(request: AccessRequest, actor: Actor, approve: boolean): boolean {
  const d = request.decision;
  if (request.state === 'pending' || !d || request.policy?.breakGlass) return false;
  if (d.approved !== approve || d.by.objectId.toLowerCase() !== actor.objectId.toLowerCase()) return false;
  return approve ? APPROVED_STATES.has(request.state) : request.state === 'rejected';
}

/** The states an approval leads to, its access ended (revoked) included ({@link ownDecisionStands}). */
const APPROVED_STATES: ReadonlySet<AccessRequest['state']> = new Set([
  'approved',
  'executing',
  'succeeded',
  'failed',
  'revoked',
]);

/**
 * What a click of {@link ownDecisionStands} is told: that their decision stands, and what the
 * request is doing now. Nothing was decided twice.
 */
export function ownDecisionWords(request: AccessRequest): string {
  const you = `You ${request.decision?.approved ? 'approved' : 'rejected'} request ${request.id} already; your decision stands`;
  switch (request.state) {
    case 'approved':
    case 'executing':
      return `${you}, and acrbot is carrying it out now.`;
    case 'succeeded':
      return `${you}, and it is done: the access is granted.`;
    case 'failed':
      return `${you}; it ran and failed (its card says why).`;
    case 'revoked':
      return `${you}; its access has since ended.`;
    default:
      return `${you}; the requester was told.`;
  }
}
