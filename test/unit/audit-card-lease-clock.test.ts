/**
 * The audit card lease is waited for on the lease store's clock, the clock its holder's expiry
 * is judged by: "stayed held for a whole TTL" is a TTL of that clock, not of the process's.
 */
import type { Lease } from '../../src/domain/ports';
import { withAuditCardLease } from '../../src/bot/audit-card-lease';
import { MemoryLeaseStore } from '../../src/integrations/store/memory-coordination';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, SECOND } from './support/fake-clock';

const TTL_MS = 60 * SECOND;

test('a lease another instance keeps renewing is given up after a TTL of the store clock', async () => {
  const clock = new FakeClock();
  const store = new MemoryLeaseStore(() => clock.now());
  let holder: Lease = (await store.acquire('audit-card:R1', 'instance-b', TTL_MS))!;
  const waited: number[] = [];
  const wait = async (ms: number) => {
    // A bound, so a deadline on another clock fails here instead of spinning until the test's timeout.
    if (waited.length > 200) throw new Error('still waiting after 200 attempts');
    waited.push(ms);
    clock.advance(ms);
    // The holder is alive and keeps its lease (it hangs in its write).
    holder = await store.renew(holder, TTL_MS);
  };
  let wrote = false;
  await expect(
    withAuditCardLease(
      { store, owner: 'instance-a', ttlMs: TTL_MS, clock, wait },
      'R1',
      createLogger({ level: 'silent' }),
      async () => void (wrote = true),
    ),
  ).rejects.toThrow(`the audit card of R1 stayed locked by another instance for ${TTL_MS} ms`);
  expect(wrote).toBe(false);
  // It waited a whole TTL of the store clock, backing off to a second between attempts.
  const total = waited.reduce((a, b) => a + b, 0);
  expect(total).toBeGreaterThanOrEqual(TTL_MS);
  expect(total - waited[waited.length - 1]).toBeLessThan(TTL_MS);
  expect(Math.max(...waited)).toBe(SECOND);
});

test('a lease released while waiting is taken, and the write runs under it', async () => {
  const clock = new FakeClock();
  const store = new MemoryLeaseStore(() => clock.now());
  const holder: Lease = (await store.acquire('audit-card:R1', 'instance-b', TTL_MS))!;
  let attempts = 0;
  const wait = async (ms: number) => {
    clock.advance(ms);
    if (++attempts === 3) await store.release(holder);
  };
  const held = await withAuditCardLease(
    { store, owner: 'instance-a', ttlMs: TTL_MS, clock, wait },
    'R1',
    createLogger({ level: 'silent' }),
    async () => (await store.holder('audit-card:R1'))?.owner,
  );
  expect(held).toBe('instance-a');
  expect(attempts).toBe(3);
  // Released after the write.
  expect(await store.holder('audit-card:R1')).toBeUndefined();
});
