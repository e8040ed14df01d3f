import Database from 'better-sqlite3';
import { openAuditReadOnly } from '../../src/audit-cli/storage';
import { chainEntry, type AuditEntry } from '../../src/domain/audit-chain';
import { SqliteAuditLog } from '../../src/integrations/store/sqlite-audit-log';
import { openSqlite, type SqliteDatabase } from '../../src/integrations/store/sqlite-database';
import { appendAuditEntries } from './support/audit-file';
import { describeAuditLogContract } from './support/audit-log-contract';
import { FakeClock, SECOND } from './support/fake-clock';
import { auditEvent } from './support/requests';
import { useTempDir } from './support/temp-dir';

const tmp = useTempDir();

describeAuditLogContract('SqliteAuditLog (:memory:)', (clock) => {
  const db = openSqlite(':memory:');
  return { log: new SqliteAuditLog(db, clock), clock, dispose: async () => void db.close() };
});

describeAuditLogContract('SqliteAuditLog (file)', (clock) => {
  const db = openSqlite(tmp.path('contract.db'));
  return { log: new SqliteAuditLog(db, clock), clock, dispose: async () => void db.close() };
});

/** A log of `n` entries in a temp file, plus a second ("attacker") connection to the same file. */
async function fileLog(
  n: number,
): Promise<{ db: SqliteDatabase; attacker: Database.Database; log: SqliteAuditLog; path: string; close(): void }> {
  const path = tmp.path('tamper.db');
  const db = openSqlite(path);
  const log = await appendAuditEntries(db, n);
  const attacker = new Database(path);
  return {
    db,
    attacker,
    log,
    path,
    close: () => {
      attacker.close();
      db.close();
    },
  };
}

const entryOf = (db: Database.Database, seq: number) =>
  JSON.parse((db.prepare('SELECT entry FROM audit WHERE seq = ?').get(seq) as { entry: string }).entry) as AuditEntry;

describe('SqliteAuditLog is append-only (triggers)', () => {
  test.each([
    ['UPDATE entry', "UPDATE audit SET entry = replace(entry, 'pending', 'granted') WHERE seq = 2"],
    ['UPDATE seq', 'UPDATE audit SET seq = 99 WHERE seq = 3'],
    ['DELETE one', 'DELETE FROM audit WHERE seq = 2'],
    ['DELETE all', 'DELETE FROM audit'],
  ])('%s throws "append-only"', async (_name, sql) => {
    const t = await fileLog(3);
    try {
      expect(() => t.attacker.exec(sql)).toThrow(/the audit log is append-only/);
      expect(() => t.db.exec(sql)).toThrow(/the audit log is append-only/);
      await expect(t.log.verify()).resolves.toEqual({ intact: true, count: 3 });
    } finally {
      t.close();
    }
  });
});

const dropTriggers = (db: Database.Database) => {
  db.exec('DROP TRIGGER audit_no_update');
  db.exec('DROP TRIGGER audit_no_delete');
};

describe('SqliteAuditLog detects tampering of the file (triggers dropped first)', () => {
  test("UPDATE of an entry's JSON is reported at that seq", async () => {
    const t = await fileLog(3);
    try {
      dropTriggers(t.attacker);
      const forged = { ...entryOf(t.attacker, 2), outcome: 'granted' };
      t.attacker.prepare('UPDATE audit SET entry = ? WHERE seq = 2').run(JSON.stringify(forged));
      expect(entryOf(t.db, 2).outcome).toBe('granted');
      await expect(t.log.verify()).resolves.toEqual({
        intact: false,
        count: 2,
        brokenAtSeq: 2,
        problem: 'content does not match its hash (the entry was modified)',
      });
    } finally {
      t.close();
    }
  });

  test('UPDATE of the last entry is reported at that seq', async () => {
    const t = await fileLog(5);
    try {
      dropTriggers(t.attacker);
      t.attacker
        .prepare('UPDATE audit SET entry = ? WHERE seq = 5')
        .run(JSON.stringify({ ...entryOf(t.attacker, 5), detail: 'nothing to see' }));
      await expect(t.log.verify()).resolves.toMatchObject({ intact: false, brokenAtSeq: 5 });
    } finally {
      t.close();
    }
  });

  test('DELETE of a middle row is reported as a gap', async () => {
    const t = await fileLog(4);
    try {
      dropTriggers(t.attacker);
      t.attacker.exec('DELETE FROM audit WHERE seq = 2');
      await expect(t.log.verify()).resolves.toEqual({
        intact: false,
        count: 2,
        brokenAtSeq: 3,
        problem: 'expected seq 2, found 3 (an entry was deleted, inserted or reordered)',
      });
    } finally {
      t.close();
    }
  });

  const moveEntry = async () => {
    const t = await fileLog(3);
    dropTriggers(t.attacker);
    t.attacker.exec('DELETE FROM audit WHERE seq = 2');
    t.attacker.exec('UPDATE audit SET seq = 2 WHERE seq = 3'); // entry 3 now sits in row 2
    return t;
  };

  test("moving an entry to another row (row seq != entry seq) is reported at the row's seq", async () => {
    const t = await moveEntry();
    try {
      await expect(t.log.verify()).resolves.toEqual({
        intact: false,
        count: 1,
        brokenAtSeq: 2,
        problem: 'the entry stored at this position belongs elsewhere (entries were moved)',
      });
    } finally {
      t.close();
    }
  });

  test('DELETE of the tail is detected through the recorded head', async () => {
    const t = await fileLog(3);
    try {
      dropTriggers(t.attacker);
      t.attacker.exec('DELETE FROM audit WHERE seq = 3');
      await expect(t.log.verify()).resolves.toMatchObject({ intact: false, count: 2, brokenAtSeq: 3 });
    } finally {
      t.close();
    }
  });

  test('after tampering, new appends continue from the tampered tail and the break is still reported', async () => {
    const t = await fileLog(3);
    try {
      dropTriggers(t.attacker);
      t.attacker
        .prepare('UPDATE audit SET entry = ? WHERE seq = 2')
        .run(JSON.stringify({ ...entryOf(t.attacker, 2), outcome: 'granted' }));
      expect((await t.log.append(auditEvent(4))).seq).toBe(4);
      await expect(t.log.verify()).resolves.toMatchObject({ intact: false, brokenAtSeq: 2 });
    } finally {
      t.close();
    }
  });
});

describe('SqliteAuditLog finds the chain head', () => {
  // acrbot has written audit_head with every entry since its first release: entries without it
  // were never written so, and a head deleted with the newest entries must not verify.
  test('no head row while entries exist: verify is BROKEN past the last entry, not intact; append refused', async () => {
    const t = await fileLog(4);
    try {
      dropTriggers(t.attacker);
      t.attacker.exec('DELETE FROM audit WHERE seq > 2');
      t.attacker.exec('DELETE FROM audit_head');
      const broken = {
        intact: false,
        count: 2,
        brokenAtSeq: 3,
        problem:
          'the log has entries up to seq 2 but no chain head, so entries deleted from the end would not show (acrbot writes the head with every entry, in the same transaction: it was deleted)',
      };
      await expect(t.log.verify()).resolves.toEqual(broken);
      // Writing the head again would hide the cut: the append is refused, nothing written.
      await expect(t.log.append(auditEvent(5))).rejects.toThrow(
        /^the audit log has entries up to seq 2 but no chain head row .*nothing was appended/,
      );
      expect((await t.log.latest(10)).map((e) => e.seq)).toEqual([1, 2]);
      expect(t.attacker.prepare('SELECT count(*) AS n FROM audit_head').get()).toEqual({ n: 0 });
      // The audit CLI's read-only connection says the same.
      const cli = openAuditReadOnly(t.path);
      try {
        await expect(cli.log.verify()).resolves.toEqual(broken);
      } finally {
        cli.close();
      }
    } finally {
      t.close();
    }
  });

  test('no head row and an entry modified: the modified entry is named first', async () => {
    const t = await fileLog(3);
    try {
      dropTriggers(t.attacker);
      t.attacker
        .prepare('UPDATE audit SET entry = ? WHERE seq = 2')
        .run(JSON.stringify({ ...entryOf(t.attacker, 2), outcome: 'granted' }));
      t.attacker.exec('DELETE FROM audit_head');
      await expect(t.log.verify()).resolves.toEqual({
        intact: false,
        count: 2,
        brokenAtSeq: 2,
        problem: 'content does not match its hash (the entry was modified)',
      });
    } finally {
      t.close();
    }
  });

  test('a head row that does not name the last entry stops appends (chaining on would hide the edit)', async () => {
    const t = await fileLog(2);
    try {
      const first = entryOf(t.attacker, 1) as AuditEntry;
      // Moved back to seq 1, as someone who then cuts entry 2 would leave it.
      t.attacker.prepare('UPDATE audit_head SET seq = 1, hash = ? WHERE id = 1').run(first.hash);
      const before = await t.log.verify();
      expect(before).toMatchObject({ intact: false });
      await expect(t.log.append(auditEvent(3))).rejects.toThrow(
        "the audit log's chain head names seq 1 but its last entry is seq 2",
      );
      // Nothing was written: verify says what it said.
      await expect(t.log.verify()).resolves.toEqual(before);
    } finally {
      t.close();
    }
  });
});

describe('SqliteAuditLog across connections', () => {
  test('two logs on one file interleave appends into one gap-free chain', async () => {
    const path = tmp.path('shared.db');
    const dbA = openSqlite(path);
    const dbB = openSqlite(path);
    const clock = new FakeClock();
    const a = new SqliteAuditLog(dbA, clock);
    const b = new SqliteAuditLog(dbB, clock);
    try {
      const entries = await Promise.all(
        Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).append(auditEvent(i + 1))),
      );
      expect(entries.map((e) => e.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      await expect(a.verify()).resolves.toEqual({ intact: true, count: 200 });
      await expect(b.verify()).resolves.toEqual({ intact: true, count: 200 });
    } finally {
      dbA.close();
      dbB.close();
    }
  });

  test('a restart keeps the chain and continues it', async () => {
    const path = tmp.path('restart.db');
    const clock = new FakeClock();
    const first = openSqlite(path);
    const last = await (async () => {
      const log = new SqliteAuditLog(first, clock);
      await log.append(auditEvent(1));
      return log.append(auditEvent(2));
    })();
    first.close();
    const second = openSqlite(path);
    try {
      const log = new SqliteAuditLog(second, clock);
      const next = await log.append(auditEvent(3));
      expect(next).toMatchObject({ seq: 3, prevHash: last.hash });
      await expect(log.verify()).resolves.toEqual({ intact: true, count: 3 });
    } finally {
      second.close();
    }
  });
});

describe('SqliteAuditLog idempotency keys', () => {
  const columns = (db: Database.Database) =>
    (db.prepare('PRAGMA table_info(audit)').all() as { name: string }[]).map((c) => c.name);

  /** A file as acrbot wrote it before keys: no idempotency_key column, entries without a key. */
  function fileFromBeforeKeys(n: number): { path: string; entries: AuditEntry[] } {
    const path = tmp.path('before-keys.db');
    const db = openSqlite(path);
    const clock = new FakeClock();
    const entries: AuditEntry[] = [];
    for (let i = 1; i <= n; i++) {
      const entry = chainEntry(auditEvent(i), entries[i - 2], clock.advance(SECOND));
      db.prepare('INSERT INTO audit (seq, request_id, entry) VALUES (?, ?, ?)').run(
        entry.seq,
        entry.requestId ?? null,
        JSON.stringify(entry),
      );
      db.prepare('INSERT OR REPLACE INTO audit_head (id, seq, hash) VALUES (1, ?, ?)').run(entry.seq, entry.hash);
      entries.push(entry);
    }
    expect(columns(db)).not.toContain('idempotency_key');
    db.close();
    return { path, entries };
  }

  test('a file from before keys gets the column on open: its entries still verify, a key is then appended once', async () => {
    const { path, entries } = fileFromBeforeKeys(3);
    // The audit CLI's read-only connection cannot add the column: it still verifies the old file.
    const before = openAuditReadOnly(path);
    try {
      await expect(before.log.verify()).resolves.toEqual({ intact: true, count: 3 });
    } finally {
      before.close();
    }
    const db = openSqlite(path);
    try {
      const log = new SqliteAuditLog(db, new FakeClock('2025-01-15T10:00:00.000Z'));
      expect(columns(db)).toContain('idempotency_key');
      await expect(log.verify()).resolves.toEqual({ intact: true, count: 3 });
      const keyed = await log.append(auditEvent(4, { idempotencyKey: 'audit.retry:k-1' }));
      expect(keyed).toMatchObject({ seq: 4, prevHash: entries[2].hash, idempotencyKey: 'audit.retry:k-1' });
      await expect(log.append(auditEvent(4, { idempotencyKey: 'audit.retry:k-1' }))).resolves.toEqual(keyed);
      // Opened again (a restart, another process): the migration does nothing twice.
      expect(() => new SqliteAuditLog(db, new FakeClock())).not.toThrow();
      await expect(log.verify()).resolves.toEqual({ intact: true, count: 4 });
    } finally {
      db.close();
    }
  });

  test('two processes on one file appending under one key store it once', async () => {
    const path = tmp.path('shared-keys.db');
    const dbA = openSqlite(path);
    const dbB = openSqlite(path);
    const clock = new FakeClock();
    const [a, b] = [new SqliteAuditLog(dbA, clock), new SqliteAuditLog(dbB, clock)];
    try {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).append(auditEvent(i, { idempotencyKey: `k-${i % 3}` }))),
      );
      expect(new Set(results.map((e) => e.seq)).size).toBe(3);
      await expect(a.verify()).resolves.toEqual({ intact: true, count: 3 });
    } finally {
      dbA.close();
      dbB.close();
    }
  });

  test('a key column naming an entry that does not carry the key: the append is refused, nothing written, verify names it', async () => {
    const t = await fileLog(2);
    try {
      // Someone with the file marks entry 2 as the retried entry's, so that its append looks done.
      t.attacker.exec('DROP TRIGGER audit_no_update');
      t.attacker.prepare("UPDATE audit SET idempotency_key = 'audit.retry:pending' WHERE seq = 2").run();
      await expect(t.log.append(auditEvent(3, { idempotencyKey: 'audit.retry:pending' }))).rejects.toThrow(
        /index names an entry for this idempotency key that does not carry it/,
      );
      expect((await t.log.latest(10)).map((e) => e.seq)).toEqual([1, 2]);
      await expect(t.log.verify()).resolves.toEqual({
        intact: false,
        count: 1,
        brokenAtSeq: 2,
        problem: "the entry's idempotency key index differs from the entry (it was modified)",
      });
    } finally {
      t.close();
    }
  });

  test('a key column cleared (so the event could be appended again) is named by verify', async () => {
    const t = await fileLog(1);
    try {
      await t.log.append(auditEvent(2, { idempotencyKey: 'audit.retry:done' }));
      t.attacker.exec('DROP TRIGGER audit_no_update');
      t.attacker.prepare('UPDATE audit SET idempotency_key = NULL WHERE seq = 2').run();
      await expect(t.log.verify()).resolves.toMatchObject({ intact: false, brokenAtSeq: 2 });
      // Appended again past the cleared index, which is then put back: both copies carry the
      // key, and the repeat is named.
      await expect(t.log.append(auditEvent(2, { idempotencyKey: 'audit.retry:done' }))).resolves.toMatchObject({
        seq: 3,
      });
      t.attacker.exec('DROP INDEX audit_by_idempotency_key');
      t.attacker.prepare("UPDATE audit SET idempotency_key = 'audit.retry:done' WHERE seq = 2").run();
      await expect(t.log.verify()).resolves.toEqual({
        intact: false,
        count: 3,
        brokenAtSeq: 3,
        problem: expect.stringMatching(/^the entry repeats the idempotency key of seq 2 /),
      });
    } finally {
      t.close();
    }
  });
});
