/**
 * Listing reads of every request store (memory, SQLite, Azure Tables on Azurite) that the store
 * contract left unguarded, found by mutation testing `listByRequester` and `listByRegistry`: a
 * state named twice lists each request once, a limit of 0 or below lists nothing newest first
 * too, and on Tables the newest of a requester's or a registry's history is found past the first
 * page (1000 rows) of keys, where the newest-first reads scan every key.
 */
import type { RequestStore } from '../../src/domain/ports';
import type { AccessRequest } from '../../src/domain/request';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { openSqlite } from '../../src/integrations/store/sqlite-database';
import { SqliteRequestStore } from '../../src/integrations/store/sqlite-request-store';
import { tablesStores } from '../../src/integrations/store/open-stores';
import { useAzurite } from '../helpers/azurite';
import { FakeClock } from '../unit/support/fake-clock';
import { pendingRequest } from '../unit/support/requests';

jest.setTimeout(120_000);

const world = useAzurite();

const at = (i: number) => new Date(Date.parse('2025-01-01T00:00:00.000Z') + i * 60_000).toISOString();
const ended = (i: number): AccessRequest =>
  pendingRequest({ id: `R-L${String(i).padStart(7, '0')}`, state: 'revoked', createdAt: at(i), version: 5 });
const ids = (rs: AccessRequest[]) => rs.map((r) => r.id);

const stores: [string, () => Promise<{ store: RequestStore; close(): Promise<void> }>][] = [
  ['memory', async () => ({ store: new MemoryRequestStore(), close: async () => undefined })],
  [
    'SQLite',
    async () => {
      const store = new SqliteRequestStore(openSqlite(':memory:'));
      return { store, close: () => store.close() };
    },
  ],
  [
    'Azure Tables (Azurite)',
    async () => {
      const opened = await tablesStores(world.conn(), new FakeClock(), world.azurite.freshPrefix());
      return { store: opened.requests, close: () => opened.close() };
    },
  ],
];

describe.each(stores)('request listings: %s', (_name, open) => {
  let store: RequestStore;
  let close: () => Promise<void>;
  beforeEach(async () => {
    ({ store, close } = await open());
  });
  afterEach(() => close());

  test('a state named twice lists each request once, in order and within the limit', async () => {
    const made = [ended(1), ended(2), ended(3)];
    for (const r of made) await store.create(r);
    const who = made[0].requester.objectId;
    const registry = made[0].plan.registry.id;
    const twice: AccessRequest['state'][] = ['revoked', 'failed', 'revoked'];
    expect(ids(await store.listByRequester(who, twice, 10, 'newestFirst'))).toEqual(ids([...made].reverse()));
    expect(ids(await store.listByRequester(who, twice, 10))).toEqual(ids(made));
    expect(ids(await store.listByRegistry(registry, twice, 10, 'newestFirst'))).toEqual(ids([...made].reverse()));
    expect(ids(await store.listByRegistry(registry, twice, 2))).toEqual(ids(made.slice(0, 2)));
  });

  test('a limit of 0 or below lists nothing newest first too', async () => {
    // Two, so that "all but the last" (a negative slice) is not also none.
    const made = [ended(1), ended(2)];
    for (const r of made) await store.create(r);
    const who = made[0].requester.objectId;
    const registry = made[0].plan.registry.id;
    for (const limit of [0, -1]) {
      expect(await store.listByRequester(who, ['revoked'], limit, 'newestFirst')).toEqual([]);
      expect(await store.listByRegistry(registry, ['revoked'], limit, 'newestFirst')).toEqual([]);
    }
  });
});

describe('Tables listings past the first page of keys', () => {
  test("the newest of a requester's and a registry's history of more than 1000 requests, and the oldest", async () => {
    const opened = await tablesStores(world.conn(), new FakeClock(), world.azurite.freshPrefix());
    try {
      const store = opened.requests;
      // One page of a query is at most 1000 entities: the newest request is on the second page.
      const made = Array.from({ length: 1003 }, (_, i) => ended(i));
      for (let i = 0; i < made.length; i += 25) await Promise.all(made.slice(i, i + 25).map((r) => store.create(r)));
      const who = made[0].requester.objectId;
      const registry = made[0].plan.registry.id;
      const newest = ids(made.slice(-3).reverse());
      expect(ids(await store.listByRequester(who, ['revoked'], 3, 'newestFirst'))).toEqual(newest);
      expect(ids(await store.listByRegistry(registry, ['revoked'], 3, 'newestFirst'))).toEqual(newest);
      expect(ids(await store.listByRegistry(registry, ['revoked'], 2))).toEqual(ids(made.slice(0, 2)));
    } finally {
      await opened.close();
    }
  });
});
