/**
 * The plan of a secret's extension (a rotation: a new credential into the same secret): its
 * credential's expiry. Without a lifetime (a service built without time-boxing) it used to be
 * "now", a credential that expires as it is written; it lives as long as a secret asked for
 * without --expires instead (90 days, capped by ACRBOT_SECRET_MAX_EXPIRY).
 */
import { quietLifecycle } from './support/access-lifecycle';
import { FakeClock, HOUR } from './support/fake-clock';
import { pendingRequest, secretPlan } from './support/requests';

const DAY = 24 * HOUR;

function lifecycle(secretMaxExpiryMs?: number) {
  const clock = new FakeClock('2026-11-30T10:00:00Z');
  return quietLifecycle(clock, {
    settings: secretMaxExpiryMs !== undefined ? { secretMaxExpiryMs } : {},
  });
}

const original = pendingRequest({ id: 'R-AAAAAAAA', state: 'succeeded', plan: secretPlan() });

describe('rotationPlan: the new credential’s expiry', () => {
  test('with the term’s lifetime: now + that lifetime, capped by ACRBOT_SECRET_MAX_EXPIRY', async () => {
    expect((await lifecycle().rotationPlan(original, 31 * DAY)).expiresAt).toBe('2026-12-31T10:00:00.000Z');
    expect((await lifecycle(7 * DAY).rotationPlan(original, 31 * DAY)).expiresAt).toBe('2026-12-07T10:00:00.000Z');
  });

  test('without a lifetime: as a secret asked without --expires (90 days, capped), never "now"', async () => {
    expect((await lifecycle().rotationPlan(original, undefined)).expiresAt).toBe('2027-02-28T10:00:00.000Z');
    expect((await lifecycle(7 * DAY).rotationPlan(original, undefined)).expiresAt).toBe('2026-12-07T10:00:00.000Z');
  });
});
