/**
 * A lease keeps other owners out up to its last millisecond: a take-over 1 ms before the expiry
 * would start a second run of a job (or a second grant) while the first holder may still act
 * under its lease. Found by mutation testing (an acquire that let a lease with under a second left
 * be taken passed the contract, whose refusals are a whole second early).
 */
import type { LeaseStore } from '../../src/domain/ports';
import { LeaseLostError } from '../../src/domain/ports';
import { MemoryLeaseStore } from '../../src/integrations/store/memory-coordination';
import { sqliteStores } from '../../src/integrations/store/open-stores';
import { FakeClock, SECOND } from './support/fake-clock';

const stores: [string, (clock: FakeClock) => { leases: LeaseStore; close(): void | Promise<void> }][] = [
  ['memory', (clock) => ({ leases: new MemoryLeaseStore(() => clock.now()), close: () => undefined })],
  ['SQLite (:memory:)', (clock) => sqliteStores(':memory:', clock)],
];

describe.each(stores)('lease at its last millisecond: %s', (_name, make) => {
  test('another owner is refused 1 ms before the expiry and takes over at it; the first holder is then fenced', async () => {
    const clock = new FakeClock('2025-01-15T09:00:00.000Z');
    const store = make(clock);
    try {
      const first = (await store.leases.acquire('job:access.expire:R-1', 'a#1', 30 * SECOND))!;
      clock.advance(30 * SECOND - 1);
      expect(await store.leases.acquire('job:access.expire:R-1', 'b#1', 30 * SECOND)).toBeUndefined();
      expect(await store.leases.holder('job:access.expire:R-1')).toMatchObject({ owner: 'a#1', fence: 1 });
      clock.advance(1);
      expect(await store.leases.acquire('job:access.expire:R-1', 'b#1', 30 * SECOND)).toMatchObject({
        owner: 'b#1',
        fence: 2,
      });
      await expect(store.leases.renew(first, 30 * SECOND)).rejects.toBeInstanceOf(LeaseLostError);
    } finally {
      await store.close();
    }
  });
});
