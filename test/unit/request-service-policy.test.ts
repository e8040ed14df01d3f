/**
 * G18 in the request flow: the rule a request is bound to decides who approves and how many;
 * quorum, auto-approval, break-glass and its review, reminders/escalation on a test clock, and
 * reloads that leave pending requests on their rule. Real memory stores with conditional writes,
 * the real Scheduler, a directory with groups.
 */
import type { AuditEntry } from '../../src/domain/audit-chain';
import type { Policy, PolicyProvider, PolicyRule } from '../../src/domain/policy';
import type { AccessRequest, Actor } from '../../src/domain/request';
import { ApprovalNudges, type NudgeNotifier } from '../../src/flows/approval-nudges';
import type { RequestChange } from '../../src/flows/notifier';
import { transition } from '../../src/domain/request';
import { RequestService } from '../../src/flows/request-service';
import type { DecisionResult } from '../../src/flows/decision-result';
import { Scheduler } from '../../src/flows/scheduler';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { MemoryPauseStore } from '../../src/integrations/store/memory-pause-store';
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
  SAM,
  settings,
  TENANT,
} from './support/policy-fixtures';
import { APPROVER, grantPlan, OUTSIDER, REQUESTER } from './support/requests';

const GROUPS: Record<string, string[]> = {
  [APPROVERS_GROUP]: [APPROVER.objectId, SAM.objectId],
  [ONCALL_GROUP]: [OLIVE.objectId],
};

class Notifications implements NudgeNotifier {
  readonly nudges: string[] = [];
  /** Nudges still to fail (Teams answering 503), one per call. */
  failNudges = 0;
  readonly unreviewed: string[] = [];
  readonly changed: AccessRequest[] = [];
  /** The kind of each change, in the same order. */
  readonly kinds: Array<RequestChange | undefined> = [];
  async requestChanged(request: AccessRequest, change?: RequestChange) {
    this.changed.push(request);
    this.kinds.push(change);
  }
  /** Runs while a nudge is being posted (a decision landing meanwhile). */
  duringNudge?: () => Promise<void>;
  async nudgeApprovers(request: AccessRequest, r: PolicyRule, kind: 'remind' | 'escalate') {
    if (this.failNudges > 0 && this.failNudges--) throw new Error('Teams answered 503');
    await this.duringNudge?.();
    this.nudges.push(`${kind}:${request.id}:${r.id}`);
  }
  async breakGlassUnreviewed(request: AccessRequest) {
    this.unreviewed.push(request.id);
  }
}

function setup(initial: Policy, overrides: Partial<typeof settings> = {}) {
  const clock = new FakeClock('2026-11-30T09:00:00.000Z');
  const store = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  // Runs inside every group lookup (a slow Graph answer, retried on 429, moves the clock).
  const lookups: { during?: () => void } = {};
  const directory = fakeDirectory(GROUPS, { onLookup: () => lookups.during?.() });
  const notifications = new Notifications();
  const scheduler = new Scheduler(
    new MemoryScheduleStore(),
    new MemoryLeaseStore(() => clock.now()),
    clock,
    createLogger({ level: 'silent' }),
    { instanceId: 'test', sweepIntervalMs: 0, leaseTtlMs: MINUTE },
  );
  let current = initial;
  const policies: PolicyProvider = { current: () => current };
  const log = createLogger({ level: 'silent' });
  const pauses = new MemoryPauseStore();
  const service = new RequestService(
    store,
    audit,
    directory,
    clock,
    { ...settings, ...overrides },
    notifications,
    log,
    scheduler,
    policies,
    pauses,
  );
  const nudges = new ApprovalNudges(store, audit, clock, notifications, scheduler, new MemoryPauseStore());
  scheduler.register('request.expire', async (job) => void (await service.expireIfDue(job.requestId!)));
  scheduler.register('approval.remind', (job) => nudges.remind(job));
  scheduler.register('approval.escalate', (job) => nudges.escalate(job));
  scheduler.register('breakglass.review', (job) => nudges.reviewDue(job));
  const revoked: string[] = [];
  service.useRevocation(async (request, by) => void revoked.push(`${request.id}:${by.name}`));
  return {
    clock,
    store,
    audit,
    service,
    scheduler,
    nudges,
    notifications,
    revoked,
    pauses,
    lookups,
    setPolicy: (p: Policy) => (current = p),
    create: (
      requester: Actor = REQUESTER,
      extra: { breakGlass?: boolean; durationMs?: number; defaultTerm?: boolean } = {},
    ) =>
      service.create({
        requester,
        tenantId: TENANT,
        reason: 'deploy payments-api',
        plan: grantPlan(),
        origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
        ...(extra.breakGlass && { breakGlass: true }),
        ...(extra.durationMs !== undefined && { access: { durationMs: extra.durationMs } }),
        ...(extra.defaultTerm && { defaultTerm: true }),
      }),
    decide: (id: string, actor: Actor, approve = true, reason?: string): Promise<DecisionResult> =>
      service.decide({ requestId: id, acting: { actor, tenantId: TENANT }, approve, reason }),
  };
}

const actions = (entries: AuditEntry[]) => entries.map((e) => e.action);

describe('G18: quorum', () => {
  test('two-approver quorum: the first approval is recorded, the second approves; audit names rule and hash', async () => {
    const t = setup(policy([rule('prod', { approvalsRequired: 2 })]));
    const request = await t.create();
    expect(request.policy).toMatchObject({ ruleId: 'prod', policyHash: 'hash-1', approvalsRequired: 2 });
    const first = await t.decide(request.id, APPROVER);
    expect(first.kind).toBe('recorded');
    expect(first.request.state).toBe('pending');
    expect(first.request.approvals?.map((a) => a.by.name)).toEqual(['Alex Approver']);
    const second = await t.decide(request.id, SAM);
    expect(second.kind).toBe('decided');
    expect(second.request.state).toBe('approved');
    expect(second.request.approvals?.map((a) => a.by.name)).toEqual(['Alex Approver', 'Megan Developer']);
    const entries = await t.audit.forRequest(request.id);
    expect(actions(entries)).toEqual(['request.created', 'approval.recorded', 'request.approved']);
    for (const e of entries) expect(e).toMatchObject({ ruleId: 'prod', policyHash: 'hash-1' });
    expect(entries[1].outcome).toBe('1 of 2');
  });

  test('the same approver twice is refused and audited; the request stays pending', async () => {
    const t = setup(policy([rule('prod', { approvalsRequired: 2 })]));
    const request = await t.create();
    await t.decide(request.id, APPROVER);
    const again = await t.decide(request.id, APPROVER);
    expect(again).toMatchObject({ kind: 'refused', reason: 'twice' });
    expect((await t.store.get(request.id))!.state).toBe('pending');
    expect((await t.store.get(request.id))!.approvals).toHaveLength(1);
    expect(actions(await t.audit.forRequest(request.id)).pop()).toBe('approval.refused.twice');
  });

  test('the requester never approves, even when in the approver group', async () => {
    // One approval: the group holds SAM and one other, too few for two besides SAM (refused up front).
    const t = setup(policy([rule('prod')]));
    const request = await t.create(SAM);
    expect(await t.service.isApproverOf(SAM, request)).toBe(false);
    expect(await t.decide(request.id, SAM)).toMatchObject({ kind: 'refused', reason: 'self' });
    expect((await t.store.get(request.id))!.approvals ?? []).toHaveLength(0);
  });

  test('one rejection rejects, even after an approval', async () => {
    const t = setup(policy([rule('prod', { approvalsRequired: 2 })]));
    const request = await t.create();
    await t.decide(request.id, APPROVER);
    const rejected = await t.decide(request.id, SAM, false, 'wrong registry');
    expect(rejected.kind).toBe('decided');
    expect(rejected.request.state).toBe('rejected');
    expect(actions(await t.audit.forRequest(request.id))).toEqual([
      'request.created',
      'approval.recorded',
      'request.rejected',
    ]);
  });

  test('only the rule’s approvers decide: users by id, groups asked at decision time', async () => {
    const t = setup(policy([rule('users-only', { approvers: { users: [OUTSIDER.objectId], groups: [] } })]));
    const request = await t.create();
    expect(await t.decide(request.id, APPROVER)).toMatchObject({ kind: 'refused', reason: 'notApprover' });
    expect(await t.decide(request.id, OUTSIDER)).toMatchObject({ kind: 'decided' });
  });

  test('a click made before the expiry whose lookups end after it is refused as expired, not approved (G6)', async () => {
    for (const approve of [true, false]) {
      const t = setup(policy([rule('prod')]));
      const request = await t.create();
      t.clock.set(new Date(Date.parse(request.expiresAt) - 1000));
      // Graph answers slowly (429s retried): the expiry passes while the click is being checked.
      t.lookups.during = () => t.clock.advance(2 * MINUTE);
      const late = await t.decide(request.id, APPROVER, approve, 'checked with the team lead');
      expect(late).toMatchObject({ kind: 'refused', reason: 'expired' });
      expect((await t.store.get(request.id))!.state).toBe('expired');
      expect(actions(await t.audit.forRequest(request.id))).toEqual([
        'request.created',
        'approval.refused.expired',
        'request.expired',
      ]);
    }
  });

  test('approverJustification: required refuses an approval without one', async () => {
    const t = setup(policy([rule('prod', { approverJustification: 'required' })]));
    const request = await t.create();
    expect(await t.decide(request.id, APPROVER)).toMatchObject({ kind: 'refused', reason: 'justification' });
    expect(await t.decide(request.id, APPROVER, true, 'checked with the team lead')).toMatchObject({ kind: 'decided' });
  });

  test('maxDuration: a longer request is refused and audited; no rule fits → refused, nothing stored', async () => {
    const t = setup(policy([rule('prod', { maxDurationMs: DAY, match: { registry: ['contoso*'] } })]));
    await expect(t.create(REQUESTER, { durationMs: 2 * DAY })).rejects.toThrow(
      '2d is longer than the maximum access of 1d; choose a duration of at most 1d (rule prod).',
    );
    t.setPolicy(policy([rule('other', { match: { registry: ['shared*'] } })]));
    await expect(t.create()).rejects.toThrow(/No rule of the approval policy covers aks-prod → contosoacr/);
    expect(await t.store.listByState(['pending'])).toHaveLength(0);
    expect(actions(await t.audit.latest(10))).toEqual(['policy.refused.duration', 'policy.noRule']);
  });

  test('a quorum out of reach for this requester (a rule without groups naming too few others) is refused, nothing stored', async () => {
    const named = (users: string[], approvalsRequired = 1) =>
      policy([rule('prod', { approvers: { users, groups: [] }, approvalsRequired })]);
    const t = setup(named([REQUESTER.objectId]));
    await expect(t.create(REQUESTER)).rejects.toThrow(
      'Rule prod needs 1 approval from someone other than the requester and names nobody else, so this request could never be approved; nothing was requested.',
    );
    t.setPolicy(named([REQUESTER.objectId.toUpperCase(), APPROVER.objectId], 2));
    await expect(t.create(REQUESTER)).rejects.toThrow(/needs 2 approvals .* names only 1 other approver/);
    expect(await t.store.listByState(['pending'])).toHaveLength(0);
    expect(actions(await t.audit.latest(10))).toEqual(['policy.refused.quorum', 'policy.refused.quorum']);
    // Someone else asking under the same rule has two approvers to ask.
    expect(await t.create(OUTSIDER)).toMatchObject({ state: 'pending' });
  });

  test('maxDuration: the default term (no --for) is cut to the rule maximum, not refused; a typed one is still refused', async () => {
    const t = setup(policy([rule('prod', { maxDurationMs: 8 * HOUR })]));
    const defaulted = await t.create(REQUESTER, { durationMs: 30 * DAY, defaultTerm: true });
    expect(defaulted).toMatchObject({ state: 'pending', access: { durationMs: 8 * HOUR } });
    // Under the cap, the default stands.
    t.setPolicy(policy([rule('prod', { maxDurationMs: 60 * DAY })]));
    expect(await t.create(OUTSIDER, { durationMs: 30 * DAY, defaultTerm: true })).toMatchObject({
      access: { durationMs: 30 * DAY },
    });
    t.setPolicy(policy([rule('prod', { maxDurationMs: 8 * HOUR })]));
    await expect(t.create(REQUESTER, { durationMs: 30 * DAY })).rejects.toThrow(
      /^30d is longer than the maximum access of 8h; .* \(rule prod\)\.$/,
    );
  });
});

describe("--for: the deployment's limits cut by the rule's maxDuration", () => {
  const access = { defaultMs: 30 * DAY, minMs: HOUR, maxMs: 90 * DAY, allowPermanent: false };

  test("under a rule shorter than the deployment, a term past the deployment's is refused at once naming that rule; one past the rule's only, with the rule's range", async () => {
    const t = setup(policy([rule('prod', { maxDurationMs: 8 * HOUR })]), { access });
    // No rule allows more than the deployment: refused before anything is planned, naming the
    // rule that allows less (which rule covers the request is known only once it is planned).
    expect(() => t.service.accessTerm('91d')).toThrow(
      '91d is longer than the maximum access of 90d; choose a duration between 1h and 90d. Rule prod allows at most 8h.',
    );
    // Inside the deployment's limits, the term is read; the rule refuses it once it is known.
    expect(t.service.accessTerm('2d')).toEqual({ durationMs: 2 * DAY });
    await expect(t.create(REQUESTER, { durationMs: 91 * DAY })).rejects.toThrow(
      '91d is longer than the maximum access of 8h; choose a duration between 1h and 8h (rule prod).',
    );
    // Break-glass runs under its own maximum, not the rule's: the deployment's range applies.
    await expect(t.create(OLIVE, { breakGlass: true, durationMs: 91 * DAY })).rejects.toThrow(
      '91d is longer than the maximum access of 90d; choose a duration between 1h and 90d.',
    );
    expect(await t.store.listByState(['pending', 'approved'])).toHaveLength(0);
    expect(actions(await t.audit.latest(10))).toEqual(['policy.refused.duration']);
  });

  test('with no rule shorter than the deployment, --for is refused before anything is planned, as before', () => {
    const t = setup(policy([rule('prod', { maxDurationMs: 90 * DAY })]), { access });
    expect(() => t.service.accessTerm('91d')).toThrow(
      '91d is longer than the maximum access of 90d; choose a duration between 1h and 90d.',
    );
  });
});

describe('extensions', () => {
  test('an extension asked for as permanent is refused (it would move no end) and audited; nothing is stored', async () => {
    const t = setup(policy([rule('prod')]));
    const original = (await t.create(REQUESTER, { durationMs: 7 * DAY }))!;
    await t.store.update({
      ...original,
      version: original.version + 1,
      state: 'succeeded',
      access: { durationMs: 7 * DAY, expiresAt: new Date(t.clock.now().getTime() + 7 * DAY).toISOString() },
    });
    await expect(
      t.service.create({
        requester: REQUESTER,
        tenantId: TENANT,
        reason: 'keep it for good',
        plan: grantPlan(),
        origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
        access: { permanent: true },
        extendsRequestId: original.id,
      }),
    ).rejects.toThrow(/needs a term/);
    expect(actions(await t.audit.latest(1))).toEqual(['extend.refused.permanent']);
    expect((await t.store.listByState(['approved', 'pending'])).filter((r) => r.extendsRequestId)).toEqual([]);
  });
});

describe('G18: auto-approval', () => {
  test('an extension the rule would cap to a term that ends before the current end is refused (it would change nothing)', async () => {
    const t = setup(policy([rule('dev-auto', { autoApprove: { maxDurationMs: 7 * DAY }, approvalsRequired: 0 })]));
    const original = await t.store.get((await t.create(REQUESTER, { durationMs: 7 * DAY })).id);
    const until = new Date(t.clock.now().getTime() + 20 * DAY).toISOString();
    await t.store.update({
      ...original!,
      version: original!.version + 1,
      state: 'succeeded',
      access: { durationMs: 20 * DAY, expiresAt: until },
    });
    const extend = (durationMs: number) =>
      t.service.create({
        requester: REQUESTER,
        tenantId: TENANT,
        reason: 'release slipped',
        plan: grantPlan(),
        origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
        access: { durationMs },
        extendsRequestId: original!.id,
      });
    // 90 days asked, 7 granted by the rule: would end 13 days before the current end.
    await expect(extend(90 * DAY)).rejects.toThrow(
      /7 days \(rule dev-auto grants at most that\) would end before that and change nothing/,
    );
    expect(actions(await t.audit.latest(1))).toEqual(['extend.refused.notLater']);
    expect((await t.store.listByState(['approved', 'pending'])).filter((r) => r.extendsRequestId)).toEqual([]);
  });

  test('executes at once: created approved, decided by the rule, audited with rule id and hash, time-boxed', async () => {
    const t = setup(policy([rule('dev-auto', { autoApprove: { maxDurationMs: 7 * DAY }, approvalsRequired: 0 })]));
    const request = await t.create(REQUESTER, { durationMs: 30 * DAY });
    expect(request.state).toBe('approved');
    expect(request.decision).toMatchObject({ by: { objectId: 'acrbot', name: 'rule dev-auto' }, approved: true });
    expect(request.access?.durationMs).toBe(7 * DAY);
    expect(request.policy).toMatchObject({ ruleId: 'dev-auto', autoApproved: true });
    const entries = await t.audit.forRequest(request.id);
    expect(actions(entries)).toEqual(['request.created', 'request.approved']);
    expect(entries[1]).toMatchObject({ ruleId: 'dev-auto', policyHash: 'hash-1', actor: { name: 'rule dev-auto' } });
    expect(entries[1].detail).toMatch(/auto-approved by rule dev-auto for at most 7d/);
  });
});

describe('the pause of new access', () => {
  const PAUSE = {
    since: '2026-11-30T08:00:00.000Z',
    by: { objectId: APPROVER.objectId, name: 'Alex Approver' },
    reason: 'incident 42, investigating',
  };

  test('break-glass and auto-approving rules file nothing while paused; refusals audited', async () => {
    const t = setup(policy([rule('auto', { autoApprove: { maxDurationMs: 7 * DAY } })]));
    await t.pauses.pause(PAUSE);
    await expect(t.create(OLIVE, { breakGlass: true })).rejects.toThrow(
      /^New access is paused since 2026-11-30 08:00 UTC by Alex Approver\. Nothing was requested\./,
    );
    await expect(t.create()).rejects.toMatchObject({ code: 'access.paused' });
    expect(await t.store.listByState(['approved', 'pending', 'executing'])).toHaveLength(0);
    expect(actions(await t.audit.latest(10))).toEqual(['request.refused.paused', 'request.refused.paused']);
  });

  test('the approval that would reach a quorum is refused while paused; after resuming it counts', async () => {
    const t = setup(policy([rule('prod', { approvalsRequired: 2 })]));
    const request = await t.create();
    expect((await t.decide(request.id, APPROVER)).kind).toBe('recorded');
    await t.pauses.pause(PAUSE);
    const refused = await t.decide(request.id, SAM);
    expect(refused).toMatchObject({ kind: 'refused', reason: 'paused' });
    expect((await t.store.get(request.id))!.state).toBe('pending');
    await t.pauses.resume();
    expect(await t.decide(request.id, SAM)).toMatchObject({ kind: 'decided', request: { state: 'approved' } });
  });
});

describe('refused clicks are audited (G11)', () => {
  test('a click on a request decided already is refused and audited, with its rule', async () => {
    const t = setup(policy([rule('prod')]));
    const request = await t.create();
    expect((await t.decide(request.id, APPROVER)).kind).toBe('decided');
    expect(await t.decide(request.id, SAM)).toMatchObject({ kind: 'refused', reason: 'stale' });
    expect(await t.decide(request.id, OUTSIDER, false)).toMatchObject({ kind: 'refused', reason: 'stale' });
    const entries = await t.audit.forRequest(request.id);
    expect(actions(entries)).toEqual([
      'request.created',
      'request.approved',
      'approval.refused.stale',
      'approval.refused.stale',
    ]);
    expect(entries[2]).toMatchObject({
      actor: { objectId: SAM.objectId },
      ruleId: 'prod',
      detail: 'already approved by Alex Approver',
    });
  });

  test('a comment that looks like a credential is refused and audited without the comment', async () => {
    const t = setup(policy([rule('prod')]));
    const request = await t.create();
    await expect(t.decide(request.id, APPROVER, true, 'password: hunter2hunter2')).rejects.toThrow(/credential/);
    const [last] = await t.audit.latest(1);
    expect(last).toMatchObject({ action: 'validation.failed', outcome: 'validation.secret', requestId: request.id });
    expect(JSON.stringify(last)).not.toContain('hunter2');
  });
});

describe('G18: break-glass', () => {
  test('a member executes at once for at most maxDuration; a review job is scheduled', async () => {
    const t = setup(policy([rule('prod')]));
    const request = await t.create(OLIVE, { breakGlass: true, durationMs: 30 * DAY });
    expect(request.state).toBe('approved');
    expect(request.access?.durationMs).toBe(4 * HOUR);
    expect(request.policy).toMatchObject({
      ruleId: 'break-glass',
      breakGlass: true,
      review: { dueAt: '2026-12-01T09:00:00.000Z' },
    });
    const entries = await t.audit.forRequest(request.id);
    expect(actions(entries)).toEqual(['request.created', 'request.approved']);
    expect(entries[1]).toMatchObject({
      ruleId: 'break-glass',
      policyHash: 'hash-1',
      actor: { name: 'Adele Operator' },
    });
  });

  test('a member who is the rule’s only approver is refused: nobody else could review it; nothing is stored', async () => {
    const t = setup(policy([rule('prod', { approvers: { users: [OLIVE.objectId.toUpperCase()], groups: [] } })]));
    await expect(t.create(OLIVE, { breakGlass: true })).rejects.toThrow(/names only you as its approver/);
    expect(await t.store.listByState(['approved', 'pending'])).toHaveLength(0);
    expect(actions(await t.audit.latest(1))).toEqual(['breakglass.refused.noReviewer']);
  });

  test('a non-member is refused and audited; nothing is stored', async () => {
    const t = setup(policy([rule('prod')]));
    await expect(t.create(REQUESTER, { breakGlass: true })).rejects.toThrow(/Only members of the break-glass groups/);
    expect(await t.store.listByState(['approved', 'pending'])).toHaveLength(0);
    expect(actions(await t.audit.latest(1))).toEqual(['breakglass.refused']);
  });

  test('review: the user themself cannot review; an approver rejecting revokes at once', async () => {
    const t = setup(policy([rule('prod')]));
    const request = await granted(t.store, await t.create(OLIVE, { breakGlass: true }), t.clock.now());
    expect(await t.decide(request.id, OLIVE, true)).toMatchObject({ kind: 'refused', reason: 'self' });
    expect(await t.decide(request.id, OUTSIDER, true)).toMatchObject({ kind: 'refused', reason: 'notApprover' });
    const review = await t.decide(request.id, APPROVER, false, 'not an emergency');
    expect(review).toMatchObject({ kind: 'reviewed', outcome: 'rejected' });
    expect(t.revoked).toEqual([`${request.id}:Alex Approver`]);
    expect((await t.store.get(request.id))!.policy?.review).toMatchObject({ outcome: 'rejected', by: APPROVER });
    expect(actions(await t.audit.forRequest(request.id))).toContain('breakglass.review.rejected');
    // Reviewed once: a second review is stale.
    expect(await t.decide(request.id, SAM, true)).toMatchObject({ kind: 'refused', reason: 'stale' });
  });

  test('review: not while the grant is being executed (it would move the version under the run); once it is done', async () => {
    const t = setup(policy([rule('prod')]));
    const request = await t.create(OLIVE, { breakGlass: true });
    const executing = transition(request, { type: 'start', at: t.clock.now() });
    await t.store.update(executing);
    expect(await t.decide(request.id, APPROVER, true, 'was a real incident')).toMatchObject({
      kind: 'refused',
      reason: 'inProgress',
    });
    expect((await t.store.get(request.id))!.version).toBe(executing.version);
    await t.store.update(
      transition(executing, {
        type: 'succeed',
        at: t.clock.now(),
        outcome: { summary: 'granted', azureRequestIds: [] },
      }),
    );
    expect(await t.decide(request.id, APPROVER, true, 'was a real incident')).toMatchObject({
      kind: 'reviewed',
      outcome: 'accepted',
    });
  });

  test('review: not while the grant is being revoked (its last write would conflict); kept afterwards, it only redraws the cards', async () => {
    const t = setup(policy([rule('prod')]));
    const request = await granted(t.store, await t.create(OLIVE, { breakGlass: true }), t.clock.now());
    const revoking = transition(request, { type: 'beginRevoke', at: t.clock.now() });
    await t.store.update(revoking);
    const refused = await t.decide(request.id, APPROVER, true, 'was a real incident');
    expect(refused).toMatchObject({ kind: 'refused', reason: 'inProgress' });
    expect(refused.kind === 'refused' && refused.message).toMatch(
      /is being revoked; review it once its card shows it revoked/,
    );
    expect((await t.store.get(request.id))!.version).toBe(revoking.version);

    // A grant that is not being revoked: keeping it is a mark, not a new outcome.
    const other = await granted(t.store, await t.create(OLIVE, { breakGlass: true }), t.clock.now());
    expect(await t.decide(other.id, APPROVER, true, 'was a real incident')).toMatchObject({
      kind: 'reviewed',
      outcome: 'accepted',
    });
    const i = t.notifications.changed.findIndex((r) => r.id === other.id && r.policy?.review?.outcome === 'accepted');
    expect(t.notifications.kinds[i]).toEqual({ markOnly: true });
  });

  test('a grant its user revoked at once still owes its review: pending lists it until reviewed', async () => {
    const t = setup(policy([rule('prod')]));
    const request = await granted(t.store, await t.create(OLIVE, { breakGlass: true }), t.clock.now());
    const revoking = transition(request, { type: 'beginRevoke', at: t.clock.now() });
    await t.store.update(revoking);
    await t.store.update(transition(revoking, { type: 'revoke', at: t.clock.now(), by: OLIVE, reason: 'done' }));
    expect((await t.service.awaitingReview()).requests.map((r) => r.id)).toEqual([request.id]);
    expect(await t.decide(request.id, APPROVER, true, 'was a real incident')).toMatchObject({ kind: 'reviewed' });
    expect((await t.service.awaitingReview()).requests).toEqual([]);
  });

  test('a grant revoked before its review: Reject records that the use was not justified and revokes nothing', async () => {
    const t = setup(policy([rule('prod')]));
    const request = await granted(t.store, await t.create(OLIVE, { breakGlass: true }), t.clock.now());
    const revoking = transition(request, { type: 'beginRevoke', at: t.clock.now() });
    await t.store.update(revoking);
    await t.store.update(transition(revoking, { type: 'revoke', at: t.clock.now(), by: OLIVE, reason: 'done' }));

    // Still owed: the daily report says the review judges only the use.
    t.clock.advance(DAY);
    await t.scheduler.runDue();
    expect(t.notifications.unreviewed).toEqual([request.id]);
    const [report] = (await t.audit.forRequest(request.id)).filter((e) => e.action === 'breakglass.unreviewed');
    expect(report.detail).toMatch(/its access ended or is being revoked, so the review judges only the use$/);

    const review = await t.decide(request.id, APPROVER, false, 'not an emergency');
    expect(review).toMatchObject({ kind: 'reviewed', outcome: 'rejected', accessEnded: true });
    expect(t.revoked).toEqual([]);
    const stored = (await t.store.get(request.id))!;
    expect(stored.state).toBe('revoked');
    expect(stored.access?.revokedBy).toEqual(OLIVE);
    expect(stored.policy?.review).toMatchObject({ outcome: 'rejected', by: APPROVER, reason: 'not an emergency' });
    const trail = actions(await t.audit.forRequest(request.id));
    expect(trail.at(-1)).toBe('breakglass.review.rejected');
    expect((await t.service.awaitingReview()).requests).toEqual([]);
  });

  test('a revocation that begins as a Reject is written: it is left to finish, no second one is asked for', async () => {
    // Olive uses break-glass again right after the rejection: no cooldown in this policy.
    const p = policy([rule('prod')]);
    const t = setup({ ...p, breakGlass: { ...p.breakGlass!, cooldownAfterRejectionMs: 0 } });
    const request = await granted(t.store, await t.create(OLIVE, { breakGlass: true }), t.clock.now());
    // Its user revokes it on another instance right after the review's conditional write.
    const update = t.store.update.bind(t.store);
    t.store.update = async (next: AccessRequest) => {
      await update(next);
      if (next.policy?.review?.outcome && !next.access?.revokingSince)
        await update(transition(next, { type: 'beginRevoke', at: t.clock.now() }));
    };
    const review = await t.decide(request.id, APPROVER, false, 'not an emergency');
    expect(review).toMatchObject({ kind: 'reviewed', outcome: 'rejected', accessEnded: true });
    expect(t.revoked).toEqual([]);
    // A grant that still holds its access is revoked at once, as before.
    t.store.update = update;
    const other = await granted(t.store, await t.create(OLIVE, { breakGlass: true }), t.clock.now());
    expect(await t.decide(other.id, APPROVER, false, 'not an emergency')).toMatchObject({ accessEnded: false });
    expect(t.revoked).toEqual([`${other.id}:Alex Approver`]);
  });

  test('a click after the review says the request ran as break-glass, never "approved by" its requester', async () => {
    const t = setup(policy([rule('prod')]));
    const request = await granted(t.store, await t.create(OLIVE, { breakGlass: true }), t.clock.now());
    expect(await t.decide(request.id, APPROVER, true, 'was a real incident')).toMatchObject({ kind: 'reviewed' });
    const late = await t.decide(request.id, SAM, false, 'not an emergency');
    expect(late).toMatchObject({ kind: 'refused', reason: 'stale' });
    expect(late.kind === 'refused' && late.message).toBe(
      `Request ${request.id} ran as break-glass by Adele Operator and is granted; reviewed already: kept by Alex Approver; nothing was changed.`,
    );
    const [refusal] = await t.audit.latest(1);
    expect(refusal).toMatchObject({
      action: 'approval.refused.stale',
      detail: 'ran as break-glass by Adele Operator and is granted; reviewed already: kept by Alex Approver',
    });
  });

  test('a review that loses the race to another instance’s review says it ran as break-glass, never "approved by" its requester', async () => {
    const t = setup(policy([rule('prod')]));
    const request = await granted(t.store, await t.create(OLIVE, { breakGlass: true }), t.clock.now());
    // Another instance's review lands between this one's read and its conditional write.
    const update = t.store.update.bind(t.store);
    let raced = false;
    t.store.update = async (next: AccessRequest) => {
      if (!raced && next.policy?.review?.outcome) {
        raced = true;
        const current = (await t.store.get(request.id))!;
        await update({
          ...current,
          version: current.version + 1,
          policy: {
            ...current.policy!,
            review: { ...current.policy!.review!, outcome: 'accepted', by: APPROVER, at: t.clock.now().toISOString() },
          },
        });
      }
      await update(next);
    };
    const lost = await t.decide(request.id, SAM, false, 'not an emergency');
    expect(lost).toMatchObject({ kind: 'refused', reason: 'stale' });
    expect(lost.kind === 'refused' && lost.message).toBe(
      `Request ${request.id} ran as break-glass by Adele Operator and is granted; reviewed already: kept by Alex Approver; your click changed nothing.`,
    );
    expect((await t.audit.latest(1))[0].detail).toBe(
      'lost the race: ran as break-glass by Adele Operator and is granted; reviewed already: kept by Alex Approver',
    );
    expect(t.revoked).toEqual([]);
  });

  test('a run that failed granted nothing: no review is owed, listed, reported or recorded, and a stale click revokes nothing', async () => {
    const t = setup(policy([rule('prod')]));
    const approved = await t.create(OLIVE, { breakGlass: true });
    const executing = transition(approved, { type: 'start', at: t.clock.now() });
    await t.store.update(executing);
    const failed = transition(executing, {
      type: 'fail',
      at: t.clock.now(),
      outcome: { summary: 'Failed', azureRequestIds: [], error: 'Azure refused the role assignment (HTTP 403).' },
    });
    await t.store.update(failed);
    expect((await t.service.awaitingReview()).requests).toEqual([]);
    expect(await t.service.scheduleReviewsForUnreviewed(async () => false)).toBe(0);

    // Approve and Reject from an approvers' card drawn before the run failed.
    for (const [approve, reason] of [
      [true, 'was a real incident'],
      [false, 'not an emergency'],
    ] as const) {
      const click = await t.decide(failed.id, APPROVER, approve, reason);
      expect(click).toMatchObject({ kind: 'refused', reason: 'stale' });
      expect(click.kind === 'refused' && click.message).toBe(
        `Break-glass request ${failed.id} failed: nothing was granted, so there is nothing to keep or revoke and no review is owed. Nothing was changed.`,
      );
    }
    const stored = (await t.store.get(failed.id))!;
    expect(stored.version).toBe(failed.version);
    expect(stored.policy?.review?.outcome).toBeUndefined();
    expect(t.revoked).toEqual([]);
    const trail = actions(await t.audit.forRequest(failed.id));
    expect(trail.filter((a) => a === 'breakglass.review.refused.failed')).toHaveLength(2);
    expect(trail.filter((a) => a.startsWith('breakglass.review.') && !a.includes('.refused.'))).toEqual([]);

    // Its review job, scheduled when it was used, falls due: nobody is told to review it.
    t.clock.advance(DAY);
    await t.scheduler.runDue();
    t.clock.advance(DAY);
    await t.scheduler.runDue();
    expect(t.notifications.unreviewed).toEqual([]);
    expect(actions(await t.audit.forRequest(failed.id))).not.toContain('breakglass.unreviewed');
  });

  test('break-glass access cannot be extended', async () => {
    const t = setup(policy([rule('prod')]));
    const request = await t.create(OLIVE, { breakGlass: true });
    await expect(
      t.service.create({
        requester: OLIVE,
        tenantId: TENANT,
        reason: 'still on fire',
        plan: grantPlan(),
        origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
        access: { durationMs: HOUR },
        extendsRequestId: request.id,
      }),
    ).rejects.toThrow(/break-glass access, which cannot be extended/);
    expect(actions(await t.audit.latest(1))).toEqual(['policy.refused.breakGlassExtension']);
  });

  test('a review undone (its audit entry failed) is owed again, with its job back if it ran meanwhile', async () => {
    const t = setup(policy([rule('prod')]));
    const request = await granted(t.store, await t.create(OLIVE, { breakGlass: true }), t.clock.now());
    const jobId = `breakglass.review:${request.id}`;
    expect(await t.scheduler.get(jobId)).toBeDefined();
    const append = t.audit.append.bind(t.audit);
    t.audit.append = async (event) => {
      if (event.action !== 'breakglass.review.accepted') return append(event);
      // Between the review's write and its audit entry, the job ran, found it reviewed, and went.
      await t.scheduler.cancel(jobId);
      throw new Error('audit store unavailable');
    };
    await expect(t.decide(request.id, APPROVER, true, 'real incident')).rejects.toThrow(
      /audit log could not be written/,
    );
    expect((await t.store.get(request.id))!.policy?.review?.outcome).toBeUndefined();
    expect(await t.scheduler.get(jobId)).toMatchObject({ kind: 'breakglass.review', requestId: request.id });
    expect((await t.service.awaitingReview()).requests.map((r) => r.id)).toEqual([request.id]);
  });

  test('unreviewed: reported when the review is due, and again every day until reviewed', async () => {
    const t = setup(policy([rule('prod')]));
    const request = await granted(t.store, await t.create(OLIVE, { breakGlass: true }), t.clock.now());
    expect(await t.scheduler.runDue()).toBe(0);
    t.clock.advance(DAY);
    await t.scheduler.runDue();
    expect(t.notifications.unreviewed).toEqual([request.id]);
    t.clock.advance(DAY);
    await t.scheduler.runDue();
    expect(t.notifications.unreviewed).toEqual([request.id, request.id]);
    await t.decide(request.id, APPROVER, true, 'was a real incident');
    t.clock.advance(DAY);
    await t.scheduler.runDue();
    expect(t.notifications.unreviewed).toHaveLength(2);
    expect(actions(await t.audit.forRequest(request.id)).filter((a) => a === 'breakglass.unreviewed')).toHaveLength(2);
  });
});

describe('G18: reminders and escalation (test clock)', () => {
  test('a decision landing while the reminder is posted: the reminder does not redraw the cards as pending', async () => {
    const t = setup(policy([rule('prod', { remindAfterMs: 2 * HOUR })]));
    const request = await t.create();
    t.notifications.duringNudge = async () => {
      t.notifications.duringNudge = undefined;
      expect((await t.decide(request.id, APPROVER)).kind).toBe('decided');
    };
    t.clock.advance(2 * HOUR);
    await t.scheduler.runDue();
    expect(t.notifications.nudges).toEqual([`remind:${request.id}:prod`]);
    // The reminder's "pending" version (with Approve/Reject) is not drawn over the decision.
    expect(t.notifications.changed.filter((r) => r.id === request.id && r.state === 'pending')).toEqual([]);
  });

  test('remindAfter then escalateAfter nudge once each, update the card, and stop once decided', async () => {
    const t = setup(
      policy([
        rule('prod', {
          approvalsRequired: 2,
          remindAfterMs: 2 * HOUR,
          escalateAfterMs: 8 * HOUR,
          escalateTo: { channel: '19:escalations@thread.tacv2', groups: [] },
        }),
      ]),
    );
    const request = await t.create();
    t.clock.advance(2 * HOUR - MINUTE);
    await t.scheduler.runDue();
    expect(t.notifications.nudges).toEqual([]);
    t.clock.advance(MINUTE);
    await t.scheduler.runDue();
    expect(t.notifications.nudges).toEqual([`remind:${request.id}:prod`]);
    expect((await t.store.get(request.id))!.policy?.remindedAt).toBe('2026-11-30T11:00:00.000Z');
    // The same job run again (an instance died after nudging, before the job was deleted): no second nudge.
    await t.nudges.remind({
      id: `approval.remind:${request.id}`,
      kind: 'approval.remind',
      dueAt: '',
      requestId: request.id,
      attempts: 0,
    });
    expect(t.notifications.nudges).toEqual([`remind:${request.id}:prod`]);
    expect(t.notifications.changed.at(-1)?.policy?.remindedAt).toBeDefined();
    t.clock.advance(6 * HOUR);
    await t.scheduler.runDue();
    expect(t.notifications.nudges).toEqual([`remind:${request.id}:prod`, `escalate:${request.id}:prod`]);
    expect(actions(await t.audit.forRequest(request.id))).toEqual([
      'request.created',
      'approval.reminded',
      'approval.escalated',
    ]);
    // A decided request is not nudged.
    const second = await t.create();
    await t.decide(second.id, APPROVER, false, 'no longer needed');
    t.clock.advance(9 * HOUR);
    await t.scheduler.runDue();
    expect(t.notifications.nudges.filter((n) => n.includes(second.id))).toEqual([]);
  });
});

describe('G18: a reminder that could not be sent', () => {
  test('is neither marked nor audited as sent, and the job retry sends it', async () => {
    const t = setup(policy([rule('prod', { approvalsRequired: 1, remindAfterMs: 2 * HOUR })]));
    const request = await t.create();
    t.notifications.failNudges = 1;
    t.clock.advance(2 * HOUR);
    await t.scheduler.runDue();
    expect(t.notifications.nudges).toEqual([]);
    expect((await t.store.get(request.id))!.policy?.remindedAt).toBeUndefined();
    expect(actions(await t.audit.forRequest(request.id))).toEqual(['request.created']);
    // The scheduler kept the job and retries it after its backoff.
    t.clock.advance(HOUR);
    await t.scheduler.runDue();
    expect(t.notifications.nudges).toEqual([`remind:${request.id}:prod`]);
    expect((await t.store.get(request.id))!.policy?.remindedAt).toBeDefined();
    expect(actions(await t.audit.forRequest(request.id))).toEqual(['request.created', 'approval.reminded']);
  });
});

describe('G18: a pending request keeps the rule it was created under', () => {
  test('a named approver a reload removed still decides a pending request, but no longer reviews break-glass or revokes decided access', async () => {
    const t = setup(policy([rule('prod', { approvers: { users: [OUTSIDER.objectId], groups: [APPROVERS_GROUP] } })]));
    const pending = await t.create();
    const earlier = await t.create();
    await t.decide(earlier.id, OUTSIDER);
    const access = await granted(t.store, (await t.store.get(earlier.id))!, t.clock.now());
    const bg = await granted(t.store, await t.create(OLIVE, { breakGlass: true }), t.clock.now());
    t.setPolicy(policy([rule('prod')], 'hash-2'));
    // Pending: its snapshot holds until it expires (G18).
    expect(await t.decide(pending.id, OUTSIDER)).toMatchObject({ kind: 'decided' });
    // Decided, with no time limit: the rule's approvers are the current policy's.
    expect(await t.service.isApproverOf(OUTSIDER, access)).toBe(false);
    expect(await t.decide(bg.id, OUTSIDER, true, 'fine')).toMatchObject({ kind: 'refused', reason: 'notApprover' });
    expect(actions(await t.audit.forRequest(bg.id)).pop()).toBe('breakglass.review.refused.notApprover');
    expect(await t.service.isApproverOf(APPROVER, access)).toBe(true);
    expect(await t.decide(bg.id, APPROVER, true, 'fine')).toMatchObject({ kind: 'reviewed', outcome: 'accepted' });
  });

  test('decided requests: a rule replaced under its id is reviewed by its new approvers; a removed rule passes to the current rule that fits', async () => {
    const t = setup(policy([rule('prod', { approvers: { users: [SAM.objectId], groups: [APPROVERS_GROUP] } })]));
    const bg = await granted(t.store, await t.create(OLIVE, { breakGlass: true }), t.clock.now());
    t.setPolicy(policy([rule('PROD', { approvers: { users: [OUTSIDER.objectId], groups: [] } })], 'hash-2'));
    expect(await t.service.isApproverOf(OUTSIDER, bg)).toBe(true);
    expect(await t.service.isApproverOf(APPROVER, bg)).toBe(false);
    // The rule is gone: the rule that now fits the request decides who reviews it.
    t.setPolicy(
      policy([rule('other', { approvers: { users: [OUTSIDER.objectId], groups: [APPROVERS_GROUP] } })], 'hash-3'),
    );
    expect(await t.service.isApproverOf(OUTSIDER, bg)).toBe(true);
    expect(await t.service.isApproverOf(APPROVER, bg)).toBe(true);
    t.setPolicy(policy([rule('other', { approvers: { users: [SAM.objectId], groups: [] } })], 'hash-4'));
    expect(await t.service.isApproverOf(SAM, bg)).toBe(true);
    expect(await t.service.isApproverOf(APPROVER, bg)).toBe(false);
  });

  test('reload to a stricter policy: the pending request still needs one approval from its own approvers', async () => {
    const t = setup(policy([rule('prod', { approvalsRequired: 1 })], 'hash-1'));
    const pending = await t.create();
    t.setPolicy(
      policy(
        [rule('prod', { approvalsRequired: 2, approvers: { users: [OUTSIDER.objectId, SAM.objectId], groups: [] } })],
        'hash-2',
      ),
    );
    const fresh = await t.create();
    expect(fresh.policy).toMatchObject({ policyHash: 'hash-2', approvalsRequired: 2 });
    // The old request: Alex (its rule's group) approves alone; the new rule's approver is not one of its approvers.
    expect(await t.service.isApproverOf(OUTSIDER, pending)).toBe(false);
    const decided = await t.decide(pending.id, APPROVER);
    expect(decided.kind).toBe('decided');
    const entries = await t.audit.forRequest(pending.id);
    expect(entries.at(-1)).toMatchObject({ action: 'request.approved', policyHash: 'hash-1' });
    // The new request follows the new rule.
    expect(await t.decide(fresh.id, APPROVER)).toMatchObject({ kind: 'refused', reason: 'notApprover' });
  });
});
