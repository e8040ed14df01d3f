/**
 * Approver group reads reused across requests: per (group, bound), for a TTL by the injected
 * clock, a read under way shared, a failed read not kept, and no more reads kept than the bound.
 */
import { ApproverGroupsCache } from '../../src/flows/approver-groups-cache';
import { FakeClock, MINUTE } from './support/fake-clock';
import { fakeDirectory } from './support/fake-directory';

const GROUP = '0b000000-0000-4000-8000-0000000000c7';

test('one read per group and bound, shared while under way, ids compared without regard to case', async () => {
  const directory = fakeDirectory({ [GROUP]: ['u1', 'u2', 'u3'] });
  const cache = new ApproverGroupsCache(directory, new FakeClock());
  const first = cache.session();
  const [a, b] = await Promise.all([
    first.groupUserIds(GROUP, 2),
    cache.session().groupUserIds(GROUP.toUpperCase(), 2),
  ]);
  expect([a, b]).toEqual([
    ['u1', 'u2'],
    ['u1', 'u2'],
  ]);
  expect(first.fromCache).toBe(false);
  // Another bound is another read.
  expect(await cache.session().groupUserIds(GROUP, 3)).toEqual(['u1', 'u2', 'u3']);
  expect(directory.reads).toEqual([
    { groupId: GROUP, atMost: 2 },
    { groupId: GROUP, atMost: 3 },
  ]);
});

test('a failed read is not kept; a fresh session reads and keeps what it read', async () => {
  const clock = new FakeClock();
  const directory = fakeDirectory({ [GROUP]: ['u1'] });
  const cache = new ApproverGroupsCache(directory, clock);
  directory.failReadsWith = new Error('Graph 429 TooManyRequests');
  await expect(cache.session().groupUserIds(GROUP, 2)).rejects.toThrow('429');
  directory.failReadsWith = undefined;
  const reused = cache.session();
  expect(await reused.groupUserIds(GROUP, 2)).toEqual(['u1']);
  expect(reused.fromCache).toBe(false);
  expect(await cache.session({ fresh: true }).groupUserIds(GROUP, 2)).toEqual(['u1']);
  clock.advance(4 * MINUTE);
  const later = cache.session();
  expect(await later.groupUserIds(GROUP, 2)).toEqual(['u1']);
  expect(later.fromCache).toBe(true);
  expect(directory.reads).toHaveLength(3);
});

test('no more reads kept than its bound: the oldest goes first', async () => {
  const directory = fakeDirectory({});
  const cache = new ApproverGroupsCache(directory, new FakeClock(), 5 * MINUTE, 2);
  for (const group of ['g1', 'g2', 'g3']) await cache.session().groupUserIds(group, 2);
  await cache.session().groupUserIds('g3', 2);
  await cache.session().groupUserIds('g2', 2);
  await cache.session().groupUserIds('g1', 2);
  expect(directory.reads.map((r) => r.groupId)).toEqual(['g1', 'g2', 'g3', 'g1']);
});
