/**
 * A request made where its approvers are asked has one card there: its requester's copy, in the
 * request's thread, is the approvers' copy too (CardMessenger.shareRequesterCopy). Here the case
 * with no approvals channel at all (no ACRBOT_APPROVAL_CHANNEL, no rule channel), where the
 * approvers are asked in the request's own channel: every path that looks for the approvers'
 * copy finds the thread's card. Nudges and reports are new posts in its channel, as they were
 * beside an approvers' copy of its own; a personal chat is never taken for the approvers'.
 */
import type { Activity, CloudAdapter } from 'botbuilder';
import { CardMessenger } from '../../src/bot/card-messenger';
import type { AccessRequest } from '../../src/domain/request';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { rule } from './support/policy-fixtures';
import { pendingRequest } from './support/requests';
import { MemberAwareAdapter as TeamsAdapter } from './support/member-aware-adapter';

const CHANNEL = '19:team@thread.tacv2';
const THREAD = `${CHANNEL};messageid=42`;
const groupRule = rule('prod');

/** A pending request under a rule without a channel whose only card is its requester's, at `conversation`. */
async function setup(
  conversation: { id: string; conversationType: string } = { id: THREAD, conversationType: 'channel' },
) {
  const adapter = new TeamsAdapter();
  const store = new MemoryRequestStore();
  const request = pendingRequest({
    policy: { ruleId: groupRule.id, policyHash: 'h', approvalsRequired: 1, rule: groupRule },
  });
  await store.create(request);
  await store.addCardCopy({
    requestId: request.id,
    activityId: 'act-thread',
    role: 'requester',
    conversation: { serviceUrl: 'https://smba.example/', conversation: { ...conversation, tenantId: 't' } },
  });
  const messenger = new CardMessenger(
    adapter as unknown as CloudAdapter,
    'app-1',
    store,
    createLogger({ level: 'silent' }),
    undefined,
    { defaultAccessMs: 86_400_000 },
  );
  return { adapter, store, messenger, request };
}

const hasApprove = (activity: Partial<Activity>) => JSON.stringify(activity).includes('"verb":"approve"');

describe('no approvals channel: the card in the request’s thread is the approvers’ copy', () => {
  test('a reminder goes to the request’s channel as a new post', async () => {
    const t = await setup();
    await t.messenger.nudgeApprovers(t.request, groupRule, 'remind');
    expect(t.adapter.posts.map((p) => p.to)).toEqual([CHANNEL]);
  });

  test('its updates draw it as the approvers’ copy: Approve/Reject for everyone there', async () => {
    const t = await setup();
    await t.messenger.requestChanged({ ...t.request, version: t.request.version + 1 });
    expect(t.adapter.updates.map((u) => u.to)).toEqual([THREAD]);
    expect(hasApprove(t.adapter.updates[0].activity)).toBe(true);
  });

  test('a problem of the request is reported in its channel, not as a reply in its thread', async () => {
    const t = await setup();
    await t.messenger.reportToApprovers(t.request, 'Revoking the access is not done after 3 attempts');
    expect(t.adapter.posts.map((p) => p.to)).toEqual([CHANNEL]);
  });

  test('an extension asked in the tab: one card in the thread, which its approvers act on', async () => {
    const t = await setup();
    const extension: AccessRequest = {
      ...t.request,
      id: 'R-EXTEND22',
      extendsRequestId: t.request.id,
    };
    await t.store.create(extension);
    const { approvalPostedTo } = await t.messenger.announceExtension(extension, t.request, undefined);
    expect(t.adapter.posts.map((p) => p.to)).toEqual([THREAD]);
    expect(approvalPostedTo).toBe(CHANNEL);
    expect((await t.store.listCardCopies(extension.id)).map((c) => c.role)).toEqual(['requester']);
    // Drawn at once as its approvers' copy (nobody has a view of their own).
    expect(t.adapter.updates.map((u) => u.to)).toEqual([THREAD]);
    expect(hasApprove(t.adapter.updates[0].activity)).toBe(true);
  });

  test('a request made in a personal chat has no approvers’ copy: no reminder there, its card stays read-only', async () => {
    const t = await setup({ id: 'a:riley', conversationType: 'personal' });
    await t.messenger.nudgeApprovers(t.request, groupRule, 'remind');
    expect(t.adapter.posts).toEqual([]);
    await t.messenger.requestChanged({ ...t.request, version: t.request.version + 1 });
    expect(hasApprove(t.adapter.updates[0].activity)).toBe(false);
  });
});
