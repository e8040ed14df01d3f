/**
 * The one card of a request made where its approvers are asked (CardMessenger.shareRequesterCopy),
 * in the cases review found broken: an extension asked in the tab, in a conversation shared with
 * named approvers Teams can name, must give them their own views (Approve/Reject), not one
 * read-only card; and once ACRBOT_APPROVAL_CHANNEL has moved away from where such a card was
 * shared, a reminder or escalation that finds no conversation is audited `unposted` (and warned),
 * never as sent. A recording adapter, the real CardMessenger and ApprovalNudges on memory stores.
 */
import type { Activity, CloudAdapter } from 'botbuilder';
import { CardMessenger } from '../../src/bot/card-messenger';
import type { AccessRequest } from '../../src/domain/request';
import { ApprovalNudges } from '../../src/flows/approval-nudges';
import { approvalNudgeJobIds } from '../../src/flows/request-jobs';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { MemoryPauseStore } from '../../src/integrations/store/memory-pause-store';
import { LogCapture } from '../helpers/log-capture';
import { FakeClock, HOUR } from './support/fake-clock';
import { rule } from './support/policy-fixtures';
import { APPROVER, pendingRequest } from './support/requests';
import { MemberAwareAdapter as TeamsAdapter } from './support/member-aware-adapter';

const CHANNEL = '19:team@thread.tacv2';
const OTHER = '19:newapprovals@thread.tacv2';
const THREAD = `${CHANNEL};messageid=42`;
const ALEX_TEAMS_ID = '29:alex';
const namedRule = rule('prod', { approvers: { users: [APPROVER.objectId], groups: [], name: 'Prod approvers' } });
const groupRule = rule('prod', { remindAfterMs: 2 * HOUR, escalateAfterMs: 8 * HOUR });

/**
 * A pending request under `r` whose only card is its requester's, in a channel thread; `mk`
 * builds a messenger as an instance started with ACRBOT_APPROVAL_CHANNEL `channel` would.
 */
async function setup(r: typeof namedRule, members: Record<string, string> = {}) {
  const clock = new FakeClock('2025-01-15T09:00:00.000Z');
  const adapter = new TeamsAdapter(members);
  const store = new MemoryRequestStore();
  const logs = new LogCapture();
  const request = pendingRequest({ policy: { ruleId: r.id, policyHash: 'h', approvalsRequired: 1, rule: r } });
  await store.create(request);
  await store.addCardCopy({
    requestId: request.id,
    activityId: 'act-thread',
    role: 'requester',
    conversation: {
      serviceUrl: 'https://smba.example/',
      conversation: { id: THREAD, conversationType: 'channel', tenantId: 't' },
      user: { id: '29:riley', aadObjectId: request.requester.objectId },
    },
  });
  const mk = (channel: string | undefined) => {
    const messenger = new CardMessenger(
      adapter as unknown as CloudAdapter,
      'app-1',
      store,
      logs.logger('warn'),
      undefined,
      { approvalChannelId: channel, defaultAccessMs: 86_400_000 },
    );
    messenger.approverIdsOf = (req) => req.policy?.rule?.approvers.users ?? [];
    return messenger;
  };
  return { clock, adapter, store, logs, mk, request };
}

const hasApprove = (activity: Partial<Activity>) => JSON.stringify(activity).includes('"verb":"approve"');
/** The Teams ids given their own view of a card (refresh.userIds). */
const viewersOf = (activity: Partial<Activity>) =>
  (JSON.stringify(activity).match(/"userIds":\[([^\]]*)\]/)?.[1] ?? '').split(',').map((id) => id.replace(/"/g, ''));

test('an extension asked in the tab, where its named approvers are asked: its one card gives them their own view', async () => {
  const t = await setup(namedRule, { [APPROVER.objectId]: ALEX_TEAMS_ID });
  const extension: AccessRequest = { ...t.request, id: 'R-EXTEND22', extendsRequestId: t.request.id };
  await t.store.create(extension);
  const { approvalPostedTo } = await t.mk(undefined).announceExtension(extension, t.request, undefined);
  expect(approvalPostedTo).toBe(CHANNEL);
  // One card, in the thread: no second one beside it; then, there, the message mentioning its
  // named approver (approver-mention-posts.ts; no directory wired here: by number).
  expect(t.adapter.posts.filter((p) => p.activity.attachments?.length).map((p) => p.to)).toEqual([THREAD]);
  expect(t.adapter.posts.filter((p) => !p.activity.attachments?.length).map((p) => [p.to, p.activity.text])).toEqual([
    [THREAD, '<at>approver 1</at>: request R-EXTEND22 (aks-prod → contosoacr) waits for your decision.'],
  ]);
  expect((await t.store.listCardCopies(extension.id)).map((c) => c.role)).toEqual(['requester']);
  // Read-only as posted (Alex approves from his own view), unless redrawn for all.
  const shown = t.adapter.updates.at(-1)?.activity ?? t.adapter.posts[0].activity;
  expect(hasApprove(shown) || viewersOf(shown).includes(ALEX_TEAMS_ID)).toBe(true);
  expect(viewersOf(t.adapter.posts[0].activity)).toContain(ALEX_TEAMS_ID);
});

describe('ACRBOT_APPROVAL_CHANNEL moved away from where a pending request’s one card was shared', () => {
  /** The request's card shared in CHANNEL, then an instance started with the setting at OTHER. */
  async function moved() {
    const t = await setup(groupRule);
    expect(await t.mk(CHANNEL).shareRequesterCopy(t.request, { conversation: { id: CHANNEL } as never })).toBe(true);
    t.adapter.posts.length = 0;
    return { ...t, messenger: t.mk(OTHER) };
  }

  test('a nudge finds no conversation: nothing posted, false, and a warning', async () => {
    const t = await moved();
    await expect(t.messenger.nudgeApprovers(t.request, groupRule, 'remind')).resolves.toBe(false);
    expect(t.adapter.posts).toEqual([]);
    expect(t.logs.entries().filter((e) => String(e.msg).includes('nudge had nowhere to go'))).toEqual([
      expect.objectContaining({
        level: 40,
        requestId: t.request.id,
        kind: 'remind',
        // The audit entry's words (nowhereToPost): this rule names no channel.
        reason: "no rule channel, and no approvers' card to post beside",
      }),
    ]);
  });

  test('the reminder and escalation are audited unposted, not as sent', async () => {
    const t = await moved();
    const audit = new MemoryAuditLog(t.clock);
    const jobs = {
      schedule: async () => undefined,
      scheduleIfAbsent: async () => true,
      cancel: async () => undefined,
      get: async () => undefined,
    };
    const nudges = new ApprovalNudges(t.store, audit, t.clock, t.messenger, jobs, new MemoryPauseStore());
    const ids = approvalNudgeJobIds(t.request.id);
    const job = (id: string, kind: 'approval.remind' | 'approval.escalate') => ({
      id,
      kind,
      dueAt: t.clock.now().toISOString(),
      requestId: t.request.id,
      attempts: 0,
    });
    t.clock.advance(2 * HOUR);
    await nudges.remind(job(ids.remind, 'approval.remind'));
    t.clock.advance(6 * HOUR);
    await nudges.escalate(job(ids.escalate, 'approval.escalate'));
    expect(t.adapter.posts).toEqual([]);
    const entries = await audit.forRequest(t.request.id);
    expect(entries.map((e) => [e.action, e.outcome])).toEqual([
      ['approval.reminded', 'unposted'],
      ['approval.escalated', 'unposted'],
    ]);
    expect(entries[0].detail).toContain('not posted: no conversation where its approvers are asked');
    // The escalation names the reminder as unposted, not as posted nor as taken over by it.
    expect(entries[1].detail).toContain('the reminder before it was not posted either');
    expect(entries[1].detail).not.toContain('this escalation came due before it went out');
  });
});
