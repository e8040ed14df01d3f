/**
 * The daily report of an unreviewed break-glass grant moves its own job a day on. A review
 * decided while the report is being made cancels that job (break-glass-reviews.ts): the report's
 * move must not bring it back (it is conditional on the job as read, Scheduler.moveIfUnchanged),
 * or a reviewed grant would be reported again and listed as owed until that run found it
 * reviewed. Real memory stores with conditional writes, the real Scheduler and RequestService.
 */
import type { PolicyRule } from '../../src/domain/policy';
import type { AccessRequest } from '../../src/domain/request';
import { ApprovalNudges, BREAK_GLASS_REPORT_EVERY_MS, type NudgeNotifier } from '../../src/flows/approval-nudges';
import { breakGlassReviewJobId } from '../../src/flows/request-jobs';
import { MemoryPauseStore } from '../../src/integrations/store/memory-pause-store';
import { breakGlassService } from './support/break-glass-service';
import { policy, rule } from './support/policy-fixtures';
import { APPROVER } from './support/requests';

/** Reports are recorded; `duringReport` runs while one is being posted. */
class Notifications implements NudgeNotifier {
  readonly reports: string[] = [];
  duringReport: () => Promise<void> = async () => undefined;
  async requestChanged() {}
  async nudgeApprovers(_request: AccessRequest, _rule: PolicyRule, _kind: 'remind' | 'escalate') {}
  async breakGlassUnreviewed(request: AccessRequest) {
    this.reports.push(request.id);
    await this.duringReport();
  }
}

/** A granted break-glass request whose daily report job is due now, run by the real ApprovalNudges. */
async function setup() {
  const pauses = new MemoryPauseStore();
  const notifications = new Notifications();
  const { clock, store, audit, jobs, scheduler, breakGlass, review } = breakGlassService({
    policies: { current: () => policy([rule('prod')]) },
    notifier: notifications,
    pauses,
  });
  const nudges = new ApprovalNudges(store, audit, clock, notifications, scheduler, pauses);
  // What the report job threw, if anything. The scheduler catches it (and logs 'scheduled job
  // failed…'), so a failed run would otherwise pass unseen; a store error around the job
  // ('scheduled job could not be run…') shows as runDue() counting no job run.
  const jobFailures: unknown[] = [];
  scheduler.register('breakglass.review', (job, run) =>
    nudges.reviewDue(job, run).catch((err: unknown) => {
      jobFailures.push(err);
      throw err;
    }),
  );
  const request = await breakGlass();
  const jobId = breakGlassReviewJobId(request.id);
  const job = (await jobs.get(jobId))!;
  clock.set(new Date(job.dueAt));
  return { clock, jobs, jobFailures, notifications, scheduler, request, jobId, review };
}

test('a review decided while the report is posted leaves no job: the report does not put it back', async () => {
  const t = await setup();
  // Only recorded here: an `expect` in the hook would fail the report job, not the test.
  let reviewed: unknown;
  t.notifications.duringReport = async () => {
    reviewed = await t.review(t.request.id, APPROVER, 'real incident');
  };
  expect(await t.scheduler.runDue()).toBe(1);
  expect(t.jobFailures).toEqual([]);
  expect(reviewed).toMatchObject({ kind: 'reviewed', outcome: 'accepted' });
  expect(t.notifications.reports).toEqual([t.request.id]);
  expect(await t.jobs.get(t.jobId)).toBeUndefined();
});

test('unreviewed, the report moves its job a day on', async () => {
  const t = await setup();
  expect(await t.scheduler.runDue()).toBe(1);
  expect(t.jobFailures).toEqual([]);
  expect(t.notifications.reports).toEqual([t.request.id]);
  expect((await t.jobs.get(t.jobId))?.dueAt).toBe(
    new Date(t.clock.now().getTime() + BREAK_GLASS_REPORT_EVERY_MS).toISOString(),
  );
});
