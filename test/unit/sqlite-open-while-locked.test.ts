/**
 * Opening the SQLite stores while another process holds the file's write lock (another acrbot
 * mid-write, a `sqlite3` session, a backup): a file with nothing to migrate opens without the
 * lock, and one that must be migrated is refused with a sentence naming the file, not a bare
 * "database is locked". Before, every open took the write lock for its migrations' checks, so a
 * start behind a long transaction failed after the busy timeout even with nothing to change.
 */
import Database from 'better-sqlite3';
import { sqliteStores } from '../../src/integrations/store/open-stores';
import { openSqlite } from '../../src/integrations/store/sqlite-database';
import { FakeClock } from './support/fake-clock';
import { useTempDir } from './support/temp-dir';

const tmp = useTempDir();

/** Another connection on `path` inside a write transaction, as another process would hold it. */
function holdWriteLock(path: string): () => void {
  const other = new Database(path);
  other.exec('BEGIN IMMEDIATE');
  other.prepare("INSERT INTO dialogs (key, expires_at, doc) VALUES ('held', 0, '{}')").run();
  return () => {
    other.exec('ROLLBACK');
    other.close();
  };
}

describe('opening the SQLite stores while another process holds the write lock', () => {
  test('a current file opens and reads without waiting for the lock', async () => {
    const path = tmp.path('current.db');
    await sqliteStores(path, new FakeClock()).close();
    const release = holdWriteLock(path);
    try {
      const stores = sqliteStores(path, new FakeClock());
      try {
        expect(await stores.schedule.get('nothing')).toBeUndefined();
        expect(await stores.audit.verify()).toMatchObject({ intact: true });
      } finally {
        await stores.close();
      }
    } finally {
      release();
    }
  });

  test('a file to migrate is refused naming the file and the lock; nothing is left open', async () => {
    const path = tmp.path('older.db');
    const old = openSqlite(path);
    old.exec('DROP TABLE schedule');
    old.exec('CREATE TABLE schedule (id TEXT PRIMARY KEY, due_at TEXT NOT NULL, request_id TEXT, doc TEXT NOT NULL)');
    old.close();
    const release = holdWriteLock(path);
    try {
      let refused: unknown;
      try {
        await sqliteStores(path, new FakeClock()).close();
      } catch (err) {
        refused = err;
      }
      expect(refused).toBeInstanceOf(Error);
      expect((refused as Error).message).toContain(`the SQLite file ${path} is locked`);
      expect((refused as Error).message).toMatch(/Let it finish, then start again/);
      expect(((refused as Error).cause as { code?: string }).code).toBe('SQLITE_BUSY');
    } finally {
      release();
    }
    // Once the lock is gone the same file opens and is migrated.
    const stores = sqliteStores(path, new FakeClock());
    await stores.close();
  });
});
