/**
 * The store scripts operators run before a switch or a move (docs/operations.md): `store:owed`
 * lists what a store still owes (exit 1) or says nothing is (exit 0); `store:backup` copies a
 * live SQLite file whole, with what only its -wal holds. Each runs as operators run it, a
 * child process via run-ts, against a file a connection of the bot's kind holds open.
 */
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { ScheduledJob } from '../../src/domain/ports';
import { SqliteScheduleStore } from '../../src/integrations/store/sqlite-coordination';
import { openSqlite, type SqliteDatabase } from '../../src/integrations/store/sqlite-database';
import { SqliteRequestStore } from '../../src/integrations/store/sqlite-request-store';
import { pendingRequest } from '../unit/support/requests';
import { useTempDir } from '../unit/support/temp-dir';

const ROOT = resolve(__dirname, '..', '..');
const tmp = useTempDir('acrbot-store-scripts-');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `scripts/<script> <args>` as `npm run` does; never rejects on a non-zero exit. */
async function script(name: string, ...args: string[]): Promise<Run> {
  // ACRBOT_STORAGE cleared so only the arguments decide which store is read.
  const env = { ...process.env, ACRBOT_STORAGE: '' };
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [join(ROOT, 'scripts/run-ts.js'), join(ROOT, 'scripts', name), ...args],
      { cwd: ROOT, env },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A store file held open as the running bot holds it: WAL, no automatic checkpoint. */
function runningStore(name: string): { path: string; db: SqliteDatabase } {
  const path = tmp.path(name);
  const db = openSqlite(path);
  // The bot's checkpointer turns SQLite's own off (sqlite-wal-checkpointer.ts): writes stay in
  // the -wal until it checkpoints.
  db.pragma('wal_autocheckpoint = 0');
  return { path, db };
}

function job(overrides: Partial<ScheduledJob> & Pick<ScheduledJob, 'id' | 'kind'>): ScheduledJob {
  return { dueAt: '2030-01-01T00:00:00.000Z', attempts: 0, ...overrides };
}

describe('store:owed', () => {
  test('a pending request and an owed review: both listed, exit 1', async () => {
    const { path, db } = runningStore('owed.db');
    try {
      const pending = pendingRequest({ id: 'R-PEND1NG2' });
      await new SqliteRequestStore(db, false).create(pending);
      const schedule = new SqliteScheduleStore(db);
      await schedule.put(
        job({ id: 'breakglass.review:R-BGREV1EW', kind: 'breakglass.review', requestId: 'R-BGREV1EW' }),
      );
      await schedule.put(job({ id: 'drift.check', kind: 'drift.check' }));

      const r = await script('store-owed.ts', '--storage', `sqlite:${path}`);

      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/pending: 1\n\s+R-PEND1NG2/);
      expect(r.stdout).toMatch(/breakglass\.review: 1 .*\n\s+R-BGREV1EW/);
      // The drift check is the bot's own, scheduled again by any store: listed apart, not owed.
      expect(r.stdout).not.toMatch(/drift\.check: 1/);
      expect(r.stdout).toContain('OWED');
    } finally {
      db.close();
    }
  });

  test('a store with nothing owed (its recurring jobs only): exit 0, and nothing written', async () => {
    const { path, db } = runningStore('empty.db');
    await new SqliteScheduleStore(db).put(job({ id: 'store.purge', kind: 'store.purge' }));
    db.close();
    const before = statSync(path).mtimeMs;

    const r = await script('store-owed.ts', '--storage', `sqlite:${path}`);

    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Nothing owed');
    expect(statSync(path).mtimeMs).toBe(before);
  });
});

describe('store:backup', () => {
  test('a live store whose latest write is only in its -wal: the copy holds it', async () => {
    const { path, db } = runningStore('live.db');
    try {
      await new SqliteRequestStore(db, false).create(pendingRequest({ id: 'R-0NLYNWAL' }));
      expect(statSync(`${path}-wal`).size).toBeGreaterThan(0);
      // What a plain copy of the file gives: a valid store without the write (why the script exists).
      const plain = tmp.path('plain.db');
      copyFileSync(path, plain);
      expect(requestIds(plain)).not.toContain('R-0NLYNWAL');

      const target = tmp.path('backup.db');
      const r = await script('store-backup.ts', path, target);

      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(requestIds(target)).toEqual(['R-0NLYNWAL']);
      // A second run never replaces a copy.
      expect((await script('store-backup.ts', path, target)).code).toBe(2);
    } finally {
      db.close();
    }
  });

  // A bot killed on a database of the target's name leaves its -wal (and -shm) behind; SQLite takes
  // a -wal beside a file as that file's own and replays it on open, so the copy would open as the
  // killed database's state while the script reported its own. Each side file is refused.
  test.each(['-wal', '-shm', '-journal'])(
    'a %s file already beside the target: refused, nothing copied, the file left alone',
    async (suffix) => {
      const { path, db } = runningStore('source.db');
      const killed = runningStore('killed.db');
      try {
        await new SqliteRequestStore(db, false).create(pendingRequest({ id: 'R-S0URCE00' }));
        await new SqliteRequestStore(killed.db, false).create(pendingRequest({ id: 'R-K1LLED00' }));
        const target = tmp.path('restored.db');
        // What the killed process left under the target's name: its real -wal, or another side file.
        if (suffix === '-wal') copyFileSync(`${killed.path}-wal`, `${target}-wal`);
        else writeFileSync(`${target}${suffix}`, 'left by a killed process');
        const left = readFileSync(`${target}${suffix}`);

        const r = await script('store-backup.ts', path, target);

        expect(r.code).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr).toContain(`${target}${suffix} exists`);
        expect(r.stderr).toContain('move the -wal, -shm and -journal files of that name away');
        expect(existsSync(target)).toBe(false);
        expect(readdirSync(dirname(target)).filter((name) => name.includes('.partial-'))).toEqual([]);
        expect(readFileSync(`${target}${suffix}`)).toEqual(left);
      } finally {
        db.close();
        killed.db.close();
      }
    },
  );
});

/** The request ids in the database file at `path` (a plain read, as a restore would open it). */
function requestIds(path: string): string[] {
  expect(existsSync(path)).toBe(true);
  const db = new Database(path);
  try {
    const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'requests'").get();
    return hasTable ? (db.prepare('SELECT id FROM requests').all() as { id: string }[]).map((row) => row.id) : [];
  } finally {
    db.close();
  }
}
