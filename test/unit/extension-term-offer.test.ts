/**
 * The term a reminder's Extend offers (src/domain/extension-terms.ts): the smallest of the
 * default (cut into the range) and the tab's choices that the range allows and that ends well
 * after the current end (an extension's term counts from when it is granted); none when no term
 * would, and then the reminder cards offer no Extend that is bound to be refused.
 */
import { extensionTermToOffer } from '../../src/domain/extension-terms';
import { credentialReminderCard, expiryReminderCard } from '../../src/views/lifecycle-view';
import { HOUR } from './support/fake-clock';
import { DAY, extendOffered, granted, shown } from './support/reminder-lifecycle';
import { secretPlan } from './support/requests';

const NOW = Date.parse('2025-01-15T10:00:00.000Z');
const at = (ms: number) => new Date(NOW + ms).toISOString();

describe('extensionTermToOffer', () => {
  test('the default when it ends well after the current end', () => {
    expect(extensionTermToOffer(8 * HOUR, { minMs: HOUR, maxMs: 90 * DAY }, at(HOUR), NOW)).toBe(8 * HOUR);
  });

  test('a day before the end, an 8h default gives way to the first choice that moves the end by a day (7d)', () => {
    expect(extensionTermToOffer(8 * HOUR, { minMs: HOUR, maxMs: 90 * DAY }, at(DAY - 60_000), NOW)).toBe(7 * DAY);
  });

  test("the rule's longest when the tab's choices are past it", () => {
    expect(extensionTermToOffer(8 * HOUR, { minMs: HOUR, maxMs: 3 * DAY }, at(DAY), NOW)).toBe(3 * DAY);
  });

  test('none when no term allowed ends well after the current end; whole minutes only', () => {
    expect(extensionTermToOffer(8 * HOUR, { minMs: HOUR, maxMs: 12 * HOUR }, at(8 * HOUR), NOW)).toBeUndefined();
    expect(extensionTermToOffer(8 * HOUR, { minMs: 60_000, maxMs: 90_000 }, undefined, NOW)).toBe(60_000);
  });
});

test('the credential reminder offers no Extend, and says so, when no term would do', () => {
  const secret = { ...granted, plan: secretPlan({ expiresAt: '2025-01-24T10:00:00.000Z' }) };
  expect(extendOffered(credentialReminderCard(secret, DAY, '2025-01-24T10:00:00.000Z', undefined))).toBe(false);
  expect(shown(credentialReminderCard(secret, DAY, '2025-01-24T10:00:00.000Z', undefined))).toContain(
    `No extension term allowed here would yet end much later than your access does now`,
  );
  expect(extendOffered(expiryReminderCard(granted, DAY, undefined))).toBe(false);
});
