/**
 * The reminder before access ends, sent while an extension of the access waits for approval,
 * through the real app: no Extend (a second extension would be refused as already waiting) and
 * the waiting extension named; once it is withdrawn, the next reminder offers Extend again.
 */
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import {
  grant,
  h,
  MINUTE,
  reminderSent,
  requestExtension,
  runDueAfter,
  start,
  useLifecycleHooks,
} from '../helpers/lifecycle';

describe('reminders while an extension waits for approval', () => {
  useLifecycleHooks();

  test('a reminder sent while an extension waits names it and has no Extend; one sent after has Extend', async () => {
    await start({ ACRBOT_EXPIRY_REMINDERS: '1d,2h' });
    const request = await grant(users.requester, 'aks-prod contosoacr --for 2d deploy payments-api');
    await runDueAfter(12 * 60 * MINUTE);
    const extensionId = await requestExtension(request.id, '--for 30d still needed');
    expect((await h.app.store.get(extensionId))!.state).toBe('pending');

    h.connector.clear();
    await runDueAfter(12 * 60 * MINUTE + MINUTE);
    const waiting = await reminderSent('23 hours');
    const waitingCard = JSON.stringify(waiting.activity);
    expect(waitingCard).not.toContain('"verb":"extend"');
    expect(waitingCard).not.toContain('"id":"duration"');
    expect(cardText(waiting.activity)).toContain(
      `Extension ${extensionId} waits for approval; if it is approved, the end moves.`,
    );
    const reminded = (await h.app.audit.forRequest(request.id)).filter((e) => e.action === 'access.reminded');
    expect(reminded.at(-1)?.detail).toContain(`without Extend: extension ${extensionId} waits for approval`);

    // Withdrawn: nothing waits any more, so the next reminder offers Extend again.
    await h.say(users.requester, `cancel ${extensionId}`);
    expect((await h.app.store.get(extensionId))!.state).not.toBe('pending');
    h.connector.clear();
    await runDueAfter(22 * 60 * MINUTE);
    const open = await reminderSent('1 hour');
    expect(JSON.stringify(open.activity)).toContain('"verb":"extend"');
    expect(cardText(open.activity)).not.toContain('waits for approval');
  });
});
