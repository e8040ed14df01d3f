/**
 * The last-millisecond check of a lease store, shared by the memory, SQLite and Azure Tables
 * tests: a take-over 1 ms before a lease's expiry would start a second run while its holder may
 * still act under it.
 */
import { LeaseLostError, type LeaseStore } from '../../../src/domain/ports';
import { SECOND } from './fake-clock';

/**
 * `holder` takes a 30 s lease; `other` (the same store, or another instance's on the same table)
 * is refused it 1 ms before the expiry and takes it over at the expiry, after which `holder`'s
 * renewal is fenced. `advance` moves the clock both stores read.
 */
export async function expectLeaseHeldToLastMillisecond(
  holder: LeaseStore,
  other: LeaseStore,
  advance: (ms: number) => void,
): Promise<void> {
  const first = (await holder.acquire('job:access.expire:R-1', 'a#1', 30 * SECOND))!;
  advance(30 * SECOND - 1);
  expect(await other.acquire('job:access.expire:R-1', 'b#1', 30 * SECOND)).toBeUndefined();
  expect(await other.holder('job:access.expire:R-1')).toMatchObject({ owner: 'a#1', fence: 1 });
  advance(1);
  expect(await other.acquire('job:access.expire:R-1', 'b#1', 30 * SECOND)).toMatchObject({
    owner: 'b#1',
    fence: 2,
  });
  await expect(holder.renew(first, 30 * SECOND)).rejects.toBeInstanceOf(LeaseLostError);
}
