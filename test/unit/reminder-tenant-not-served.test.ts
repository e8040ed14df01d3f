/**
 * A reminder to the requester of a tenant this deployment no longer serves (ACRBOT_ALLOWED_TENANTS):
 * every turn of theirs is refused ("not enabled for your organisation"), so an Extend would be a
 * button whose click is refused. The reminder still goes (the access ends all the same), without
 * Extend, saying why, and its audit entry says it went without Extend and why.
 */
import { credentialReminderCard, expiryReminderCard } from '../../src/views/lifecycle-view';
import { groupedReminderCard } from '../../src/views/grouped-reminder-view';
import { TENANT } from './support/policy-fixtures';
import { DAY, ENDS, extendOffered, granted, shown } from './support/reminder-lifecycle';
import { secretPlan } from './support/requests';
import { OTHER_TENANT, tenantReminderWorld, TWO_ENDING } from './support/tenant-reminder-world';

const SAYS = 'This acrbot no longer serves your organisation (tenant), so nothing can be extended or asked for here.';

describe('a reminder to a requester of a tenant no longer served', () => {
  test('goes without Extend, and its entry says why', async () => {
    expect(granted.tenantId).toBe(TENANT);
    const t = tenantReminderWorld({ servedTenantIds: [OTHER_TENANT] });
    await t.store.create(granted);
    await t.lifecycle.onReminder(t.job);
    expect(t.news).toEqual([{ kind: 'expiring', inMs: DAY, notServed: true }]);
    const [entry] = await t.audit.forRequest(granted.id);
    expect(entry).toMatchObject({ action: 'access.reminded', outcome: 'sent' });
    expect(entry!.detail).toBe(
      `expires ${ENDS}; without Extend: its tenant is no longer served (ACRBOT_ALLOWED_TENANTS)`,
    );
  });

  test('a tenant still served (any case), or none listed: Extend as before', async () => {
    for (const served of [[OTHER_TENANT, TENANT.toUpperCase()], []]) {
      const t = tenantReminderWorld({ servedTenantIds: served });
      await t.store.create(granted);
      await t.lifecycle.onReminder(t.job);
      expect(t.news).toEqual([{ kind: 'expiring', inMs: DAY }]);
      expect((await t.audit.forRequest(granted.id))[0]!.detail).toBe(`expires ${ENDS}`);
    }
  });

  test('the cards: no Extend and no duration input, and they say why', () => {
    const single = shown(expiryReminderCard(granted, DAY, 30 * DAY, undefined, undefined, true));
    expect(extendOffered(JSON.parse(single))).toBe(false);
    expect(single).toContain(SAYS);
    expect(single).not.toContain('"id":"duration"');

    const secret = { ...granted, plan: secretPlan({ expiresAt: '2025-01-24T10:00:00.000Z' }) };
    const credential = shown(
      credentialReminderCard(secret, DAY, '2025-01-24T10:00:00.000Z', 30 * DAY, undefined, undefined, true),
    );
    expect(extendOffered(JSON.parse(credential))).toBe(false);
    expect(credential).toContain(SAYS);

    const grouped = groupedReminderCard(TWO_ENDING, 0, undefined, true);
    expect(extendOffered(grouped)).toBe(false);
    expect(shown(grouped)).toContain(SAYS);
    expect(shown(grouped)).not.toContain('ask for an extension');
  });

  test('the grouped card does not contradict itself: no way on offered, no pause note, no My access tab', () => {
    const told = { since: '2025-02-12T09:30:00.000Z', by: { name: 'Alex Approver' } };
    const grouped = shown(groupedReminderCard(TWO_ENDING, 2, told, true));
    expect(grouped).toContain(SAYS);
    expect(grouped).not.toContain('ask for an extension');
    expect(grouped).not.toContain('paused');
    expect(grouped).not.toContain('My access tab');
    expect(grouped).toContain('2 more of your accesses end soon.');
    // Each row says only that it has no Extend: the note says why once.
    expect(grouped.match(/no longer serves/g)).toHaveLength(1);
    expect(grouped).toContain('No Extend.');
  });
});
