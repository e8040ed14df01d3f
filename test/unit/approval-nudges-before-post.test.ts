/**
 * What an approval nudge reads right before its post, and what many instances running the
 * nudge jobs at once send: a pause put in force, or a decision made, after the nudge's first
 * reads (while it marks the request) stops the post; a reminder and an escalation both owed
 * after an outage go out as one escalation, also when two instances sweep at once. Real memory
 * stores with conditional writes, the real Scheduler and RequestService.
 */
import type { AuditEntry } from '../../src/domain/audit-chain';
import type { Policy, PolicyRule } from '../../src/domain/policy';
import type { AccessRequest } from '../../src/domain/request';
import { type NudgeNotifier, PAUSED_NUDGE_RECHECK_MS } from '../../src/flows/approval-nudges';
import { approvalNudgeJobIds } from '../../src/flows/request-jobs';
import { HOUR } from './support/fake-clock';
import { nudgeWorld } from './support/nudge-world';
import { policy, rule, TENANT } from './support/policy-fixtures';
import { APPROVER } from './support/requests';

class Notifications implements NudgeNotifier {
  readonly posts: string[] = [];
  /** Nudges of this kind still to fail (Teams answering 503), one per call. */
  failing: { kind: 'remind' | 'escalate'; count: number } = { kind: 'escalate', count: 0 };
  async requestChanged() {}
  async nudgeApprovers(request: AccessRequest, _rule: PolicyRule, kind: 'remind' | 'escalate') {
    if (this.failing.kind === kind && this.failing.count > 0 && this.failing.count--)
      throw new Error('Teams answered 503');
    this.posts.push(`${kind}:${request.id}`);
  }
  async breakGlassUnreviewed() {}
}

function setup(initial: Policy) {
  const notifications = new Notifications();
  const { clock, store, audit, pauses, jobs, instance, scheduler, service, create } = nudgeWorld(
    notifications,
    initial,
  );
  /** Runs `then` once, right after the nudge's mark (of `field`) is written to the store. */
  const afterMark = (field: 'remindedAt' | 'escalatedAt', then: () => Promise<void>) => {
    const update = store.update.bind(store);
    let pending: (() => Promise<void>) | undefined = then;
    jest.spyOn(store, 'update').mockImplementation(async (next) => {
      const before = await store.get(next.id);
      await update(next);
      const marking = next.policy?.[field] && !before?.policy?.[field];
      const run = marking ? pending : undefined;
      if (run) {
        pending = undefined;
        await run();
      }
    });
  };
  return {
    clock,
    store,
    audit,
    jobs,
    notifications,
    scheduler,
    instance,
    afterMark,
    pause: async () =>
      expect(
        (
          await pauses.pause({
            since: clock.now().toISOString(),
            by: { objectId: APPROVER.objectId, name: 'Alex Approver' },
            reason: 'incident INC-4711',
          })
        ).applied,
      ).toBe(true),
    resume: async () => expect(await pauses.resume()).toBeDefined(),
    create,
    reject: (id: string) =>
      service.decide({
        requestId: id,
        acting: { actor: APPROVER, tenantId: TENANT },
        approve: false,
        reason: 'not needed',
      }),
  };
}

const actions = (entries: AuditEntry[]) => entries.map((e) => e.action);

const escalating = () =>
  policy([
    rule('prod', {
      remindAfterMs: HOUR,
      escalateAfterMs: 2 * HOUR,
      escalateTo: { channel: '19:escalations@thread.tacv2', groups: [] },
    }),
  ]);

describe('a nudge reads the pause and the request again right before its post', () => {
  test('a pause put in force after its first read (while it marks the request) stops the post; the mark is undone and the reminder goes once after the resume', async () => {
    const t = setup(policy([rule('prod', { remindAfterMs: 2 * HOUR })]));
    const request = await t.create();
    const remindJob = approvalNudgeJobIds(request.id).remind;
    t.afterMark('remindedAt', t.pause);
    t.clock.advance(2 * HOUR);
    expect(await t.scheduler.runDue()).toBe(1);
    expect(t.notifications.posts).toEqual([]);
    // Not used up: unmarked, no entry, the job moved on a few minutes like one read paused.
    expect((await t.store.get(request.id))!.policy?.remindedAt).toBeUndefined();
    expect(actions(await t.audit.forRequest(request.id))).toEqual(['request.created']);
    expect(await t.jobs.get(remindJob)).toMatchObject({
      dueAt: new Date(t.clock.now().getTime() + PAUSED_NUDGE_RECHECK_MS).toISOString(),
      attempts: 0,
    });

    await t.resume();
    t.clock.advance(PAUSED_NUDGE_RECHECK_MS);
    expect(await t.scheduler.runDue()).toBe(1);
    expect(t.notifications.posts).toEqual([`remind:${request.id}`]);
    expect(actions(await t.audit.forRequest(request.id))).toEqual(['request.created', 'approval.reminded']);
    expect(await t.jobs.get(remindJob)).toBeUndefined();
  });

  test('a mark a stopped run left is kept when the pause lands before the post; the run after the resume posts it', async () => {
    const t = setup(policy([rule('prod', { remindAfterMs: 2 * HOUR })]));
    const request = await t.create();
    t.clock.advance(2 * HOUR);
    const current = (await t.store.get(request.id))!;
    const mark = t.clock.now().toISOString();
    await t.store.update({
      ...current,
      version: current.version + 1,
      policy: { ...current.policy!, remindedAt: mark },
    });
    // The pause lands while the run reads the audit trail for the stopped run's entry.
    const forRequest = t.audit.forRequest.bind(t.audit);
    jest.spyOn(t.audit, 'forRequest').mockImplementationOnce(async (id) => {
      await t.pause();
      return forRequest(id);
    });
    expect(await t.scheduler.runDue()).toBe(1);
    expect(t.notifications.posts).toEqual([]);
    expect((await t.store.get(request.id))!.policy?.remindedAt).toBe(mark);

    await t.resume();
    t.clock.advance(PAUSED_NUDGE_RECHECK_MS);
    expect(await t.scheduler.runDue()).toBe(1);
    expect(t.notifications.posts).toEqual([`remind:${request.id}`]);
  });

  test('a request rejected after its first read (while the nudge marks it) is not nudged, and no entry says it was', async () => {
    const t = setup(policy([rule('prod', { remindAfterMs: 2 * HOUR })]));
    const request = await t.create();
    t.afterMark('remindedAt', async () => {
      expect((await t.reject(request.id)).kind).toBe('decided');
    });
    t.clock.advance(2 * HOUR);
    expect(await t.scheduler.runDue()).toBe(1);
    expect(t.notifications.posts).toEqual([]);
    expect((await t.store.get(request.id))!.state).toBe('rejected');
    expect(actions(await t.audit.forRequest(request.id))).not.toContain('approval.reminded');
    expect(await t.jobs.get(approvalNudgeJobIds(request.id).remind)).toBeUndefined();
  });
});

describe('a reminder and an escalation owed at once (after an outage of every instance)', () => {
  test('two instances sweeping at once send the escalation alone, once', async () => {
    const t = setup(escalating());
    const request = await t.create();
    const b = t.instance('b');
    t.clock.advance(3 * HOUR);
    const ran = await Promise.all([t.scheduler.runDue(), b.runDue()]);
    expect(ran[0] + ran[1]).toBe(2);
    expect(t.notifications.posts).toEqual([`escalate:${request.id}`]);
    expect(actions(await t.audit.forRequest(request.id))).toEqual(['request.created', 'approval.escalated']);
    expect((await t.store.get(request.id))!.policy?.remindedAt).toBeUndefined();
    // Its announcement job is not this test's (no handler here): left as it is.
    const left = (await t.jobs.forRequest(request.id)).filter((j) => j.kind !== 'approval.announce');
    expect(left).toEqual([expect.objectContaining({ kind: 'request.expire' })]);
  });

  test('a reminder marked by a run that stopped before posting: the escalation says it was not posted', async () => {
    const t = setup(escalating());
    const request = await t.create();
    t.clock.advance(HOUR);
    // The run that marked the reminder stopped before its post: a mark, no approval.reminded entry.
    const current = (await t.store.get(request.id))!;
    await t.store.update({
      ...current,
      version: current.version + 1,
      policy: { ...current.policy!, remindedAt: t.clock.now().toISOString() },
    });
    t.clock.advance(2 * HOUR);
    expect(await t.scheduler.runDue()).toBe(2);
    expect(t.notifications.posts).toEqual([`escalate:${request.id}`]);
    const entries = await t.audit.forRequest(request.id);
    expect(actions(entries)).toEqual(['request.created', 'approval.escalated']);
    expect(entries[1].detail).toContain('the reminder due after 60 min was not posted');
  });

  test('an escalation whose post fails is not lost with the reminder it replaced: its retry sends it', async () => {
    const t = setup(escalating());
    const request = await t.create();
    t.notifications.failing = { kind: 'escalate', count: 1 };
    t.clock.advance(3 * HOUR);
    expect(await t.scheduler.runDue()).toBe(2);
    expect(t.notifications.posts).toEqual([]);
    expect(await t.jobs.get(approvalNudgeJobIds(request.id).escalate)).toMatchObject({ attempts: 1 });
    t.clock.advance(HOUR);
    expect(await t.scheduler.runDue()).toBe(1);
    expect(t.notifications.posts).toEqual([`escalate:${request.id}`]);
  });
});
