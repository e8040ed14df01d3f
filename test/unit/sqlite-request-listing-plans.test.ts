/**
 * SQLite request listings seek each state asked for on an index that holds the state and the
 * creation time, in either order: their cost follows what they return, not the history of the
 * pair, registry or state. The earlier by-target index had no state, so `listByTarget` and
 * `listByRegistry` walked every request ever made on the pair or registry (a year of revoked
 * grants: ~300 ms per call, synchronously, on every plan); and `state IN (…) ORDER BY` sorted
 * every row of the states in a temporary B-tree. Older files get the indexes on open.
 */
import { openSqlite, type SqliteDatabase } from '../../src/integrations/store/sqlite-database';
import { SqliteRequestStore } from '../../src/integrations/store/sqlite-request-store';
import { CLUSTER_ID, pendingRequest, REGISTRY_ID } from './support/requests';
import { useTempDir } from './support/temp-dir';

const tmp = useTempDir();

/** Every SQL text `db` prepares from now on. */
function recordPrepared(db: SqliteDatabase): string[] {
  const seen: string[] = [];
  const prepare = db.prepare.bind(db);
  jest.spyOn(db, 'prepare').mockImplementation(((sql: string) => {
    seen.push(sql);
    return prepare(sql);
  }) as SqliteDatabase['prepare']);
  return seen;
}

/** SQLite's plan for `sql`, its placeholders bound to text. */
function planOf(db: SqliteDatabase, sql: string): string {
  const params = Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => 'x');
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[])
    .map((r) => r.detail)
    .join(' / ');
}

/** The index expressions of the previous release's requests_by_target. */
const REGISTRY_EXPR = "lower(json_extract(doc, '$.plan.registry.id'))";
const CLUSTER_EXPR = "lower(json_extract(doc, '$.plan.cluster.id'))";

const indexNames = (db: SqliteDatabase) =>
  (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'requests'").all() as {
      name: string;
    }[]
  ).map((r) => r.name);

describe('SQLite request listings', () => {
  test('every listing seeks its state on an index in either order: no scan of the history, no sort of it', async () => {
    const db = openSqlite(':memory:');
    const store = new SqliteRequestStore(db);
    try {
      const prepared = recordPrepared(db);
      for (const order of ['oldestFirst', 'newestFirst'] as const) {
        await store.listByState(['revoked'], 10, order);
        await store.listByState(['succeeded', 'revoked'], 10, order);
        await store.listByRegistry(REGISTRY_ID, ['succeeded', 'revoked'], 10, order);
      }
      await store.listByTarget(CLUSTER_ID, REGISTRY_ID, ['succeeded', 'executing'], 10);
      const listings = [...new Set(prepared.filter((sql) => sql.startsWith('SELECT doc')))];
      // Both orders of the three listings (one statement each, run once per state).
      expect(listings).toHaveLength(5);
      for (const sql of listings) {
        const plan = planOf(db, sql);
        // Ties on created_at are ordered by id: SQLite sorts each run of equal times only (the
        // last term), still stopping at the limit; a sort of the whole state is what must not be.
        expect(plan).toMatch(
          /^SEARCH requests USING INDEX requests_by_\w+ \(.*state=\?\)( \/ USE TEMP B-TREE FOR LAST TERM OF ORDER BY)?$/,
        );
        expect(plan).not.toMatch(/TEMP B-TREE FOR ORDER BY|SCAN/);
      }
    } finally {
      await store.close();
    }
  });

  test('a listing of several states merges each state’s first rows in the order asked', async () => {
    const db = openSqlite(':memory:');
    const store = new SqliteRequestStore(db);
    try {
      const at = (i: number) => new Date(Date.parse('2025-01-01T00:00:00.000Z') + i * 60_000).toISOString();
      // More history in one state than the limit: the other state's newer rows still come first.
      for (let i = 0; i < 20; i++)
        await store.create(
          pendingRequest({
            id: `R-H00000${String(i).padStart(2, '0')}`,
            state: 'revoked',
            createdAt: at(i),
            version: 5,
          }),
        );
      await store.create(pendingRequest({ id: 'R-LIVE0001', state: 'succeeded', createdAt: at(30), version: 4 }));
      const ids = (rs: { id: string }[]) => rs.map((r) => r.id);
      expect(ids(await store.listByState(['succeeded', 'revoked'], 3, 'newestFirst'))).toEqual([
        'R-LIVE0001',
        'R-H0000019',
        'R-H0000018',
      ]);
      expect(ids(await store.listByTarget(CLUSTER_ID, REGISTRY_ID, ['succeeded', 'revoked'], 2))).toEqual([
        'R-H0000000',
        'R-H0000001',
      ]);
    } finally {
      await store.close();
    }
  });

  test('a file with the earlier by-target index gets the state indexes on open and keeps the old one for a process of the previous release', async () => {
    const path = tmp.path('older.db');
    const older = openSqlite(path);
    older.exec('DROP INDEX requests_by_target_state');
    older.exec('DROP INDEX requests_by_registry_state');
    older.exec(`CREATE INDEX requests_by_target ON requests(
      lower(json_extract(doc, '$.plan.registry.id')), lower(json_extract(doc, '$.plan.cluster.id')))`);
    const request = pendingRequest({ state: 'succeeded', version: 4 });
    await new SqliteRequestStore(older, false).create(request);
    // The previous release's by-target listing, prepared by a process still running on the file.
    const oldListing = `SELECT doc FROM requests INDEXED BY requests_by_target WHERE ${REGISTRY_EXPR} = ? AND ${CLUSTER_EXPR} = ? ORDER BY created_at`;
    const oldProcess = older.prepare(oldListing);
    const pair = [REGISTRY_ID.toLowerCase(), CLUSTER_ID.toLowerCase()];

    const db = openSqlite(path); // this release starts on the same file meanwhile
    const store = new SqliteRequestStore(db);
    try {
      expect(indexNames(db)).toEqual(
        expect.arrayContaining(['requests_by_target_state', 'requests_by_registry_state', 'requests_by_target']),
      );
      // Dropped, its statement would fail with "no such index" on every listing of that process.
      expect(oldProcess.all(...pair)).toHaveLength(1);
      expect(older.prepare(oldListing).all(...pair)).toHaveLength(1);
      // This release's listings do not use it, on a file that has it.
      const prepared = recordPrepared(db);
      expect((await store.listByTarget(CLUSTER_ID, REGISTRY_ID, ['succeeded'])).map((r) => r.id)).toEqual([request.id]);
      expect((await store.listByRegistry(REGISTRY_ID, ['succeeded'])).map((r) => r.id)).toEqual([request.id]);
      await store.listByRegistry(REGISTRY_ID, ['succeeded', 'revoked'], 5, 'newestFirst');
      await store.listByState(['succeeded', 'revoked'], 5, 'newestFirst');
      const listings = prepared.filter((sql) => sql.startsWith('SELECT doc'));
      expect(listings.length).toBeGreaterThan(0);
      for (const sql of listings) expect(planOf(db, sql)).not.toMatch(/requests_by_target\b/);
    } finally {
      older.close();
      await store.close();
    }
  });
});
