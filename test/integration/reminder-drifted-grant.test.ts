/**
 * The reminder before a grant ends, when its role assignment was removed outside acrbot (drift),
 * through the real app: it still comes (the end comes all the same), offers no Extend (which
 * would be refused, extend.drifted), and says what happened and to ask for the access again.
 */
import { LISTING_LAG_GRACE_MS } from '../../src/domain/listing-lag';
import type { GrantPlan } from '../../src/domain/plan';
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import { advance, grant, h, MINUTE, reminderSent, start, useLifecycleHooks } from '../helpers/lifecycle';

describe('the reminder of a grant removed outside acrbot', () => {
  useLifecycleHooks();

  test('comes without Extend, saying the assignment was removed and to ask for the access again', async () => {
    await start({ ACRBOT_EXPIRY_REMINDERS: '10m' });
    const request = await grant(users.requester, 'aks-prod contosoacr --for 30m deploy payments-api');
    // Someone deletes acrbot's assignment in the portal, and the drift check sees it once Azure's
    // listing has had time to show the grant (before, its absence is no drift: listing-lag.ts).
    expect(h.app.sandbox!.arm.state.roleAssignments.delete((request.plan as GrantPlan).roleAssignmentName)).toBe(true);
    advance(LISTING_LAG_GRACE_MS);
    expect((await h.app.services.drift.sweep()).map((r) => r.id)).toEqual([request.id]);

    // 21 minutes in: the reminder, due 10 minutes before the end, has come.
    advance(21 * MINUTE - LISTING_LAG_GRACE_MS);
    await h.app.scheduler.runDue();
    const reminder = await reminderSent('9 minutes');
    const card = JSON.stringify(reminder.activity);
    expect(card).not.toContain('"verb":"extend"');
    expect(card).not.toContain('"id":"duration"');
    const text = cardText(reminder.activity);
    expect(text).toMatch(
      new RegExp(
        `The role assignment of ${request.id} was removed or changed outside acrbot \\(seen [^)]+\\), and acrbot does not re-create it`,
      ),
    );
    expect(text).toContain('ask for the access again with "@acrbot grant aks-prod contosoacr REASON…"');
    expect(text).not.toContain('Your access');
    const reminded = (await h.app.audit.forRequest(request.id)).find((e) => e.action === 'access.reminded');
    expect(reminded?.detail).toMatch(/; without Extend: removed outside acrbot \(seen /);
  });
});
