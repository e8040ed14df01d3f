/**
 * Posts that go to several channels (an escalation: the rule's channel and the escalation
 * channel): one channel that refuses (acrbot removed from it) neither stops the other nor makes
 * a retry post again where it went out. Only when no channel took it does the caller's job fail;
 * unless every channel refused it for good (403/404: acrbot removed from them), which no retry
 * mends: then the nudge says so (`'refused'`, one error naming them) for its job to audit it.
 */
import type { CloudAdapter } from 'botbuilder';
import { CardMessenger } from '../../src/bot/card-messenger';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { LogCapture } from '../helpers/log-capture';
import { rule } from './support/policy-fixtures';
import { RefusingAdapter } from './support/refusing-adapter';
import { pendingRequest } from './support/requests';

async function setup() {
  const adapter = new RefusingAdapter();
  const store = new MemoryRequestStore();
  const logs = new LogCapture();
  const request = pendingRequest();
  await store.create(request);
  await store.addCardCopy({
    requestId: request.id,
    activityId: 'act-1',
    role: 'requester',
    conversation: { serviceUrl: 'https://smba.example/emea/', conversation: { id: 'a:riley', tenantId: 't' } },
  });
  const messenger = new CardMessenger(adapter as unknown as CloudAdapter, 'app-1', store, logs.logger());
  const escalating = rule('prod', {
    channel: '19:prod@thread.tacv2',
    escalateTo: { channel: '19:escalation@thread.tacv2', groups: [] },
  });
  return { adapter, messenger, logs, request, escalating };
}

describe('a post to several channels', () => {
  test('one channel refusing: the other gets it, the call succeeds (no retry posts again), the refusal is logged', async () => {
    const t = await setup();
    t.adapter.refusing.add('19:escalation@thread.tacv2');
    await expect(t.messenger.nudgeApprovers(t.request, t.escalating, 'escalate')).resolves.toBeUndefined();
    expect(t.adapter.posts).toEqual(['19:prod@thread.tacv2']);
    expect(t.logs.entries().map((e) => e.msg)).toContain('the escalation could not be posted in one of its channels');
  });

  test('every channel failing (503): the call fails, so the job is retried; the failures it does not throw are logged', async () => {
    const t = await setup();
    t.adapter.status = 503;
    t.adapter.refusing.add('19:escalation@thread.tacv2');
    t.adapter.refusing.add('19:prod@thread.tacv2');
    await expect(t.messenger.nudgeApprovers(t.request, t.escalating, 'escalate')).rejects.toThrow(
      'BotNotInConversationRoster',
    );
    expect(t.adapter.posts).toEqual([]);
    // Two channels refused: one failure is thrown (its catcher logs it), the other logged here.
    expect(
      t.logs.entries().filter((e) => e.msg === 'the escalation could not be posted in one of its channels'),
    ).toHaveLength(1);
  });

  test.each([403, 404])(
    'every channel refusing for good (%i): resolves refused, one error naming the channels, nothing thrown',
    async (status) => {
      const t = await setup();
      t.adapter.status = status;
      t.adapter.refusing.add('19:escalation@thread.tacv2');
      t.adapter.refusing.add('19:prod@thread.tacv2');
      await expect(t.messenger.nudgeApprovers(t.request, t.escalating, 'escalate')).resolves.toBe('refused');
      expect(t.adapter.posts).toEqual([]);
      const logged = t.logs.entries().filter((e) => Number(e.level) >= 40);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({
        level: 50,
        msg: 'Teams refused an approval nudge in every channel (acrbot is not in them): add acrbot back or change the channels',
        requestId: t.request.id,
        kind: 'escalate',
      });
      expect((logged[0]!.conversations as string[]).map((c) => c.split(';')[0]).sort()).toEqual([
        '19:escalation@thread.tacv2',
        '19:prod@thread.tacv2',
      ]);
    },
  );
});
