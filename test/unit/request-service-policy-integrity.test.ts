/**
 * G4/G5/G7/G18 under failure and contention: a break-glass grant always has its review (job
 * scheduled before the request exists, restored at start-up), is reviewed only by the approvers
 * of the rule that fits it, and keeping it needs the rule's justification; quorum counts only
 * approvers who still are; a click that loses a write to a change leaving the request pending is
 * decided again; an expiry that loses its write leaves no entry. Real memory stores with
 * conditional writes, the real Scheduler, a directory whose groups a test can change.
 */
import type { AuditEntry, AuditEvent } from '../../src/domain/audit-chain';
import type { AuditLog, RequestStore } from '../../src/domain/ports';
import type { Policy, PolicyProvider } from '../../src/domain/policy';
import { transition, type AccessRequest, type Actor } from '../../src/domain/request';
import { ApprovalNudges, type NudgeNotifier } from '../../src/flows/approval-nudges';
import { Executor } from '../../src/flows/executor';
import { breakGlassReviewJobId, type JobScheduling } from '../../src/flows/request-jobs';
import { RequestService } from '../../src/flows/request-service';
import { Scheduler } from '../../src/flows/scheduler';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, MINUTE } from './support/fake-clock';
import { fakeDirectory } from './support/fake-directory';
import {
  APPROVERS_GROUP,
  DAY,
  granted,
  OLIVE,
  ONCALL_GROUP,
  policy,
  rule,
  SAM,
  settings,
  TENANT,
} from './support/policy-fixtures';
import { APPROVER, grantPlan, OUTSIDER, REQUESTER } from './support/requests';
import { MemoryPauseStore } from '../../src/integrations/store/memory-pause-store';

const PAT: Actor = { objectId: '0a000000-0000-4000-8000-00000000fff6', name: 'Pat Platform' };
const DEV_GROUP = '0b000000-0000-4000-8000-0000000000c7';

const notifier: NudgeNotifier = {
  requestChanged: async () => undefined,
  nudgeApprovers: async () => undefined,
  breakGlassUnreviewed: async () => undefined,
};

/** A request store whose next `update` matching `when` first runs `before` (a change landing in between). */
class InterleavingStore extends MemoryRequestStore {
  updates = 0;
  private hook?: { when: (next: AccessRequest) => boolean; before: () => Promise<void>; times: number };
  interleave(when: (next: AccessRequest) => boolean, before: () => Promise<void>, times = 1): void {
    this.hook = { when, before, times };
  }
  override async update(next: AccessRequest): Promise<void> {
    this.updates++;
    const hook = this.hook;
    if (hook && hook.times > 0 && hook.when(next)) {
      hook.times--;
      await hook.before();
    }
    return super.update(next);
  }
  /** Moves the stored request on by one version without changing what it says (a reminder's mark). */
  async bump(id: string): Promise<void> {
    const current = (await this.get(id))!;
    await super.update({ ...current, version: current.version + 1 });
  }
}

function setup(initial: Policy, options: { failSchedule?: (kind: string) => boolean } = {}) {
  const groups: Record<string, string[]> = {
    [APPROVERS_GROUP]: [APPROVER.objectId, SAM.objectId, PAT.objectId],
    [ONCALL_GROUP]: [OLIVE.objectId],
    [DEV_GROUP]: [OUTSIDER.objectId],
  };
  const clock = new FakeClock('2026-11-30T09:00:00.000Z');
  const store = new InterleavingStore();
  const audit = new MemoryAuditLog(clock);
  const directory = fakeDirectory(groups);
  const schedule = new MemoryScheduleStore();
  const scheduler = new Scheduler(
    schedule,
    new MemoryLeaseStore(() => clock.now()),
    clock,
    createLogger({ level: 'silent' }),
    {
      instanceId: 'test',
      sweepIntervalMs: 0,
      leaseTtlMs: MINUTE,
    },
  );
  const jobs: JobScheduling = {
    schedule: async (job) => {
      if (options.failSchedule?.(job.kind)) throw new Error('schedule store answered 503');
      await scheduler.schedule(job);
    },
    scheduleIfAbsent: (job) => scheduler.scheduleIfAbsent(job),
    cancel: (id) => scheduler.cancel(id),
    get: (id) => scheduler.get(id),
  };
  const policies: PolicyProvider = { current: () => initial };
  const service = (auditLog: AuditLog = audit, requests: RequestStore = store) =>
    new RequestService(
      requests,
      auditLog,
      directory,
      clock,
      settings,
      notifier,
      createLogger({ level: 'silent' }),
      jobs,
      policies,
    );
  const main = service();
  const nudges = new ApprovalNudges(store, audit, clock, notifier, scheduler, new MemoryPauseStore());
  scheduler.register('breakglass.review', (job) => nudges.reviewDue(job));
  const create = (requester: Actor = REQUESTER, breakGlass = false, s = main) =>
    s.create({
      requester,
      tenantId: TENANT,
      reason: 'deploy payments-api',
      plan: grantPlan(),
      origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
      ...(breakGlass && { breakGlass: true }),
    });
  const decide = (id: string, actor: Actor, approve = true, reason?: string, s = main) =>
    s.decide({ requestId: id, acting: { actor, tenantId: TENANT }, approve, reason });
  return { groups, clock, store, audit, schedule, scheduler, service, main, create, decide };
}

const actions = (entries: AuditEntry[]) => entries.map((e) => e.action);

describe('break-glass: the review always exists', () => {
  test('the review job cannot be scheduled: nothing is stored or audited, so nothing can run unreviewed', async () => {
    const t = setup(policy([rule('prod')]), { failSchedule: (kind) => kind === 'breakglass.review' });
    await expect(t.create(OLIVE, true)).rejects.toThrow(/503/);
    expect(await t.store.listByState(['pending', 'approved', 'executing', 'succeeded'])).toHaveLength(0);
    expect(await t.audit.latest(10)).toHaveLength(0);
  });

  test('the review job is in place before the request is stored approved', async () => {
    const t = setup(policy([rule('prod')]));
    let jobWhenStored: unknown;
    const create = t.store.create.bind(t.store);
    t.store.create = async (request) => {
      jobWhenStored = await t.schedule.get(breakGlassReviewJobId(request.id));
      return create(request);
    };
    const request = await t.create(OLIVE, true);
    expect(jobWhenStored).toMatchObject({ kind: 'breakglass.review', dueAt: request.policy!.review!.dueAt });
  });

  test('start-up pass: a grant owing a review without a job gets one; a job already there keeps its time', async () => {
    const t = setup(policy([rule('prod')]));
    const lost = await granted(t.store, await t.create(OLIVE, true), t.clock.now());
    // Another member's: one member's second break-glass on the pair is refused while the first runs.
    t.groups[ONCALL_GROUP].push(SAM.objectId);
    const kept = await granted(t.store, await t.create(SAM, true), t.clock.now());
    await t.scheduler.cancel(breakGlassReviewJobId(lost.id));
    // The other one's daily report already ran once: its job is a day later than its review was due.
    t.clock.advance(DAY);
    await t.scheduler.runDue();
    const keptJob = (await t.schedule.get(breakGlassReviewJobId(kept.id)))!;
    expect(Date.parse(keptJob.dueAt)).toBeGreaterThan(Date.parse(kept.policy!.review!.dueAt));
    const hasJob = async (id: string) => (await t.schedule.get(id)) !== undefined;
    expect(await t.main.scheduleReviewsForUnreviewed(hasJob)).toBe(1);
    expect(await t.schedule.get(breakGlassReviewJobId(lost.id))).toMatchObject({
      kind: 'breakglass.review',
      dueAt: lost.policy!.review!.dueAt,
      requestId: lost.id,
    });
    expect((await t.schedule.get(breakGlassReviewJobId(kept.id)))!.dueAt).toBe(keptJob.dueAt);
    // Overdue: reported at the next sweep; reviewed ones are left alone.
    await t.scheduler.runDue();
    expect(actions(await t.audit.forRequest(lost.id))).toContain('breakglass.unreviewed');
    await t.decide(kept.id, APPROVER, true, 'real incident');
    await t.scheduler.cancel(breakGlassReviewJobId(lost.id));
    await t.decide(lost.id, APPROVER, true, 'real incident');
    expect(await t.main.scheduleReviewsForUnreviewed(hasJob)).toBe(0);
  });
});

describe('break-glass: reviewed by the approvers of the rule that fits', () => {
  const devRule = rule('dev', { match: { cluster: ['aks-dev*'] }, approvers: { users: [], groups: [DEV_GROUP] } });

  test('no rule fits: refused with a policy error and audited; nothing stored, no job', async () => {
    const t = setup(policy([devRule, rule('live', { match: { cluster: ['aks-live*'] } })]));
    await expect(t.create(OLIVE, true)).rejects.toMatchObject({
      code: 'breakglass.noRule',
      message: expect.stringMatching(/No rule of the approval policy covers aks-prod → contosoacr/),
    });
    expect(await t.store.listByState(['approved'])).toHaveLength(0);
    expect(actions(await t.audit.latest(10))).toEqual(['breakglass.refused.noRule']);
    expect(await t.schedule.due(new Date('2100-01-01'), 10)).toHaveLength(0);
  });

  test('the fitting rule names no approvers (auto-approval): refused, since nobody could review it', async () => {
    const t = setup(
      policy([rule('auto', { approvers: { users: [], groups: [] }, autoApprove: { maxDurationMs: DAY } }), devRule]),
    );
    await expect(t.create(OLIVE, true)).rejects.toMatchObject({ code: 'breakglass.noReviewer' });
    expect(await t.store.listByState(['approved'])).toHaveLength(0);
    expect(actions(await t.audit.latest(10))).toEqual(['breakglass.refused.noReviewer']);
  });

  test('bound to the fitting rule, not the first one: another rule’s approver cannot review it', async () => {
    const t = setup(policy([devRule, rule('prod', { match: { cluster: ['aks-prod*'] } })]));
    const request = await granted(t.store, await t.create(OLIVE, true), t.clock.now());
    expect(request.policy?.rule?.id).toBe('prod');
    expect(await t.decide(request.id, OUTSIDER)).toMatchObject({ kind: 'refused', reason: 'notApprover' });
    expect(await t.decide(request.id, APPROVER)).toMatchObject({ kind: 'reviewed', outcome: 'accepted' });
  });
});

describe('break-glass review: keeping it needs the rule’s justification (G7)', () => {
  test('approverJustification: required refuses a keep without one (audited); with one it is kept', async () => {
    const t = setup(policy([rule('prod', { approverJustification: 'required' })]));
    const request = await granted(t.store, await t.create(OLIVE, true), t.clock.now());
    const bare = await t.decide(request.id, APPROVER, true, '  ');
    expect(bare).toMatchObject({ kind: 'refused', reason: 'justification' });
    expect(bare.kind === 'refused' && bare.message).toMatch(/needs a justification/);
    expect((await t.store.get(request.id))!.policy?.review?.outcome).toBeUndefined();
    expect(actions(await t.audit.forRequest(request.id)).pop()).toBe('breakglass.review.refused.justification');
    expect(await t.decide(request.id, APPROVER, true, 'real incident, INC-4711')).toMatchObject({
      kind: 'reviewed',
      outcome: 'accepted',
    });
  });
});

describe('break-glass review: never between the approval and the executor’s first write', () => {
  test('a review clicked just before the run’s approved → executing write is refused; the run finishes in one pass', async () => {
    const t = setup(policy([rule('prod')]));
    const runs: string[] = [];
    const executor = new Executor(
      t.store,
      t.audit,
      t.clock,
      { grant: { run: async (r) => (runs.push(r.id), { summary: 'granted', azureRequestIds: [] }) } },
      notifier,
      createLogger({ level: 'silent' }),
      { leases: new MemoryLeaseStore(() => t.clock.now()), owner: 'test', ttlMs: MINUTE },
    );
    const request = await t.create(OLIVE, true);
    let review: Awaited<ReturnType<typeof t.decide>> | undefined;
    // The executor has read the approved request and is about to write `executing` when the
    // approver clicks Approve on the loud card.
    t.store.interleave(
      (next) => next.id === request.id && next.state === 'executing',
      async () => void (review = await t.decide(request.id, APPROVER, true, 'real incident')),
    );
    await executor.schedule(request.id);
    expect(review).toMatchObject({ kind: 'refused', reason: 'inProgress' });
    expect(review?.kind === 'refused' && review.message).toMatch(/still being granted; review it in a few seconds/);
    const done = (await t.store.get(request.id))!;
    expect(done.state).toBe('succeeded');
    expect(done.policy?.review?.outcome).toBeUndefined();
    expect(runs).toEqual([request.id]);
    expect(actions(await t.audit.forRequest(request.id))).toEqual([
      'request.created',
      'request.approved',
      'execution.started',
      'breakglass.review.refused.inProgress',
      'request.succeeded',
      'request.outcome.told',
    ]);
    // Once the grant is done the same click reviews it.
    expect(await t.decide(request.id, APPROVER, true, 'real incident')).toMatchObject({
      kind: 'reviewed',
      outcome: 'accepted',
    });
  });
});

describe('quorum counts only people who are approvers at the deciding click (G5)', () => {
  test('an approver removed from the group after approving no longer counts; audited as discounted', async () => {
    const t = setup(policy([rule('prod', { approvalsRequired: 2 })]));
    const request = await t.create();
    expect((await t.decide(request.id, APPROVER)).kind).toBe('recorded');
    t.groups[APPROVERS_GROUP] = [SAM.objectId, PAT.objectId];
    const second = await t.decide(request.id, SAM);
    expect(second.kind).toBe('recorded');
    expect(second.request.state).toBe('pending');
    expect(second.request.approvals?.map((a) => a.by.name)).toEqual(['Megan Developer']);
    const entries = await t.audit.forRequest(request.id);
    expect(actions(entries)).toEqual([
      'request.created',
      'approval.recorded',
      'approval.recorded',
      'approval.discounted',
    ]);
    expect(entries[2].outcome).toBe('1 of 2');
    expect(entries[3].detail).toContain('Alex Approver');
    const third = await t.decide(request.id, PAT);
    expect(third.kind).toBe('decided');
    expect(third.request.approvals?.map((a) => a.by.name)).toEqual(['Megan Developer', 'Pat Platform']);
  });
});

describe('a click that loses its write to a change leaving the request pending is decided again', () => {
  test('two approvers at once on two instances: both count, nothing refused as stale', async () => {
    const t = setup(policy([rule('prod', { approvalsRequired: 3 })]));
    const request = await t.create();
    const [a, b] = await Promise.all([
      t.decide(request.id, APPROVER, true, undefined, t.service()),
      t.decide(request.id, SAM, true, undefined, t.service()),
    ]);
    expect([a.kind, b.kind]).toEqual(['recorded', 'recorded']);
    expect((await t.store.get(request.id))!.approvals).toHaveLength(2);
    expect(actions(await t.audit.forRequest(request.id))).toEqual([
      'request.created',
      'approval.recorded',
      'approval.recorded',
    ]);
  });

  test('a reminder’s mark lands between the read and the write: the approval still decides', async () => {
    const t = setup(policy([rule('prod')]));
    const request = await t.create();
    t.store.interleave(
      (next) => next.state === 'approved',
      () => t.store.bump(request.id),
    );
    const result = await t.decide(request.id, APPROVER);
    expect(result).toMatchObject({ kind: 'decided', request: { state: 'approved' } });
    expect(actions(await t.audit.forRequest(request.id))).toEqual(['request.created', 'request.approved']);
  });

  test('bounded: endless contention ends as a stale refusal after a few attempts', async () => {
    const t = setup(policy([rule('prod')]));
    const request = await t.create();
    t.store.interleave(
      (next) => next.state === 'approved',
      () => t.store.bump(request.id),
      Number.MAX_SAFE_INTEGER,
    );
    t.store.updates = 0;
    expect(await t.decide(request.id, APPROVER)).toMatchObject({ kind: 'refused', reason: 'stale' });
    // Retried, but a bounded number of times (one write per attempt).
    expect(t.store.updates).toBeGreaterThan(1);
    expect(t.store.updates).toBeLessThanOrEqual(5);
    expect(actions(await t.audit.forRequest(request.id))).toEqual(['request.created', 'approval.refused.stale']);
  });
});

describe('expiry is audited by the winner of its write only', () => {
  test('an approval lands before the expiry write: no request.expired entry', async () => {
    const t = setup(policy([rule('prod')]));
    const request = await t.create();
    t.clock.advance(DAY + MINUTE);
    t.store.interleave(
      (next) => next.state === 'expired',
      async () => {
        const current = (await t.store.get(request.id))!;
        await t.store.update(transition(current, { type: 'approve', by: APPROVER, at: t.clock.now() }));
      },
    );
    expect(await t.main.expireIfDue(request.id)).toBe(false);
    expect((await t.store.get(request.id))!.state).toBe('approved');
    expect(actions(await t.audit.forRequest(request.id))).not.toContain('request.expired');
  });

  test('the entry cannot be written: the expiry is undone and the job fails (retried)', async () => {
    const t = setup(policy([rule('prod')]));
    const request = await t.create();
    t.clock.advance(DAY + MINUTE);
    const failing: AuditLog = {
      ...t.audit,
      latest: (n) => t.audit.latest(n),
      forRequest: (id) => t.audit.forRequest(id),
      verify: () => t.audit.verify(),
      entryAt: (seq) => t.audit.entryAt(seq),
      append: async (event: AuditEvent) => {
        if (event.action === 'request.expired') throw new Error('audit store answered 503');
        return t.audit.append(event);
      },
    };
    await expect(t.service(failing).expireIfDue(request.id)).rejects.toThrow(/audit log could not be written/);
    expect((await t.store.get(request.id))!.state).toBe('pending');
    expect(actions(await t.audit.forRequest(request.id))).toEqual(['request.created']);
  });
});
