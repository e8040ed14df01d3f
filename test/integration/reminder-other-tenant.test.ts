/**
 * The expiry reminder of a grant an earlier release made for a requester of another allowed
 * tenant than acrbot's own (own-tenant.ts), through the real app: every request of theirs is
 * refused now, an extension too, so the reminder still comes (the grant ends all the same) but
 * offers no Extend, saying why and what to do instead, and its audit entry says why it went without.
 */
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import { advance, grant, h, MINUTE, reminderSent, start, useLifecycleHooks } from '../helpers/lifecycle';
import { recordedForTenantB, SERVING_TENANT_B } from '../helpers/tenant-b';

describe("the reminder of a grant of another tenant than acrbot's own", () => {
  useLifecycleHooks();

  test('comes without Extend, saying why, and its entry says so', async () => {
    await start({ ACRBOT_EXPIRY_REMINDERS: '10m', ...SERVING_TENANT_B });
    const made = await grant(users.requester, 'aks-prod contosoacr --for 30m deploy payments-api');
    // As an earlier release recorded it: tenant B's requester (auto-approved or break-glass then).
    await recordedForTenantB(h, made);

    // 21 minutes in: the reminder, due 10 minutes before the end, has come.
    advance(21 * MINUTE);
    await h.app.scheduler.runDue();
    const reminder = await reminderSent('9 minutes');
    const card = JSON.stringify(reminder.activity);
    expect(card).not.toContain('"verb":"extend"');
    expect(card).not.toContain('"id":"duration"');
    const text = cardText(reminder.activity);
    expect(text).toContain('and is then revoked automatically');
    expect(text).toContain(
      'you are a user of another tenant, so nobody can approve an extension from there and your access cannot be extended here',
    );
    expect(text).toContain('with a guest account');
    expect(text).not.toContain('ask for an extension');
    const reminded = (await h.app.audit.forRequest(made.id)).find((e) => e.action === 'access.reminded');
    expect(reminded?.detail).toMatch(/; without Extend: its requester is of another tenant than acrbot's own/);
  });

  test("acrbot's own tenant's requester is offered Extend as before", async () => {
    await start({ ACRBOT_EXPIRY_REMINDERS: '10m', ...SERVING_TENANT_B });
    await grant(users.requester, 'aks-prod contosoacr --for 30m deploy payments-api');
    advance(21 * MINUTE);
    await h.app.scheduler.runDue();
    expect(JSON.stringify((await reminderSent('9 minutes')).activity)).toContain('"verb":"extend"');
  });
});
