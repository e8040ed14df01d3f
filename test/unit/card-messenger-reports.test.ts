/**
 * Problems reported to the approvers (CardMessenger.reportToApprovers). One that concerns no
 * request (a recurring job such as drift.check or audit.anchor that keeps failing) goes to
 * ACRBOT_APPROVAL_CHANNEL, with the service URL and tenant of an earlier card; without that
 * setting nowhere but the log: never a conversation guessed from an old card.
 */
import type { CloudAdapter } from 'botbuilder';
import { CardMessenger } from '../../src/bot/card-messenger';
import type { CardCopy } from '../../src/domain/ports';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { LogCapture } from '../helpers/log-capture';
import { pendingRequest } from './support/requests';
import { RecordingAdapter } from './support/recording-adapter';

const REPORT = 'The background job drift.check is not done after 3 attempts (last answer: 403).';

async function setup(approvalChannelId: string | undefined, copies: Array<Pick<CardCopy, 'role' | 'conversation'>>) {
  const adapter = new RecordingAdapter();
  const store = new MemoryRequestStore();
  const logs = new LogCapture();
  const request = pendingRequest();
  await store.create(request);
  for (const [i, copy] of copies.entries())
    await store.addCardCopy({ ...copy, requestId: request.id, activityId: `act-${i}` });
  const messenger = new CardMessenger(adapter as unknown as CloudAdapter, 'app-1', store, logs.logger(), undefined, {
    approvalChannelId,
    defaultAccessMs: 86_400_000,
    sandbox: true,
  });
  return { adapter, messenger, logs };
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
