import type { Lease } from '../../src/domain/ports';
import { LeaseLostError } from '../../src/domain/ports';
import { LeaseGuard } from '../../src/flows/lease-guard';
import { MemoryLeaseStore } from '../../src/integrations/store/memory-coordination';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, SECOND } from './support/fake-clock';
import { GUARDED_TTL_MS as TTL_MS, leaseGuardWorld } from './support/lease-guard-world';

/** A guard whose store counts renewals (each one is a store write in SQLite and Tables). */
async function setup() {
  const renewals: Lease[] = [];
  const world = await leaseGuardWorld({
    renewing: (renew) => async (lease, ttlMs) => {
      renewals.push(lease);
      return renew(lease, ttlMs);
    },
  });
  return { ...world, renewals };
}

describe('LeaseGuard.check (the fence before each write of a run)', () => {
  test('checks soon after a renewal trust it; a check after a tenth of the TTL renews', async () => {
    const { clock, renewals, guard } = await setup();
    try {
      await guard.check();
      clock.advance(SECOND);
      await guard.check();
      expect(renewals).toHaveLength(0);
      clock.advance(6 * SECOND);
      await guard.check();
      expect(renewals).toHaveLength(1);
      await guard.check();
      expect(renewals).toHaveLength(1);
    } finally {
      await guard.stop();
    }
  });

  test('a holder whose lease expired and was taken over stops at its next check', async () => {
    const { clock, store, guard } = await setup();
    try {
      clock.advance(TTL_MS + SECOND);
      expect(await store.acquire('exec:R1', 'instance-b', TTL_MS)).toMatchObject({ owner: 'instance-b', fence: 2 });
      await expect(guard.check()).rejects.toBeInstanceOf(LeaseLostError);
      // Lost stays lost, without asking the store again.
      await expect(guard.check()).rejects.toBeInstanceOf(LeaseLostError);
    } finally {
      await guard.stop();
    }
    // The new holder's lease is untouched by the stale holder's stop.
    expect(await store.acquire('exec:R1', 'instance-c', TTL_MS)).toBeUndefined();
  });

  test('a holder frozen past its expiry stops at its next check though nobody took the lease: a waiter may have read it free', async () => {
    const { clock, store, renewals, guard } = await setup();
    try {
      clock.advance(TTL_MS);
      // What a waiter (access-lease.ts noRevocationRunning) read meanwhile, and went on with.
      expect(await store.holder('exec:R1')).toBeUndefined();
      await expect(guard.check()).rejects.toBeInstanceOf(LeaseLostError);
      // Lost on its own expiry, without a renewal the store would refuse anyway.
      expect(renewals).toHaveLength(0);
      await expect(guard.stillHeld()).resolves.toBe(false);
    } finally {
      await guard.stop();
    }
  });

  test('a check a millisecond before expiry still renews and passes', async () => {
    const { clock, renewals, guard } = await setup();
    try {
      clock.advance(TTL_MS - 1);
      await expect(guard.check()).resolves.toBeUndefined();
      expect(renewals).toHaveLength(1);
      clock.advance(TTL_MS - 1);
      await expect(guard.check()).resolves.toBeUndefined();
    } finally {
      await guard.stop();
    }
  });
});

describe('LeaseGuard and a renewal the store takes long over', () => {
  /**
   * A store that renews as Tables does: "not lapsed" judged on the row it reads first (the new
   * expiry reckoned then), its conditional replace landing `landsAfterMs` later (the SDK's retries
   * in an outage).
   */
  async function slowStore(landsAfterMs: number) {
    const lines: { level: number; msg: string; overrunMs?: number }[] = [];
    const log = createLogger({ level: 'debug', destination: { write: (l: string) => void lines.push(JSON.parse(l)) } });
    const { clock, guard } = await leaseGuardWorld({
      log,
      renewing: (renew, storeClock) => async (lease, ttlMs) => {
        const renewed = await renew(lease, ttlMs);
        storeClock.advance(landsAfterMs);
        return renewed;
      },
    });
    return { clock, lines, guard };
  }

  test('one that lands after the expiry known before it loses the lease: another instance may have read it free meanwhile', async () => {
    const { clock, lines, guard } = await slowStore(50 * SECOND);
    try {
      clock.advance(40 * SECOND); // 20 s left: the check renews, and the renewal lands 30 s past that expiry
      await expect(guard.check()).rejects.toBeInstanceOf(LeaseLostError);
      expect(guard.signal.aborted).toBe(true);
      // Lost stays lost: the renewed lease is not used.
      await expect(guard.stillHeld()).resolves.toBe(false);
    } finally {
      await guard.stop();
    }
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        requestId: 'R1',
        overrunMs: 30 * SECOND,
        msg: 'execution lease lapsed before it was renewed (the process stalled?); the run stops as for a lost lease',
      }),
    ]);
  });

  test('one that lands slowly but in time holds it', async () => {
    const { clock, lines, guard } = await slowStore(19 * SECOND);
    try {
      clock.advance(40 * SECOND);
      await expect(guard.check()).resolves.toBeUndefined();
      await expect(guard.stillHeld()).resolves.toBe(true);
    } finally {
      await guard.stop();
    }
    expect(lines).toEqual([]);
  });
});

describe('LeaseGuard keeps the lease alive while its run waits (a revocation on a slow cluster)', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  test('renewed every third of its TTL without a check, so no one takes it however long the step takes', async () => {
    const { clock, store, renewals, guard } = await setup();
    try {
      // Five minutes of one step (five TTLs), no check in between.
      for (let i = 1; i <= 15; i++) {
        clock.advance(TTL_MS / 3);
        await jest.advanceTimersByTimeAsync(TTL_MS / 3);
        expect(renewals).toHaveLength(i);
        expect(await store.acquire('exec:R1', 'instance-b', TTL_MS)).toBeUndefined();
      }
      await expect(guard.check()).resolves.toBeUndefined();
    } finally {
      await guard.stop();
    }
    // Stopped: no renewal after it, and the lease is free at once.
    await jest.advanceTimersByTimeAsync(TTL_MS);
    expect(renewals).toHaveLength(15);
    expect(await store.acquire('exec:R1', 'instance-b', TTL_MS)).toMatchObject({ owner: 'instance-b' });
  });

  test('after a stall longer than the TTL the timer loses the lease (signal aborted), warned once, never logged as an error', async () => {
    const lines: { level: number; msg: string }[] = [];
    const clock = new FakeClock();
    const store = new MemoryLeaseStore(() => clock.now());
    const lease = (await store.acquire('job:x', 'instance-a', TTL_MS))!;
    const log = createLogger({ level: 'debug', destination: { write: (l: string) => void lines.push(JSON.parse(l)) } });
    const guard = new LeaseGuard({ leases: store, ttlMs: TTL_MS }, lease, log, { jobId: 'x' }, () => clock.now(), {
      what: 'job lease',
    });
    try {
      // The event loop was blocked for longer than the TTL: the timer's first turn comes after expiry.
      clock.advance(TTL_MS + SECOND);
      await jest.advanceTimersByTimeAsync(TTL_MS / 3);
      expect(guard.signal.aborted).toBe(true);
      expect(guard.signal.reason).toBeInstanceOf(LeaseLostError);
      await jest.advanceTimersByTimeAsync(TTL_MS);
      await expect(guard.check()).rejects.toBeInstanceOf(LeaseLostError);
    } finally {
      await guard.stop();
    }
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        jobId: 'x',
        msg: expect.stringMatching(/^job lease lapsed before it was renewed/),
      }),
    ]);
  });

  test('a renewal the store fails is tried again at the next interval; the lease holds if one succeeds in time', async () => {
    const { clock, store, renewals, guard } = await setup();
    const renew = store.renew.bind(store);
    let failures = 1;
    store.renew = async (lease, ttlMs) => {
      if (failures-- > 0) {
        renewals.push(lease);
        throw new Error('store busy');
      }
      return renew(lease, ttlMs);
    };
    try {
      clock.advance(TTL_MS / 3);
      await jest.advanceTimersByTimeAsync(TTL_MS / 3);
      clock.advance(TTL_MS / 3);
      await jest.advanceTimersByTimeAsync(TTL_MS / 3);
      expect(renewals).toHaveLength(2);
      clock.advance(TTL_MS / 2); // past the first lease's expiry
      expect(await store.acquire('exec:R1', 'instance-b', TTL_MS)).toBeUndefined();
      await expect(guard.check()).resolves.toBeUndefined();
    } finally {
      await guard.stop();
    }
  });
});
