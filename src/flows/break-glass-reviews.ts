/**
 * The review of a break-glass grant by an approver of the rule that would have applied: kept, or
 * rejected and its access revoked at once (once its access ended, the review judges the use only).
 * A review a stopped process left half done is finished by the next click on it or by the net
 * (review-reject-net.ts), which this runs, for plain rejections too.
 */
import { accessExpiryJobId, carriesRevoke } from './access-jobs';
import { isJustification, type RefusalReason } from '../domain/approval-policy';
import { awaitingReview, BREAK_GLASS_RULE_ID, type PolicyProvider, type PolicyRule } from '../domain/policy';
import type { AuditEvent } from '../domain/audit-chain';
import type { AuditLog, Clock, RequestStore } from '../domain/ports';
import { VersionConflictError } from '../domain/ports';
import { UserFacingError } from '../domain/errors';
import type { AccessRequest, ActingContext, Actor, PolicyBinding } from '../domain/request';
import { isBeingGranted, isBeingRevoked } from '../domain/request';
import { describeBreakGlassRun, reviewJudgesUseOnly } from '../domain/break-glass-review';
import { isUncovered, notReviewerMessage, ownReviewMessage } from '../domain/decided-rule';
import type { Logger } from '../observability/logger';
import type { RequestNotifier } from './notifier';
import {
  DecisionNet,
  finishStoredReview,
  reviewEntryKey,
  type ReviewNetPorts,
  reviewRevokeKey,
} from './review-reject-net';
import { type RequestAudit, ruleActor, targetsOf } from './request-audit';
import { type JobScheduling, scheduleReview, breakGlassReviewJobId } from './request-jobs';
import { readRequest } from './request-reads';
import { type ApproverAuthority, withAccountUnreadNote } from './approver-authority';
import { type DecisionResult, REJECTION_NEEDS_REASON, alreadyDecided, lostRace } from './decision-result';

/** A review's audit entry saying its reviewer's account could not be read (withAccountUnreadNote). */
function withAccountUnread(entry: AuditEvent): AuditEvent {
  return { ...entry, detail: withAccountUnreadNote(entry.detail) };
}

/** An audit detail with "in place of rule …" added when another rule decided (reviewAuthority). */
function withInPlaceOf(detail: string | undefined, inPlaceOf: string | undefined): string | undefined {
  if (!inPlaceOf || detail?.includes(inPlaceOf)) return detail;
  return detail ? `${detail} (${inPlaceOf})` : inPlaceOf;
}

/**
 * The lifecycle's revocation as a break-glass review asks for it (`AccessLifecycle.revokeSoon`):
 * `options.idempotencyKey` keys its `access.revoke.requested`, one per review.
 */
export type BreakGlassRevocation = (
  request: AccessRequest,
  by: Actor,
  reason: string,
  options?: { idempotencyKey?: string },
) => Promise<void>;

/** Reviews break-glass grants, and runs the net for half-done decisions, for the request service. */
export class BreakGlassReviews {
  constructor(
    private readonly store: RequestStore,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly notifier: RequestNotifier,
    private readonly policies: PolicyProvider,
    private readonly auditing: RequestAudit,
    private readonly approvers: ApproverAuthority,
    private readonly jobs?: JobScheduling,
  ) {}

  /**
   * The review of a break-glass grant by an approver of the rule that would have applied (never
   * the requester). Reject revokes the access at once through the lifecycle's revocation; for a
   * grant whose access already ended (revoked by its user, or at its end) it only records that
   * the use was not justified (`reviewJudgesUseOnly`).
   */
  async reviewNow(
    request: AccessRequest,
    acting: ActingContext,
    accept: boolean,
    reason: string | undefined,
  ): Promise<DecisionResult> {
    const { actor, tenantId } = acting;
    const now = this.clock.now();
    const binding = request.policy!;
    // Who may review, and whether keeping needs a justification, follow the current rule
    // (ruleOf: decidedRule), not the copy stored with the grant: decided requests follow the
    // current policy (docs/policy.md), so a reload making justification required holds at once.
    const rule = this.approvers.ruleOf(request);
    const targets = targetsOf(request.plan);
    // The review is judged under `rule` and the policy in force, not the grant's binding: the
    // trail names the rule that gave (or did not give) the reviewer the right.
    const under = this.reviewAuthority(rule, binding);
    const refuse = async (
      r: RefusalReason | 'inProgress' | 'disabledOrGone',
      message: string,
    ): Promise<DecisionResult> => {
      await this.auditing.record({
        actor,
        tenantId,
        action: `breakglass.review.refused.${r}`,
        requestId: request.id,
        targetIds: targets,
        outcome: 'refused',
        detail: withInPlaceOf(message, under.inPlaceOf),
        ruleId: under.ruleId,
        policyHash: under.policyHash,
      });
      return { kind: 'refused', request, reason: r, message };
    };
    const pair = `${request.plan.cluster.name} → ${request.plan.registry.name}`;
    // Both refusals say when nobody can review it (the rule names only its requester, or no rule
    // covers the pair and none of its approvers is left): the review stays owed until that is mended.
    if (actor.objectId.toLowerCase() === request.requester.objectId.toLowerCase())
      return refuse('self', ownReviewMessage(request.id, pair, rule, request.requester));
    // With the tenant, as decideNow asks it: its boundary refuses another tenant's click already.
    // And the reviewer's own account, read now: an approver disabled or deleted since (an old
    // card, a command) reviews nothing, as their approval would count for nothing (docs/policy.md).
    // A Reject only takes access away: a directory that cannot be read now (Graph down) lets it
    // through, said in its audit entry; an Accept keeps access, so it fails (enabledApproverOf).
    const standing = await this.approvers.enabledApproverOf(
      actor,
      request,
      tenantId,
      accept ? { failOpen: false, undone: 'your review was not recorded' } : { failOpen: true },
    );
    if (standing === 'no')
      return refuse(
        'notApprover',
        notReviewerMessage(request.id, pair, rule, binding.rule, request.requester, this.policies.current()),
      );
    if (standing === 'disabled')
      return refuse(
        'disabledOrGone',
        `Your account is disabled or gone from the directory, so you can no longer review break-glass request ${request.id}; nothing was changed.`,
      );
    // The executor holds the request from the approval on (its first write, approved →
    // executing, is conditional on the version stored at the approval) until the grant is done:
    // a review written in between would make its next write fail and leave the run half
    // recorded. The grant takes seconds; it is reviewed once it is in place. The review's own
    // write below is conditional on this read: a request moved since is read and checked again.
    if (isBeingGranted(request))
      return refuse(
        'inProgress',
        `Break-glass request ${request.id} is still being granted; review it in a few seconds, once its card shows the outcome.`,
      );
    // Likewise while it is being revoked: the review's write would make the revocation's last
    // write conflict and wait for its retry. Reviewed once it is revoked.
    if (isBeingRevoked(request))
      return refuse(
        'inProgress',
        `Break-glass request ${request.id} is being revoked; review it once its card shows it revoked.`,
      );
    // Rejecting revokes the grant at once (or, its access ended, judges the use): like any
    // rejection it says why (G7).
    if (!accept && !isJustification(reason)) return refuse('justification', REJECTION_NEEDS_REASON);
    // Keeping a grant is an approval after the fact: the rule's justification requirement holds (G7).
    if (accept && rule?.approverJustification === 'required' && !isJustification(reason))
      return refuse(
        'justification',
        `Keeping break-glass request ${request.id} needs a justification under rule ${rule.id}: type it in the card's comment box and approve again.`,
      );
    const outcome = accept ? ('accepted' as const) : ('rejected' as const);
    const next: AccessRequest = {
      ...request,
      version: request.version + 1,
      updatedAt: now.toISOString(),
      policy: {
        ...binding,
        review: {
          ...binding.review!,
          outcome,
          by: actor,
          at: now.toISOString(),
          reason,
          // Its access already ended: the review judges only the use (the cards say so for good).
          ...(reviewJudgesUseOnly(request) && { useOnly: true }),
        },
      },
    };
    try {
      await this.store.update(next);
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
      const current = await readRequest(this.store, request.id);
      // Something else moved it meanwhile (a revocation, a clean-up; not another review):
      // review the current version, checked again from the top.
      if (awaitingReview(current)) return this.reviewNow(current, acting, accept, reason);
      return lostRace(this.store, this.auditing, request, acting);
    }
    await this.auditing.recordOrUndo(
      request,
      next,
      standing === 'unread'
        ? withAccountUnread(this.reviewEntry(next, tenantId, under))
        : this.reviewEntry(next, tenantId, under),
      // Undone (not audited), the review is owed again: its job may have run meanwhile, found it
      // reviewed and been deleted, and the list of reviews owed and the daily report read the jobs.
      () => this.keepReviewJob(request),
    );
    await this.jobs?.cancel(breakGlassReviewJobId(request.id));
    // Access that ended before the review (revoked), or began ending since the review was
    // written (a revocation started elsewhere): the review judged the use. A revocation asked for
    // now would revoke nothing, or rename who ends it, while its audit entry said this review did.
    let latest = (await this.store.get(request.id)) ?? next;
    const accessEnded = reviewJudgesUseOnly(latest);
    if (!accept && !accessEnded) {
      await this.revokeBreakGlass(next, acting, reason);
      latest = (await this.store.get(request.id)) ?? next;
    }
    // Accepted, the request stays granted: its cards say reviewed, and no second outcome is sent.
    void this.notifier.requestChanged(latest, { markOnly: true });
    return { kind: 'reviewed', request: latest, outcome, accessEnded };
  }

  /**
   * The rule and policy a break-glass review is judged under, for its audit entry: `rule`
   * (ruleOf, the current rule that decides it) and the hash of the policy in force, with
   * `inPlaceOf` ("in place of rule prod") when that rule is not the one the grant was bound to,
   * or "under rule prod as it was" when no rule of the policy in force covers the pair.
   */
  private reviewAuthority(
    rule: PolicyRule | undefined,
    binding: PolicyBinding,
  ): { ruleId: string; policyHash: string; inPlaceOf?: string } {
    // A break-glass binding's ruleId is the marker "break-glass"; its rule is the one that
    // would have applied, whose approvers review it (without one, none is replaced).
    const bound = binding.rule?.id;
    const ruleId = rule?.id ?? bound ?? binding.ruleId;
    const policyHash = this.policies.current().hash;
    // No rule of the policy in force covers the pair: judged under the rule as it was (decidedRule),
    // which that policy, named by the hash, does not have; the trail says so.
    if (isUncovered(rule))
      return {
        ruleId,
        policyHash,
        inPlaceOf: `under rule ${rule.id} as it was: no rule of the policy in force covers the pair`,
      };
    if (!bound || ruleId.toLowerCase() === bound.toLowerCase()) return { ruleId, policyHash };
    return { ruleId, policyHash, inPlaceOf: `in place of rule ${bound}` };
  }

  /**
   * The entry of the review stored on `reviewed`, keyed by it (reviewEntryKey): its click and a
   * follow-up after a crash (review-reject-net.ts) write it once between them. `under`: the
   * authority the click judged it under (default: as judged now).
   */
  private reviewEntry(
    reviewed: AccessRequest,
    tenantId: string,
    under = this.reviewAuthority(this.approvers.ruleOf(reviewed), reviewed.policy!),
  ): AuditEvent {
    const review = reviewed.policy!.review!;
    return {
      actor: review.by!,
      tenantId,
      action: `breakglass.review.${review.outcome!}`,
      requestId: reviewed.id,
      targetIds: targetsOf(reviewed.plan),
      outcome: review.outcome!,
      // A review of the use alone says so in the trail too: no revocation follows it.
      detail: withInPlaceOf(
        review.useOnly
          ? `use only, its access had already ended${review.reason ? `: ${review.reason}` : ''}`
          : review.reason,
        under.inPlaceOf,
      ),
      ruleId: under.ruleId,
      policyHash: under.policyHash,
      idempotencyKey: reviewEntryKey(reviewed),
    };
  }

  /** What the net for half-done decisions (review-reject-net.ts) reads and writes. */
  private reviewNetPorts(): ReviewNetPorts {
    return {
      store: this.store,
      audit: this.audit,
      jobs: this.jobs,
      clock: this.clock,
      log: this.log,
      reviewJobId: breakGlassReviewJobId,
      reviewEntry: (reviewed) => this.reviewEntry(reviewed, reviewed.tenantId),
      // As its click revokes: by the reviewer, for the reason they gave, under the review's key.
      revoke: (rejected) =>
        this.revokeBreakGlass(
          rejected,
          { actor: rejected.policy!.review!.by!, tenantId: rejected.tenantId },
          rejected.policy!.review!.reason,
        ),
    };
  }

  /**
   * A click on a break-glass request whose stored review was left half done (its process stopped
   * before the entry, or before the revocation): finishes it (finishStoredReview) and tells the
   * clicker so, with the click audited as a late one. Undefined when this click wrote nothing: the
   * review was finished, or is young enough for its own click to be finishing it still.
   */
  async finishReviewAtClick(request: AccessRequest, acting: ActingContext): Promise<DecisionResult | undefined> {
    const done = await finishStoredReview(this.reviewNetPorts(), request);
    if (!done) return undefined;
    const what = [done.entryWritten && 'its audit entry written', done.revoked && "the grant's revocation started"]
      .filter(Boolean)
      .join(', ');
    const finished = `${alreadyDecided(done.request)}. acrbot stopped before it finished that review; your click finished it (${what})`;
    // The finish stands whether or not the click's own entry is written: never "changed nothing".
    await this.auditing
      .record({
        actor: acting.actor,
        tenantId: acting.tenantId,
        action: 'approval.refused.stale',
        requestId: request.id,
        targetIds: targetsOf(request.plan),
        outcome: 'refused',
        detail: `${describeBreakGlassRun(done.request)}; finished what that review left undone: ${what}`,
        ruleId: request.policy?.ruleId,
        policyHash: request.policy?.policyHash,
      })
      .catch((err: unknown) => {
        throw new UserFacingError(
          'audit.unavailable',
          `${finished}, but the audit log could not record your click; ask the platform team to check the bot's storage.`,
          { cause: err },
        );
      });
    return { kind: 'refused', request: done.request, reason: 'stale', message: `${finished}.` };
  }

  /**
   * The net for decisions a stopped process left half done (review-reject-net.ts): stored
   * break-glass reviews finished (entry, revocation of a rejected grant), plain rejections given
   * their missing entry. Run at start (not awaited: the start's stop awaits it) and with
   * `drift.check` (`atMostEveryMs`: at most that often on this instance). One pass at a time: a
   * call while one runs gets that one. Never throws: a failed pass is logged and the next one
   * tries again.
   */
  finishStoredDecisions(options: { atMostEveryMs?: number } = {}): Promise<void> {
    if (this.netRun) return this.netRun;
    const now = this.clock.now().getTime();
    if (options.atMostEveryMs !== undefined && now - (this.lastNetPass ?? -Infinity) < options.atMostEveryMs)
      return Promise.resolve();
    this.lastNetPass = now;
    const run = this.decisionNetPass().finally(() => (this.netRun = undefined));
    this.netRun = run;
    return run;
  }

  /** One pass of the net for {@link finishStoredDecisions}, its findings logged; never throws. */
  private async decisionNetPass(): Promise<void> {
    try {
      const pass = await (this.decisionNet ??= new DecisionNet(this.reviewNetPorts())).pass();
      // A request whose follow-up failed (logged), or whose review was left to a click that may
      // still be on it, is looked at again at the next drift check.
      if (pass.failed > 0 || pass.held.length > 0) this.lastNetPass = undefined;
      if (pass.reviews.length + pass.rejections.length > 0)
        this.log.warn(
          { reviews: pass.reviews, rejections: pass.rejections },
          'finished decisions a stopped process left half done (break-glass reviews audited or revoked, rejections audited)',
        );
    } catch (err) {
      this.lastNetPass = undefined;
      this.log.error(
        { err },
        'finishing a decision a stopped process left unaudited or unrevoked failed; the next start or drift check tries again',
      );
    }
  }

  /** When this instance's last pass of {@link finishStoredDecisions} began (its drift-time bound). */
  private lastNetPass?: number;

  /** The pass of {@link finishStoredDecisions} running now, if any. */
  private netRun?: Promise<void>;

  /** The net, made on first use (what it remembers between passes is this instance's). */
  private decisionNet?: DecisionNet;

  /**
   * Revokes a rejected break-glass grant at once, or records that this build cannot yet; false,
   * asking nothing, when a fresh read finds it revoked or being revoked, or its end job already
   * carrying a revoke (another instance's net, or its click, asked first). Its click and the net
   * (review-reject-net.ts) both call it: the entry is keyed by the review (reviewRevokeKey), so
   * two that pass the read at once still write one `access.revoke.requested`.
   */
  private async revokeBreakGlass(
    request: AccessRequest,
    acting: ActingContext,
    reason: string | undefined,
  ): Promise<boolean> {
    const current = await this.store.get(request.id);
    if (!current || current.state !== 'succeeded' || isBeingRevoked(current)) return false;
    if (carriesRevoke(await this.jobs?.get(accessExpiryJobId(request.id)))) return false;
    const idempotencyKey = reviewRevokeKey(current);
    if (this.revocation) {
      await this.revocation(current, acting.actor, `break-glass rejected in review: ${reason ?? ''}`.trim(), {
        idempotencyKey,
      });
      return true;
    }
    await this.auditing.record({
      actor: ruleActor(BREAK_GLASS_RULE_ID),
      tenantId: request.tenantId,
      action: 'breakglass.revoke.unavailable',
      requestId: request.id,
      targetIds: targetsOf(request.plan),
      outcome: 'manual',
      detail: 'no revocation is wired in this process: remove the access by hand',
      ruleId: request.policy?.ruleId,
      policyHash: request.policy?.policyHash,
      // Once per review: the net does not ask again for what this entry already told.
      idempotencyKey,
    });
    return true;
  }

  private revocation?: BreakGlassRevocation;

  /**
   * Wires the lifecycle's revocation (break-glass rejected in review revokes at once): its
   * `access.revoke.requested` is to carry `options.idempotencyKey` (`scheduleRevoke`'s).
   */
  useRevocation(revoke: BreakGlassRevocation): void {
    this.revocation = revoke;
  }

  /**
   * Schedules a break-glass request's review job again unless it is still there (its time kept):
   * for a review that was undone after its job may have been deleted. Only while the review is
   * owed: an undo that lost to the net's write (review-reject-net.ts) left it reviewed and audited.
   */
  private async keepReviewJob(request: AccessRequest): Promise<void> {
    if (!this.jobs || (await this.jobs.get(breakGlassReviewJobId(request.id)))) return;
    const current = await this.store.get(request.id);
    if (current && awaitingReview(current)) await scheduleReview(this.jobs, request);
  }
}
