/**
 * WAL checkpoints on a worker thread: once a connection writes in earnest, a worker copies the
 * log back into the database file and the connection's own (event-loop) checkpoints are off;
 * if the worker fails, they are back on and the failure is reported. Real files, a real worker.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, statSync, watch, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { sqliteStores } from '../../src/integrations/store/open-stores';
import { commitGroupOf } from '../../src/integrations/store/sqlite-commit-group';
import { openSqlite, type SqliteDatabase } from '../../src/integrations/store/sqlite-database';
import {
  attachWalCheckpointer,
  type CheckpointerOptions,
  type CheckpointResult,
  type WalCheckpointer,
} from '../../src/integrations/store/sqlite-wal-checkpointer';
import { TempDirs } from '../helpers/temp-dirs';

const ROOT = resolve(__dirname, '..', '..');
const dirs = new TempDirs();
const open: { db: SqliteDatabase; checkpointer: WalCheckpointer }[] = [];

afterEach(async () => {
  try {
    for (const { db, checkpointer } of open.splice(0)) {
      await checkpointer.stop();
      if (db.open) db.close();
    }
  } finally {
    dirs.removeAll();
  }
});

/**
 * A file database (a new one, or a second connection to `onFile`) with a table, its commit group
 * wired to a checkpointer as the stores wire it.
 */
function setUp(options: Partial<CheckpointerOptions> = {}, onFile?: string) {
  const path = onFile ?? join(dirs.make('acrbot-checkpointer-'), 'wal.db');
  const db = openSqlite(path);
  db.exec('CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const errors: Error[] = [];
  let reported: (err: Error) => void = () => undefined;
  /** The first failure the checkpointer reports. */
  const failure = new Promise<Error>((resolve) => (reported = resolve));
  const checkpointer = attachWalCheckpointer(db, {
    onError: (err) => {
      errors.push(err);
      reported(err);
    },
    startAfterCommits: 3,
    intervalMs: 5,
    ...options,
  });
  const group = commitGroupOf(db);
  open.push({ db, checkpointer });
  const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
  /** `n` group commits, one after another, each of one ~1 KB row. */
  const commit = async (n: number) => {
    for (let i = 0; i < n; i++) await group.write(() => insert.run('x'.repeat(1000)));
  };
  return { path, db, checkpointer, errors, failure, commit };
}

const autocheckpoint = (db: SqliteDatabase) => db.pragma('wal_autocheckpoint', { simple: true });

describe('WalCheckpointer', () => {
  test('no thread before the threshold; at it the worker takes over and the connection stops checkpointing', async () => {
    const { db, checkpointer, errors, commit } = setUp();
    await commit(2);
    expect(checkpointer.workerForTests).toBeUndefined();
    expect(autocheckpoint(db)).toBe(1000);
    const ready = once(checkpointer, 'ready');
    await commit(1);
    expect(checkpointer.workerForTests).toBeDefined();
    await ready;
    expect(autocheckpoint(db)).toBe(0);
    expect(errors).toEqual([]);
  });

  test('the worker copies committed frames into the database file while the connection keeps writing', async () => {
    const { path, db, checkpointer, errors, commit } = setUp();
    const ready = once(checkpointer, 'ready');
    await commit(3);
    await ready;
    const before = statSync(path).size;
    const checkpoints: CheckpointResult[] = [];
    checkpointer.on('checkpoint', (r: CheckpointResult) => checkpoints.push(r));
    const moved = once(checkpointer, 'checkpoint');
    await commit(20);
    const [first] = (await moved) as [CheckpointResult];
    expect(first.checkpointed).toBeGreaterThan(0);
    // Only a checkpoint writes the database file in WAL mode, and the connection's own are off.
    expect(autocheckpoint(db)).toBe(0);
    expect(statSync(path).size).toBeGreaterThan(before);
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(23);
    expect(errors).toEqual([]);
  });

  test('stop closes the worker first; the last connection to close then removes the log', async () => {
    const { path, db, checkpointer, commit } = setUp();
    const ready = once(checkpointer, 'ready');
    await commit(3);
    await ready;
    const exited = once(checkpointer.workerForTests!, 'exit');
    await checkpointer.stop();
    expect(await exited).toEqual([0]);
    await checkpointer.stop(); // twice is harmless
    db.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
    const again = openSqlite(path);
    expect(again.prepare('SELECT count(*) FROM t').pluck().get()).toBe(3);
    again.close();
  });

  test('two connections on one file (two instances), each with its worker, write on without errors', async () => {
    const one = setUp();
    const two = setUp({}, one.path);
    await Promise.all([once(one.checkpointer, 'ready'), once(two.checkpointer, 'ready'), one.commit(3), two.commit(3)]);
    // Both workers checkpoint the same log; the one that finds the other at it skips that round.
    await Promise.all([one.commit(40), two.commit(40)]);
    const copied = Promise.race([once(one.checkpointer, 'checkpoint'), once(two.checkpointer, 'checkpoint')]);
    await Promise.all([one.commit(1), two.commit(1), copied]);
    expect(one.db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(88);
    expect([...one.errors, ...two.errors]).toEqual([]);
    expect([autocheckpoint(one.db), autocheckpoint(two.db)]).toEqual([0, 0]);
  });

  test('a connection closed before the worker is ready is left alone', async () => {
    const { db, checkpointer, errors, commit } = setUp();
    await commit(3);
    const worker = checkpointer.workerForTests!;
    db.close();
    // Heard after the checkpointer's own listener: by then it has seen the ready message.
    await once(worker, 'message');
    expect(db.open).toBe(false);
    expect(errors).toEqual([]);
  });

  test('a worker that cannot start is reported once, and the connection keeps its own checkpoints', async () => {
    const { db, checkpointer, errors, failure, commit } = setUp({ sqliteModule: '/nonexistent/better-sqlite3' });
    await commit(3);
    const err = await failure;
    expect(err.message).toMatch(/checkpoint worker for .*wal\.db failed; checkpoints run on the main thread again/);
    expect(String((err.cause as Error).message)).toMatch(/Cannot find module '\/nonexistent\/better-sqlite3'/);
    expect(errors).toEqual([err]);
    expect(autocheckpoint(db)).toBe(1000);
    const failed = checkpointer.workerForTests;
    await commit(5); // writes go on, and no second thread is started
    expect(checkpointer.workerForTests).toBe(failed);
    expect(errors).toHaveLength(1);
  });

  test('a worker that dies after taking over gives the checkpoints back to the connection', async () => {
    const { db, checkpointer, errors, failure, commit } = setUp();
    const ready = once(checkpointer, 'ready');
    await commit(3);
    await ready;
    await checkpointer.workerForTests!.terminate();
    const err = await failure;
    expect(String((err.cause as Error).message)).toMatch(/the worker exited with code 1/);
    expect(autocheckpoint(db)).toBe(1000);
    expect(errors).toEqual([err]);
  });
});

describe('SQLite stores', () => {
  test('move their checkpoints off the event loop: the database file is written long before SQLite would', async () => {
    const dir = dirs.make('acrbot-checkpointer-stores-');
    const path = join(dir, 'acrbot.db');
    const errors: Error[] = [];
    const stores = sqliteStores(path, { now: () => new Date() }, undefined, {
      onBackgroundError: (e) => errors.push(e),
    });
    try {
      // In WAL mode only a checkpoint writes the database file; SQLite's own would wait for a
      // 1,000-page log, which these ~150 small commits do not come near.
      const written = new Promise<void>((resolve) => {
        const watcher = watch(path, () => {
          watcher.close();
          resolve();
        });
      });
      for (let i = 0; i < 150; i++) await stores.abuse.firstSighting(`activity-${i}`, new Date(), 60_000);
      // The database file changed: a checkpoint ran (without one, this never resolves).
      await written;
      expect(errors).toEqual([]);
    } finally {
      await stores.close();
    }
  });
});

/**
 * A process that starts a checkpointer's worker and then either does nothing more (`idle`) or
 * stops it and says so (`stop`). Its own process: under Jest something always keeps the event
 * loop alive, and what these catch is a process that cannot end, or that ends mid-shutdown.
 */
const checkpointerProcessSource = (path: string) => `
import { once } from 'node:events';
import { commitGroupOf } from ${JSON.stringify(resolve(ROOT, 'src/integrations/store/sqlite-commit-group'))};
import { openSqlite } from ${JSON.stringify(resolve(ROOT, 'src/integrations/store/sqlite-database'))};
import { attachWalCheckpointer } from ${JSON.stringify(resolve(ROOT, 'src/integrations/store/sqlite-wal-checkpointer'))};
(async () => {
  const db = openSqlite(${JSON.stringify(path)});
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const checkpointer = attachWalCheckpointer(db, {
    onError: (err) => process.stdout.write('background error: ' + err.message + '\\n'),
    startAfterCommits: 1,
    intervalMs: 5,
  });
  const group = commitGroupOf(db);
  // Alive while it works, as a bot is while it listens; the worker alone keeps nothing alive.
  const working = setInterval(() => undefined, 1000);
  const ready = once(checkpointer, 'ready');
  await group.write(() => db.prepare('INSERT INTO t (body) VALUES (?)').run('x'));
  await ready;
  clearInterval(working);
  process.stdout.write('ready\\n');
  if (process.argv[2] !== 'stop') return;
  await checkpointer.stop();
  db.close();
  process.stdout.write('closed\\n');
})();
`;

describe('a process using a checkpointer', () => {
  /** Runs the script with `mode`; resolves its output once it has ended by itself (killed after 20 s). */
  async function run(mode: 'idle' | 'stop'): Promise<{ stdout: string; path: string }> {
    const dir = dirs.make('acrbot-checkpointer-process-');
    const path = join(dir, 'acrbot.db');
    const script = join(dir, 'checkpointer-process.ts');
    writeFileSync(script, checkpointerProcessSource(path));
    const { stdout } = await promisify(execFile)(process.execPath, ['scripts/run-ts.js', script, mode], {
      cwd: ROOT,
      timeout: 20_000,
    });
    return { stdout, path };
  }

  test('ends by itself when it has nothing else to do: the worker does not hold it open', async () => {
    expect((await run('idle')).stdout).toBe('ready\n');
  });

  test('with nothing else to do, still finishes its shutdown while the worker stops', async () => {
    const { stdout, path } = await run('stop');
    expect(stdout).toBe('ready\nclosed\n');
    // The last connection closed cleanly: the log is back in the file and gone.
    expect(existsSync(`${path}-wal`)).toBe(false);
  });
});
