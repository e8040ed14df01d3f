/**
 * The audit log in SQLite: append-only (triggers refuse UPDATE/DELETE), hash-chained (G11). An
 * entry's idempotency key (if any) is also in the `idempotency_key` column, under a unique
 * index: an append looks it up in the transaction that would insert the entry, so a key is
 * appended once across every process on the file.
 */
import type { AuditEntry, AuditEvent, AuditKey, ChainVerdict } from '../../domain/audit-chain';
import { chainEntry, storedUnderKey } from '../../domain/audit-chain';
import type { AuditLog, Clock } from '../../domain/ports';
import type { Statement } from 'better-sqlite3';
import { hasIdempotencyKeyColumn, verifyStoredChain } from './sqlite-audit-verify';
import { verifyOnWorker } from './sqlite-audit-verify-worker';
import { commitGroupOf, type SqliteCommitGroup } from './sqlite-commit-group';
import type { SqliteDatabase } from './sqlite-database';

/**
 * Adds the idempotency_key column and its unique index to a file written before keys existed
 * (a no-op once there), under the write lock so processes opening one file at once add it once.
 * Entries already there keep a NULL key, which the index leaves out. Returns whether the column
 * exists: a read-only connection to such a file (the audit CLI) cannot add it, reads without it
 * and never appends.
 */
function addIdempotencyKeyColumn(db: SqliteDatabase): boolean {
  const hasColumn = () => hasIdempotencyKeyColumn(db);
  if (db.readonly) return hasColumn();
  // Looked at first without the write lock: a start must not wait on another process's
  // transaction (or fail after the busy timeout) when there is nothing to add.
  const hasIndex = () =>
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'audit_by_idempotency_key'").get() !==
    undefined;
  if (hasColumn() && hasIndex()) return true;
  db.transaction(() => {
    if (!hasColumn()) db.exec('ALTER TABLE audit ADD COLUMN idempotency_key TEXT');
    db.exec(
      'CREATE UNIQUE INDEX IF NOT EXISTS audit_by_idempotency_key ON audit(idempotency_key) WHERE idempotency_key IS NOT NULL',
    );
  }).immediate();
  return true;
}

/** SQLite-backed {@link AuditLog}. */
export class SqliteAuditLog implements AuditLog {
  private readonly headAndTail;
  private readonly appendTx;
  /** Whether the file has the idempotency_key column (only a read-only connection to an older file lacks it). */
  private readonly keyColumn: boolean;
  /** Statements naming idempotency_key, prepared on the first append (see {@link keyColumn}). */
  private keyed: { insert: Statement; entryOfKey: Statement } | undefined;
  private readonly writeHead;
  private readonly newestFirst;
  private readonly ofRequest;
  private readonly atSeq;
  private readonly group: SqliteCommitGroup;
  /** The verify running on a worker, if any: the next one starts after it. */
  private verifying: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: SqliteDatabase,
    private readonly clock: Clock,
    /** The audit key (MACs on entries); undefined keeps entries unkeyed. */
    private readonly key?: AuditKey,
  ) {
    this.keyColumn = addIdempotencyKeyColumn(db);
    this.group = commitGroupOf(db);
    this.headAndTail = db.prepare(
      'SELECT (SELECT max(seq) FROM audit) AS tail, (SELECT seq FROM audit_head WHERE id = 1) AS headSeq, (SELECT hash FROM audit_head WHERE id = 1) AS headHash',
    );
    // Prepared once, like the append's: with an audit channel every request change reads both.
    this.newestFirst = db.prepare('SELECT entry FROM audit ORDER BY seq DESC LIMIT ?');
    this.ofRequest = db.prepare('SELECT entry FROM audit WHERE request_id = ? ORDER BY seq');
    this.atSeq = db.prepare('SELECT entry FROM audit WHERE seq = ?');
    this.writeHead = db.prepare(
      'INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash',
    );
    // Runs in the commit group's transaction, which takes the write lock (BEGIN IMMEDIATE)
    // before the tail is read, so appends from several processes on one file still form one
    // gap-free chain; a savepoint there, so an append that throws leaves nothing behind.
    // The key is looked up in the same transaction: no other append can land in between.
    this.appendTx = db.transaction((event: AuditEvent) => {
      const { insert, entryOfKey } = this.keyedStatements();
      if (event.idempotencyKey !== undefined) {
        const stored = entryOfKey.get(event.idempotencyKey) as { entry: string } | undefined;
        if (stored) return storedUnderKey(JSON.parse(stored.entry), event.idempotencyKey);
      }
      const entry = chainEntry(event, this.previous(), this.clock.now(), this.key);
      insert.run(entry.seq, entry.requestId ?? null, entry.idempotencyKey ?? null, JSON.stringify(entry));
      this.writeHead.run(entry.seq, entry.hash);
      return entry;
    });
  }

  private keyedStatements(): { insert: Statement; entryOfKey: Statement } {
    return (this.keyed ??= {
      insert: this.db.prepare('INSERT INTO audit (seq, request_id, idempotency_key, entry) VALUES (?, ?, ?, ?)'),
      entryOfKey: this.db.prepare('SELECT entry FROM audit WHERE idempotency_key = ?'),
    });
  }

  /**
   * The entry the next one chains to. The head row holds its seq and hash, so the common case
   * reads two small values instead of parsing the last entry (P8, docs/performance.md). No head
   * row while entries exist is refused: acrbot has written the row with every entry since its
   * first release, so it was deleted, and writing it again would make a cut tail verify (as on
   * Tables, where such an append cannot be written either). A head that names another seq than
   * the last entry's is refused too: both are written in one transaction, so rows were added past
   * it or it was moved back, and chaining on (with a new head) would make verify say intact.
   */
  private previous(): { seq: number; hash: string } | undefined {
    const row = this.headAndTail.get() as { tail: number | null; headSeq: number | null; headHash: string | null };
    if (row.tail === null) return undefined;
    if (row.headSeq === null)
      throw new Error(
        `the audit log has entries up to seq ${row.tail} but no chain head row (acrbot writes it with every entry: it was deleted); nothing was appended. Run npm run audit:verify and see docs/storage.md (a missing chain head)`,
      );
    if (row.headSeq !== row.tail || row.headHash === null)
      throw new Error(
        `the audit log's chain head names seq ${row.headSeq} but its last entry is seq ${row.tail} (acrbot writes both in one transaction: the log was edited); nothing was appended. Run npm run audit:verify`,
      );
    return { seq: row.headSeq, hash: row.headHash };
  }

  async append(event: AuditEvent): Promise<AuditEntry> {
    return this.group.write(() => this.appendTx.immediate(event));
  }

  async latest(limit: number): Promise<AuditEntry[]> {
    // A negative LIMIT is no limit in SQLite: none, as the other stores answer.
    if (limit <= 0) return [];
    const rows = this.newestFirst.all(limit) as { entry: string }[];
    return rows.map((r) => JSON.parse(r.entry) as AuditEntry).reverse();
  }

  async forRequest(requestId: string): Promise<AuditEntry[]> {
    const rows = this.ofRequest.all(requestId) as { entry: string }[];
    return rows.map((r) => JSON.parse(r.entry) as AuditEntry);
  }

  /** The entry at `seq` (anchor checks). */
  async entryAt(seq: number): Promise<AuditEntry | undefined> {
    const row = this.atSeq.get(seq) as { entry: string } | undefined;
    return row ? (JSON.parse(row.entry) as AuditEntry) : undefined;
  }

  /**
   * Streams the whole log in seq order through the chain check (sqlite-audit-verify.ts). On a
   * file, on a worker thread with its own connection, one check at a time: the bot's thread
   * keeps serving meanwhile. Inside a transaction its caller holds (the audit CLI's snapshot),
   * and on `:memory:` (which no other connection can open), on this connection.
   */
  async verify(): Promise<ChainVerdict> {
    // Both read on this thread with nothing in between: one snapshot, as the chain check needs.
    if (this.db.inTransaction || this.db.memory) return verifyStoredChain(this.db, this.keyColumn, this.key);
    // One at a time: each check takes a core for as long as it runs, and chat can ask many.
    const run = () => verifyOnWorker(this.db.name, this.key);
    const verdict = this.verifying.then(run, run);
    // Only orders the next check after this one: this check's failure reaches its caller
    // through `verdict`, so the chain itself drops it.
    this.verifying = verdict.catch(() => undefined);
    return verdict;
  }
}
