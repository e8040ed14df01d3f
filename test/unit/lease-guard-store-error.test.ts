/**
 * A lease check whose renewal the store fails (no answer, a 503) throws nothing while the lease
 * keeps two thirds of its TTL by the last renewal that succeeded: a write it lets start still has
 * that long before anyone may take the lease. With less left it throws LeaseMarginError (a
 * LeaseLostError, the store's error as cause) without giving the lease up; once that renewal's
 * expiry has passed, the lease is lost (a plain LeaseLostError). So a check throws only
 * LeaseLostError, and a caller can tell a refused check from a lost lease.
 */
import { LeaseLostError, LeaseMarginError } from '../../src/domain/ports';
import { SECOND } from './support/fake-clock';
import { GUARDED_TTL_MS as TTL_MS, leaseGuardWorld } from './support/lease-guard-world';

/** A guard over a memory lease store whose renewals fail while `outage.on`. */
async function setup() {
  const outage = { on: false, failed: 0 };
  const world = await leaseGuardWorld({
    renewing: (renew) => async (lease, ttlMs) => {
      if (outage.on) {
        outage.failed++;
        throw new Error('store: 503 ServerBusy');
      }
      return renew(lease, ttlMs);
    },
  });
  return { ...world, outage };
}

test('a renewal the store fails passes the check while two thirds of the TTL are left; the lease stays held', async () => {
  const { clock, outage, guard } = await setup();
  try {
    outage.on = true;
    clock.advance(10 * SECOND);
    await expect(guard.check()).resolves.toBeUndefined();
    // Exactly the margin left (40 s of 60 s): still passes.
    clock.advance(10 * SECOND);
    await expect(guard.check()).resolves.toBeUndefined();
    expect(outage.failed).toBe(2);
    expect(guard.signal.aborted).toBe(false);
    await expect(guard.stillHeld()).resolves.toBe(true);
    // The store answers again: the next check renews, and the lease is good for a whole TTL.
    outage.on = false;
    await expect(guard.check()).resolves.toBeUndefined();
    clock.advance(TTL_MS / 3);
    outage.on = true;
    await expect(guard.check()).resolves.toBeUndefined();
  } finally {
    await guard.stop();
  }
});

test('with less than two thirds of the TTL left, a renewal the store fails stops the check (LeaseMarginError, the store error as cause) but keeps the lease', async () => {
  const { clock, store, outage, guard } = await setup();
  try {
    outage.on = true;
    // 50 ms short of the margin, and far from expiry: a write starting now could outlast the lease.
    clock.advance(TTL_MS / 3 + 50);
    const err = await guard.check().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LeaseMarginError);
    expect(err).toBeInstanceOf(LeaseLostError);
    expect((err as Error).cause).toEqual(new Error('store: 503 ServerBusy'));
    // Not lost: nobody else may hold it yet, so the outcome may still be written and stop() releases it.
    expect(guard.signal.aborted).toBe(false);
    await expect(store.holder('exec:R1')).resolves.toMatchObject({ owner: 'instance-a' });
    // 10 s before expiry (the check 524b245 passed): still refused.
    clock.advance(TTL_MS / 2);
    await expect(guard.check()).rejects.toBeInstanceOf(LeaseMarginError);
    await expect(guard.stillHeld()).resolves.toBe(true);
    // The store answers again before expiry: the check renews and passes.
    outage.on = false;
    await expect(guard.check()).resolves.toBeUndefined();
  } finally {
    await guard.stop();
  }
});

test('once the last successful renewal expired with every renewal failing, the lease is lost (the store error as cause)', async () => {
  const { clock, outage, guard } = await setup();
  try {
    outage.on = true;
    clock.advance(TTL_MS / 2);
    await expect(guard.check()).rejects.toBeInstanceOf(LeaseMarginError);
    // Past expiry the lease is lost without asking the store again (it renews no lapsed lease).
    clock.advance(TTL_MS / 2);
    const err = await guard.check().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LeaseLostError);
    expect(err).not.toBeInstanceOf(LeaseMarginError);
    expect((err as Error).cause).toEqual(new Error('store: 503 ServerBusy'));
    expect(outage.failed).toBe(1);
    expect(guard.signal.aborted).toBe(true);
    // Lost stays lost, even once the store answers again.
    outage.on = false;
    await expect(guard.check()).rejects.toBeInstanceOf(LeaseLostError);
    await expect(guard.stillHeld()).resolves.toBe(false);
  } finally {
    await guard.stop();
  }
});
