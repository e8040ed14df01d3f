/**
 * The Tables request store's `n|` rows (layout 5): a listing of ended states newest first reads
 * the newest index rows of each state and reads only those requests, whatever the history; a
 * store of the previous layout gets the rows from the backfill on open; a request missing its
 * row (written by an older instance) is repaired by its first transition; and the requests
 * behind a long listing are read a bounded number at a time, not all at once.
 */
import type { TableClient } from '@azure/data-tables';
import { type AccessRequest, transition } from '../../src/domain/request';
import { tablesStores } from '../../src/integrations/store/open-stores';
import { listAll, openTablesAccount, prefixFilter } from '../../src/integrations/store/tables-client';
import { indexFields, indexRows, LAYOUT, LAYOUT_MARKER, PK } from '../../src/integrations/store/tables-request-indexes';
import { LIST_READS_AT_ONCE, TablesRequestStore } from '../../src/integrations/store/tables-request-store';
import { useAzurite } from '../helpers/azurite';
import { FakeClock } from '../unit/support/fake-clock';
import { APPROVER, pendingRequest } from '../unit/support/requests';

jest.setTimeout(60_000);

const world = useAzurite();

async function table(prefix = world.azurite.freshPrefix()): Promise<TableClient> {
  return openTablesAccount(world.conn(), prefix).table('requests');
}

const at = (i: number) => new Date(Date.parse('2025-01-01T00:00:00.000Z') + i * 60_000).toISOString();
const request = (i: number, overrides: Partial<AccessRequest> = {}): AccessRequest =>
  pendingRequest({ id: `R-N${String(i).padStart(7, '0')}`, createdAt: at(i), ...overrides });
const ids = (rs: AccessRequest[]) => rs.map((r) => r.id);

/** Counts the requests `t` sends from now on: queries and point reads. */
function countCalls(t: TableClient): { queries: number; gets: number } {
  const calls = { queries: 0, gets: 0 };
  t.pipeline.addPolicy({
    name: `count-calls-${Math.random()}`,
    sendRequest: (req, next) => {
      if (new URL(req.url).searchParams.get('$filter')) calls.queries++;
      else if (req.method === 'GET') calls.gets++;
      return next(req);
    },
  });
  return calls;
}

describe('Tables listings newest first', () => {
  test('the newest ended requests behind a longer history: one query per state and one read per request returned', async () => {
    const t = await table();
    const store = new TablesRequestStore(t);
    const revoked = Array.from({ length: 30 }, (_, i) => request(i, { state: 'revoked', version: 5 }));
    const failed = [request(40, { state: 'failed', version: 4 })];
    for (const r of [...revoked, ...failed]) await store.create(r);
    const calls = countCalls(t);
    expect(ids(await store.listByState(['revoked'], 3, 'newestFirst'))).toEqual(ids(revoked.slice(-3).reverse()));
    expect(calls).toEqual({ queries: 1, gets: 3 });
    expect(ids(await store.listByState(['revoked', 'failed'], 2, 'newestFirst'))).toEqual([
      failed[0].id,
      revoked[29].id,
    ]);
    // The default order is unchanged.
    expect(ids(await store.listByState(['revoked'], 2))).toEqual(ids(revoked.slice(0, 2)));
  });

  test('a store of the previous layout gets its `n|` rows on open; a request an older instance wrote gets its row on its first transition', async () => {
    const prefix = world.azurite.freshPrefix();
    const t = await table(prefix);
    const old = new TablesRequestStore(t);
    const ended = [request(1, { state: 'revoked', version: 5 }), request(2, { state: 'revoked', version: 5 })];
    for (const r of ended) await old.create(r);
    // As layout 4 left them: no `n|` rows, its marker.
    const dropNewest = async () => {
      for (const row of await listAll(t, prefixFilter(PK, 'n|'), ['RowKey'])) await t.deleteEntity(PK, row.rowKey!);
    };
    await dropNewest();
    await t.upsertEntity({ partitionKey: PK, rowKey: LAYOUT_MARKER, layout: 4 }, 'Replace');

    const store = (await tablesStores(world.conn(), new FakeClock(), prefix)).requests;
    expect((await t.getEntity(PK, LAYOUT_MARKER)).layout).toBe(LAYOUT);
    expect(ids(await store.listByState(['revoked'], 10, 'newestFirst'))).toEqual([ended[1].id, ended[0].id]);

    // Written by an instance of layout 4 after the backfill: no `n|` row until it moves.
    const late = request(3);
    await store.create(late);
    await dropNewest();
    expect(ids(await store.listByState(['approved'], 10, 'newestFirst'))).toEqual([]);
    await store.update(transition(late, { type: 'approve', by: APPROVER, at: new Date(at(4)) }));
    expect(ids(await store.listByState(['approved'], 10, 'newestFirst'))).toEqual([late.id]);
  });

  test('a request an older release ended after the backfill is missing newest first until the marker is deleted (docs/storage.md); the next start lists it', async () => {
    const prefix = world.azurite.freshPrefix();
    const t = await table(prefix);
    const store = (await tablesStores(world.conn(), new FakeClock(), prefix)).requests;
    const granted = request(1, { state: 'succeeded', version: 4 });
    await store.create(granted);
    // Revoked by a layout-4 instance (an overlap, a rollback): it moves `s|`, `t|` and `u|`, and
    // leaves the `n|` row at the state it knew. Nothing lists `succeeded` newest first.
    const revoked = transition(granted, { type: 'revoke', by: APPROVER, at: new Date(at(2)) });
    await store.update(revoked);
    const newestKeys = async () => (await listAll(t, prefixFilter(PK, 'n|'), ['RowKey'])).map((r) => r.rowKey);
    const [nRevoked] = await newestKeys();
    await t.deleteEntity(PK, nRevoked!);
    await t.createEntity({ ...indexRows(indexFields(granted))[3] });

    const again = (await tablesStores(world.conn(), new FakeClock(), prefix)).requests;
    expect(ids(await again.listByState(['revoked'], 10, 'newestFirst'))).toEqual([]);

    // What the docs say to run after an older release ran on the store: delete the marker.
    await t.deleteEntity(PK, LAYOUT_MARKER);
    const repaired = (await tablesStores(world.conn(), new FakeClock(), prefix)).requests;
    expect(ids(await repaired.listByState(['revoked'], 10, 'newestFirst'))).toEqual([granted.id]);
    expect(await newestKeys()).toEqual([nRevoked]);
  });

  test('the requests behind a long listing are read a bounded number at a time', async () => {
    const t = await table();
    const store = new TablesRequestStore(t);
    const many = Array.from({ length: LIST_READS_AT_ONCE * 3 }, (_, i) => request(i, { state: 'revoked', version: 5 }));
    for (const r of many) await store.create(r);
    const get = TablesRequestStore.prototype.get;
    let inFlight = 0;
    let most = 0;
    const spy = jest.spyOn(store, 'get').mockImplementation(async function (this: TablesRequestStore, id: string) {
      most = Math.max(most, ++inFlight);
      try {
        return await get.call(this, id);
      } finally {
        inFlight--;
      }
    });
    try {
      expect(await store.listByState(['revoked'], 1000, 'newestFirst')).toHaveLength(many.length);
      expect(await store.listByRegistry(many[0].plan.registry.id, ['revoked'], 1000)).toHaveLength(many.length);
    } finally {
      spy.mockRestore();
    }
    expect(most).toBe(LIST_READS_AT_ONCE);
  });
});
