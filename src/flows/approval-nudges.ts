/**
 * Approval reminders, escalation and the daily report of unreviewed break-glass grants: the
 * handlers of the `approval.remind`, `approval.escalate` and `breakglass.review` jobs. The
 * Scheduler runs each job once per instance group (under its lease), and the request records
 * that a nudge was sent (conditional write), so approvers are nudged once, not once per instance.
 */
import type { AuditEvent } from '../domain/audit-chain';
import { awaitingReview, type PolicyRule } from '../domain/policy';
import type { AuditLog, Clock, RequestStore, ScheduledJob } from '../domain/ports';
import { VersionConflictError } from '../domain/ports';
import type { AccessRequest } from '../domain/request';
import { isExpired } from '../domain/request';
import type { RequestNotifier } from './notifier';
import { breakGlassReviewJobId, ruleActor, type JobScheduling } from './request-service';

/** How often an unreviewed break-glass grant is reported again. */
export const BREAK_GLASS_REPORT_EVERY_MS = 24 * 3_600_000;

/** Implemented by the chat layer: the posts a nudge makes. */
export interface NudgeNotifier extends RequestNotifier {
  /** Posts a reminder in the rule's channel mentioning its approvers (`escalate`: also the escalation channel and groups). */
  nudgeApprovers(request: AccessRequest, rule: PolicyRule, kind: 'remind' | 'escalate'): Promise<void>;
  /** Reports an unreviewed break-glass grant (break-glass channel and audit channel). */
  breakGlassUnreviewed(request: AccessRequest): Promise<void>;
}

/** The nudge job handlers. */
export class ApprovalNudges {
  constructor(
    private readonly store: RequestStore,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly notifier: NudgeNotifier,
    private readonly jobs: JobScheduling,
  ) {}

  /** `approval.remind`: still pending after `remindAfter` → mention the approvers, update the card. */
  async remind(job: ScheduledJob): Promise<void> {
    await this.nudge(job, 'remind');
  }

  /** `approval.escalate`: still pending after `escalateAfter` → also the escalation channel and groups. */
  async escalate(job: ScheduledJob): Promise<void> {
    await this.nudge(job, 'escalate');
  }

  /** `breakglass.review`: not reviewed yet → report it again, and again a day later. */
  async reviewDue(job: ScheduledJob): Promise<void> {
    if (!job.requestId) return;
    const request = await this.store.get(job.requestId);
    if (!request || !awaitingReview(request)) return;
    // Reported first, then recorded as reported: a report that could not be posted fails the
    // job (retried with backoff) without an entry saying it was made.
    await this.notifier.breakGlassUnreviewed(request);
    await this.record(request, {
      action: 'breakglass.unreviewed',
      outcome: 'reported',
      detail: `review was due ${request.policy!.review!.dueAt}`,
    });
    await this.jobs.schedule({
      id: breakGlassReviewJobId(request.id),
      kind: 'breakglass.review',
      dueAt: new Date(this.clock.now().getTime() + BREAK_GLASS_REPORT_EVERY_MS),
      requestId: request.id,
    });
  }

  private async nudge(job: ScheduledJob, kind: 'remind' | 'escalate'): Promise<void> {
    if (!job.requestId) return;
    for (let attempt = 0; attempt < 3; attempt++) {
      const request = await this.store.get(job.requestId);
      const rule = request?.policy?.rule;
      if (!request || !rule || request.state !== 'pending' || isExpired(request, this.clock.now())) return;
      const field = kind === 'remind' ? 'remindedAt' : 'escalatedAt';
      if (request.policy![field]) return;
      const now = this.clock.now().toISOString();
      const next: AccessRequest = {
        ...request,
        version: request.version + 1,
        updatedAt: now,
        policy: { ...request.policy!, [field]: now },
      };
      try {
        await this.store.update(next);
      } catch (err) {
        // A decision or an approval landed meanwhile: look again.
        if (err instanceof VersionConflictError) continue;
        throw err;
      }
      // The mark claims the nudge (another run of this job finds it and stops); it is recorded
      // as sent only once the approvers were told. Not told: the claim is undone and the job
      // fails, so the scheduler retries it with backoff instead of finding it "done".
      try {
        await this.notifier.nudgeApprovers(next, rule, kind);
      } catch (err) {
        try {
          await this.unclaim(next, field);
        } catch (undoErr) {
          throw new AggregateError(
            [err, undoErr],
            `the ${kind} of ${next.id} was not sent and its mark could not be undone; it will not be retried`,
          );
        }
        throw err;
      }
      await this.record(next, {
        action: kind === 'remind' ? 'approval.reminded' : 'approval.escalated',
        outcome: kind === 'remind' ? 'reminded' : 'escalated',
        detail:
          kind === 'remind'
            ? `no decision after ${Math.round(rule.remindAfterMs! / 60_000)} min`
            : `no decision after ${Math.round(rule.escalateAfterMs! / 60_000)} min`,
      });
      // Posting the nudge takes a while (one post per channel): a decision, or the run it
      // started, may have changed the request since, and redrawn its cards. Drawing this
      // version then would put Approve/Reject back on a decided request's cards.
      const current = await this.store.get(next.id);
      if (current?.version === next.version) await this.notifier.requestChanged(next);
      return;
    }
  }

  /** Removes the mark of a nudge that was not sent; a request decided meanwhile needs none. */
  private async unclaim(claimed: AccessRequest, field: 'remindedAt' | 'escalatedAt'): Promise<void> {
    const policy = { ...claimed.policy! };
    delete policy[field];
    try {
      await this.store.update({
        ...claimed,
        version: claimed.version + 1,
        updatedAt: this.clock.now().toISOString(),
        policy,
      });
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
    }
  }

  private async record(
    request: AccessRequest,
    event: Pick<AuditEvent, 'action' | 'outcome' | 'detail'>,
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
