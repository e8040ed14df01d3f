/**
 * A lease keeps other owners out up to its last millisecond: a take-over 1 ms before the expiry
 * would start a second run of a job (or a second grant) while the first holder may still act
 * under its lease. Found by mutation testing (an acquire that let a lease with under a second left
 * be taken passed the contract, whose refusals are a whole second early).
 */
import type { LeaseStore } from '../../src/domain/ports';
import { MemoryLeaseStore } from '../../src/integrations/store/memory-coordination';
import { sqliteStores } from '../../src/integrations/store/open-stores';
import { FakeClock } from './support/fake-clock';
import { expectLeaseHeldToLastMillisecond } from './support/lease-last-millisecond';

const stores: [string, (clock: FakeClock) => { leases: LeaseStore; close(): void | Promise<void> }][] = [
  ['memory', (clock) => ({ leases: new MemoryLeaseStore(() => clock.now()), close: () => undefined })],
  ['SQLite (:memory:)', (clock) => sqliteStores(':memory:', clock)],
];

describe.each(stores)('lease at its last millisecond: %s', (_name, make) => {
  test('another owner is refused 1 ms before the expiry and takes over at it; the first holder is then fenced', async () => {
    const clock = new FakeClock('2025-01-15T09:00:00.000Z');
    const store = make(clock);
    try {
      await expectLeaseHeldToLastMillisecond(store.leases, store.leases, (ms) => clock.advance(ms));
    } finally {
      await store.close();
    }
  });
});
