/**
 * A nudge reads, right before it is posted, whether the named approvers it would mention can still
 * sign in (ApproverAuthority.enabledNamesAmong, one read per post): one disabled or deleted since the
 * request was made is not mentioned, and when without them the approvals still needed cannot be
 * had (no approver groups, too few named approvers left) the post and its audit entry say so. A
 * directory that cannot be read leaves the mentions as named, with a warning. Real memory stores,
 * Scheduler, RequestService, ApprovalNudges and CardMessenger, posting through a recording adapter.
 */
import type { CloudAdapter } from 'botbuilder';
import { CardMessenger } from '../../src/bot/card-messenger';
import type { Policy, PolicyRule } from '../../src/domain/policy';
import type { Actor } from '../../src/domain/request';
import { ApprovalNudges } from '../../src/flows/approval-nudges';
import { resetUnreadNamedWarning } from '../../src/flows/approver-groups-read';
import { approvalNudgeJobIds } from '../../src/flows/request-jobs';
import { RequestService } from '../../src/flows/request-service';
import { Scheduler } from '../../src/flows/scheduler';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { MemoryPauseStore } from '../../src/integrations/store/memory-pause-store';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { LogCapture } from '../helpers/log-capture';
import { FakeClock, HOUR, MINUTE } from './support/fake-clock';
import { fakeDirectory } from './support/fake-directory';
import { Chat } from './support/grouped-nudge-world';
import { APPROVERS_GROUP, OLIVE, policy, rule, settings, TENANT } from './support/policy-fixtures';
import { RecordingAdapter } from './support/recording-adapter';
import { APPROVER, newGrant, OUTSIDER, REQUESTER } from './support/requests';

const RULE_CHANNEL = '19:prod@thread.tacv2';
const ESCALATION_CHANNEL = '19:esc@thread.tacv2';
const ALEX = APPROVER;
const BEA: Actor = { objectId: '0a000000-0000-4000-8000-00000000bea1', name: 'Bea Approver' };
const silent = createLogger({ level: 'silent' });

/** The sentence a nudge says when Alex's account leaves the quorum of `requestId` out of reach. */
const lostTo = (requestId: string) =>
  `Named approver ${ALEX.objectId} can no longer sign in (disabled or deleted in the directory): this request cannot be approved as things stand; add approvers to rule prod or the requester can cancel it ("@acrbot cancel ${requestId}")`;

const prod = (extra: Partial<PolicyRule> = {}) =>
  rule('prod', {
    channel: RULE_CHANNEL,
    remindAfterMs: 2 * HOUR,
    escalateAfterMs: 4 * HOUR,
    escalateTo: { channel: ESCALATION_CHANNEL, groups: [] },
    approvers: { users: [ALEX.objectId, BEA.objectId], groups: [], name: 'N' },
    ...extra,
  });

function world(theRule: PolicyRule = prod()) {
  const clock = new FakeClock('2026-11-30T09:00:00.000Z');
  const store = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  const pauses = new MemoryPauseStore();
  const chat = new Chat();
  const adapter = new RecordingAdapter();
  const logs = new LogCapture();
  chat.messenger = new CardMessenger(adapter as unknown as CloudAdapter, 'app-1', store, silent);
  const scheduler = new Scheduler(new MemoryScheduleStore(), new MemoryLeaseStore(() => clock.now()), clock, silent, {
    instanceId: 'a',
    sweepIntervalMs: 0,
    leaseTtlMs: MINUTE,
  });
  const current: Policy = policy([theRule]);
  const policies = { current: () => current };
  /** The accounts the directory finds disabled or deleted now (lower-cased); `fail`: it does not answer. */
  const directory = { disabled: new Set<string>(), fail: false, reads: [] as string[][] };
  const approvers = {
    // No display names: the mentions are "approver 1"… (nudge-names-in-mentions.test.ts reads names).
    enabledNamesAmong: async (ids: readonly string[]) => {
      directory.reads.push([...ids]);
      if (directory.fail) throw new Error('Graph did not answer');
      const enabled = ids.map((id) => id.toLowerCase()).filter((id) => !directory.disabled.has(id));
      return new Map(enabled.map((id) => [id, undefined]));
    },
  };
  const nudges = new ApprovalNudges(
    store,
    audit,
    clock,
    chat,
    scheduler,
    pauses,
    { policies },
    {
      approvers,
      log: logs.logger('warn'),
    },
  );
  scheduler.register('approval.remind', (job, run) => nudges.remind(job, run));
  scheduler.register('approval.escalate', (job, run) => nudges.escalate(job, run));
  const service = new RequestService(
    store,
    audit,
    fakeDirectory({ [APPROVERS_GROUP]: [APPROVER.objectId] }),
    clock,
    settings,
    chat,
    silent,
    scheduler,
    policies,
    pauses,
  );
  /** Files a request by `by`, with a requester's card the posts find their way by. */
  const create = async (by: Actor = REQUESTER) => {
    clock.advance(1000);
    const request = await service.create(newGrant(by));
    await store.addCardCopy({
      requestId: request.id,
      activityId: `card-${request.id}`,
      role: 'requester',
      conversation: { serviceUrl: 'https://smba.example/emea/', conversation: { id: 'a:requester', tenantId: 't' } },
    });
    return request;
  };
  const disable = (actor: Actor) => directory.disabled.add(actor.objectId.toLowerCase());
  const remind = async (id: string) => {
    expect(await scheduler.runNow(approvalNudgeJobIds(id).remind)).toBe(true);
  };
  const mentioned = (i: number) =>
    ((adapter.posts[i]!.activity.entities ?? []) as unknown as Array<{ mentioned: { id: string } }>).map(
      (e) => e.mentioned.id,
    );
  const text = (i: number) => String(adapter.posts[i]!.activity.text);
  const entry = async (id: string, action: string) => (await audit.forRequest(id)).find((e) => e.action === action)!;
  const approve = (id: string, actor: Actor) =>
    service.decide({ requestId: id, acting: { actor, tenantId: TENANT }, approve: true, reason: 'ok' });
  return {
    clock,
    store,
    adapter,
    logs,
    directory,
    create,
    disable,
    remind,
    mentioned,
    text,
    entry,
    approve,
    scheduler,
  };
}

beforeEach(() => resetUnreadNamedWarning());

describe('a nudge leaves out named approvers who can no longer sign in', () => {
  test('quorum 1: the disabled approver is not mentioned, the other still reaches it, nothing more is said', async () => {
    const t = world();
    const request = await t.create();
    t.disable(ALEX);
    t.clock.advance(2 * HOUR);
    await t.remind(request.id);
    expect(t.mentioned(0)).toEqual([BEA.objectId]);
    expect(t.text(0)).toContain('N (<at>approver 1</at>), please decide');
    expect(t.text(0)).not.toContain('can no longer sign in');
    // One batched read of both, for the one post.
    expect(t.directory.reads).toEqual([[ALEX.objectId, BEA.objectId]]);
    expect((await t.entry(request.id, 'approval.reminded')).detail).toBe(
      `no decision after 120 min; not mentioned, as they can no longer sign in: ${ALEX.objectId}`,
    );
  });

  test('quorum 2: the post and its entry say the request cannot be approved as things stand', async () => {
    const t = world(prod({ approvalsRequired: 2 }));
    const request = await t.create();
    t.disable(ALEX);
    t.clock.advance(2 * HOUR);
    await t.remind(request.id);
    expect(t.mentioned(0)).toEqual([BEA.objectId]);
    expect(t.text(0)).toContain(`0 of 2 approvals. ${lostTo(request.id)}. N (<at>approver 1</at>), please decide`);
    expect((await t.entry(request.id, 'approval.reminded')).detail).toBe(
      `no decision after 120 min; ${lostTo(request.id)}`,
    );

    t.clock.advance(2 * HOUR);
    expect(await t.scheduler.runNow(approvalNudgeJobIds(request.id).escalate)).toBe(true);
    const escalations = t.adapter.posts.slice(1).map((p) => String(p.activity.text));
    expect(escalations).toHaveLength(2);
    for (const text of escalations) expect(text).toContain(lostTo(request.id));
    expect((await t.entry(request.id, 'approval.escalated')).detail).toContain(lostTo(request.id));
  });

  test('every named approver lost and no groups: no "please decide" to nobody; the platform team can act', async () => {
    const t = world();
    const request = await t.create();
    t.disable(ALEX);
    t.disable(BEA);
    t.clock.advance(2 * HOUR);
    await t.remind(request.id);
    expect(t.mentioned(0)).toEqual([]);
    expect(t.text(0)).not.toContain('please decide');
    expect(t.text(0)).toMatch(
      /Nobody left to ask can approve it: the platform team can, by adding approvers to rule prod\.$/,
    );
  });

  test('a grouped reminder whose approvers are all lost: no "please decide" either', async () => {
    const t = world();
    const first = await t.create(OUTSIDER);
    await t.create(OLIVE);
    t.disable(ALEX);
    t.disable(BEA);
    t.clock.advance(2 * HOUR);
    await t.remind(first.id);
    expect(t.mentioned(0)).toEqual([]);
    expect(t.text(0)).not.toContain('please decide');
    expect(t.text(0)).toMatch(
      /Nobody left to ask can approve them: the platform team can, by adding approvers to rule prod\.$/,
    );
  });

  test('quorum 2 with one approval in: the enabled approver who has approved is not counted twice', async () => {
    const t = world(prod({ approvalsRequired: 2 }));
    const request = await t.create();
    expect((await t.approve(request.id, BEA)).kind).toBe('recorded');
    t.disable(ALEX);
    t.clock.advance(2 * HOUR);
    await t.remind(request.id);
    expect(t.mentioned(0)).toEqual([]);
    expect(t.text(0)).toContain(lostTo(request.id));
  });

  test('an earlier approver disabled since: their approval no longer counts, so the quorum is lost to them too', async () => {
    const CARL: Actor = { objectId: '0a000000-0000-4000-8000-0000000ca411', name: 'Carl Approver' };
    const t = world(
      prod({
        approvalsRequired: 2,
        approvers: { users: [ALEX.objectId, BEA.objectId, CARL.objectId], groups: [], name: 'N' },
      }),
    );
    const request = await t.create();
    expect((await t.approve(request.id, ALEX)).kind).toBe('recorded');
    t.disable(ALEX);
    t.disable(CARL);
    t.clock.advance(2 * HOUR);
    await t.remind(request.id);
    // Alex, who approved, is read in the same batch as those still waited on.
    expect(t.directory.reads).toEqual([[BEA.objectId, CARL.objectId, ALEX.objectId]]);
    expect(t.mentioned(0)).toEqual([BEA.objectId]);
    const said = `Named approvers ${ALEX.objectId}, ${CARL.objectId} can no longer sign in (disabled or deleted in the directory): this request cannot be approved as things stand`;
    expect(t.text(0)).toContain(said);
    expect((await t.entry(request.id, 'approval.reminded')).detail).toContain(said);
  });

  test('a rule id the client would link (www.…) is made inert in the post; the entry keeps it as the policy spells it', async () => {
    const t = world(prod({ id: 'www.evil.example', approvalsRequired: 2 }));
    const request = await t.create();
    t.disable(ALEX);
    t.clock.advance(2 * HOUR);
    await t.remind(request.id);
    expect(t.text(0)).toContain('add approvers to rule www\u200b.evil.example or the requester can cancel it');
    expect(t.text(0)).not.toContain('www.evil.example');
    expect((await t.entry(request.id, 'approval.reminded')).detail).toContain(
      'add approvers to rule www.evil.example or the requester can cancel it',
    );
  });

  test('a rule with approver groups: their members may still approve, so nothing is said of the quorum', async () => {
    const t = world(
      prod({ approvalsRequired: 2, approvers: { users: [ALEX.objectId, BEA.objectId], groups: [APPROVERS_GROUP] } }),
    );
    const request = await t.create();
    t.disable(ALEX);
    t.clock.advance(2 * HOUR);
    await t.remind(request.id);
    expect(t.mentioned(0)).toEqual([BEA.objectId]);
    expect(t.text(0)).not.toContain('can no longer sign in');
  });

  test('the directory does not answer: every named approver is mentioned, as before, with a warning at most hourly', async () => {
    const t = world(prod({ approvalsRequired: 2 }));
    const request = await t.create();
    t.disable(ALEX);
    t.directory.fail = true;
    t.clock.advance(2 * HOUR);
    await t.remind(request.id);
    expect(t.mentioned(0)).toEqual([ALEX.objectId, BEA.objectId]);
    expect(t.text(0)).not.toContain('can no longer sign in');
    expect((await t.entry(request.id, 'approval.reminded')).detail).toBe('no decision after 120 min');
    const warnings = t.logs.entries().filter((e) => e.level === 40);
    expect(warnings.map((e) => e.msg)).toEqual([
      "a nudge could not read its approvers' accounts in the directory; it mentions every named approver still waited on",
    ]);
    expect(warnings[0]).toMatchObject({ requestId: request.id, approvers: 2 });
    // The escalation's read fails too: mentioned as before, and no second warning within the hour.
    t.clock.advance(2 * HOUR);
    expect(await t.scheduler.runNow(approvalNudgeJobIds(request.id).escalate)).toBe(true);
    expect(t.mentioned(1)).toEqual([ALEX.objectId, BEA.objectId]);
    expect(t.logs.entries().filter((e) => e.level === 40)).toHaveLength(1);
  });

  test('a grouped reminder: one read for all, nobody disabled mentioned, the lost quorum said once per rule', async () => {
    const t = world(prod({ approvalsRequired: 2 }));
    const first = await t.create(OUTSIDER);
    const second = await t.create(OLIVE);
    // The first has Bea's approval: only Alex, disabled, is left for its second one.
    expect((await t.approve(first.id, BEA)).kind).toBe('recorded');
    t.disable(ALEX);
    t.clock.advance(2 * HOUR);
    await t.remind(first.id);
    expect(t.adapter.posts).toHaveLength(1);
    expect(t.directory.reads).toHaveLength(1);
    expect(t.mentioned(0)).toEqual([BEA.objectId]);
    const lines = t.text(0).split('\n\n');
    expect(lines[0]).toMatch(/^Reminder: 2 requests are still waiting/);
    const lineOf = (id: string) => lines.find((l) => l.startsWith(`${id} (`))!;
    expect(lineOf(first.id)).toContain(`"@acrbot pending ${first.id}". It cannot be approved as things stand.`);
    expect(lineOf(second.id)).toMatch(/\. It cannot be approved as things stand\.$/);
    // Who was lost, said once for the rule, not on every line.
    expect(t.text(0).match(/can no longer sign in/g)).toHaveLength(1);
    expect(lines).toContain(
      `Named approver ${ALEX.objectId} can no longer sign in (disabled or deleted in the directory): ${first.id}, ${second.id} cannot be approved as things stand; add approvers to rule prod, or their requesters can cancel them.`,
    );
    // Bea can still act: she is asked.
    expect(lines[lines.length - 1]).toContain('please decide');
    expect((await t.entry(first.id, 'approval.reminded')).detail).toContain(lostTo(first.id));
    expect((await t.entry(second.id, 'approval.reminded')).detail).toContain(lostTo(second.id));
  });
});
