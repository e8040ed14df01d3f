/**
 * Group commit for one SQLite connection: the writes asked for in one turn of the event loop
 * run together, in one transaction, when the loop reaches its check phase (`setImmediate`).
 *
 * Why: each statement outside a transaction is a commit of its own (take the write lock, append
 * WAL frames, update the WAL index, release it), and a grant flow makes about 25 of them. Under
 * 200 flows at once those commits were the bot's largest single cost (about 2 ms per flow,
 * docs/performance.md, P8). The writes of every flow that ran in one loop turn now share one.
 *
 * What callers can rely on:
 * - A write's promise settles only after its transaction has committed (or failed): nobody acts
 *   (calls ARM, sends a card) on a write that is not in the file yet. If the transaction fails,
 *   every write of the group rejects with that error and none of them is in the file.
 * - Writes run in the order they were asked for; a write that fails on its own (a conditional
 *   write that lost, a constraint) rejects alone and the others commit.
 * - Each write is one statement or one `db.transaction` (which becomes a savepoint inside the
 *   group: atomic, and rolled back alone if it throws).
 * - The lock is taken (BEGIN IMMEDIATE) and released within one synchronous run, never held
 *   across an `await`: other connections and processes on the file wait as they did for a
 *   single statement.
 * - Reads are not grouped: they run at once and see what is committed, which includes every
 *   write their caller awaited.
 * - Inside a transaction a caller opened and holds across awaits (a bulk load), the writes run
 *   in that transaction and are stored when the caller commits it.
 */
import type { SqliteDatabase } from './sqlite-database';

interface PendingWrite {
  work: () => unknown;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; err: unknown };

/** The writes waiting for the end of this loop turn on one connection. */
export class SqliteCommitGroup {
  private pending: PendingWrite[] = [];
  /** Called after each transaction this group commits (the WAL checkpointer counts them). */
  onCommit?: () => void;

  constructor(private readonly db: SqliteDatabase) {}

  /**
   * Runs `work` (statements that change the file) with the other writes of this loop turn and
   * resolves with its result once their transaction has committed. `work` must be synchronous
   * and be one statement or one `db.transaction`.
   */
  write<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const first = this.pending.push({ work, resolve: resolve as (value: unknown) => void, reject }) === 1;
      if (first) setImmediate(() => this.flush());
    });
  }

  /** Runs the waiting writes now (before the connection closes). */
  flush(): void {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const failure = this.runAll(batch);
    if (failure) for (const w of batch) w.reject(failure);
  }

  /** Runs the batch in one transaction; returns the error every write gets when it did not commit. */
  private runAll(batch: PendingWrite[]): Error | undefined {
    if (!this.db.open) return new Error('the SQLite database was closed before these writes ran; none was stored');
    // A transaction its caller holds across awaits (a bulk load: BEGIN, many awaited writes,
    // COMMIT) governs: the writes run inside it and are stored when it commits.
    const inCallersTransaction = this.db.inTransaction;
    if (!inCallersTransaction) {
      try {
        this.db.exec('BEGIN IMMEDIATE');
      } catch (err) {
        return new Error('SQLite could not start a transaction for a group of writes; none was stored', { cause: err });
      }
    }
    const outcomes: Outcome[] = [];
    for (const w of batch) {
      try {
        outcomes.push({ ok: true, value: w.work() });
      } catch (err) {
        // Some errors (disk full, I/O) make SQLite roll the whole transaction back: then none
        // of the writes before this one is stored either.
        if (!this.db.inTransaction)
          return new Error('SQLite rolled back a group of writes; none was stored', { cause: err });
        outcomes.push({ ok: false, err });
      }
    }
    if (!inCallersTransaction) {
      const failure = this.commit();
      if (failure) return failure;
      this.onCommit?.();
    }
    batch.forEach((w, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) w.resolve(outcome.value);
      else w.reject(outcome.err);
    });
    return undefined;
  }

  private commit(): Error | undefined {
    try {
      this.db.exec('COMMIT');
      return undefined;
    } catch (err) {
      let cause = err;
      try {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
      } catch (rollbackErr) {
        cause = new AggregateError([err, rollbackErr], 'the commit and then the rollback failed');
      }
      return new Error('SQLite could not commit a group of writes; none was stored', { cause });
    }
  }
}

const groups = new WeakMap<SqliteDatabase, SqliteCommitGroup>();

/** The one commit group of a connection (every store on it shares it). */
export function commitGroupOf(db: SqliteDatabase): SqliteCommitGroup {
  let group = groups.get(db);
  if (!group) groups.set(db, (group = new SqliteCommitGroup(db)));
  return group;
}
