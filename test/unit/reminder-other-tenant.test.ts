/**
 * A reminder to the requester of another served tenant than acrbot's own (own-tenant.ts), of
 * access an earlier release granted them: every request of theirs is refused now, an extension
 * too, so the reminder goes without Extend, saying why, and its entry says why. A tenant no
 * longer served says only that (it says more: nothing works for them), and acrbot's own tenant's
 * requester, in any case, is offered Extend as before.
 */
import { groupedReminderCard } from '../../src/views/grouped-reminder-view';
import { TENANT } from './support/policy-fixtures';
import { DAY, ENDS, extendOffered, granted, shown } from './support/reminder-lifecycle';
import { OTHER_TENANT, tenantReminderWorld, TWO_ENDING } from './support/tenant-reminder-world';

const SAYS =
  'you are a user of another tenant, so nobody can approve an extension from there and your access cannot be extended here';

describe("a reminder to a requester of another tenant than acrbot's own", () => {
  test('goes without Extend, and its entry says why', async () => {
    expect(granted.tenantId).toBe(TENANT);
    const t = tenantReminderWorld({ ownTenantId: OTHER_TENANT, servedTenantIds: [OTHER_TENANT, TENANT] });
    await t.store.create(granted);
    await t.lifecycle.onReminder(t.job);
    expect(t.news).toEqual([{ kind: 'expiring', inMs: DAY, otherTenant: true }]);
    const [entry] = await t.audit.forRequest(granted.id);
    expect(entry).toMatchObject({ action: 'access.reminded', outcome: 'sent' });
    expect(entry!.detail).toBe(
      `expires ${ENDS}; without Extend: its requester is of another tenant than acrbot's own, whose requests are refused`,
    );
  });

  test('a tenant no longer served says only that', async () => {
    const t = tenantReminderWorld({ ownTenantId: OTHER_TENANT, servedTenantIds: [OTHER_TENANT] });
    await t.store.create(granted);
    await t.lifecycle.onReminder(t.job);
    expect(t.news).toEqual([{ kind: 'expiring', inMs: DAY, notServed: true }]);
  });

  test("acrbot's own tenant (any case), or no own tenant known: Extend as before", async () => {
    for (const own of [TENANT.toUpperCase(), undefined]) {
      const t = tenantReminderWorld({ ownTenantId: own, servedTenantIds: [] });
      await t.store.create(granted);
      await t.lifecycle.onReminder(t.job);
      expect(t.news).toEqual([{ kind: 'expiring', inMs: DAY }]);
      expect((await t.audit.forRequest(granted.id))[0]!.detail).toBe(`expires ${ENDS}`);
    }
  });

  test('the grouped card says why once, with no pause note, no extension to ask for and no tab', () => {
    const told = { since: '2025-02-12T09:30:00.000Z', by: { name: 'Alex Approver' } };
    const card = groupedReminderCard(TWO_ENDING, 2, told, false, true);
    const text = shown(card);
    expect(extendOffered(card)).toBe(false);
    expect(text.split(SAYS)).toHaveLength(2);
    expect(text).toContain('with a guest account');
    expect(text).toContain('No Extend.');
    expect(text).not.toContain('ask for an extension');
    expect(text).not.toContain('paused');
    expect(text).not.toContain('My access tab');
    expect(text).toContain('2 more of your accesses end soon.');
  });
});
