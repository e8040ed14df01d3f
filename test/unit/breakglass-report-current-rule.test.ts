/**
 * The daily report of an owed break-glass review, with no break-glass or audit channel, falls
 * back to the channel of the rule whose approvers review it now (CardMessenger.ruleOf, wired to
 * RequestService.ruleOf): after a reload removed the request's rule, that is the current rule
 * that fits it (decidedRule), not the removed rule whose channel is stored with the request, so
 * the new reviewers are told. A recording adapter and the real CardMessenger and RequestService.
 */
import type { CloudAdapter } from 'botbuilder';
import { CardMessenger } from '../../src/bot/card-messenger';
import type { Policy } from '../../src/domain/policy';
import { MemoryPauseStore } from '../../src/integrations/store/memory-pause-store';
import { LogCapture } from '../helpers/log-capture';
import { reloadableBreakGlassService } from './support/break-glass-service';
import { policy, rule, SAM } from './support/policy-fixtures';
import { postedTo, RecordingAdapter } from './support/recording-adapter';

/** `rules` without a break-glass channel (the fallback is what is tested). */
const noBreakGlassChannel = (p: Policy): Policy => ({ ...p, breakGlass: { ...p.breakGlass!, channel: undefined } });

test('rule removed by a reload: the report goes to the channel of the rule that now reviews it', async () => {
  const t = reloadableBreakGlassService(
    noBreakGlassChannel(policy([rule('prod', { channel: '19:prod-team@thread.tacv2' })])),
    { pauses: new MemoryPauseStore() },
  );
  const adapter = new RecordingAdapter();
  const messenger = new CardMessenger(
    adapter as unknown as CloudAdapter,
    'app-1',
    t.store,
    new LogCapture().logger(),
    undefined,
    undefined,
  );
  messenger.ruleOf = (request) => t.service.ruleOf(request);
  const request = await t.breakGlass();
  // A channel is reached through the service URL of a conversation the request was seen in.
  await t.store.addCardCopy({
    requestId: request.id,
    activityId: 'act-requester',
    role: 'requester',
    conversation: {
      serviceUrl: 'https://smba.example/emea/',
      conversation: { id: '19:general@thread.tacv2;messageid=1', tenantId: 't' },
    },
  });

  t.reload(
    noBreakGlassChannel(
      policy(
        [rule('default', { approvers: { users: [SAM.objectId], groups: [] }, channel: '19:sams-team@thread.tacv2' })],
        'hash-2',
      ),
    ),
  );
  const stored = (await t.store.get(request.id))!;
  expect(stored.policy?.rule?.channel).toBe('19:prod-team@thread.tacv2');
  expect(t.service.ruleOf(stored)?.id).toBe('default');

  await expect(messenger.breakGlassUnreviewed(stored)).resolves.toBe(true);
  expect(postedTo(adapter)).toEqual(['19:sams-team@thread.tacv2']);
});
