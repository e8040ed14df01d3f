/**
 * A reminder is acrbot's own record until the end it warns of (src/bot/own-cards.ts): Extend
 * clicked days after the reminder was posted, after the store's purge has run, still turns that
 * reminder into the extension's card. Before, the record rode on the redelivery sightings, which
 * the purge forgot after a day whatever each was kept for: the default 7-day reminder then posted
 * the extension's card below itself, and the reminder stayed as a copy that no longer changes.
 */
import { STORE_PURGE_JOB_ID } from '../../src/flows/store-purge';
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import { useLifecycleHooks, h, start, grant, runDueAfter, now, DAY, MINUTE } from '../helpers/lifecycle';
import { clickInThread } from '../helpers/thread-click';

describe("a reminder's Extend days after it was posted", () => {
  useLifecycleHooks();

  test('takes the reminder over in place after the purge ran', async () => {
    await start({ ACRBOT_EXPIRY_REMINDERS: '3d', ACRBOT_DIALOG_TTL: '1h' });
    const granted = await grant(users.requester, 'aks-prod contosoacr --for 7d deploy payments-api');
    await runDueAfter(4 * DAY + MINUTE);
    const reminder = h.connector.calls.find((c) => c.op !== 'update' && /Access ends in/.test(cardText(c.activity)));
    expect(reminder).toBeDefined();
    const remindedAt = now.getTime();

    // Two days on: the purge has run since (it recurs every dialog TTL), forgetting day-old sightings.
    await runDueAfter(2 * DAY);
    const purge = await h.app.stores.schedule.get(STORE_PURGE_JOB_ID);
    expect(Date.parse(purge!.dueAt)).toBeGreaterThan(remindedAt + DAY);
    const res = await clickInThread(
      h,
      users.requester,
      'extend',
      { requestId: granted.id, duration: '7d', reason: 'still deploying payments' },
      reminder!.activityId,
    );
    expect(res.status).toBe(200);
    expect(cardText({ attachments: [{ content: res.body.value }] })).not.toMatch(/does not change/);
    await h.app.services.background.drain();
    const extension = (await h.app.store.listByState(['pending'], 100)).find((r) => r.extendsRequestId === granted.id);
    expect(extension).toBeDefined();
    const copies = await h.app.store.listCardCopies(extension!.id);
    expect(copies.find((c) => c.role === 'requester')?.activityId).toBe(reminder!.activityId);
  });
});
