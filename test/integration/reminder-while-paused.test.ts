/**
 * The reminder before access ends, sent while new access is paused, through the real app: no
 * Extend (the extension would be refused) and who paused it, never why; once an approver has
 * resumed new access, the next reminder offers Extend again.
 */
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import { advance, grant, h, MINUTE, reminderSent, scheduleOf, start, useLifecycleHooks } from '../helpers/lifecycle';

describe('reminders while new access is paused', () => {
  useLifecycleHooks();

  test('a reminder sent while paused has no Extend; one sent after the pause has', async () => {
    await start({ ACRBOT_EXPIRY_REMINDERS: '2m,10m' });
    const request = await grant(users.requester, 'aks-prod contosoacr --for 15m deploy payments-api');
    expect(await scheduleOf(request.id)).toEqual(
      expect.arrayContaining([`access.remind:${request.id}:600000`, `access.remind:${request.id}:120000`]),
    );
    await h.say(users.approver, 'pause unexpected grants on prod, investigating');
    expect(await h.app.services.pauses.current()).toBeDefined();

    advance(6 * MINUTE);
    await h.app.scheduler.runDue();
    const paused = await reminderSent('9 minutes');
    const pausedCard = JSON.stringify(paused.activity);
    expect(pausedCard).not.toContain('"verb":"extend"');
    expect(pausedCard).not.toContain('"id":"duration"');
    expect(cardText(paused.activity)).toContain(
      'by Alex Approver, so nothing can be requested or extended until an approver resumes it.',
    );
    expect(cardText(paused.activity)).toContain(`"@acrbot extend ${request.id} REASON…"`);
    expect(pausedCard).not.toContain('investigating');

    const lifted = await h.app.services.pauses.current();
    await h.click(users.approver, 'resumeConfirm', { since: lifted!.since, by: lifted!.by.objectId, reason: '' });
    expect(await h.app.services.pauses.current()).toBeUndefined();
    advance(8 * MINUTE);
    await h.app.scheduler.runDue();
    const open = await reminderSent('1 minute');
    expect(JSON.stringify(open.activity)).toContain('"verb":"extend"');
  });
});
