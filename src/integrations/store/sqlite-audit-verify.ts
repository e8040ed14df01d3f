/**
 * The check behind {@link SqliteAuditLog.verify}: the stored rows, in seq order, through the hash
 * chain check. Apart from the log class so a worker thread can run it on a connection of its own
 * (sqlite-audit-verify-worker.ts): a year's log takes tens of seconds to hash, which on the bot's
 * thread would stall every chat turn, tab answer and lease renewal meanwhile.
 *
 * The rows are read in chunks by seq, up to the last seq that was there when the check started
 * (read in one statement with the chain head, so one snapshot). The log is append-only, so what
 * is read is what that snapshot held; appends made meanwhile lie past it and are not read (they
 * would look like rows past the head). Each chunk outside a caller's transaction is a read of its
 * own, so the check holds no snapshot for its whole length and WAL checkpoints go on.
 */
import type { AuditEntry, AuditKey, ChainVerdict } from '../../domain/audit-chain';
import { verifyChain } from '../../domain/audit-chain';
import { headMissing } from './audit-head-missing';
import type { SqliteDatabase } from './sqlite-database';

/** Rows read per query: small enough to hold, large enough that the queries cost nothing. */
const CHUNK_ROWS = 1000;

/** The lowest SQLite rowid: a row stored below seq 1 (edited in) is read too, and named. */
const LOWEST_ROWID = -9223372036854775808n;

/** Whether the audit table has the idempotency_key column (a file written before keys may not). */
export function hasIdempotencyKeyColumn(db: SqliteDatabase): boolean {
  return (db.prepare('PRAGMA table_info(audit)').all() as { name: string }[]).some((c) => c.name === 'idempotency_key');
}

type Row = [seq: number, entry: string, requestId: string | null, idempotencyKey: string | null];

/**
 * Verifies the audit log stored on `db` (MACs too, with `key`). A row that is not JSON, or
 * whose entry claims another seq than its row (an entry moved), or whose index columns differ
 * from the entry, breaks the chain there; everything else is {@link verifyChain}'s check.
 */
export function verifyStoredChain(db: SqliteDatabase, keyColumn: boolean, key?: AuditKey): ChainVerdict {
  const start = db
    .prepare(
      'SELECT (SELECT seq FROM audit_head WHERE id = 1) AS headSeq, (SELECT hash FROM audit_head WHERE id = 1) AS headHash, (SELECT max(seq) FROM audit) AS tail',
    )
    .get() as { headSeq: number | null; headHash: string | null; tail: number | null };
  const head = start.headSeq === null ? undefined : { seq: start.headSeq, hash: start.headHash as string };
  // request_id is the index `audit R-…` and exports read by, idempotency_key the one appends
  // look keys up in: both checked against the entry, as the hash covers only the entry.
  const chunk = db
    .prepare(
      `SELECT seq, entry, request_id, ${keyColumn ? 'idempotency_key' : 'NULL'} FROM audit WHERE seq >= ? AND seq <= ? ORDER BY seq LIMIT ${CHUNK_ROWS}`,
    )
    .raw();
  function* rows(): Generator<Row> {
    if (start.tail === null) return;
    let from: number | bigint = LOWEST_ROWID;
    for (;;) {
      const batch = chunk.all(from, start.tail) as Row[];
      yield* batch;
      const last = batch[batch.length - 1];
      if (batch.length < CHUNK_ROWS || last[0] >= start.tail) return;
      from = last[0] + 1;
    }
  }
  let broken: ChainVerdict | undefined;
  let seen = 0;
  const stop = (seq: number, problem: string) => {
    broken = { intact: false, count: seen, brokenAtSeq: seq, problem };
  };
  function* entries(): Generator<AuditEntry> {
    for (const [seq, text, indexed, keyIndexed] of rows()) {
      let entry: AuditEntry;
      try {
        entry = JSON.parse(text) as AuditEntry;
      } catch {
        return stop(seq, 'the entry is not valid JSON (it was modified)');
      }
      if (entry === null || typeof entry !== 'object')
        return stop(seq, 'the stored entry is not an audit entry (it was modified)');
      if (entry.seq !== seq)
        return stop(seq, 'the entry stored at this position belongs elsewhere (entries were moved)');
      if ((indexed ?? undefined) !== (entry.requestId ?? undefined))
        return stop(
          seq,
          "the entry's request index differs from the entry (it was modified to hide it from its request)",
        );
      // A key column that names another entry's key would make that key's append return this
      // entry (refused, as this one does not carry it); one cleared would let it be appended twice.
      if ((keyIndexed ?? undefined) !== (entry.idempotencyKey ?? undefined))
        return stop(seq, "the entry's idempotency key index differs from the entry (it was modified)");
      seen++;
      yield entry;
    }
  }
  const verdict = verifyChain(entries(), head, key);
  if (broken) return broken;
  // Checked after the entries, so a break among them is named first (as on Tables).
  return verdict.intact && !head && verdict.count > 0 ? headMissing(verdict.count) : verdict;
}

/**
 * Verifies the audit log in the SQLite file at `path` on a read-only connection of its own,
 * closed before this returns (what the verify worker runs).
 */
export function verifyAuditFile(path: string, key?: AuditKey): ChainVerdict {
  // Required here, as openSqlite does: only a SQLite deployment loads the native addon.
  const BetterSqlite = require('better-sqlite3') as typeof import('better-sqlite3');
  const db = new BetterSqlite(path, { readonly: true, fileMustExist: true });
  try {
    // Waits briefly instead of failing while the bot holds a lock (a checkpoint).
    db.pragma('busy_timeout = 5000');
    return verifyStoredChain(db, hasIdempotencyKeyColumn(db), key);
  } finally {
    db.close();
  }
}
