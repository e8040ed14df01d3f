/**
 * Problems reported to the approvers (CardMessenger.reportToApprovers). One that concerns no
 * request (a recurring job such as drift.check or audit.anchor that keeps failing) goes to
 * ACRBOT_APPROVAL_CHANNEL, with the service URL and tenant of an earlier card; without that
 * setting nowhere but the log: never a conversation guessed from an old card. One of a request
 * goes where its approvers are asked, as its nudges and break-glass alerts do: its rule's
 * channel, then ACRBOT_APPROVAL_CHANNEL, then the conversation of its approvers' copy.
 */
import type { CloudAdapter } from 'botbuilder';
import { CardMessenger } from '../../src/bot/card-messenger';
import type { CardCopy } from '../../src/domain/ports';
import type { AccessRequest } from '../../src/domain/request';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { LogCapture } from '../helpers/log-capture';
import { rule } from './support/policy-fixtures';
import { jobInWords } from '../../src/composition/scheduler';
import { pendingRequest, REQUESTER } from './support/requests';
import { postedTo, RecordingAdapter } from './support/recording-adapter';

const REPORT = 'The background job drift.check is not done after 3 attempts (last answer: 403).';

async function setup(
  approvalChannelId: string | undefined,
  copies: Array<Pick<CardCopy, 'role' | 'conversation'>>,
  request: AccessRequest = pendingRequest(),
) {
  const adapter = new RecordingAdapter();
  const store = new MemoryRequestStore();
  const logs = new LogCapture();
  await store.create(request);
  for (const [i, copy] of copies.entries())
    await store.addCardCopy({ ...copy, requestId: request.id, activityId: `act-${i}` });
  const messenger = new CardMessenger(adapter as unknown as CloudAdapter, 'app-1', store, logs.logger(), undefined, {
    approvalChannelId,
    defaultAccessMs: 86_400_000,
    sandbox: true,
  });
  return { adapter, messenger, logs, request, store };
}

const conversation = (id: string) => ({
  serviceUrl: 'https://smba.example/emea/',
  conversation: { id, tenantId: 'tenant-1' },
});

describe('a problem that concerns no request', () => {
  test('goes to ACRBOT_APPROVAL_CHANNEL with the service URL and tenant of an earlier card (any card of the tenant)', async () => {
    const t = await setup('19:approvals@thread.tacv2', [{ role: 'requester', conversation: conversation('a:riley') }]);
    await t.messenger.reportToApprovers(undefined, REPORT);
    expect(t.adapter.posts).toHaveLength(1);
    expect(t.adapter.posts[0].reference).toMatchObject({
      serviceUrl: 'https://smba.example/emea/',
      conversation: { id: '19:approvals@thread.tacv2', tenantId: 'tenant-1', conversationType: 'channel' },
    });
    const card = JSON.stringify(t.adapter.posts[0].activity);
    expect(card).toContain('drift.check is not done after 3 attempts');
    // In sandbox mode every card says so, this one too.
    expect(card).toContain('"text":"SANDBOX"');
  });

  test('takes the newest card of a state, not the oldest (an old one may carry a service URL Teams left)', async () => {
    const t = await setup('19:approvals@thread.tacv2', [{ role: 'requester', conversation: conversation('a:riley') }]);
    const newer = pendingRequest({ id: 'R-NEWER234', createdAt: '2026-11-30T09:00:00.000Z' });
    await t.store.create(newer);
    await t.store.addCardCopy({
      role: 'requester',
      conversation: { serviceUrl: 'https://smba.example/amer/', conversation: { id: 'a:sam', tenantId: 'tenant-1' } },
      requestId: newer.id,
      activityId: 'act-new',
    });
    await t.messenger.reportToApprovers(undefined, REPORT);
    expect(t.adapter.posts.map((p) => p.reference.serviceUrl)).toEqual(['https://smba.example/amer/']);
  });

  test('without ACRBOT_APPROVAL_CHANNEL nowhere (logged): acrbot does not guess a channel from an old card’s conversation', async () => {
    const t = await setup(undefined, [
      { role: 'requester', conversation: conversation('a:riley') },
      { role: 'approver', conversation: conversation('19:general@thread.tacv2;messageid=1') },
    ]);
    await t.messenger.reportToApprovers(undefined, REPORT);
    expect(t.adapter.posts).toEqual([]);
    expect(t.logs.entries().map((e) => e.msg)).toContain('no conversation to report a problem to approvers');
  });

  test('with no card anywhere yet, nowhere (logged)', async () => {
    const t = await setup('19:approvals@thread.tacv2', []);
    await t.messenger.reportToApprovers(undefined, REPORT);
    expect(t.adapter.posts).toEqual([]);
    expect(t.logs.entries().map((e) => e.msg)).toContain('no conversation to report a problem to approvers');
  });
});

describe('a problem of a request (a revocation that keeps failing)', () => {
  const REVOKING = 'Revoking the access is not done after 3 attempts.';
  const GENERAL = '19:general-approvals@thread.tacv2';
  const withRule = (channel: string | undefined) => {
    const prod = rule('prod', { channel });
    return pendingRequest({ policy: { ruleId: prod.id, policyHash: 'h', approvalsRequired: 1, rule: prod } });
  };
  const copies: Array<Pick<CardCopy, 'role' | 'conversation'>> = [
    { role: 'requester', conversation: conversation('a:riley') },
    { role: 'approver', conversation: conversation('19:prod@thread.tacv2') },
  ];

  test('goes to its rule’s channel, not the general ACRBOT_APPROVAL_CHANNEL', async () => {
    const t = await setup(GENERAL, copies, withRule('19:prod@thread.tacv2'));
    await t.messenger.reportToApprovers(t.request, REVOKING);
    expect(postedTo(t.adapter)).toEqual(['19:prod@thread.tacv2']);
    expect(t.adapter.posts[0].reference).toMatchObject({ serviceUrl: 'https://smba.example/emea/' });
  });

  test('its rule without a channel: ACRBOT_APPROVAL_CHANNEL; neither: where its approvers’ copy is', async () => {
    const general = await setup(GENERAL, copies, withRule(undefined));
    await general.messenger.reportToApprovers(general.request, REVOKING);
    expect(postedTo(general.adapter)).toEqual([GENERAL]);
    const bare = await setup(undefined, copies, withRule(undefined));
    await bare.messenger.reportToApprovers(bare.request, REVOKING);
    expect(postedTo(bare.adapter)).toEqual(['19:prod@thread.tacv2']);
  });
});

describe('a problem with nowhere to go', () => {
  test('is logged by its ids and title, not its text (a reminder’s names the requester)', async () => {
    // A request without any card yet, and no ACRBOT_APPROVAL_CHANNEL: nowhere to post.
    const t = await setup(undefined, []);
    const job = { id: 'job-remind-1', kind: 'access.remind' as const, requestId: t.request.id };
    const words = jobInWords(job, t.request, '403');
    expect(words.what).toContain(REQUESTER.name);
    await t.messenger.reportToApprovers(
      t.request,
      `${words.what} is not done after 3 attempts (last answer: 403).${words.meanwhile}`,
    );
    expect(t.adapter.posts).toEqual([]);
    const line = t.logs.entries().find((e) => e.msg === 'no conversation to report a problem to approvers');
    expect(line).toMatchObject({ level: 50, requestId: t.request.id, title: `Needs attention: ${t.request.id}` });
    expect(t.logs.lines.join('\n')).not.toContain(REQUESTER.name);
  });
});
