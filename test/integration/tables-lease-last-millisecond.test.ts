/**
 * On Azure Tables too, a lease keeps other owners out up to its last millisecond (as
 * test/unit/coordination-lease-last-millisecond.test.ts checks for memory and SQLite): a
 * take-over 1 ms early would start a second run of a job while its holder may still act. Found by
 * mutation testing: an acquire that let a lease with 1 ms left be taken passed every existing test.
 */
import { tablesStores } from '../../src/integrations/store/open-stores';
import { useAzurite } from '../helpers/azurite';
import { FakeClock } from '../unit/support/fake-clock';
import { expectLeaseHeldToLastMillisecond } from '../unit/support/lease-last-millisecond';

jest.setTimeout(60_000);

const world = useAzurite();

test('another instance is refused 1 ms before the expiry and takes over at it; the first holder is then fenced', async () => {
  const clock = new FakeClock('2025-01-15T09:00:00.000Z');
  const prefix = world.azurite.freshPrefix();
  // Two instances' stores on one table: each remembers only its own writes.
  const a = await tablesStores(world.conn(), clock, prefix);
  const b = await tablesStores(world.conn(), clock, prefix);
  try {
    await expectLeaseHeldToLastMillisecond(a.leases, b.leases, (ms) => clock.advance(ms));
  } finally {
    await a.close();
    await b.close();
  }
});
