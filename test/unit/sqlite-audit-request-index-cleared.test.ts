/**
 * G11 on SQLite: the `request_id` column is the index `audit R-…` and exports by request read.
 * Cleared on an entry that has a request id, it hides the entry from its request while the hash
 * chain (which covers the entry, not the column) still verifies: verify must name it. Found by
 * mutation testing: a check of the column only when it was set passed every test; so did a check
 * that read the rows from seq 1 on, leaving a row inserted below it (shown under its request) unread.
 */
import Database from 'better-sqlite3';
import type { AuditEntry } from '../../src/domain/audit-chain';
import { SqliteAuditLog } from '../../src/integrations/store/sqlite-audit-log';
import { openSqlite } from '../../src/integrations/store/sqlite-database';
import { FakeClock, SECOND } from './support/fake-clock';
import { auditEvent } from './support/requests';
import { useTempDir } from './support/temp-dir';

const tmp = useTempDir();

test("an entry's request index cleared (hidden from `audit R-…`) is named by verify at that entry", async () => {
  const path = tmp.path('cleared.db');
  const db = openSqlite(path);
  const attacker = new Database(path);
  try {
    const clock = new FakeClock();
    const log = new SqliteAuditLog(db, clock);
    for (let i = 1; i <= 3; i++) {
      clock.advance(SECOND);
      await log.append(auditEvent(i));
    }
    await expect(log.verify()).resolves.toEqual({ intact: true, count: 3 });
    attacker.exec('DROP TRIGGER audit_no_update');
    attacker.prepare('UPDATE audit SET request_id = NULL WHERE seq = 2').run();
    // The entry no longer shows under its request...
    expect((await log.forRequest('req-2')).map((e) => e.seq)).toEqual([]);
    // ...and verify says so, at that entry.
    await expect(log.verify()).resolves.toEqual({
      intact: false,
      count: 1,
      brokenAtSeq: 2,
      problem: "the entry's request index differs from the entry (it was modified to hide it from its request)",
    });
  } finally {
    attacker.close();
    db.close();
  }
});

test('a row inserted below seq 1 (shown under its request by `audit R-…`) is named by verify, not passed over', async () => {
  const path = tmp.path('below-one.db');
  const db = openSqlite(path);
  const attacker = new Database(path);
  try {
    const clock = new FakeClock();
    const log = new SqliteAuditLog(db, clock);
    for (let i = 1; i <= 2; i++) {
      clock.advance(SECOND);
      await log.append(auditEvent(i));
    }
    const first = JSON.parse(
      (attacker.prepare('SELECT entry FROM audit WHERE seq = 1').get() as { entry: string }).entry,
    ) as AuditEntry;
    // Inserting needs no trigger dropped: the log is append-only, not insert-only.
    attacker
      .prepare('INSERT INTO audit (seq, request_id, entry) VALUES (0, ?, ?)')
      .run('req-1', JSON.stringify({ ...first, seq: 0, outcome: 'granted' }));
    expect((await log.forRequest('req-1')).map((e) => e.seq)).toEqual([0, 1]);
    await expect(log.verify()).resolves.toMatchObject({ intact: false, brokenAtSeq: 1 });
  } finally {
    attacker.close();
    db.close();
  }
});
