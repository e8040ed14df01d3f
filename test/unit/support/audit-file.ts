/**
 * Audit logs written by the bot's own writer (SqliteAuditLog over a FakeClock), as the audit CLI
 * and store tests start from: `n` entries, one clock step apart, so each test names only what its
 * log is about (start, step, key, which entries are of which request).
 */
import type { AuditEvent, AuditKey } from '../../../src/domain/audit-chain';
import { SqliteAuditLog } from '../../../src/integrations/store/sqlite-audit-log';
import { openSqlite, type SqliteDatabase } from '../../../src/integrations/store/sqlite-database';
import { FakeClock, SECOND } from './fake-clock';
import { auditEvent } from './requests';

/** How the entries are written: unless given, from FakeClock's default start, a second apart, unkeyed, `auditEvent(i)`. */
export interface AuditEntriesOptions {
  /** The clock's start; the first entry is one `step` after it. */
  start?: string;
  /** Milliseconds between entries. */
  step?: number;
  /** The audit key that signs the entries (MACs). */
  key?: AuditKey;
  /** The event of entry `i` (1-based). */
  event?: (i: number) => AuditEvent;
}

/** Appends entries 1..`n` to `db` through a SqliteAuditLog, the clock advanced a `step` before each; the log stays open. */
export async function appendAuditEntries(
  db: SqliteDatabase,
  n: number,
  { start, step = SECOND, key, event = (i) => auditEvent(i) }: AuditEntriesOptions = {},
): Promise<SqliteAuditLog> {
  const clock = new FakeClock(start);
  const log = new SqliteAuditLog(db, clock, key);
  for (let i = 1; i <= n; i++) {
    clock.advance(step);
    await log.append(event(i));
  }
  return log;
}

/** A database file at `path` holding entries 1..`n` (see {@link appendAuditEntries}), its writer closed; returns `path`. */
export async function writeAuditFile(path: string, n: number, options: AuditEntriesOptions = {}): Promise<string> {
  const db = openSqlite(path);
  await appendAuditEntries(db, n, options);
  db.close();
  return path;
}
