/**
 * G17 across instances: an extended grant's two end jobs (the original's, moved to the
 * extension's end, and the extension's, which revokes the original) run on two instances at the
 * same moment. The one that finds the other's revocation holding the access lease has not
 * failed: no error line, no attempt counted; the access ends once, with one notice.
 */
import { cardText } from '../helpers/capturing-connector';
import { grantApproved } from '../helpers/grant-approved';
import { users } from '../helpers/harness';
import { twoInstancesOnOneStore } from '../helpers/two-instances';

const MINUTE = 60_000;

test('the end jobs of an extended grant on two instances at once: one revocation, one notice, no failure', async () => {
  let now = new Date('2026-11-30T10:00:00Z');
  const clock = { now: () => now };
  const { first, second, connector, stop } = await twoInstancesOnOneStore(
    'acrbot-extension-end-',
    { ACRBOT_MIN_ACCESS_DURATION: '1m', ACRBOT_EXPIRY_REMINDERS: 'none' },
    { clock, jobBackoffMs: [MINUTE, MINUTE] },
  );
  try {
    const request = await grantApproved(first, 'aks-prod contosoacr --for 5m deploy payments-api');
    connector.clear();
    await first.say(users.requester, `extend ${request.id} --for 1h release still running`);
    const card = await connector.waitFor(
      (c) => c.op !== 'update' && /Extends/.test(cardText(c.activity)) && cardText(c.activity).includes(request.id),
      5000,
      'extension plan card',
    );
    const extensionId = [...cardText(card.activity).matchAll(/R-[2-9A-HJKMNP-TV-Z]{8}/g)]
      .map((m) => m[0])
      .find((id) => id !== request.id)!;
    await first.click(users.approver, 'approve', { requestId: extensionId });
    expect((await first.settle(extensionId)).state).toBe('succeeded');
    now = new Date(now.getTime() + 61 * MINUTE);
    connector.clear();

    // The first instance's end job of the original is deleting the assignment when the second
    // instance runs the extension's end job.
    const audit = first.app.audit;
    const append = audit.append.bind(audit);
    let met = false;
    audit.append = async (event) => {
      if (!met && event.requestId === request.id && event.action === 'access.revoke.roleAssignment') {
        met = true;
        expect(await second.app.scheduler.runNow(`access.expire:${extensionId}`)).toBe(true);
      }
      return append(event);
    };
    try {
      expect(await first.app.scheduler.runNow(`access.expire:${request.id}`)).toBe(true);
    } finally {
      audit.append = append;
    }
    expect(met).toBe(true);
    await first.app.services.background.drain();
    await second.app.services.background.drain();

    for (const h of [first, second]) expect(h.logs.entries().filter((e) => (e.level as number) >= 50)).toEqual([]);
    expect(second.logs.entries().filter((e) => /^scheduled job found its work under way/.test(String(e.msg)))).toEqual([
      expect.objectContaining({ level: 30, jobId: `access.expire:${extensionId}` }),
    ]);
    // Not counted (the revocation that ended the extension with its original may have removed it already).
    expect((await second.app.stores.schedule.get(`access.expire:${extensionId}`))?.attempts ?? 0).toBe(0);
    expect((await first.app.store.get(request.id))!.state).toBe('revoked');
    expect((await first.app.store.get(extensionId))!.state).toBe('revoked');

    // The next sweeps find the access ended and told: the jobs are gone, nothing more is said.
    now = new Date(now.getTime() + MINUTE);
    for (const h of [second, first]) {
      await h.app.scheduler.runDue();
      await h.app.services.background.drain();
    }
    for (const id of [request.id, extensionId])
      expect(await second.app.stores.schedule.get(`access.expire:${id}`)).toBeUndefined();
    for (const h of [first, second]) expect(h.logs.entries().filter((e) => (e.level as number) >= 50)).toEqual([]);
    const notices = connector.calls.filter(
      (c) => c.op !== 'update' && /Expired and revoked/.test(cardText(c.activity)),
    );
    expect(notices).toHaveLength(1);
  } finally {
    await stop();
  }
});
