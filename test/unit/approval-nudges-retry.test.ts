/**
 * Approval nudges that did not go out at the first try: a post that failed while the request
 * changed, a run that stopped between the mark and the post, a run whose job lease was taken
 * over. Real memory stores with conditional writes, the real Scheduler and RequestService.
 */
import type { AuditEntry } from '../../src/domain/audit-chain';
import type { ScheduledJob } from '../../src/domain/ports';
import { LeaseLostError } from '../../src/domain/ports';
import type { Policy, PolicyRule } from '../../src/domain/policy';
import type { AccessRequest } from '../../src/domain/request';
import { ApprovalNudges, type NudgeNotifier } from '../../src/flows/approval-nudges';
import { RequestService } from '../../src/flows/request-service';
import { Scheduler } from '../../src/flows/scheduler';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { MemoryPauseStore } from '../../src/integrations/store/memory-pause-store';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, HOUR, MINUTE } from './support/fake-clock';
import { fakeDirectory } from './support/fake-directory';
import { APPROVERS_GROUP, policy, rule, SAM, settings, TENANT } from './support/policy-fixtures';
import { APPROVER, grantPlan, REQUESTER } from './support/requests';

const log = createLogger({ level: 'silent' });

class Notifications implements NudgeNotifier {
  readonly nudges: string[] = [];
  /** Runs while a nudge is being posted, before it fails or succeeds. */
  duringNudge?: () => Promise<void>;
  /** Nudges still to fail (Teams answering 503), one per call. */
  failNudges = 0;
  async requestChanged() {}
  async nudgeApprovers(request: AccessRequest, r: PolicyRule, kind: 'remind' | 'escalate') {
    const during = this.duringNudge;
    this.duringNudge = undefined;
    await during?.();
    if (this.failNudges > 0 && this.failNudges--) throw new Error('Teams answered 503');
    this.nudges.push(`${kind}:${request.id}:${r.id}`);
  }
  async breakGlassUnreviewed() {}
}

function setup(initial: Policy) {
  const clock = new FakeClock('2026-11-30T09:00:00.000Z');
  const store = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  const directory = fakeDirectory({ [APPROVERS_GROUP]: [APPROVER.objectId, SAM.objectId] });
  const notifications = new Notifications();
  const jobs = new MemoryScheduleStore();
  const leases = new MemoryLeaseStore(() => clock.now());
  const make = (instanceId: string) =>
    new Scheduler(jobs, leases, clock, log, { instanceId, sweepIntervalMs: 0, leaseTtlMs: MINUTE });
  const scheduler = make('a');
  const service = new RequestService(
    store,
    audit,
    directory,
    clock,
    settings,
    notifications,
    log,
    scheduler,
    { current: () => initial },
    new MemoryPauseStore(),
  );
  const nudges = new ApprovalNudges(store, audit, clock, notifications, scheduler, new MemoryPauseStore());
  const registerOn = (s: Scheduler) => {
    s.register('approval.remind', (job, run) => nudges.remind(job, run));
    s.register('approval.escalate', (job, run) => nudges.escalate(job, run));
  };
  registerOn(scheduler);
  return {
    clock,
    store,
    audit,
    jobs,
    leases,
    scheduler,
    nudges,
    notifications,
    make,
    registerOn,
    create: () =>
      service.create({
        requester: REQUESTER,
        tenantId: TENANT,
        reason: 'deploy payments-api',
        plan: grantPlan(),
        origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
      }),
    approve: (id: string) =>
      service.decide({ requestId: id, acting: { actor: APPROVER, tenantId: TENANT }, approve: true }),
  };
}

const actions = (entries: AuditEntry[]) => entries.map((e) => e.action);

describe('approval nudges that did not go out at the first try', () => {
  test('a failed reminder whose request changed meanwhile (a quorum’s first approval) loses its mark and is sent on retry', async () => {
    const t = setup(policy([rule('prod', { approvalsRequired: 2, remindAfterMs: 2 * HOUR })]));
    const request = await t.create();
    t.notifications.failNudges = 1;
    t.notifications.duringNudge = async () => {
      expect((await t.approve(request.id)).kind).toBe('recorded');
    };
    t.clock.advance(2 * HOUR);
    await t.scheduler.runDue();
    expect(t.notifications.nudges).toEqual([]);
    const after = (await t.store.get(request.id))!;
    expect(after.state).toBe('pending');
    // The approval changed the version under the mark; the mark still went.
    expect(after.approvals).toHaveLength(1);
    expect(after.policy?.remindedAt).toBeUndefined();
    t.clock.advance(HOUR);
    await t.scheduler.runDue();
    expect(t.notifications.nudges).toEqual([`remind:${request.id}:prod`]);
    expect(actions(await t.audit.forRequest(request.id))).toEqual([
      'request.created',
      'approval.recorded',
      'approval.reminded',
    ]);
  });

  test('a run that stopped between the mark and the post (a crash): the job’s next run sends it, once', async () => {
    const t = setup(policy([rule('prod', { remindAfterMs: 2 * HOUR })]));
    const request = await t.create();
    t.clock.advance(2 * HOUR);
    // What the crashed run left: the mark, no post, no audit entry, the job still scheduled.
    const current = (await t.store.get(request.id))!;
    await t.store.update({
      ...current,
      version: current.version + 1,
      policy: { ...current.policy!, remindedAt: t.clock.now().toISOString() },
    });
    expect(await t.scheduler.runDue()).toBe(1);
    expect(t.notifications.nudges).toEqual([`remind:${request.id}:prod`]);
    expect(actions(await t.audit.forRequest(request.id))).toEqual(['request.created', 'approval.reminded']);
    // Sent and recorded: a run of the same job again does not post a second time.
    const job: ScheduledJob = {
      id: `approval.remind:${request.id}`,
      kind: 'approval.remind',
      dueAt: '',
      requestId: request.id,
      attempts: 0,
    };
    await t.nudges.remind(job);
    expect(t.notifications.nudges).toHaveLength(1);
  });

  test('a run whose job lease was taken over does not post; the new holder posts it once', async () => {
    const t = setup(policy([rule('prod', { remindAfterMs: 2 * HOUR })]));
    const request = await t.create();
    const a = t.make('a');
    let failure: unknown;
    a.register('approval.remind', async (job, run) => {
      // a stalled past its lease, and another instance took the job over.
      t.clock.advance(MINUTE + 1);
      expect(await t.leases.acquire(`job:${job.id}`, 'other', MINUTE)).toBeDefined();
      await t.nudges.remind(job, run).catch((err: unknown) => {
        failure = err;
        throw err;
      });
    });
    t.clock.advance(2 * HOUR);
    expect(await a.runDue()).toBe(1);
    expect(failure).toBeInstanceOf(LeaseLostError);
    expect(t.notifications.nudges).toEqual([]);
    // The other holder is that instance, once its own lease ran out: it finds the mark and no entry.
    t.clock.advance(MINUTE + 1);
    const b = t.make('b');
    t.registerOn(b);
    expect(await b.runDue()).toBe(1);
    expect(t.notifications.nudges).toEqual([`remind:${request.id}:prod`]);
    expect(actions(await t.audit.forRequest(request.id))).toEqual(['request.created', 'approval.reminded']);
  });
});

describe('a nudge whose mark keeps losing to other writes', () => {
  test('fails the run (retried with backoff) instead of ending it as done: the reminder is sent once the request is quiet', async () => {
    const t = setup(policy([rule('prod', { remindAfterMs: 2 * HOUR })]));
    const request = await t.create();
    // Another write lands on the request right before each of the nudge's marks (approvals of a
    // large quorum, card copies being recorded): every conditional write of the mark loses.
    let contended = 3;
    const update = t.store.update.bind(t.store);
    jest.spyOn(t.store, 'update').mockImplementation(async (next) => {
      if (contended > 0 && next.policy?.remindedAt) {
        contended--;
        const current = (await t.store.get(next.id))!;
        await update({ ...current, version: current.version + 1, updatedAt: t.clock.now().toISOString() });
      }
      return update(next);
    });
    t.clock.advance(2 * HOUR);
    expect(await t.scheduler.runDue()).toBe(1);
    expect(t.notifications.nudges).toEqual([]);
    // Not dropped: the job is still there, its failure counted, due after the backoff.
    const job = await t.jobs.get(`approval.remind:${request.id}`);
    expect(job).toMatchObject({ attempts: 1, lastError: expect.stringMatching(/kept changing/) });
    t.clock.advance(HOUR);
    expect(await t.scheduler.runDue()).toBe(1);
    expect(t.notifications.nudges).toEqual([`remind:${request.id}:prod`]);
    expect(await t.jobs.get(`approval.remind:${request.id}`)).toBeUndefined();
    expect(actions(await t.audit.forRequest(request.id))).toEqual(['request.created', 'approval.reminded']);
  });
});
