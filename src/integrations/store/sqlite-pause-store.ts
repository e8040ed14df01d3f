/**
 * The pause of new access in SQLite: one row (`access_pause`, id 1) while it is in force.
 * Pause is an insert that does nothing when the row exists; resume reads and deletes the row in
 * one transaction, so two processes on one file lift a pause once; an amend reads and rewrites
 * the row in one transaction, only while it is the record the amender read.
 */
import { samePause } from '../../domain/access-pause';
import { samePauseRecord } from '../../domain/pause-record';
import type { AccessPause, PauseIdentity, PauseOutcome, PauseStore } from '../../domain/ports';
import { commitGroupOf, type SqliteCommitGroup } from './sqlite-commit-group';
import type { SqliteDatabase } from './sqlite-database';

/** SQLite-backed {@link PauseStore}. */
export class SqlitePauseStore implements PauseStore {
  private readonly read: () => AccessPause | undefined;
  private readonly pauseTx;
  private readonly resumeTx;
  private readonly amendTx;
  private readonly group: SqliteCommitGroup;

  constructor(db: SqliteDatabase) {
    this.group = commitGroupOf(db);
    const select = db.prepare('SELECT doc FROM access_pause WHERE id = 1');
    const insert = db.prepare('INSERT INTO access_pause (id, doc) VALUES (1, ?) ON CONFLICT(id) DO NOTHING');
    const remove = db.prepare('DELETE FROM access_pause WHERE id = 1');
    const update = db.prepare('UPDATE access_pause SET doc = ? WHERE id = 1');
    this.read = () => {
      const row = select.get() as { doc: string } | undefined;
      return row && (JSON.parse(row.doc) as AccessPause);
    };
    this.pauseTx = db.transaction((pause: AccessPause): PauseOutcome => {
      const applied = insert.run(JSON.stringify(pause)).changes === 1;
      return { applied, pause: applied ? pause : this.read()! };
    });
    this.resumeTx = db.transaction((expected?: PauseIdentity) => {
      const lifted = this.read();
      if (!lifted || (expected && !samePause(lifted, expected))) return undefined;
      remove.run();
      return lifted;
    });
    this.amendTx = db.transaction((expected: AccessPause, next: AccessPause) => {
      const current = this.read();
      if (!current || !samePauseRecord(current, expected) || !samePause(next, expected)) return undefined;
      update.run(JSON.stringify(next));
      return next;
    });
  }

  async current(): Promise<AccessPause | undefined> {
    return this.read();
  }

  async pause(pause: AccessPause): Promise<PauseOutcome> {
    return this.group.write(() => this.pauseTx.immediate(pause));
  }

  async resume(expected?: PauseIdentity): Promise<AccessPause | undefined> {
    return this.group.write(() => this.resumeTx.immediate(expected));
  }

  async amend(expected: AccessPause, next: AccessPause): Promise<AccessPause | undefined> {
    return this.group.write(() => this.amendTx.immediate(expected, next));
  }
}
