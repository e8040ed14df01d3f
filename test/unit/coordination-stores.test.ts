import {
  MemoryAbuseLedger,
  MemoryDialogStore,
  MemoryLeaseStore,
  MemoryScheduleStore,
} from '../../src/integrations/store/memory-coordination';
import { MemoryPauseStore } from '../../src/integrations/store/memory-pause-store';
import { sqliteStores } from '../../src/integrations/store/open-stores';
import { SqliteLeaseStore, SqliteScheduleStore } from '../../src/integrations/store/sqlite-coordination';
import { openSqlite } from '../../src/integrations/store/sqlite-database';
import { SqlitePauseStore } from '../../src/integrations/store/sqlite-pause-store';
import { describeCoordinationContract } from './support/coordination-contract';
import { FakeClock, SECOND } from './support/fake-clock';
import { useTempDir } from './support/temp-dir';

const tmp = useTempDir();

describeCoordinationContract('memory', (clock) => ({
  leases: new MemoryLeaseStore(() => clock.now()),
  schedule: new MemoryScheduleStore(),
  dialogs: new MemoryDialogStore(),
  abuse: new MemoryAbuseLedger(),
  pause: new MemoryPauseStore(),
  dispose: async () => undefined,
}));

describeCoordinationContract('SQLite (:memory:)', (clock) => {
  const stores = sqliteStores(':memory:', clock);
  return { ...stores, dispose: () => stores.close() };
});

describeCoordinationContract('SQLite (file)', (clock) => {
  const stores = sqliteStores(tmp.path('coordination.db'), clock);
  return { ...stores, dispose: () => stores.close() };
});

describe('SQLite coordination specifics', () => {
  test('due() reads the schedule through the due-time index (O(due), no table scan, no sort)', () => {
    const db = openSqlite(':memory:');
    try {
      new SqliteScheduleStore(db);
      const plan = db
        .prepare('EXPLAIN QUERY PLAN SELECT doc, revision FROM schedule WHERE due_at <= ? ORDER BY due_at, id LIMIT ?')
        .all('2025-01-15T09:00:00.000Z', 10) as { detail: string }[];
      const details = plan.map((p) => p.detail).join('\n');
      expect(details).toMatch(/USING INDEX schedule_by_due/);
      expect(details).not.toMatch(/SCAN schedule\b(?! USING)|TEMP B-TREE/);
    } finally {
      db.close();
    }
  });

  test('withIdPrefix() reads a range of the primary key (O(jobs found), no table scan, no sort, no LIKE)', () => {
    const db = openSqlite(':memory:');
    try {
      new SqliteScheduleStore(db);
      const plan = db
        .prepare('EXPLAIN QUERY PLAN SELECT doc, revision FROM schedule WHERE id >= ? AND id < ? ORDER BY id LIMIT ?')
        .all('breakglass.review:', 'breakglass.review;', 10) as { detail: string }[];
      const details = plan.map((p) => p.detail).join('\n');
      expect(details).toMatch(/USING INDEX sqlite_autoindex_schedule_1 \(id>\? AND id<\?\)/);
      expect(details).not.toMatch(/SCAN schedule\b(?! USING)|TEMP B-TREE/);
    } finally {
      db.close();
    }
  });

  test('a schedule from before revisions gets the column on open: its jobs read as revision "", run and are rewritten as usual', async () => {
    const path = tmp.path('before-revisions.db');
    // The layout of earlier releases: the table without `revision`, a job in it.
    const old = openSqlite(path);
    old.exec('DROP TABLE schedule');
    old.exec('CREATE TABLE schedule (id TEXT PRIMARY KEY, due_at TEXT NOT NULL, request_id TEXT, doc TEXT NOT NULL)');
    const stored = {
      id: 'access.expire:R-1',
      kind: 'access.expire' as const,
      dueAt: '2025-01-15T09:00:00.000Z',
      requestId: 'R-1',
      attempts: 0,
    };
    old
      .prepare('INSERT INTO schedule (id, due_at, request_id, doc) VALUES (?, ?, ?, ?)')
      .run(stored.id, stored.dueAt, 'R-1', JSON.stringify(stored));
    old
      .prepare('INSERT INTO schedule (id, due_at, request_id, doc) VALUES (?, ?, ?, ?)')
      .run('x', stored.dueAt, null, JSON.stringify({ ...stored, id: 'x', requestId: undefined }));
    old.close();
    const clock = new FakeClock();
    const stores = sqliteStores(path, clock);
    try {
      expect(await stores.schedule.get(stored.id)).toEqual({ ...stored, revision: '' });
      expect((await stores.schedule.due(new Date(stored.dueAt), 10)).map((j) => j.revision)).toEqual(['', '']);
      expect(await stores.schedule.deleteIfUnchanged(stored.id, 'some-other')).toBe(false);
      expect(await stores.schedule.putIfUnchanged({ ...stored, attempts: 1 }, '')).toBe(true);
      const retried = (await stores.schedule.get(stored.id))!;
      expect(retried).toMatchObject({ attempts: 1 });
      expect(retried.revision).not.toBe('');
      expect(await stores.schedule.deleteIfUnchanged(stored.id, retried.revision!)).toBe(true);
      expect(await stores.schedule.deleteIfUnchanged('x', '')).toBe(true);
    } finally {
      await stores.close();
    }
    // Opening it again finds the column and adds nothing.
    const again = sqliteStores(path, clock);
    try {
      await again.schedule.put({ id: 'y', kind: 'drift.check', dueAt: stored.dueAt, attempts: 0 });
      expect((await again.schedule.get('y'))!.revision).toEqual(expect.any(String));
    } finally {
      await again.close();
    }
  });

  test('two processes’ worth of connections on one file see one pause: paused on one, in force on the other, lifted once', async () => {
    const path = tmp.path('pause.db');
    const a = openSqlite(path);
    const b = openSqlite(path);
    try {
      const pa = new SqlitePauseStore(a);
      const pb = new SqlitePauseStore(b);
      const pause = {
        since: '2025-01-15T09:00:00.000Z',
        by: { objectId: 'oid-a', name: 'Ada' },
        reason: 'incident 42',
      };
      expect(await pa.pause(pause)).toEqual({ applied: true, pause });
      expect(await pb.current()).toEqual(pause);
      expect(await pb.pause({ ...pause, reason: 'other' })).toEqual({ applied: false, pause });
      expect(await pb.resume()).toEqual(pause);
      expect(await pa.current()).toBeUndefined();
      expect(await pa.resume()).toBeUndefined();
    } finally {
      a.close();
      b.close();
    }
  });

  test('two processes’ worth of connections on one file: one lease holder, and a restart keeps the fence', () => {
    const path = tmp.path('leases.db');
    const clock = new FakeClock();
    const a = openSqlite(path);
    const b = openSqlite(path);
    return (async () => {
      try {
        const la = new SqliteLeaseStore(a, () => clock.now());
        const lb = new SqliteLeaseStore(b, () => clock.now());
        const held = await la.acquire('exec:R-1', 'a', 10 * SECOND);
        expect(held).toMatchObject({ fence: 1 });
        expect(await lb.acquire('exec:R-1', 'b', 10 * SECOND)).toBeUndefined();
        clock.advance(10 * SECOND);
        expect(await lb.acquire('exec:R-1', 'b', 10 * SECOND)).toMatchObject({ owner: 'b', fence: 2 });
      } finally {
        a.close();
        b.close();
      }
      const c = openSqlite(path);
      try {
        clock.advance(10 * SECOND);
        expect(await new SqliteLeaseStore(c, () => clock.now()).acquire('exec:R-1', 'c', SECOND)).toMatchObject({
          fence: 3,
        });
      } finally {
        c.close();
      }
    })();
  });
});
