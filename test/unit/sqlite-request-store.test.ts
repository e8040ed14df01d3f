import { VersionConflictError } from '../../src/domain/ports';
import { transition } from '../../src/domain/request';
import { openSqlite } from '../../src/integrations/store/sqlite-database';
import { SqliteRequestStore } from '../../src/integrations/store/sqlite-request-store';
import { describeRequestStoreContract } from './support/request-store-contract';
import { APPROVER, OUTSIDER, pendingRequest } from './support/requests';
import { useTempDir } from './support/temp-dir';

const tmp = useTempDir();
const AT = new Date('2025-01-15T10:00:00.000Z');

describeRequestStoreContract('SqliteRequestStore (:memory:)', () => {
  const store = new SqliteRequestStore(openSqlite(':memory:'));
  return { store, dispose: () => store.close() };
});

describeRequestStoreContract('SqliteRequestStore (file)', () => {
  const store = new SqliteRequestStore(openSqlite(tmp.path('contract.db')));
  return { store, dispose: () => store.close() };
});

describe('SqliteRequestStore.getNewer', () => {
  test('the stored request when its version is above the one given; else, and for an unknown id, undefined', async () => {
    const store = new SqliteRequestStore(openSqlite(':memory:'));
    try {
      const request = pendingRequest();
      await store.create(request);
      const approved = transition(request, { type: 'approve', by: APPROVER, at: AT });
      await store.update(approved);
      expect(await store.getNewer(request.id, request.version)).toEqual(approved);
      expect(await store.getNewer(request.id, approved.version)).toBeUndefined();
      expect(await store.getNewer(request.id, approved.version + 1)).toBeUndefined();
      expect(await store.getNewer('UNKNOWN', 0)).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});

describe('SqliteRequestStore on a file', () => {
  test('a restart keeps a pending request and its card copies', async () => {
    const path = tmp.path('restart.db');
    const before = new SqliteRequestStore(openSqlite(path));
    const request = pendingRequest();
    await before.create(request);
    await before.addCardCopy({
      requestId: request.id,
      activityId: 'act-1',
      role: 'approver',
      conversation: { id: '19:x' },
    });
    await before.close();

    const after = new SqliteRequestStore(openSqlite(path));
    try {
      expect(await after.get(request.id)).toEqual(request);
      expect((await after.listByState(['pending'])).map((r) => r.id)).toEqual([request.id]);
      expect(await after.listCardCopies(request.id)).toEqual([
        { requestId: request.id, activityId: 'act-1', role: 'approver', conversation: { id: '19:x' } },
      ]);
      const approved = transition(request, { type: 'approve', by: APPROVER, at: AT });
      await after.update(approved);
      expect(await after.get(request.id)).toEqual(approved);
    } finally {
      await after.close();
    }
  });

  test('a database file from before the requester index gets it on open, and listByRequester reads through it', async () => {
    const path = tmp.path('older.db');
    const older = openSqlite(path);
    older.exec('DROP INDEX requests_by_requester');
    const request = pendingRequest();
    await new SqliteRequestStore(older, false).create(request);
    older.close();

    const db = openSqlite(path);
    const store = new SqliteRequestStore(db);
    try {
      // INDEXED BY makes the query fail outright ("no such index") rather than scan.
      expect((await store.listByRequester(request.requester.objectId, ['pending'])).map((r) => r.id)).toEqual([
        request.id,
      ]);
      const plan = db
        .prepare(
          "EXPLAIN QUERY PLAN SELECT doc FROM requests INDEXED BY requests_by_requester WHERE lower(json_extract(doc, '$.requester.objectId')) = ? AND state IN (?) ORDER BY created_at LIMIT ?",
        )
        .all('x', 'pending', 1) as { detail: string }[];
      expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING INDEX requests_by_requester/);
    } finally {
      await store.close();
    }
  });

  test("the page cache is SQLite's 2 MB, not better-sqlite3's 16 MB (RSS under a flood of rows, P11)", () => {
    const db = openSqlite(tmp.path('cache.db'));
    try {
      expect(db.pragma('cache_size', { simple: true })).toBe(-2000);
    } finally {
      db.close();
    }
  });

  test('two instances on one file: only one decision wins', async () => {
    const path = tmp.path('two-instances.db');
    const a = new SqliteRequestStore(openSqlite(path));
    const b = new SqliteRequestStore(openSqlite(path));
    try {
      const request = pendingRequest();
      await a.create(request);
      const base = (await b.get(request.id))!;
      const results = await Promise.allSettled([
        a.update(transition(base, { type: 'approve', by: APPROVER, at: AT })),
        b.update(transition(base, { type: 'reject', by: OUTSIDER, at: AT })),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(
        VersionConflictError,
      );
      const seenByA = await a.get(request.id);
      expect(seenByA).toEqual(await b.get(request.id));
      expect(seenByA?.version).toBe(2);
      await expect(b.create(request)).rejects.toMatchObject({
        message: `request ${request.id} already exists`,
        cause: expect.objectContaining({ message: expect.stringMatching(/UNIQUE constraint failed/) }),
      });
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('close() leaves a shared database open when the store does not own it', async () => {
    const db = openSqlite(':memory:');
    const store = new SqliteRequestStore(db, false);
    await store.close();
    expect(db.open).toBe(true);
    db.close();
  });
});
