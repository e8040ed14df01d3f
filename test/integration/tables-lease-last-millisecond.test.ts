/**
 * On Azure Tables too, a lease keeps other owners out up to its last millisecond (as
 * test/unit/coordination-lease-last-millisecond.test.ts checks for memory and SQLite): a
 * take-over 1 ms early would start a second run of a job while its holder may still act. Found by
 * mutation testing: an acquire that let a lease with 1 ms left be taken passed every existing test.
 */
import { LeaseLostError } from '../../src/domain/ports';
import { tablesStores } from '../../src/integrations/store/open-stores';
import { useAzurite } from '../helpers/azurite';
import { FakeClock, SECOND } from '../unit/support/fake-clock';

jest.setTimeout(60_000);

const world = useAzurite();

test('another instance is refused 1 ms before the expiry and takes over at it; the first holder is then fenced', async () => {
  const clock = new FakeClock('2025-01-15T09:00:00.000Z');
  const prefix = world.azurite.freshPrefix();
  // Two instances' stores on one table: each remembers only its own writes.
  const a = await tablesStores(world.conn(), clock, prefix);
  const b = await tablesStores(world.conn(), clock, prefix);
  try {
    const first = (await a.leases.acquire('job:access.expire:R-1', 'a#1', 30 * SECOND))!;
    clock.advance(30 * SECOND - 1);
    expect(await b.leases.acquire('job:access.expire:R-1', 'b#1', 30 * SECOND)).toBeUndefined();
    expect(await b.leases.holder('job:access.expire:R-1')).toMatchObject({ owner: 'a#1', fence: 1 });
    clock.advance(1);
    expect(await b.leases.acquire('job:access.expire:R-1', 'b#1', 30 * SECOND)).toMatchObject({
      owner: 'b#1',
      fence: 2,
    });
    await expect(a.leases.renew(first, 30 * SECOND)).rejects.toBeInstanceOf(LeaseLostError);
  } finally {
    await a.close();
    await b.close();
  }
});
