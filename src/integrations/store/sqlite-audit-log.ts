/** The audit log in SQLite: append-only (triggers refuse UPDATE/DELETE), hash-chained (G11). */
import type { AuditEntry, AuditEvent, AuditKey, ChainVerdict } from '../../domain/audit-chain';
import { chainEntry, verifyChain } from '../../domain/audit-chain';
import type { AuditLog, Clock } from '../../domain/ports';
import { commitGroupOf, type SqliteCommitGroup } from './sqlite-commit-group';
import type { SqliteDatabase } from './sqlite-database';

/** SQLite-backed {@link AuditLog}. */
export class SqliteAuditLog implements AuditLog {
  private readonly last;
  private readonly headAndTail;
  private readonly insert;
  private readonly appendTx;
  private readonly writeHead;
  private readonly newestFirst;
  private readonly ofRequest;
  private readonly atSeq;
  private readonly group: SqliteCommitGroup;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly clock: Clock,
    /** The audit key (MACs on entries); undefined keeps entries unkeyed. */
    private readonly key?: AuditKey,
  ) {
    this.group = commitGroupOf(db);
    this.last = db.prepare('SELECT seq, entry FROM audit ORDER BY seq DESC LIMIT 1');
    this.headAndTail = db.prepare(
      'SELECT (SELECT max(seq) FROM audit) AS tail, (SELECT seq FROM audit_head WHERE id = 1) AS headSeq, (SELECT hash FROM audit_head WHERE id = 1) AS headHash',
    );
    this.insert = db.prepare('INSERT INTO audit (seq, request_id, entry) VALUES (?, ?, ?)');
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
    this.appendTx = db.transaction((event: AuditEvent) => {
      const entry = chainEntry(event, this.previous(), this.clock.now(), this.key);
      this.insert.run(entry.seq, entry.requestId ?? null, JSON.stringify(entry));
      this.writeHead.run(entry.seq, entry.hash);
      return entry;
    });
  }

  /**
   * The entry the next one chains to. The head row holds its seq and hash, so the common case
   * reads two small values instead of parsing the last entry (P8, docs/performance.md). When the
   * head does not name the last row (a file from before the head existed, or rows edited by
   * hand) the last entry itself is read, as before: the new entry chains to what is really
   * there, and verify reports the damage.
   */
  private previous(): { seq: number; hash: string } | undefined {
    const row = this.headAndTail.get() as { tail: number | null; headSeq: number | null; headHash: string | null };
    if (row.tail === null) return undefined;
    if (row.headSeq === row.tail && row.headHash !== null) return { seq: row.headSeq, hash: row.headHash };
    const tail = this.last.get() as { seq: number; entry: string };
    return { seq: tail.seq, hash: (JSON.parse(tail.entry) as AuditEntry).hash };
  }

  async append(event: AuditEvent): Promise<AuditEntry> {
    return this.group.write(() => this.appendTx.immediate(event));
  }

  async latest(limit: number): Promise<AuditEntry[]> {
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

  /** Streams the whole log in seq order through the chain check. */
  async verify(): Promise<ChainVerdict> {
    // One read transaction: an append by another process between the reads must not look like a truncated tail.
    if (this.db.inTransaction) return this.verifySnapshot();
    this.db.exec('BEGIN');
    try {
      return this.verifySnapshot();
    } finally {
      this.db.exec('ROLLBACK');
    }
  }

  /**
   * One pass over the rows: a row that is not JSON, or whose entry claims another seq than
   * its row (an entry moved), breaks the chain there; everything else is the hash check.
   */
  private verifySnapshot(): ChainVerdict {
    const head = this.db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1').get() as
      { seq: number; hash: string } | undefined;
    // request_id is the index `audit R-…` and exports read by: checked against the entry too, as
    // the hash covers only the entry.
    const rows = this.db
      .prepare('SELECT seq, entry, request_id FROM audit ORDER BY seq')
      .raw()
      .iterate() as IterableIterator<[number, string, string | null]>;
    let broken: ChainVerdict | undefined;
    let seen = 0;
    function* entries(): Generator<AuditEntry> {
      for (const [seq, text, indexed] of rows) {
        let entry: AuditEntry;
        try {
          entry = JSON.parse(text) as AuditEntry;
        } catch {
          broken = {
            intact: false,
            count: seen,
            brokenAtSeq: seq,
            problem: 'the entry is not valid JSON (it was modified)',
          };
          return;
        }
        if (entry === null || typeof entry !== 'object') {
          broken = {
            intact: false,
            count: seen,
            brokenAtSeq: seq,
            problem: 'the stored entry is not an audit entry (it was modified)',
          };
          return;
        }
        if (entry.seq !== seq) {
          broken = {
            intact: false,
            count: seen,
            brokenAtSeq: seq,
            problem: 'the entry stored at this position belongs elsewhere (entries were moved)',
          };
          return;
        }
        if ((indexed ?? undefined) !== (entry.requestId ?? undefined)) {
          broken = {
            intact: false,
            count: seen,
            brokenAtSeq: seq,
            problem: "the entry's request index differs from the entry (it was modified to hide it from its request)",
          };
          return;
        }
        seen++;
        yield entry;
      }
    }
    const verdict = verifyChain(entries(), head, this.key);
    return broken ?? verdict;
  }
}
