/**
 * The SQLite commit group: the writes of one loop turn share one transaction, and each write's
 * promise settles only once that transaction's fate is known.
 */
import { SqliteCommitGroup } from '../../src/integrations/store/sqlite-commit-group';
import { openSqlite, type SqliteDatabase } from '../../src/integrations/store/sqlite-database';
import { useTempDir } from './support/temp-dir';

const tmp = useTempDir('acrbot-commit-group-');

/** A database with one table, and a second connection to see what is committed. */
function setUp(): { db: SqliteDatabase; other: SqliteDatabase; group: SqliteCommitGroup; close(): void } {
  const path = tmp.path('group.db');
  const db = openSqlite(path);
  db.exec('CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER NOT NULL)');
  const other = openSqlite(path);
  return {
    db,
    other,
    group: new SqliteCommitGroup(db),
    close: () => {
      db.close();
      other.close();
    },
  };
}

/** Counts the COMMITs run on a connection (better-sqlite3 has no commit hook). */
function countCommits(db: SqliteDatabase): { count: number } {
  const counter = { count: 0 };
  const exec = db.exec.bind(db);
  db.exec = (sql: string) => {
    if (/^\s*COMMIT/i.test(sql)) counter.count++;
    return exec(sql);
  };
  return counter;
}

function rows(db: SqliteDatabase): { id: string; n: number }[] {
  return db.prepare('SELECT id, n FROM t ORDER BY id').all() as { id: string; n: number }[];
}

describe('SqliteCommitGroup', () => {
  let t: ReturnType<typeof setUp>;
  beforeEach(() => {
    t = setUp();
  });
  afterEach(() => t.close());

  test('the writes of one loop turn are one transaction, visible to others only once committed', async () => {
    const { db, other, group, close } = t;
    const commits = countCommits(db);
    const insert = db.prepare('INSERT INTO t (id, n) VALUES (?, ?)');
    const writes = ['a', 'b', 'c'].map((id, n) => group.write(() => insert.run(id, n).changes));
    // Asked for, not yet run: another connection sees nothing.
    expect(rows(other)).toEqual([]);
    expect(await Promise.all(writes)).toEqual([1, 1, 1]);
    expect(commits.count).toBe(1);
    expect(rows(other)).toEqual([
      { id: 'a', n: 0 },
      { id: 'b', n: 1 },
      { id: 'c', n: 2 },
    ]);
    // The next turn's writes are the next transaction.
    await group.write(() => insert.run('d', 3));
    expect(commits.count).toBe(2);
  });

  test('a write that fails on its own rejects alone; the others commit, in order', async () => {
    const { db, other, group, close } = t;
    const insert = db.prepare('INSERT INTO t (id, n) VALUES (?, ?)');
    const update = db.prepare('UPDATE t SET n = ? WHERE id = ?');
    const results = await Promise.allSettled([
      group.write(() => insert.run('a', 1)),
      group.write(() => insert.run('a', 2)), // duplicate key
      group.write(() => {
        if (update.run(5, 'a').changes !== 1) throw new Error('lost');
        return 'updated';
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE constraint failed/);
    expect(rows(other)).toEqual([{ id: 'a', n: 5 }]);
  });

  test('a multi-statement write in a db.transaction is rolled back alone when it throws', async () => {
    const { db, other, group, close } = t;
    const insert = db.prepare('INSERT INTO t (id, n) VALUES (?, ?)');
    const both = db.transaction((first: string, second: string) => {
      insert.run(first, 1);
      insert.run(second, 2);
    });
    const results = await Promise.allSettled([
      group.write(() => both.immediate('a', 'b')),
      group.write(() => both.immediate('c', 'a')), // 'c' goes in, then 'a' fails: 'c' must go too
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect(rows(other).map((r) => r.id)).toEqual(['a', 'b']);
  });

  test('when the transaction fails to commit, every write of the group rejects and none is stored', async () => {
    const { db, other, group, close } = t;
    // A deferred foreign key is checked at COMMIT: the commit itself fails.
    db.pragma('foreign_keys = ON');
    db.exec(
      'CREATE TABLE parent (id TEXT PRIMARY KEY); CREATE TABLE child (id TEXT PRIMARY KEY, parent TEXT REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)',
    );
    const results = await Promise.allSettled([
      group.write(() => db.prepare('INSERT INTO t (id, n) VALUES (?, ?)').run('a', 1)),
      group.write(() => db.prepare('INSERT INTO child (id, parent) VALUES (?, ?)').run('c', 'missing')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    const reason = (results[0] as PromiseRejectedResult).reason as Error;
    expect(reason.message).toMatch(/could not commit a group of writes; none was stored/);
    expect(String(reason.cause)).toMatch(/FOREIGN KEY constraint failed/);
    expect(rows(other)).toEqual([]);
    expect(db.inTransaction).toBe(false);
    // The connection is usable again.
    await group.write(() => db.prepare('INSERT INTO t (id, n) VALUES (?, ?)').run('b', 2));
    expect(rows(other)).toEqual([{ id: 'b', n: 2 }]);
  });

  test('when SQLite rolls the whole transaction back mid-group, the writes before it reject too', async () => {
    const { db, other, group, close } = t;
    const results = await Promise.allSettled([
      group.write(() => db.prepare('INSERT INTO t (id, n) VALUES (?, ?)').run('a', 1)),
      group.write(() => {
        // What SQLite does on a full disk or an I/O error: the transaction is gone.
        db.exec('ROLLBACK');
        throw new Error('disk I/O error');
      }),
      group.write(() => db.prepare('INSERT INTO t (id, n) VALUES (?, ?)').run('b', 2)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/rolled back a group of writes/);
    expect(rows(other)).toEqual([]);
  });

  test('inside a transaction the caller holds across awaits, writes run in it and are stored with it', async () => {
    const { db, other, group, close } = t;
    const commits = countCommits(db);
    const insert = db.prepare('INSERT INTO t (id, n) VALUES (?, ?)');
    db.exec('BEGIN');
    for (let i = 0; i < 3; i++) await group.write(() => insert.run(`r${i}`, i));
    expect(commits.count).toBe(0);
    expect(rows(other)).toEqual([]);
    db.exec('COMMIT');
    expect(rows(other).map((r) => r.id)).toEqual(['r0', 'r1', 'r2']);
  });

  test('onCommit hears of each transaction the group committed, and of no other', async () => {
    const { db, group } = t;
    const heard: number[] = [];
    const commits = countCommits(db);
    group.onCommit = () => heard.push(commits.count);
    const insert = db.prepare('INSERT INTO t (id, n) VALUES (?, ?)');
    await Promise.all([group.write(() => insert.run('a', 1)), group.write(() => insert.run('b', 2))]);
    await group.write(() => insert.run('c', 3));
    // Called after the COMMIT ran, once per group.
    expect(heard).toEqual([1, 2]);
    // A group whose COMMIT fails (a deferred foreign key), and writes inside the caller's own
    // transaction, are not commits of the group.
    db.pragma('foreign_keys = ON');
    db.exec('CREATE TABLE child (id TEXT PRIMARY KEY, parent TEXT REFERENCES t(id) DEFERRABLE INITIALLY DEFERRED)');
    const orphan = db.prepare('INSERT INTO child (id, parent) VALUES (?, ?)');
    await expect(group.write(() => orphan.run('x', 'missing'))).rejects.toThrow(/could not commit/);
    db.exec('BEGIN');
    await group.write(() => insert.run('d', 4));
    db.exec('COMMIT');
    expect(heard).toEqual([1, 2]);
  });

  test('writes asked for after the connection closed reject, naming why', async () => {
    const { db, group, close } = t;
    const write = group.write(() => db.prepare('INSERT INTO t (id, n) VALUES (?, ?)').run('a', 1));
    close();
    await expect(write).rejects.toThrow(/database was closed before these writes ran/);
  });

  test('flush runs the waiting writes at once (before a close)', async () => {
    const { db, other, group, close } = t;
    const write = group.write(() => db.prepare('INSERT INTO t (id, n) VALUES (?, ?)').run('a', 1));
    group.flush();
    expect(rows(other)).toEqual([{ id: 'a', n: 1 }]);
    await expect(write).resolves.toMatchObject({ changes: 1 });
  });

  test('when the write lock cannot be had, every write of the group rejects with the cause and none is stored', async () => {
    const { db, other, group } = t;
    // Another process holds the write lock past our busy timeout (0 here, 5 s in production).
    db.pragma('busy_timeout = 0');
    other.exec('BEGIN IMMEDIATE');
    const insert = db.prepare('INSERT INTO t (id, n) VALUES (?, ?)');
    const writes = ['a', 'b'].map((id, n) => group.write(() => insert.run(id, n)));
    for (const write of writes) {
      const err = (await write.then(
        () => undefined,
        (e: unknown) => e,
      )) as Error & { cause?: { code?: string } };
      expect(err.message).toMatch(/could not start a transaction for a group of writes; none was stored/);
      expect(err.cause?.code).toBe('SQLITE_BUSY');
    }
    other.exec('ROLLBACK');
    expect(rows(other)).toEqual([]);
    // The group is not left stuck: the next loop turn's writes commit.
    await expect(group.write(() => insert.run('c', 3))).resolves.toMatchObject({ changes: 1 });
    expect(rows(other)).toEqual([{ id: 'c', n: 3 }]);
  });

  test('two connections in one process never wait on each other across an await', async () => {
    const { db, other, group, close } = t;
    const second = new SqliteCommitGroup(other);
    const writes = [];
    for (let i = 0; i < 20; i++) {
      writes.push(group.write(() => db.prepare('INSERT INTO t (id, n) VALUES (?, ?)').run(`a${i}`, i)));
      writes.push(second.write(() => other.prepare('INSERT INTO t (id, n) VALUES (?, ?)').run(`b${i}`, i)));
    }
    await Promise.all(writes);
    expect(rows(db)).toHaveLength(40);
  });
});
