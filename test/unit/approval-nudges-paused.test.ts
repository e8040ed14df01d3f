/**
 * Approval nudges while new access is paused: an Approve is refused then, so a reminder or an
 * escalation due during the pause posts nothing and is not used up (the request stays unmarked);
 * its job is moved a few minutes on, in the store, and goes out once after the resume. The report
 * of an unreviewed break-glass grant goes on during a pause (a review is not new access). Real
 * memory stores with conditional writes, the real Scheduler and RequestService.
 */
import type { AuditEntry } from '../../src/domain/audit-chain';
import type { AccessPause } from '../../src/domain/ports';
import type { Policy, PolicyRule } from '../../src/domain/policy';
import type { AccessRequest } from '../../src/domain/request';
import { ApprovalNudges, type NudgeNotifier, PAUSED_NUDGE_RECHECK_MS } from '../../src/flows/approval-nudges';
import { approvalNudgeJobIds, breakGlassReviewJobId } from '../../src/flows/request-jobs';
import { RequestService } from '../../src/flows/request-service';
import { Scheduler } from '../../src/flows/scheduler';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { MemoryPauseStore } from '../../src/integrations/store/memory-pause-store';
import { createFlows } from '../../src/composition/flows';
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, HOUR, MINUTE } from './support/fake-clock';
import { fakeDirectory } from './support/fake-directory';
import {
  APPROVERS_GROUP,
  DAY,
  granted,
  OLIVE,
  ONCALL_GROUP,
  policy,
  rule,
  settings,
  TENANT,
} from './support/policy-fixtures';
import { APPROVER, grantPlan, pendingRequest, REQUESTER } from './support/requests';

const log = createLogger({ level: 'silent' });

class Notifications implements NudgeNotifier {
  readonly posts: string[] = [];
  async requestChanged() {}
  async nudgeApprovers(request: AccessRequest, _rule: PolicyRule, kind: 'remind' | 'escalate') {
    this.posts.push(`${kind}:${request.id}`);
  }
  async breakGlassUnreviewed(request: AccessRequest) {
    this.posts.push(`unreviewed:${request.id}`);
  }
}

function setup(initial: Policy) {
  const clock = new FakeClock('2026-11-30T09:00:00.000Z');
  const store = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  const pauseStore = new MemoryPauseStore();
  const notifications = new Notifications();
  const jobs = new MemoryScheduleStore();
  const leases = new MemoryLeaseStore(() => clock.now());
  /** A process on the shared stores: its own Scheduler and nudge handlers (a restart makes a new one). */
  const instance = (instanceId: string) => {
    const scheduler = new Scheduler(jobs, leases, clock, log, { instanceId, sweepIntervalMs: 0, leaseTtlMs: MINUTE });
    const nudges = new ApprovalNudges(store, audit, clock, notifications, scheduler, pauseStore);
    scheduler.register('approval.remind', (job, run) => nudges.remind(job, run));
    scheduler.register('approval.escalate', (job, run) => nudges.escalate(job, run));
    scheduler.register('breakglass.review', (job, run) => nudges.reviewDue(job, run));
    return { scheduler, nudges };
  };
  const first = instance('a');
  const service = new RequestService(
    store,
    audit,
    fakeDirectory({ [APPROVERS_GROUP]: [APPROVER.objectId], [ONCALL_GROUP]: [OLIVE.objectId] }),
    clock,
    settings,
    notifications,
    log,
    first.scheduler,
    { current: () => initial },
    pauseStore,
  );
  const pause: AccessPause = {
    since: clock.now().toISOString(),
    by: { objectId: APPROVER.objectId, name: 'Alex Approver' },
    reason: 'incident INC-4711',
  };
  return {
    clock,
    store,
    audit,
    jobs,
    notifications,
    instance,
    scheduler: first.scheduler,
    pause: async () =>
      expect((await pauseStore.pause({ ...pause, since: clock.now().toISOString() })).applied).toBe(true),
    resume: async () => expect(await pauseStore.resume()).toBeDefined(),
    create: (breakGlass = false) =>
      service.create({
        requester: breakGlass ? OLIVE : REQUESTER,
        tenantId: TENANT,
        reason: 'deploy payments-api',
        plan: grantPlan(),
        origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
        ...(breakGlass && { breakGlass: true }),
      }),
  };
}

const actions = (entries: AuditEntry[]) => entries.map((e) => e.action);

describe('approval nudges while new access is paused', () => {
  test('a reminder due while paused posts nothing and leaves the request unmarked; after the resume it posts once, also from a restarted process', async () => {
    const t = setup(policy([rule('prod', { remindAfterMs: 2 * HOUR })]));
    const request = await t.create();
    const remindJob = approvalNudgeJobIds(request.id).remind;
    await t.pause();

    t.clock.advance(2 * HOUR);
    expect(await t.scheduler.runDue()).toBe(1);
    expect(t.notifications.posts).toEqual([]);
    expect((await t.store.get(request.id))!.policy?.remindedAt).toBeUndefined();
    expect(actions(await t.audit.forRequest(request.id))).toEqual(['request.created']);
    // Still a job in the store (it outlives a restart), due a few minutes on.
    expect(await t.jobs.get(remindJob)).toMatchObject({
      dueAt: new Date(t.clock.now().getTime() + PAUSED_NUDGE_RECHECK_MS).toISOString(),
      attempts: 0,
    });

    // Still paused at the next look: moved on again, nothing posted or marked.
    t.clock.advance(PAUSED_NUDGE_RECHECK_MS);
    expect(await t.scheduler.runDue()).toBe(1);
    expect(t.notifications.posts).toEqual([]);
    expect((await t.store.get(request.id))!.policy?.remindedAt).toBeUndefined();

    // Resumed; the process restarted meanwhile: the new one's sweep finds the job and posts it.
    await t.resume();
    const restarted = t.instance('b');
    t.clock.advance(PAUSED_NUDGE_RECHECK_MS);
    expect(await restarted.scheduler.runDue()).toBe(1);
    expect(t.notifications.posts).toEqual([`remind:${request.id}`]);
    expect((await t.store.get(request.id))!.policy?.remindedAt).toBe(t.clock.now().toISOString());
    expect(actions(await t.audit.forRequest(request.id))).toEqual(['request.created', 'approval.reminded']);

    // Once: the job is done.
    expect(await t.jobs.get(remindJob)).toBeUndefined();
    t.clock.advance(HOUR);
    await restarted.scheduler.runDue();
    expect(t.notifications.posts).toEqual([`remind:${request.id}`]);
  });

  const escalating = () =>
    policy([
      rule('prod', {
        remindAfterMs: HOUR,
        escalateAfterMs: 2 * HOUR,
        escalateTo: { channel: '19:escalations@thread.tacv2', groups: [] },
      }),
    ]);

  test('the escalation waits too; when both came due during the pause, only the escalation goes out after it', async () => {
    const t = setup(escalating());
    const request = await t.create();
    await t.pause();
    t.clock.advance(2 * HOUR);
    expect(await t.scheduler.runDue()).toBe(2);
    expect(t.notifications.posts).toEqual([]);
    const stored = (await t.store.get(request.id))!;
    expect(stored.policy?.remindedAt).toBeUndefined();
    expect(stored.policy?.escalatedAt).toBeUndefined();
    // The escalation waits for the resume; the reminder, owed with it, is used up already.
    expect(await t.jobs.get(approvalNudgeJobIds(request.id).escalate)).toBeDefined();
    expect(await t.jobs.get(approvalNudgeJobIds(request.id).remind)).toBeUndefined();

    await t.resume();
    t.clock.advance(PAUSED_NUDGE_RECHECK_MS);
    expect(await t.scheduler.runDue()).toBe(1);
    // One nudge, not two at once: the escalation also mentions the rule's approvers in its channel.
    expect(t.notifications.posts).toEqual([`escalate:${request.id}`]);
    t.clock.advance(HOUR);
    expect(await t.scheduler.runDue()).toBe(0);
    expect(t.notifications.posts).toHaveLength(1);
    // The trail does not say the reminder was sent, and the escalation's entry says why it was not.
    const after = (await t.store.get(request.id))!;
    expect(after.policy?.remindedAt).toBeUndefined();
    expect(after.policy?.escalatedAt).toBeDefined();
    const entries = await t.audit.forRequest(request.id);
    expect(actions(entries)).toEqual(['request.created', 'approval.escalated']);
    expect(entries[1].detail).toMatch(/^no decision after 120 min; the reminder due after 60 min was not posted/);
  });

  test('a reminder deferred through the pause that finds the escalation due is used up unsent; the escalation goes after the resume', async () => {
    const t = setup(escalating());
    const request = await t.create();
    await t.pause();
    // The reminder's due time comes first and it is moved on; by its next look the escalation is due.
    t.clock.advance(HOUR);
    expect(await t.scheduler.runDue()).toBe(1);
    t.clock.advance(HOUR);
    expect(await t.scheduler.runDue()).toBe(2);
    expect(await t.jobs.get(approvalNudgeJobIds(request.id).remind)).toBeUndefined();
    expect(await t.jobs.get(approvalNudgeJobIds(request.id).escalate)).toBeDefined();
    expect(t.notifications.posts).toEqual([]);
    expect((await t.store.get(request.id))!.policy?.remindedAt).toBeUndefined();
    expect(actions(await t.audit.forRequest(request.id))).toEqual(['request.created']);

    await t.resume();
    t.clock.advance(PAUSED_NUDGE_RECHECK_MS);
    expect(await t.scheduler.runDue()).toBe(1);
    expect(t.notifications.posts).toEqual([`escalate:${request.id}`]);
  });

  test('a reminder sent before the pause is not mentioned as missing by the escalation sent after it', async () => {
    const t = setup(escalating());
    const request = await t.create();
    t.clock.advance(HOUR);
    expect(await t.scheduler.runDue()).toBe(1);
    await t.pause();
    t.clock.advance(HOUR);
    expect(await t.scheduler.runDue()).toBe(1);
    await t.resume();
    t.clock.advance(PAUSED_NUDGE_RECHECK_MS);
    expect(await t.scheduler.runDue()).toBe(1);
    expect(t.notifications.posts).toEqual([`remind:${request.id}`, `escalate:${request.id}`]);
    const entries = await t.audit.forRequest(request.id);
    expect(actions(entries)).toEqual(['request.created', 'approval.reminded', 'approval.escalated']);
    expect(entries[2].detail).toBe('no decision after 120 min');
  });

  test('a marked reminder a stopped run still owes waits for the resume too', async () => {
    const t = setup(policy([rule('prod', { remindAfterMs: 2 * HOUR })]));
    const request = await t.create();
    t.clock.advance(2 * HOUR);
    // What a run that stopped between its mark and its post left: the mark, no entry.
    const current = (await t.store.get(request.id))!;
    const mark = t.clock.now().toISOString();
    await t.store.update({
      ...current,
      version: current.version + 1,
      policy: { ...current.policy!, remindedAt: mark },
    });
    await t.pause();
    expect(await t.scheduler.runDue()).toBe(1);
    expect(t.notifications.posts).toEqual([]);
    await t.resume();
    t.clock.advance(PAUSED_NUDGE_RECHECK_MS);
    expect(await t.scheduler.runDue()).toBe(1);
    expect(t.notifications.posts).toEqual([`remind:${request.id}`]);
  });

  test('not moved past the request’s expiry: a pause that outlasts it leaves no nudge to send', async () => {
    const t = setup(policy([rule('prod', { remindAfterMs: DAY - 2 * MINUTE })]));
    const request = await t.create();
    await t.pause();
    t.clock.advance(DAY - 2 * MINUTE);
    expect(await t.scheduler.runDue()).toBe(1);
    // The next look would come after the request expired: the job ends here, unsent and unmarked.
    expect(await t.jobs.get(approvalNudgeJobIds(request.id).remind)).toBeUndefined();
    expect(t.notifications.posts).toEqual([]);
    expect((await t.store.get(request.id))!.policy?.remindedAt).toBeUndefined();
  });

  test('an unreviewed break-glass grant is still reported: the review is not new access', async () => {
    const t = setup(policy([rule('prod')]));
    const request = await granted(t.store, await t.create(true), t.clock.now());
    await t.pause();
    const job = (await t.jobs.get(breakGlassReviewJobId(request.id)))!;
    t.clock.set(new Date(job.dueAt));
    expect(await t.scheduler.runDue()).toBe(1);
    expect(t.notifications.posts).toEqual([`unreviewed:${request.id}`]);
    expect(actions(await t.audit.forRequest(request.id))).toContain('breakglass.unreviewed');
  });
});

describe('as the composition root wires it', () => {
  test('the nudges read the store’s pause: a reminder due while paused posts nothing and is moved on', async () => {
    const clock = new FakeClock('2025-01-15T11:00:00.000Z');
    const requests = new MemoryRequestStore();
    const pause = new MemoryPauseStore();
    const scheduled: string[] = [];
    const notifications = new Notifications();
    const quiet = { error: () => undefined, info: () => undefined, warn: () => undefined, debug: () => undefined };
    // Only the nudges are used: the other flows are built around ports this test never calls.
    const deps = {
      stores: { requests, audit: new MemoryAuditLog(clock), pause },
      azure: { secrets: {} },
      notifier: notifications,
      scheduler: { schedule: async (job: { id: string }) => void scheduled.push(job.id) },
      clock,
      log: quiet,
    };
    const { nudges } = createFlows(loadConfig({}), deps as unknown as Parameters<typeof createFlows>[1], {});
    const request = pendingRequest({
      policy: {
        ruleId: 'prod',
        policyHash: 'h',
        approvalsRequired: 1,
        rule: rule('prod', { remindAfterMs: 2 * HOUR }),
      },
    });
    await requests.create(request);
    await pause.pause({
      since: clock.now().toISOString(),
      by: { objectId: APPROVER.objectId, name: 'Alex' },
      reason: 'incident',
    });
    const id = approvalNudgeJobIds(request.id).remind;
    await nudges.remind({
      id,
      kind: 'approval.remind',
      dueAt: clock.now().toISOString(),
      requestId: request.id,
      attempts: 0,
    });
    expect(notifications.posts).toEqual([]);
    expect((await requests.get(request.id))!.policy?.remindedAt).toBeUndefined();
    expect(scheduled).toEqual([id]);
  });
});
