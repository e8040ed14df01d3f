/**
 * Approval reminders, escalation and the daily report of unreviewed break-glass grants: the
 * handlers of the `approval.remind`, `approval.escalate` and `breakglass.review` jobs. The
 * Scheduler runs each job once per instance group (under its lease), and the request records
 * that a nudge was sent (conditional write), so approvers are nudged once, not once per instance.
 *
 * A nudge is at least once, not at most once: the mark on the request (`remindedAt`,
 * `escalatedAt`) is written before the post and the audit entry after it, so a run that stopped
 * in between (a crash, a lost job lease, a failed post whose mark could not be removed) leaves a
 * mark with no entry, and the job, still scheduled, posts it on its next run. Approvers not told
 * about a request waiting for them is the worse failure; a second post happens only when a run
 * stopped after posting and before the entry was written, or when a run kept posting after its
 * lease was taken over (it checks the lease right before posting).
 *
 * While new access is paused (docs/operations.md, "Pause new access") a reminder or escalation is
 * not sent: an Approve is refused then, so it would call approvers to a click that fails, and
 * sending it would use it up (the mark), leaving none for after the pause. Its job is moved a few
 * minutes on instead, unmarked, and reads the pause again then; after `resume` it goes out once.
 * The pause is read again right before the post, which narrows (does not close) the window of a
 * pause landing during a run (changedBeforePost). When both came due during a long pause, only
 * the escalation goes out after it, and the reminder is used up unsent (approval-nudge-order.ts).
 * The report of an unreviewed break-glass grant goes on: the review is of access that exists
 * already, not new access, and the pause does not stop reviews (GOES_ON_WHILE_PAUSED).
 *
 * Nudges of other requests due at once in the same rule channel go in the same post
 * (nudge-siblings.ts): each is marked like this one, with the claiming request's id beside the
 * mark, so its own job, finding that mark and no entry, waits out the claim's window before it
 * takes the claiming run as stopped and posts it; a failed post undoes all the marks it wrote.
 * So that a burst due in one sweep, whose jobs the scheduler runs a few at once, goes in one post,
 * a job whose request an older sibling's post may still take holds back once, unmarked, for
 * GROUP_HOLD_MS (nudge-siblings.ts, olderSiblingMayTake), and then posts it unless that post did.
 *
 * A request whose term a reload (a rule's lowered maxDuration) or a restart (a lower
 * ACRBOT_MAX_ACCESS_DURATION, permanent access turned off) put past what may be granted now is
 * still nudged, as Reject still decides it; the nudge says, on that request, that Approve would be
 * refused and why, by the same rule as the refused click (domain/pending-term.ts).
 *
 * Right before a nudge is posted, the accounts of the named approvers it would mention are read
 * (ApproverAuthority.enabledNamesAmong, as a click re-checks earlier approvals; one read per
 * post): one disabled or deleted since the request was made is not mentioned (a click of theirs
 * would not count), and when without them the approvals still needed cannot be had (no approver
 * groups, too few named approvers left) the post and its entry say so (domain/nudge-group.ts,
 * quorumLostTo). The same read gives their display names, which the mentions show: Teams shows a
 * mention's text in the notification and the activity feed, where "approver 1" tells nobody they
 * are the one asked. A directory that cannot be read leaves the mentions as named, by number
 * ("approver 1"), with a warning.
 *
 * A break-glass grant of a tenant this deployment no longer serves (ACRBOT_ALLOWED_TENANTS) owes a
 * review nobody can make (a review click of that tenant is refused): it is reported once more, its
 * entry saying so, and then not again while that lasts, the review still owed.
 */
import type { AccessLimits } from '../domain/access-term';
import type { AuditEvent } from '../domain/audit-chain';
import { factSays } from '../domain/audit-fact';
import { reviewJudgesUseOnly } from '../domain/break-glass-review';
import { termApproveRefusal, unservedApproveRefusalOf, type ApproveRefusal } from '../domain/approve-refused';
import { pendingTermPastLimits } from '../domain/pending-term';
import { decidedRule, uncoveredReviewNote } from '../domain/decided-rule';
import { awaitingReview, countedApprovals, factsOf, type PolicyProvider, type PolicyRule } from '../domain/policy';
import { type NudgeSignIns, quorumLostNote, quorumLostTo, waitedOnUsers } from '../domain/nudge-group';
import type { AuditLog, Clock, RequestStore, ScheduledJob } from '../domain/ports';
import { VersionConflictError } from '../domain/ports';
import type { AccessRequest } from '../domain/request';
import { isExpired } from '../domain/request';
import { tenantNotServed } from '../domain/tenant-boundary';
import type { Logger } from '../observability/logger';
import type { ApproverAuthority } from './approver-authority';
import { warnUnreadApproversHourly } from './approver-groups-read';
import { extensionUnapprovable } from './extension-unapprovable';
import { escalationSupersedesReminder, reminderNote } from './approval-nudge-order';
import {
  CLAIMED_BY,
  claimSiblings,
  groupClaimHeldUntil,
  HOLD_FOR_OLDER,
  type HoldPorts,
  listSiblingCandidates,
  olderSiblingMayTake,
  siblingsStillDue,
} from './nudge-siblings';
import { heldBack, heldBackAlready } from './hold-back-once';
import type { PauseReader } from './access-pause';
import type { RequestNotifier } from './notifier';
import { ruleActor } from './request-audit';
import { approvalNudgeJobIds, type JobScheduling } from './request-jobs';
import type { JobRun } from './scheduler';
import { REVIEW_NET_RECHECK_MS, reviewEntryKey } from './review-reject-net';

/** How often a nudge tries to mark the request when other writes keep landing on it first. */
const MARK_ATTEMPTS = 3;

/** How often the mark of a nudge that was not sent is looked at again when the request keeps changing. */
const UNCLAIM_ATTEMPTS = 3;

/** The end of the entry of a nudge Teams refused in every conversation for good (403/404). */
const REFUSED_EVERYWHERE = '; not posted: Teams refused it in every channel (acrbot is not in them)';

/**
 * Why a nudge found no conversation to post in, in the words the log's warning
 * (approver-nudge-posts.ts) and the audit entry's detail share. With a channel to post in (the
 * rule's, or for an escalation its escalation channel) it is the way there that is missing: a
 * channel is reached by a card copy of the request, or of one posted with it, and none had one.
 */
export function nowhereToPost(rule: PolicyRule, kind: 'remind' | 'escalate'): string {
  const channel = rule.channel ?? (kind === 'escalate' ? rule.escalateTo?.channel : undefined);
  return channel
    ? 'the rule names a channel, but no card of this request, or of one posted with it, gives the way to reach it'
    : "no rule channel, and no approvers' card to post beside";
}

/** The end of the entry of a nudge that found no conversation to go to. */
function notPosted(rule: PolicyRule, kind: 'remind' | 'escalate'): string {
  return `; not posted: no conversation where its approvers are asked (${nowhereToPost(rule, kind)})`;
}

/**
 * How long before a request's expiry its nudge job, held back by another run's grouped claim that
 * lasts past the expiry, looks again: late enough for that run to have posted or failed, early
 * enough that a nudge it then owes still goes out before the request expires.
 */
const LAST_LOOK_BEFORE_EXPIRY_MS = 60_000;

/**
 * The end of the entry of a break-glass grant's last report: its tenant is no longer served, so
 * no review click of it is taken (RequestDecisions refuses it, approval.refused.tenant).
 */
const TENANT_NOT_SERVED =
  '; its tenant is no longer served by this deployment (ACRBOT_ALLOWED_TENANTS), so nobody can review it: it stays owed, and is not reported again while that lasts';

/**
 * The `facts` key every report's entry carries: {@link TENANT_NOT_SERVED_FACT} when it said its
 * tenant is no longer served ({@link TENANT_NOT_SERVED}), else empty. What
 * {@link ApprovalNudges.saidNotServed} reads, not the detail's words (people read those); carried
 * by every report, so one without `facts` is known for an older release's (which said nothing of
 * the tenant) and looked past.
 */
const TENANT_FACT = 'tenant';

/** {@link TENANT_FACT} of a report whose tenant is no longer served. */
const TENANT_NOT_SERVED_FACT = 'notServed';

/**
 * What a nudge reads of who can still act on it: the tenants this deployment serves
 * (ACRBOT_ALLOWED_TENANTS; empty or absent: not judged) and the named approvers' accounts
 * and display names (ApproverAuthority.enabledNamesAmong), with the log its warning goes to.
 */
export interface NudgeReach {
  servedTenantIds?: readonly string[];
  approvers?: Pick<ApproverAuthority, 'enabledNamesAmong'>;
  log?: Logger;
}

/** How often an unreviewed break-glass grant is reported again. */
export const BREAK_GLASS_REPORT_EVERY_MS = 24 * 3_600_000;

/**
 * How long a nudge due while new access is paused waits before reading the pause again. A few
 * minutes, not the rule's `remindAfter`: once the pause is lifted the approvers should hear of a
 * request that waited through it soon (`remindAfter` may be hours, past the request's expiry),
 * and the cost while paused is one job run per pending request's nudge every few minutes
 * (bounded: a pending request expires within ACRBOT_APPROVAL_TTL, at most a day).
 */
export const PAUSED_NUDGE_RECHECK_MS = 5 * 60_000;

/** Implemented by the chat layer: the posts a nudge makes. */
export interface NudgeNotifier extends RequestNotifier {
  /**
   * Posts a reminder in the rule's channel mentioning its approvers (`escalate`: also the
   * escalation channel and groups). Resolves false when it found no conversation to post it in
   * (and logged so), `'refused'` when Teams refused it in every one for good (403/404: acrbot is
   * not in them; logged so); anything else means it was posted. `approveRefused`: why an
   * Approve of it would be refused now (pendingTermPastLimits), for the nudge to say. `signIns`:
   * the named approvers who can no longer sign in: not mentioned, and said when the quorum is lost
   * to them (views/nudge-view.ts).
   */
  nudgeApprovers(
    request: AccessRequest,
    rule: PolicyRule,
    kind: 'remind' | 'escalate',
    approveRefused?: ApproveRefusal,
    signIns?: NudgeSignIns,
  ): Promise<false | 'refused' | void>;
  /**
   * Reports an unreviewed break-glass grant (break-glass channel and audit channel, else where
   * its approvers are asked). Resolves false when it found nowhere to post it (and logged so),
   * `'refused'` when Teams refused it in every channel for good (403/404: acrbot is not in them;
   * logged so); anything else means it was posted.
   */
  breakGlassUnreviewed(request: AccessRequest): Promise<boolean | 'refused' | void>;
  /**
   * Posts one reminder (or escalation) for several pending requests due at once in the rule
   * channel of `requests[0]` (whose job posts it; nudge-siblings.ts), listing each and mentioning
   * each approver they wait on once. Answers as {@link nudgeApprovers}; `approveRefused` by
   * request id, said on that request's line; `signIns` as for {@link nudgeApprovers}. Absent: no grouping.
   */
  nudgeApproversGrouped?(
    requests: readonly AccessRequest[],
    rule: PolicyRule,
    kind: 'remind' | 'escalate',
    now: Date,
    approveRefused?: ReadonlyMap<string, ApproveRefusal>,
    signIns?: NudgeSignIns,
  ): Promise<false | 'refused' | void>;
}

/** What an `approval.reminded` / `approval.escalated` entry says of the wait (`note`: of the reminder). */
function nudgeDetail(rule: PolicyRule, kind: 'remind' | 'escalate', note: string): string {
  return kind === 'remind'
    ? `no decision after ${Math.round(rule.remindAfterMs! / 60_000)} min`
    : `no decision after ${Math.round(rule.escalateAfterMs! / 60_000)} min${note}`;
}

/**
 * What a nudge's entry says of the named approvers of `request` it left unmentioned as unable to
 * sign in (`signIns`): the quorum lost to them (quorumLostNote), or just who was left out.
 */
function signInNote(request: AccessRequest, rule: PolicyRule, signIns: NudgeSignIns | undefined): string {
  if (!signIns) return '';
  const lost = quorumLostTo(request, rule, signIns.cannotSignIn);
  if (lost) return `; ${quorumLostNote(request.id, rule.id, lost)}`;
  const left = waitedOnUsers(request, rule).filter((id) => signIns.cannotSignIn.has(id.toLowerCase()));
  return left.length ? `; not mentioned, as they can no longer sign in: ${left.join(', ')}` : '';
}

/** The nudge job handlers. */
export class ApprovalNudges {
  constructor(
    private readonly store: RequestStore,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly notifier: NudgeNotifier,
    private readonly jobs: JobScheduling,
    /** The operators' pause of new access, read before each reminder or escalation. */
    private readonly pauses: PauseReader,
    /**
     * The policy in force and the deployment's access limits, which an Approve's term is judged
     * against (pendingTermPastLimits): a nudge of a request whose Approve they refuse says so.
     * Absent (tests of other rules), nudges say nothing of it.
     */
    private readonly terms?: {
      policies: PolicyProvider;
      limits?: AccessLimits;
      /** ACRBOT_SUBSCRIPTION_IDS: a plan outside it is refused an Approve too (served-subscriptions.ts). */
      servedSubscriptionIds?: readonly string[];
    },
    /** Who can still act on a nudge ({@link NudgeReach}). Absent (tests of other rules): not read. */
    private readonly reach?: NudgeReach,
  ) {}

  /**
   * `approval.remind`: still pending after `remindAfter` → mention the approvers, update the card.
   * `run`: the job's lease, checked right before posting (a run that lost it stops).
   */
  async remind(job: ScheduledJob, run?: JobRun): Promise<void> {
    await this.nudge(job, 'remind', run);
  }

  /** `approval.escalate`: still pending after `escalateAfter` → also the escalation channel and groups. */
  async escalate(job: ScheduledJob, run?: JobRun): Promise<void> {
    await this.nudge(job, 'escalate', run);
  }

  /**
   * `breakglass.review`: not reviewed yet → report it again, and again a day later. Not for a
   * run that failed: it granted nothing and owes no review (policy.ts, awaitingReview). A grant
   * whose access ended (or is ending) is still reported; its report says the review judges only
   * the use and a Reject revokes nothing (reviewJudgesUseOnly). Reported while new access is
   * paused too: reviewing grants no access, and the pause lets reviews go on. A grant of a tenant
   * no longer served is reported once more, its entry saying nobody can review it; then its daily
   * run posts nothing while that lasts (reported every day, it would ask for a review every click
   * of which is refused), and reports it again once the tenant is served again. The job stays: it
   * is what the reviews-owed lists read (waiting-for-approvers.ts), and the start schedules a
   * missing one again (scheduleReviewsForUnreviewed), which would report it once per start.
   */
  async reviewDue(job: ScheduledJob, run?: JobRun): Promise<void> {
    if (!job.requestId) return;
    const request = await this.store.get(job.requestId);
    if (!request) return;
    // Reviewed, yet its job is still here: the click stopped before its entry (it cancels this
    // job right after it). Kept, an hour on, for the net that finishes such a review and then
    // cancels it (review-reject-net.ts); done, it would leave nothing to find the review by.
    if (reviewEntryKey(request))
      return this.moveOwnJob(job, new Date(this.clock.now().getTime() + REVIEW_NET_RECHECK_MS));
    if (!awaitingReview(request)) return;
    const notServed = tenantNotServed(request.tenantId, this.reach?.servedTenantIds);
    // Said already, and still so: nothing to post, looked at again a day later.
    if (notServed && (await this.saidNotServed(request.id)))
      return this.moveOwnJob(job, new Date(this.clock.now().getTime() + BREAK_GLASS_REPORT_EVERY_MS));
    await run?.check();
    // Reported first, then recorded as reported: a report that could not be posted fails the
    // job (retried with backoff) without an entry saying it was made.
    // Nowhere to post it (no channel configured, no card to follow), or Teams refusing it in
    // every channel for good (acrbot removed from them), is no failure a retry mends: recorded
    // as `unposted`, not `reported`, and tried again a day later as usual, not every half hour.
    const result = await this.notifier.breakGlassUnreviewed(request);
    const posted = result !== false && result !== 'refused';
    // Only a report posted says its tenant is no longer served, the mark that stops later reports
    // (saidNotServed): one not posted is tried again a day later, as any other.
    await this.record(request, {
      action: 'breakglass.unreviewed',
      outcome: posted ? 'reported' : 'unposted',
      detail: `review was due ${request.policy!.review!.dueAt}${
        reviewJudgesUseOnly(request) ? '; its access ended or is being revoked, so the review judges only the use' : ''
      }${uncoveredReviewNote(this.reviewersOf(request), request.requester)}${
        posted
          ? ''
          : result === 'refused'
            ? REFUSED_EVERYWHERE
            : '; not posted: no break-glass, audit or approvals channel to post it in'
      }${notServed && posted ? TENANT_NOT_SERVED : ''}`,
      facts: { [TENANT_FACT]: notServed && posted ? [TENANT_NOT_SERVED_FACT] : [] },
    });
    // Its own job, moved a day on only while nobody wrote it since it was read: a review decided
    // during the report cancelled it (break-glass-reviews.ts), and an upsert would bring it back.
    await this.moveOwnJob(job, new Date(this.clock.now().getTime() + BREAK_GLASS_REPORT_EVERY_MS));
  }

  /**
   * Whether the last report of the grant's owed review that says anything of its tenant said it
   * is no longer served ({@link TENANT_NOT_SERVED}; read from its facts, {@link TENANT_FACT}): a
   * later report, made while it was served again (or not posted), clears it. A report without
   * `facts` is an older release's (before the upgrade, or an older instance's daily report during
   * the rollout), which said nothing of the tenant: looked past, so that report does not make this
   * one report again; unless its words say it (a build that wrote them before the facts existed).
   */
  private async saidNotServed(requestId: string): Promise<boolean> {
    const reports = (await this.audit.forRequest(requestId)).filter((e) => e.action === 'breakglass.unreviewed');
    for (const report of reports.reverse()) {
      const said = factSays(report, TENANT_FACT, TENANT_NOT_SERVED_FACT, (d) => d.includes(TENANT_NOT_SERVED));
      if (said !== undefined) return said;
    }
    return false;
  }

  /**
   * The rule whose approvers review a break-glass grant now (decidedRule, as
   * ApproverAuthority.ruleOf answers for a decided request), for its report's entry to say when
   * no rule of the policy in force covers the pair, or that nobody can review it
   * (uncoveredReviewNote). Undefined without the policy (tests of other rules) or a bound rule.
   */
  private reviewersOf(request: AccessRequest): PolicyRule | undefined {
    const bound = request.policy?.rule;
    return bound && this.terms ? decidedRule(bound, this.terms.policies.current(), factsOf(request.plan)) : undefined;
  }

  private async nudge(job: ScheduledJob, kind: 'remind' | 'escalate', run: JobRun | undefined): Promise<void> {
    if (!job.requestId) return;
    const field = kind === 'remind' ? 'remindedAt' : 'escalatedAt';
    const action = kind === 'remind' ? 'approval.reminded' : 'approval.escalated';
    /** The pending requests this run looks among for siblings: read once, when first needed. */
    let listed: AccessRequest[] | undefined;
    for (let attempt = 0; attempt < MARK_ATTEMPTS; attempt++) {
      const request = await this.store.get(job.requestId);
      const rule = request?.policy?.rule;
      if (!request || !rule || request.state !== 'pending' || isExpired(request, this.clock.now())) return;
      // Approving it would be refused (approval.refused.notActive or .clusterGone): the approvers have nothing to do.
      if (await extensionUnapprovable(this.store, request, this.clock.now())) return;
      // The escalation is due too (both waited through a pause, or an outage): it goes alone, and
      // this reminder is used up unsent (approval-nudge-order.ts says why). Neither marked nor
      // audited as sent: the escalation's entry says the reminder was not posted.
      if (kind === 'remind' && escalationSupersedesReminder(request, this.clock.now())) return;
      // Paused: Approve is refused, so the approvers are not called to it, and the nudge is kept
      // (not marked) for after the pause. Also a marked one whose post a stopped run owes.
      if (await this.pauses.current()) return this.deferWhilePaused(job, request);
      let claimed: AccessRequest;
      let markedHere = false;
      if (request.policy![field]) {
        // Marked: sent, unless the run that marked it stopped before the approvers were told
        // (see the top of this file). This run holds the job's lease, so that run is over (or
        // lost its lease and checks it before posting); the entry written after the post tells.
        if (await this.sent(request.id, action)) return;
        // Marked by another request's run for its grouped post (nudge-siblings.ts), a few
        // minutes ago: that run may be posting it now. Looked at again once it would be over.
        // A hold reaching past the request's expiry would end the job here, done: had that post
        // then failed (its mark undone), nothing would be left to send the nudge. So the job looks
        // again just before the expiry instead.
        const heldUntil = groupClaimHeldUntil(request, field, this.clock.now());
        if (heldUntil) return this.deferUntil(job, request, heldUntil, { beforeExpiry: true });
        claimed = request;
      } else {
        // An older sibling's post may still take it (its job runs in this sweep, or that post is
        // under way): this job holds back, once, and finds that post's claim when it runs again.
        if (this.notifier.nudgeApproversGrouped && rule.channel && !heldBackAlready(job, HOLD_FOR_OLDER)) {
          const held = heldBack(job, HOLD_FOR_OLDER, this.clock.now());
          // Not past the expiry: the job would end there (deferUntil), owing a nudge nobody sends.
          if (held.dueAt.getTime() < Date.parse(request.expiresAt)) {
            listed ??= await listSiblingCandidates(this.store);
            if (await olderSiblingMayTake(this.holdPorts(kind, action), request, kind, listed))
              return this.moveOwnJob(held.job, held.dueAt);
          }
        }
        const now = this.clock.now().toISOString();
        claimed = {
          ...request,
          version: request.version + 1,
          updatedAt: now,
          policy: { ...request.policy!, [field]: now },
        };
        try {
          await this.store.update(claimed);
          markedHere = true;
        } catch (err) {
          // A decision or an approval landed meanwhile: look again.
          if (err instanceof VersionConflictError) continue;
          throw err;
        }
      }
      // The other requests due now in the same channel go in the same post (nudge-siblings.ts).
      let siblings = this.notifier.nudgeApproversGrouped
        ? await claimSiblings(
            { store: this.store, clock: this.clock, sent: (id) => this.sent(id, action) },
            claimed,
            kind,
            listed,
          )
        : [];
      // Read before the lease check, which stays the last thing before the post: never throws.
      const signIns = await this.signInsOf([claimed, ...siblings]);
      // Another instance took the job over: it posts the nudge (it finds the mark and no entry),
      // so this run stops before posting and leaves the mark to it (and the siblings' marks,
      // which name this request: it takes them back).
      await run?.check();
      if (await this.changedBeforePost(job, claimed, field, markedHere)) {
        for (const sibling of await siblingsStillDue(this.store, this.clock, siblings, field))
          await this.unclaim(sibling, field);
        return;
      }
      siblings = await siblingsStillDue(this.store, this.clock, siblings, field);
      // Whether the reminder went out is the trail's to say, as for this nudge (sent()): its mark
      // stays when the run that set it stopped before posting. Read before the post: a failed read
      // after it would fail the job, and its retry would post the escalation again.
      const note = kind === 'escalate' ? await this.reminderNoteOf(claimed) : '';
      const siblingNotes = await Promise.all(
        siblings.map((s) => (kind === 'escalate' ? this.reminderNoteOf(s) : Promise.resolve(''))),
      );
      // The mark claims the nudge (another run of this job finds it and its entry, and stops);
      // it is recorded as sent only once the approvers were told. Not told: the claim is undone
      // and the job fails, so the scheduler retries it with backoff instead of finding it "done".
      // Nowhere to post it (no rule channel, no approvers' card to follow; or no card copy to
      // reach the rule's channel by) is no failure a retry mends: used up, and audited
      // `unposted`, so no entry says approvers were told who were not;
      // nor is Teams refusing it in every channel for good (acrbot removed from them).
      // Still sent when an Approve would be refused for its term (Reject still decides it), saying so.
      const approveRefused = this.approveRefused([claimed, ...siblings]);
      let result: false | 'refused' | void;
      try {
        result =
          siblings.length && this.notifier.nudgeApproversGrouped
            ? await this.notifier.nudgeApproversGrouped(
                [claimed, ...siblings],
                rule,
                kind,
                this.clock.now(),
                approveRefused,
                signIns,
              )
            : await this.notifier.nudgeApprovers(claimed, rule, kind, approveRefused.get(claimed.id), signIns);
      } catch (err) {
        try {
          await this.unclaim(claimed, field);
          for (const sibling of siblings) await this.unclaim(sibling, field);
        } catch (undoErr) {
          throw new AggregateError(
            [err, undoErr],
            `the ${kind} of ${claimed.id} was not sent and its mark could not be undone; the retry sends it (no audit entry says it was sent)`,
          );
        }
        throw err;
      }
      const posted = result !== false && result !== 'refused';
      const outcome = !posted ? 'unposted' : kind === 'remind' ? 'reminded' : 'escalated';
      const end = posted ? '' : result === 'refused' ? REFUSED_EVERYWHERE : notPosted(rule, kind);
      const together = siblings.length ? `; in one post with ${siblings.map((s) => s.id).join(', ')}` : '';
      await this.record(claimed, {
        action,
        outcome,
        detail: `${nudgeDetail(rule, kind, note)}${signInNote(claimed, rule, signIns)}${end}${together}`,
      });
      for (const [i, sibling] of siblings.entries()) {
        const own = sibling.policy!.rule!;
        const detail = `${nudgeDetail(own, kind, siblingNotes[i]!)}${signInNote(sibling, own, signIns)}${end}; in one post with the ${
          kind === 'remind' ? 'reminder' : 'escalation'
        } of ${claimed.id}`;
        await this.record(sibling, { action, outcome, detail });
      }
      // Posting the nudge takes a while (one post per channel): a decision, or the run it
      // started, may have changed the request since, and redrawn its cards. Drawing this
      // version then would put Approve/Reject back on a decided request's cards.
      for (const drawn of [claimed, ...siblings]) {
        const current = await this.store.get(drawn.id);
        if (current?.version === drawn.version) await this.notifier.requestChanged(drawn);
      }
      return;
    }
    // Still pending and unmarked: ending here would count as done, and the scheduler would delete
    // the job with the approvers never told. Failing keeps it, retried with backoff and reported.
    throw new Error(
      `the ${kind} of ${job.requestId} could not be marked: the request kept changing (${MARK_ATTEMPTS} attempts); retrying later`,
    );
  }

  /**
   * Reads the pause and the request again right before the post: the first reads were made
   * before the mark, the lease check and their round trips, and a pause put in force or a
   * decision made in between would otherwise let this one nudge out. Answers true when the
   * nudge must not be posted now: paused (the mark this run wrote is undone, so the nudge is
   * not used up, and the job is moved on as at the first read), or no longer pending (decided,
   * cancelled, expired: nothing to nudge for; a mark left on a decided request says nothing
   * about a pending one).
   *
   * Narrowed, not closed: the pause is its own record in the PauseStore, with no version a
   * conditional write on the request could be made against, and the pause command does not wait
   * for nudges in flight. A pause landing after this read and before Teams delivered the post
   * (the post's own round trips) still lets that one nudge out, once; an Approve clicked from it
   * is refused with the pause's message (RequestDecisions reads the pause). Closing it
   * would take a lock shared by `pause` and every nudge, for one nudge whose Approve the pause
   * refuses anyway.
   */
  private async changedBeforePost(
    job: ScheduledJob,
    claimed: AccessRequest,
    field: 'remindedAt' | 'escalatedAt',
    markedHere: boolean,
  ): Promise<boolean> {
    const [paused, current] = await Promise.all([this.pauses.current(), this.store.get(claimed.id)]);
    if (!current || current.state !== 'pending' || isExpired(current, this.clock.now())) return true;
    if (!paused) return false;
    // Only this run's own mark: one a stopped run left stays, as it was found (the run after
    // the resume finds it and no entry, and posts).
    if (markedHere) await this.unclaim(claimed, field);
    await this.deferWhilePaused(job, current);
    return true;
  }

  /**
   * Moves the running nudge job {@link PAUSED_NUDGE_RECHECK_MS} on (in the store, so it outlives
   * a restart), leaving the request as it is. Only while nobody wrote the job since it was read
   * (Scheduler.moveIfUnchanged): a newer version stays as written. Not when the request expires
   * by then: its expiry ends it, and a nudge after that would have nothing to approve.
   */
  private async deferWhilePaused(job: ScheduledJob, request: AccessRequest): Promise<void> {
    await this.deferUntil(job, request, new Date(this.clock.now().getTime() + PAUSED_NUDGE_RECHECK_MS));
  }

  /**
   * Moves the running nudge job to `dueAt`, unless the request expires by then (as
   * {@link deferWhilePaused}). `beforeExpiry`: then to {@link LAST_LOOK_BEFORE_EXPIRY_MS} before
   * the expiry instead, while that is still ahead.
   */
  private async deferUntil(
    job: ScheduledJob,
    request: AccessRequest,
    dueAt: Date,
    { beforeExpiry = false } = {},
  ): Promise<void> {
    const expiresAt = Date.parse(request.expiresAt);
    if (dueAt.getTime() < expiresAt) return this.moveOwnJob(job, dueAt);
    const lastLook = expiresAt - LAST_LOOK_BEFORE_EXPIRY_MS;
    if (beforeExpiry && lastLook > this.clock.now().getTime()) await this.moveOwnJob(job, new Date(lastLook));
  }

  /**
   * Which named approvers still waited on by `requests`, and which approvers whose approvals count
   * so far, the directory finds unable to sign in (disabled or deleted), and the display names of
   * the others, in one read for the post. Undefined without the directory (tests of other rules)
   * or nobody to read; on a failed read too, with a warning (at most hourly): the nudge then
   * mentions them all, by number (a nudge not sent for a directory failure would leave them
   * untold).
   */
  private async signInsOf(requests: readonly AccessRequest[]): Promise<NudgeSignIns | undefined> {
    const approvers = this.reach?.approvers;
    if (!approvers) return undefined;
    const ids = new Map<string, string>();
    // The earlier approvers too: an approval whose author can no longer sign in is dropped at
    // the next click, so the quorum is judged without it (quorumLostTo).
    for (const request of requests)
      for (const id of [
        ...waitedOnUsers(request, request.policy!.rule!),
        ...countedApprovals(request).map((a) => a.by.objectId),
      ])
        if (!ids.has(id.toLowerCase())) ids.set(id.toLowerCase(), id);
    if (ids.size === 0) return undefined;
    try {
      const enabled = await approvers.enabledNamesAmong([...ids.values()]);
      const names = new Map<string, string>();
      for (const [id, name] of enabled) if (name !== undefined) names.set(id, name);
      return { cannotSignIn: new Set([...ids.keys()].filter((id) => !enabled.has(id))), names };
    } catch (err) {
      // At most once an hour (a deployment without User.Read.All fails every such read).
      if (this.reach?.log)
        warnUnreadApproversHourly(
          this.reach.log,
          { err, requestId: requests[0]!.id, approvers: ids.size },
          "a nudge could not read its approvers' accounts in the directory; it mentions every named approver still waited on",
        );
      return undefined;
    }
  }

  /**
   * By request id, why an Approve of each of `requests` would be refused now for its term (a
   * reload lowered its rule's maxDuration, a restart the deployment's maximum): the refused
   * click's own rule (pendingTermPastLimits), under its rule as bound; or, its term allowed, for
   * its plan in a subscription taken out of ACRBOT_SUBSCRIPTION_IDS (approve-refused.ts, the
   * click's next check). Only those it refuses.
   */
  private approveRefused(requests: readonly AccessRequest[]): Map<string, ApproveRefusal> {
    const out = new Map<string, ApproveRefusal>();
    if (!this.terms) return out;
    const policy = this.terms.policies.current();
    for (const request of requests) {
      const term = pendingTermPastLimits(request, policy, this.terms.limits);
      const refusal = term
        ? termApproveRefusal(term)
        : unservedApproveRefusalOf(request, this.terms.servedSubscriptionIds);
      if (refusal) out.set(request.id, refusal);
    }
    return out;
  }

  /** What the look for an older sibling's post (olderSiblingMayTake) reads. */
  private holdPorts(kind: 'remind' | 'escalate', action: 'approval.reminded' | 'approval.escalated'): HoldPorts {
    return {
      store: this.store,
      clock: this.clock,
      sent: (id: string) => this.sent(id, action),
      jobDue: async (id: string) => {
        const job = await this.jobs.get(approvalNudgeJobIds(id)[kind]);
        return job !== undefined && Date.parse(job.dueAt) <= this.clock.now().getTime();
      },
    };
  }

  /**
   * Moves the running job to `dueAt` (in the store) unless it was written or deleted since it was
   * read (Scheduler.moveIfUnchanged): a newer version stays as written, a cancelled job stays
   * gone. Without conditional moves (a test's scheduler), an upsert.
   */
  private async moveOwnJob(job: ScheduledJob, dueAt: Date): Promise<void> {
    if (this.jobs.moveIfUnchanged && job.revision !== undefined) {
      await this.jobs.moveIfUnchanged(job, dueAt);
      return;
    }
    await this.jobs.schedule({ id: job.id, kind: job.kind, dueAt, requestId: job.requestId, payload: job.payload });
  }

  /**
   * Whether the audit log says this nudge of the request is done (written only after the post):
   * posted, or found nowhere to be posted (`unposted`, used up all the same).
   */
  private async sent(requestId: string, action: 'approval.reminded' | 'approval.escalated'): Promise<boolean> {
    return (await this.audit.forRequest(requestId)).some((entry) => entry.action === action);
  }

  /**
   * What an escalation's entry says of the reminder before it (reminderNote): one audited
   * `unposted` is named as such, not read as posted nor as taken over by this escalation.
   */
  private async reminderNoteOf(request: AccessRequest): Promise<string> {
    const entry = (await this.audit.forRequest(request.id)).find((e) => e.action === 'approval.reminded');
    if (entry?.outcome === 'unposted') {
      const why = entry.detail?.includes(REFUSED_EVERYWHERE)
        ? 'Teams refused it in every channel'
        : 'nowhere to post it';
      return `; the reminder before it was not posted either (${why})`;
    }
    return reminderNote(request, entry !== undefined);
  }

  /**
   * Removes the mark of a nudge that was not sent, so the request does not show approvers as
   * reminded. Another write landing meanwhile (a quorum's first approval, the other nudge's
   * mark) leaves the request pending with the mark still on it, so a conflict reads it again and
   * retries, a few times; a request decided meanwhile needs no nudge, and a mark of another time
   * is another run's, so both are left as they are.
   */
  private async unclaim(claimed: AccessRequest, field: 'remindedAt' | 'escalatedAt'): Promise<void> {
    let current: AccessRequest | undefined = claimed;
    for (let attempt = 0; attempt < UNCLAIM_ATTEMPTS; attempt++) {
      if (!current || current.state !== 'pending' || current.policy?.[field] !== claimed.policy![field]) return;
      const policy = { ...current.policy! };
      delete policy[field];
      delete policy[CLAIMED_BY[field]];
      try {
        await this.store.update({
          ...current,
          version: current.version + 1,
          updatedAt: this.clock.now().toISOString(),
          policy,
        });
        return;
      } catch (err) {
        if (!(err instanceof VersionConflictError)) throw err;
      }
      current = await this.store.get(claimed.id);
    }
    throw new Error(`the ${field} mark of ${claimed.id} could not be removed: the request kept changing`);
  }

  private async record(
    request: AccessRequest,
    event: Pick<AuditEvent, 'action' | 'outcome' | 'detail' | 'facts'>,
  ): Promise<void> {
    await this.audit.append({
      ...event,
      actor: ruleActor(request.policy?.ruleId ?? 'default'),
      tenantId: request.tenantId,
      requestId: request.id,
      targetIds: [request.plan.cluster.id, request.plan.registry.id],
      ruleId: request.policy?.ruleId,
      policyHash: request.policy?.policyHash,
    });
  }
}
