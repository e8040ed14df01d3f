/**
 * The daily report of an unreviewed break-glass grant moves its own job a day on. A review
 * decided while the report is being made cancels that job (request-service.ts): the report's
 * move must not bring it back (it is conditional on the job as read, Scheduler.moveIfUnchanged),
 * or a reviewed grant would be reported again and listed as owed until that run found it
 * reviewed. Real memory stores with conditional writes, the real Scheduler and RequestService.
 */
import type { PolicyRule } from '../../src/domain/policy';
import type { AccessRequest } from '../../src/domain/request';
import { ApprovalNudges, BREAK_GLASS_REPORT_EVERY_MS, type NudgeNotifier } from '../../src/flows/approval-nudges';
import { breakGlassReviewJobId, RequestService } from '../../src/flows/request-service';
import { Scheduler } from '../../src/flows/scheduler';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { MemoryPauseStore } from '../../src/integrations/store/memory-pause-store';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, MINUTE } from './support/fake-clock';
import { fakeDirectory } from './support/fake-directory';
import {
  APPROVERS_GROUP,
  granted,
  OLIVE,
  ONCALL_GROUP,
  policy,
  rule,
  settings,
  TENANT,
} from './support/policy-fixtures';
import { APPROVER, grantPlan } from './support/requests';

const log = createLogger({ level: 'silent' });

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

async function setup() {
  const clock = new FakeClock('2026-11-30T09:00:00.000Z');
  const store = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  const pauses = new MemoryPauseStore();
  const notifications = new Notifications();
  const jobs = new MemoryScheduleStore();
  const scheduler = new Scheduler(jobs, new MemoryLeaseStore(() => clock.now()), clock, log, {
    instanceId: 'a',
    sweepIntervalMs: 0,
    leaseTtlMs: MINUTE,
  });
  const nudges = new ApprovalNudges(store, audit, clock, notifications, scheduler, pauses);
  scheduler.register('breakglass.review', (job, run) => nudges.reviewDue(job, run));
  const service = new RequestService(
    store,
    audit,
    fakeDirectory({ [APPROVERS_GROUP]: [APPROVER.objectId], [ONCALL_GROUP]: [OLIVE.objectId] }),
    clock,
    settings,
    notifications,
    log,
    scheduler,
    { current: () => policy([rule('prod')]) },
    pauses,
  );
  const created = await service.create({
    requester: OLIVE,
    tenantId: TENANT,
    reason: 'incident INC-4711',
    plan: grantPlan(),
    origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
    breakGlass: true,
  });
  const request = await granted(store, created, clock.now());
  const jobId = breakGlassReviewJobId(request.id);
  const job = (await jobs.get(jobId))!;
  clock.set(new Date(job.dueAt));
  return { clock, store, jobs, notifications, scheduler, service, request, jobId };
}

test('a review decided while the report is posted leaves no job: the report does not put it back', async () => {
  const t = await setup();
  t.notifications.duringReport = async () => {
    const reviewed = await t.service.decide({
      requestId: t.request.id,
      acting: { actor: APPROVER, tenantId: TENANT },
      approve: true,
      reason: 'real incident',
    });
    expect(reviewed).toMatchObject({ kind: 'reviewed', outcome: 'accepted' });
  };
  expect(await t.scheduler.runDue()).toBe(1);
  expect(t.notifications.reports).toEqual([t.request.id]);
  expect(await t.jobs.get(t.jobId)).toBeUndefined();
});

test('unreviewed, the report moves its job a day on', async () => {
  const t = await setup();
  expect(await t.scheduler.runDue()).toBe(1);
  expect(t.notifications.reports).toEqual([t.request.id]);
  expect((await t.jobs.get(t.jobId))?.dueAt).toBe(
    new Date(t.clock.now().getTime() + BREAK_GLASS_REPORT_EVERY_MS).toISOString(),
  );
});
