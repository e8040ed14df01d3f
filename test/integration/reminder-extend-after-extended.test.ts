/**
 * A reminder's Extend carries the access end the reminder was drawn with: clicked after the
 * access was extended some other way (here from chat), it is refused and audited
 * (`extend.extendedSince`), naming the end the access now has, instead of filing a second
 * extension that would ask the approvers again for the day or two between the two ends. A
 * reminder of access not extended since still files its extension.
 */
import { invokeText } from '../helpers/card-views';
import { users } from '../helpers/harness';
import {
  useLifecycleHooks,
  h,
  start,
  grant,
  runDueAfter,
  extendApproved,
  reminderSent,
  DAY,
  MINUTE,
} from '../helpers/lifecycle';
import { clickInThread } from '../helpers/thread-click';

/**
 * The reminder "Access ends in 6 days" (10 days granted, 3 days and a minute on), once sent, and
 * its Extend button's data as Teams sends it back, with the typed inputs.
 */
async function reminderExtend(): Promise<{ activityId: string; data: Record<string, unknown> }> {
  const reminder = await reminderSent('6 days');
  const content = (reminder.activity.attachments as Array<{ content: { actions: object[] } }>)[0].content;
  const extend = content.actions.find((a) => (a as { verb?: string }).verb === 'extend') as {
    data: Record<string, unknown>;
  };
  return { activityId: reminder.activityId, data: { ...extend.data, duration: '7d', reason: 'still deploying' } };
}

const pendingExtensionsOf = async (id: string) =>
  (await h.app.store.listByState(['pending'], 100)).filter((r) => r.extendsRequestId === id);

describe("a reminder's Extend", () => {
  useLifecycleHooks();

  test('clicked after the access was extended from chat is refused, and nothing is filed', async () => {
    await start({ ACRBOT_EXPIRY_REMINDERS: '7d' });
    const granted = await grant(users.requester, 'aks-prod contosoacr --for 10d deploy payments-api');
    await runDueAfter(3 * DAY + MINUTE);
    const { activityId, data } = await reminderExtend();
    expect(data.endsAt).toBe(granted.access?.expiresAt);

    await extendApproved(granted.id, '--for 30d release still running');
    const extendedTo = (await h.app.store.get(granted.id))!.access!.expiresAt!;
    expect(Date.parse(extendedTo)).toBeGreaterThan(Date.parse(granted.access!.expiresAt!));
    await runDueAfter(2 * DAY);

    const res = await clickInThread(h, users.requester, 'extend', data, activityId);
    expect(res.status).toBe(200);
    const answer = invokeText(res);
    expect(answer).toMatch(/was extended after this reminder was posted and now runs until/);
    expect(answer).toContain(`@acrbot extend ${granted.id} --for TERM REASON`);
    await h.app.services.background.drain();
    expect(await pendingExtensionsOf(granted.id)).toEqual([]);
    const refusals = (await h.app.stores.audit.forRequest(granted.id)).filter((e) => e.action === 'extend.refused');
    expect(refusals.map((e) => e.outcome)).toEqual(['extend.extendedSince']);
  });

  test('of access not extended since still files the extension', async () => {
    await start({ ACRBOT_EXPIRY_REMINDERS: '7d' });
    const granted = await grant(users.requester, 'aks-prod contosoacr --for 10d deploy payments-api');
    await runDueAfter(3 * DAY + MINUTE);
    const { activityId, data } = await reminderExtend();
    await runDueAfter(DAY);

    const res = await clickInThread(h, users.requester, 'extend', data, activityId);
    expect(res.status).toBe(200);
    await h.app.services.background.drain();
    expect((await pendingExtensionsOf(granted.id)).map((r) => r.extendsRequestId)).toEqual([granted.id]);
  });
});
