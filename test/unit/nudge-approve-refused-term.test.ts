/**
 * A reload that lowers a rule's maxDuration (or a restart that lowers ACRBOT_MAX_ACCESS_DURATION)
 * below what a waiting request asked for makes its Approve refused (approval.refused.term). Its
 * reminder and escalation still go out (Reject still decides it) and say so, by the refused click's
 * own rule (domain/pending-term.ts): alone, and in a grouped post on that request's line only.
 * Real memory stores, Scheduler, RequestService, ApprovalNudges (with the policy and limits the app
 * gives it) and CardMessenger, posting through a recording adapter.
 */
import type { CloudAdapter } from 'botbuilder';
import { CardMessenger } from '../../src/bot/card-messenger';
import type { AccessLimits } from '../../src/domain/access-term';
import type { Policy, PolicyRule } from '../../src/domain/policy';
import type { Actor } from '../../src/domain/request';
import { ApprovalNudges } from '../../src/flows/approval-nudges';
import { RequestService } from '../../src/flows/request-service';
import type { FlowSettings } from '../../src/flows/settings';
import { Scheduler } from '../../src/flows/scheduler';
import { approvalNudgeJobIds } from '../../src/flows/request-jobs';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { MemoryPauseStore } from '../../src/integrations/store/memory-pause-store';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, HOUR, MINUTE } from './support/fake-clock';
import { Chat } from './support/grouped-nudge-world';
import { fakeDirectory } from './support/fake-directory';
import { APPROVERS_GROUP, DAY, OLIVE, policy, rule, settings, TENANT } from './support/policy-fixtures';
import { RecordingAdapter } from './support/recording-adapter';
import { APPROVER, newGrant, OUTSIDER, REQUESTER } from './support/requests';

const RULE_CHANNEL = '19:prod@thread.tacv2';
const ESCALATION_CHANNEL = '19:esc@thread.tacv2';
const log = createLogger({ level: 'silent' });

/** What the nudge says of a request asking for 30d under a rule lowered to 8h. */
const SAYS =
  'Approve would be refused: it asks for 30d, but rule prod now grants at most 8h; reject it, and its requester can ask again for less.';

const prod = (maxDurationMs: number, extra: Partial<PolicyRule> = {}) =>
  rule('prod', {
    maxDurationMs,
    channel: RULE_CHANNEL,
    remindAfterMs: 2 * HOUR,
    escalateAfterMs: 4 * HOUR,
    escalateTo: { channel: ESCALATION_CHANNEL, groups: [] },
    ...extra,
  });

/** The deployment's limits the app gives the nudges and the service (ACRBOT_MAX_ACCESS_DURATION, ...). */
const ROOMY: AccessLimits = { minMs: HOUR, maxMs: 365 * DAY, defaultMs: 8 * HOUR, allowPermanent: false };

function world(limits: AccessLimits = ROOMY) {
  const clock = new FakeClock('2026-11-30T09:00:00.000Z');
  const store = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  const pauses = new MemoryPauseStore();
  const chat = new Chat();
  const adapter = new RecordingAdapter();
  chat.messenger = new CardMessenger(adapter as unknown as CloudAdapter, 'app-1', store, log);
  const scheduler = new Scheduler(new MemoryScheduleStore(), new MemoryLeaseStore(() => clock.now()), clock, log, {
    instanceId: 'a',
    sweepIntervalMs: 0,
    leaseTtlMs: MINUTE,
  });
  let current: Policy = policy([prod(30 * DAY)]);
  const policies = { current: () => current };
  // A copy: restart() lowers it in place.
  const access: AccessLimits = { ...limits };
  const flowSettings: FlowSettings = { ...settings, access };
  const nudges = new ApprovalNudges(store, audit, clock, chat, scheduler, pauses, {
    policies,
    limits: access,
  });
  scheduler.register('approval.remind', (job, run) => nudges.remind(job, run));
  scheduler.register('approval.escalate', (job, run) => nudges.escalate(job, run));
  const service = new RequestService(
    store,
    audit,
    fakeDirectory({ [APPROVERS_GROUP]: [APPROVER.objectId] }),
    clock,
    flowSettings,
    chat,
    log,
    scheduler,
    policies,
    pauses,
  );
  /** Files a request by `by` for `durationMs` (or for good), with a requester's card the posts find their way by. */
  const create = async (by: Actor, durationMs: number | 'permanent') => {
    clock.advance(1000);
    const term = durationMs === 'permanent' ? { permanent: true } : { durationMs };
    const request = await service.create({ ...newGrant(by), access: term });
    await store.addCardCopy({
      requestId: request.id,
      activityId: `card-${request.id}`,
      role: 'requester',
      conversation: { serviceUrl: 'https://smba.example/emea/', conversation: { id: 'a:requester', tenantId: 't' } },
    });
    return request;
  };
  const reload = (p: Policy) => (current = p);
  /** A restart with the deployment's limits lowered: the nudges and the service read the new ones. */
  const restart = (next: AccessLimits) => Object.assign(access, next);
  const approve = (id: string) =>
    service.decide({ requestId: id, acting: { actor: APPROVER, tenantId: TENANT }, approve: true });
  return { clock, store, adapter, scheduler, service, create, reload, restart, approve };
}

describe('a nudge of a request whose Approve a lowered maximum refuses', () => {
  test('the reminder and the escalation still go out and say what the refused click says', async () => {
    const t = world();
    const request = await t.create(REQUESTER, 30 * DAY);
    t.reload(policy([prod(8 * HOUR)], 'hash-2'));
    const refused = await t.approve(request.id);
    expect(refused).toMatchObject({ kind: 'refused', reason: 'term' });
    if (refused.kind !== 'refused') throw new Error('approved');
    expect(refused.message).toContain(`Request ${request.id} asks for 30d, but rule prod now grants at most 8h.`);

    t.clock.advance(2 * HOUR);
    expect(await t.scheduler.runNow(approvalNudgeJobIds(request.id).remind)).toBe(true);
    expect(t.adapter.posts).toHaveLength(1);
    const reminder = String(t.adapter.posts[0]!.activity.text);
    expect(reminder).toContain(`0 of 1 approvals. ${SAYS} Platform Approvers`);
    // Still asked to decide: Reject decides it.
    expect(reminder).toContain('please decide');

    t.clock.advance(2 * HOUR);
    expect(await t.scheduler.runNow(approvalNudgeJobIds(request.id).escalate)).toBe(true);
    const escalations = t.adapter.posts.slice(1).map((p) => String(p.activity.text));
    expect(escalations).toHaveLength(2);
    for (const text of escalations) expect(text).toContain(SAYS);
    expect((await t.store.get(request.id))!.state).toBe('pending');
  });

  test('a request its rule still grants is nudged as before, without the line', async () => {
    const t = world();
    const request = await t.create(REQUESTER, 4 * HOUR);
    t.reload(policy([prod(8 * HOUR)], 'hash-2'));
    t.clock.advance(2 * HOUR);
    expect(await t.scheduler.runNow(approvalNudgeJobIds(request.id).remind)).toBe(true);
    expect(String(t.adapter.posts[0]!.activity.text)).not.toContain('Approve would be refused');
  });

  test('in a grouped reminder the line goes on the request it concerns only', async () => {
    const t = world();
    const short = await t.create(OUTSIDER, 4 * HOUR);
    const long = await t.create(OLIVE, 30 * DAY);
    t.reload(policy([prod(8 * HOUR)], 'hash-2'));
    t.clock.advance(2 * HOUR);
    expect(await t.scheduler.runNow(approvalNudgeJobIds(short.id).remind)).toBe(true);
    expect(t.adapter.posts).toHaveLength(1);
    const lines = String(t.adapter.posts[0]!.activity.text).split('\n\n');
    expect(lines[0]).toMatch(/^Reminder: 2 requests are still waiting/);
    const lineOf = (id: string) => lines.find((l) => l.startsWith(`${id} (`))!;
    expect(lineOf(long.id)).toContain(`"@acrbot pending ${long.id}". ${SAYS}`);
    expect(lineOf(short.id)).not.toContain('Approve would be refused');
    expect(lines.filter((l) => l.includes('Approve would be refused'))).toHaveLength(1);
  });

  test('a restart that lowers the deployment maximum below the request: the reminder says so', async () => {
    const t = world();
    const request = await t.create(REQUESTER, 30 * DAY);
    t.restart({ ...ROOMY, maxMs: 7 * DAY });
    const refused = await t.approve(request.id);
    expect(refused).toMatchObject({ kind: 'refused', reason: 'term' });

    t.clock.advance(2 * HOUR);
    expect(await t.scheduler.runNow(approvalNudgeJobIds(request.id).remind)).toBe(true);
    expect(String(t.adapter.posts[0]!.activity.text)).toContain(
      `0 of 1 approvals. Approve would be refused: it asks for 30d, but acrbot now grants at most 7d; reject it, and its requester can ask again for less. Platform Approvers`,
    );
  });

  test('a restart that stops allowing permanent access: the reminder of a permanent request says so', async () => {
    const t = world({ ...ROOMY, allowPermanent: true });
    // A rule with no maximum of its own: only the deployment refuses permanent access.
    t.reload(policy([prod(30 * DAY, { maxDurationMs: undefined })]));
    const request = await t.create(REQUESTER, 'permanent');
    expect(request.access).toMatchObject({ permanent: true });
    t.restart({ ...ROOMY, allowPermanent: false });

    t.clock.advance(2 * HOUR);
    expect(await t.scheduler.runNow(approvalNudgeJobIds(request.id).remind)).toBe(true);
    expect(String(t.adapter.posts[0]!.activity.text)).toContain(
      'Approve would be refused: it asks for permanent access, but permanent access is no longer allowed here',
    );
  });
});
