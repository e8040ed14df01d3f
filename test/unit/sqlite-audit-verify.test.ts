/**
 * `audit verify` on a SQLite file runs off the bot's thread (a year's log takes tens of seconds
 * to hash, and chat, the tab, /readyz and lease renewals waited for all of it), reads the log in
 * chunks up to the seq that was last when it started, and gives the verdict it gave when it read
 * everything in one pass on the bot's connection.
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { chainEntry, type AuditKey, type ChainHead, type ChainVerdict } from '../../src/domain/audit-chain';
import { SqliteAuditLog } from '../../src/integrations/store/sqlite-audit-log';
import { verifyStoredChain } from '../../src/integrations/store/sqlite-audit-verify';
import { verifyOnWorker } from '../../src/integrations/store/sqlite-audit-verify-worker';
import { openSqlite, type SqliteDatabase } from '../../src/integrations/store/sqlite-database';
import { FakeClock } from './support/fake-clock';
import { auditEvent } from './support/requests';
import { useTempDir } from './support/temp-dir';

const tmp = useTempDir();
const TS = new Date('2025-06-01T00:00:00Z');

/** Appends `n` chained entries (and moves the head) in one transaction of direct SQL: fast and synchronous. */
function appendRows(db: Database.Database, n: number, key?: AuditKey): void {
  const insert = db.prepare('INSERT INTO audit (seq, request_id, idempotency_key, entry) VALUES (?, ?, NULL, ?)');
  const moveHead = db.prepare(
    'INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash',
  );
  db.transaction(() => {
    let prev = db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1').get() as ChainHead | undefined;
    for (let i = 0; i < n; i++) {
      const entry = chainEntry(auditEvent((prev?.seq ?? 0) + 1), prev, TS, key);
      insert.run(entry.seq, entry.requestId ?? null, JSON.stringify(entry));
      prev = entry;
    }
    if (prev) moveHead.run(prev.seq, prev.hash);
  })();
}

/** A file log of `n` entries (MACs under `key`), the bot's store on it, and an "attacker" connection. */
function seededLog(
  n: number,
  key?: AuditKey,
): { db: SqliteDatabase; log: SqliteAuditLog; attacker: Database.Database } {
  const path = tmp.path('audit.db');
  const db = openSqlite(path);
  const log = new SqliteAuditLog(db, new FakeClock(), key);
  appendRows(db, n, key);
  return { db, log, attacker: new Database(path) };
}

/** The verdict in one read transaction on the bot's own connection, as the audit CLI takes it. */
async function verdictInOneSnapshot(db: SqliteDatabase, log: SqliteAuditLog): Promise<ChainVerdict> {
  db.exec('BEGIN');
  try {
    return await log.verify();
  } finally {
    db.exec('ROLLBACK');
  }
}

test('other callbacks keep running while a 20,000-entry log is verified', async () => {
  const { db, log, attacker } = seededLog(20_000);
  try {
    // Each turn of the event loop schedules the next: a check on the bot's thread lets none run.
    let turns = 0;
    let verifying = true;
    const spin = () => {
      turns++;
      if (verifying) setImmediate(spin);
    };
    setImmediate(spin);
    const verdict = await log.verify();
    verifying = false;
    expect(verdict).toEqual({ intact: true, count: 20_000 });
    expect(turns).toBeGreaterThan(1000);
  } finally {
    attacker.close();
    db.close();
  }
});

/** Rows past the first chunk (1,000 rows): breaks on either side of a chunk's edge. */
const N = 2500;
const dropTriggers = (db: Database.Database) => db.exec('DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;');
const entryAt = (db: Database.Database, seq: number) =>
  JSON.parse((db.prepare('SELECT entry FROM audit WHERE seq = ?').get(seq) as { entry: string }).entry);

test.each<[string, (attacker: Database.Database) => void, ChainVerdict]>([
  ['an intact log', () => undefined, { intact: true, count: N }],
  [
    'the first entry of the second chunk modified',
    (a) =>
      a
        .prepare('UPDATE audit SET entry = ? WHERE seq = 1001')
        .run(JSON.stringify({ ...entryAt(a, 1001), outcome: 'granted' })),
    {
      intact: false,
      count: 1001,
      brokenAtSeq: 1001,
      problem: 'content does not match its hash (the entry was modified)',
    },
  ],
  [
    'the last row of the first chunk deleted',
    (a) => a.exec('DELETE FROM audit WHERE seq = 1000'),
    {
      intact: false,
      count: 1000,
      brokenAtSeq: 1001,
      problem: 'expected seq 1000, found 1001 (an entry was deleted, inserted or reordered)',
    },
  ],
  [
    'a MAC removed in the second chunk',
    (a) => {
      const { mac: _mac, ...unsigned } = entryAt(a, 2000);
      a.prepare('UPDATE audit SET entry = ? WHERE seq = 2000').run(JSON.stringify(unsigned));
    },
    {
      intact: false,
      count: 2000,
      brokenAtSeq: 2000,
      problem: 'the entry has no MAC although earlier entries have one (it was written without the audit key)',
    },
  ],
  [
    "an entry's request index changed",
    (a) => a.exec("UPDATE audit SET request_id = 'R-OTHER' WHERE seq = 1500"),
    {
      intact: false,
      count: 1499,
      brokenAtSeq: 1500,
      problem: "the entry's request index differs from the entry (it was modified to hide it from its request)",
    },
  ],
  [
    'the tail cut below the head',
    (a) => a.exec('DELETE FROM audit WHERE seq > 2000'),
    {
      intact: false,
      count: 2000,
      brokenAtSeq: 2001,
      problem: 'the log ends at seq 2000 but the recorded head is seq 2500 (entries were deleted from the end)',
    },
  ],
])('%s: the verdict off the thread is the one-pass verdict', async (_name, tamper, expected) => {
  const key = randomBytes(32);
  const { db, log, attacker } = seededLog(N, key);
  try {
    dropTriggers(attacker);
    tamper(attacker);
    expect(await log.verify()).toEqual(expected);
    expect(await verdictInOneSnapshot(db, log)).toEqual(expected);
  } finally {
    attacker.close();
    db.close();
  }
});

test('entries appended while the check reads its chunks are not read: the log is intact, not "past its head"', () => {
  const { db, attacker } = seededLog(N);
  const parse = JSON.parse;
  let parsed = 0;
  // Another process appends (and moves the head) between two chunks of the check.
  const spy = jest.spyOn(JSON, 'parse').mockImplementation((text: string, reviver) => {
    if (++parsed === 1500) appendRows(attacker, 3);
    return parse(text, reviver);
  });
  try {
    expect(verifyStoredChain(db, true)).toEqual({ intact: true, count: N });
    expect(parsed).toBe(N);
  } finally {
    spy.mockRestore();
    attacker.close();
    db.close();
  }
});

test('a file the worker cannot open: the verify rejects, naming the file, with the reason as cause', async () => {
  const path = tmp.path('missing.db');
  const err = await verifyOnWorker(path).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(err?.message).toBe(`The audit log in ${path} could not be verified on a worker thread`);
  expect(String((err?.cause as Error | undefined)?.message)).toMatch(/unable to open database file/);
});
