/**
 * Approver group reads reused across requests: per (group, bound), for a TTL by the injected
 * clock, a read under way shared, a failed read not kept, and no more reads kept than the bound.
 * Named users' accounts likewise, per set of users: read once with their display names, which
 * answers both the ids a new request's reach needs and the names its mention shows.
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

/** Named users' accounts in a directory that counts its reads and fails while `failing` is set. */
function namedUsersDirectory(names: Record<string, string>) {
  const directory = {
    ...fakeDirectory(),
    userReads: 0,
    failing: undefined as Error | undefined,
    enabledUsers: async (ids: readonly string[]) => {
      directory.userReads += 1;
      if (directory.failing) throw directory.failing;
      return ids
        .filter((id) => id.toLowerCase() in names)
        .map((id) => ({ id: id.toLowerCase(), displayName: names[id.toLowerCase()] }));
    },
  };
  return directory;
}

const ALEX = '0a000000-0000-4000-8000-00000000a1e7';
const BEA = '0a000000-0000-4000-8000-00000000b0ea';
const GONE = '0a000000-0000-4000-8000-00000000d0e0';

describe("named users' accounts, with their display names", () => {
  test('the ids a new request reads answer the names asked right after, of the same users in any order or case: one read', async () => {
    const directory = namedUsersDirectory({ [ALEX]: 'Alex Approver', [BEA]: 'Bea Approver' });
    const cache = new ApproverGroupsCache(directory, new FakeClock());
    const reach = cache.session();
    expect(await reach.enabledUserIds([ALEX, GONE, BEA])).toEqual([ALEX, BEA]);
    expect(reach.fromCache).toBe(false);
    const mention = cache.session();
    const named = await mention.enabledUsers([BEA.toUpperCase(), GONE, ALEX]);
    expect(named).toEqual([
      { id: ALEX, displayName: 'Alex Approver' },
      { id: BEA, displayName: 'Bea Approver' },
    ]);
    expect(mention.fromCache).toBe(true);
    expect(directory.userReads).toBe(1);
    // What one caller is given is its own: the next is answered as the directory answered.
    named[0]!.displayName = 'changed';
    expect((await cache.session().enabledUsers([ALEX, BEA, GONE]))[0]).toEqual({
      id: ALEX,
      displayName: 'Alex Approver',
    });
    // Other users are another read.
    await cache.session().enabledUsers([ALEX]);
    expect(directory.userReads).toBe(2);
  });

  test('kept for the TTL by the injected clock, then read again', async () => {
    const clock = new FakeClock();
    const directory = namedUsersDirectory({ [ALEX]: 'Alex Approver' });
    const cache = new ApproverGroupsCache(directory, clock);
    await cache.session().enabledUserIds([ALEX]);
    clock.advance(5 * MINUTE - 1);
    const within = cache.session();
    expect(await within.enabledUsers([ALEX])).toEqual([{ id: ALEX, displayName: 'Alex Approver' }]);
    expect(within.fromCache).toBe(true);
    expect(directory.userReads).toBe(1);
    clock.advance(1);
    const after = cache.session();
    expect(await after.enabledUsers([ALEX])).toEqual([{ id: ALEX, displayName: 'Alex Approver' }]);
    expect(after.fromCache).toBe(false);
    expect(directory.userReads).toBe(2);
  });

  test('a failed read is not kept: the names asked after it read the directory again', async () => {
    const directory = namedUsersDirectory({ [ALEX]: 'Alex Approver' });
    const cache = new ApproverGroupsCache(directory, new FakeClock());
    directory.failing = Object.assign(new Error('Forbidden'), { statusCode: 403 });
    await expect(cache.session().enabledUserIds([ALEX])).rejects.toThrow('Forbidden');
    directory.failing = undefined;
    const mention = cache.session();
    expect(await mention.enabledUsers([ALEX])).toEqual([{ id: ALEX, displayName: 'Alex Approver' }]);
    expect(mention.fromCache).toBe(false);
    expect(directory.userReads).toBe(2);
  });
});
