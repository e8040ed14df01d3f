/**
 * Leases, schedule, dialog state and abuse ledger in SQLite, with the same semantics as the
 * memory versions. Writes go through the connection's commit group (one IMMEDIATE transaction
 * per loop turn, which takes the file's write lock first) and every read-then-write is one
 * `db.transaction` in it, so several processes on one local file still decide once.
 * Its import list is the same as the other two coordination stores' because all three implement
 * the same four ports; that list is not shared logic, so it is not folded into a module of its own.
 */
import { randomUUID } from 'node:crypto';
import type {
  AbuseLedger,
  DialogRecord,
  DialogStore,
  Lease,
  LeaseStore,
  ScheduledJob,
  ScheduleStore,
} from '../../domain/ports';
import { LeaseLostError } from '../../domain/ports';
import { fixedWindowStart } from '../../domain/fixed-window';
import { commitGroupOf, type SqliteCommitGroup } from './sqlite-commit-group';
import type { SqliteDatabase } from './sqlite-database';

interface LeaseRow {
  owner: string;
  expires_at: number;
  fence: number;
}

function toLease(key: string, row: LeaseRow): Lease {
  return { key, owner: row.owner, expiresAt: new Date(row.expires_at).toISOString(), fence: row.fence };
}

/** SQLite-backed {@link LeaseStore}. */
export class SqliteLeaseStore implements LeaseStore {
  private readonly acquireTx;
  private readonly renewTx;
  private readonly releaseStmt;
  private readonly select;
  private readonly group: SqliteCommitGroup;

  constructor(
    db: SqliteDatabase,
    private readonly now: () => Date,
  ) {
    this.group = commitGroupOf(db);
    const select = db.prepare('SELECT owner, expires_at, fence FROM leases WHERE key = ?');
    this.select = select;
    const upsert = db.prepare(
      'INSERT INTO leases (key, owner, expires_at, fence) VALUES (?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at, fence = excluded.fence',
    );
    // The WHERE on owner and fence is the fencing check: a stale holder updates zero rows. The
    // one on expiry refuses a lease that lapsed (its holder stalled past it): from then on another
    // instance may have read it free (holder) and acted on that, so its holder must stop too.
    const extend = db.prepare(
      'UPDATE leases SET expires_at = ? WHERE key = ? AND owner = ? AND fence = ? AND expires_at > ?',
    );
    this.releaseStmt = db.prepare(
      "UPDATE leases SET owner = '', expires_at = 0 WHERE key = ? AND owner = ? AND fence = ?",
    );
    this.acquireTx = db.transaction((key: string, owner: string, nowMs: number, ttlMs: number) => {
      const current = select.get(key) as LeaseRow | undefined;
      if (current && current.owner !== owner && current.expires_at > nowMs) return undefined;
      const row: LeaseRow = { owner, expires_at: nowMs + ttlMs, fence: (current?.fence ?? 0) + 1 };
      upsert.run(key, row.owner, row.expires_at, row.fence);
      return toLease(key, row);
    });
    this.renewTx = db.transaction((lease: Lease, nowMs: number, expiresAt: number) => {
      if (extend.run(expiresAt, lease.key, lease.owner, lease.fence, nowMs).changes !== 1)
        throw new LeaseLostError(lease.key);
      return { ...lease, expiresAt: new Date(expiresAt).toISOString() };
    });
  }

  async acquire(key: string, owner: string, ttlMs: number): Promise<Lease | undefined> {
    const nowMs = this.now().getTime();
    return this.group.write(() => this.acquireTx.immediate(key, owner, nowMs, ttlMs));
  }

  async renew(lease: Lease, ttlMs: number): Promise<Lease> {
    const nowMs = this.now().getTime();
    return this.group.write(() => this.renewTx.immediate(lease, nowMs, nowMs + ttlMs));
  }

  async release(lease: Lease): Promise<void> {
    // Expire and disown rather than delete: the fence stays, so a later holder still gets a higher one.
    await this.group.write(() => this.releaseStmt.run(lease.key, lease.owner, lease.fence));
  }

  async holder(key: string): Promise<Lease | undefined> {
    const row = this.select.get(key) as LeaseRow | undefined;
    return row?.owner && row.expires_at > this.now().getTime() ? toLease(key, row) : undefined;
  }
}

/**
 * Adds the `revision` column to a schedule table from before revisions (at open, like the audit
 * log's idempotency key): its jobs read as revision `''` until they are next written.
 */
function addRevisionColumn(db: SqliteDatabase): void {
  const hasRevision = () =>
    (db.prepare('PRAGMA table_info(schedule)').all() as { name: string }[]).some((c) => c.name === 'revision');
  // Looked at first without the write lock: a start must not wait on another process's
  // transaction (or fail after the busy timeout) when there is nothing to migrate.
  if (hasRevision()) return;
  db.transaction(() => {
    if (!hasRevision()) db.exec("ALTER TABLE schedule ADD COLUMN revision TEXT NOT NULL DEFAULT ''");
  }).immediate();
}

interface JobRow {
  doc: string;
  revision: string;
}

/** The job of a row: the revision lives in its own column (compared by the conditional writes), not in `doc`. */
const toJob = (row: JobRow): ScheduledJob => ({ ...(JSON.parse(row.doc) as ScheduledJob), revision: row.revision });

/** The columns of a job written now, under a new revision. */
function toRow(job: ScheduledJob) {
  const { revision: _read, ...rest } = job;
  // Normalised ISO text sorts like time, so the index orders by due time; the job read back
  // carries the same text (as on Tables).
  const dueAt = new Date(job.dueAt).toISOString();
  return {
    dueAt,
    requestId: job.requestId ?? null,
    doc: JSON.stringify({ ...rest, dueAt }),
    // Random, not a counter: an id deleted and scheduled again must not get a revision it had.
    revision: randomUUID(),
  };
}

/**
 * The least text after every text that starts with `prefix` (its last character made the next
 * one up), in SQLite's order (UTF-8 bytes, i.e. code points); none when no text is after them
 * all (`prefix` empty, or only U+10FFFF). The surrogates are no characters: U+D7FF is followed
 * by U+E000.
 */
export function prefixEnd(prefix: string): string | undefined {
  const chars = [...prefix];
  while (chars.length > 0) {
    const last = chars.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) return chars.join('') + String.fromCodePoint(last === 0xd7ff ? 0xe000 : last + 1);
  }
  return undefined;
}

/**
 * SQLite-backed {@link ScheduleStore}; `due` walks the (due_at, id) index and stops at the first
 * job not due. A conditional write is one statement whose WHERE compares the revision, so it is
 * atomic and costs no read.
 */
export class SqliteScheduleStore implements ScheduleStore {
  private readonly upsert;
  private readonly insertNew;
  private readonly replaceAt;
  private readonly select;
  private readonly selectDue;
  private readonly selectForRequest;
  private readonly selectPrefix;
  private readonly selectFrom;
  private readonly remove;
  private readonly removeAt;
  private readonly group: SqliteCommitGroup;

  constructor(db: SqliteDatabase) {
    addRevisionColumn(db);
    this.group = commitGroupOf(db);
    this.upsert = db.prepare(
      'INSERT INTO schedule (id, due_at, request_id, doc, revision) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET due_at = excluded.due_at, request_id = excluded.request_id, doc = excluded.doc, revision = excluded.revision',
    );
    this.insertNew = db.prepare(
      'INSERT INTO schedule (id, due_at, request_id, doc, revision) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING',
    );
    this.replaceAt = db.prepare(
      'UPDATE schedule SET due_at = ?, request_id = ?, doc = ?, revision = ? WHERE id = ? AND revision = ?',
    );
    this.select = db.prepare('SELECT doc, revision FROM schedule WHERE id = ?');
    this.selectDue = db.prepare('SELECT doc, revision FROM schedule WHERE due_at <= ? ORDER BY due_at, id LIMIT ?');
    this.selectForRequest = db.prepare('SELECT doc, revision FROM schedule WHERE request_id = ? ORDER BY due_at, id');
    // A range of the primary key, not LIKE: `_` and `%` in a prefix are characters, not wildcards.
    this.selectPrefix = db.prepare('SELECT doc, revision FROM schedule WHERE id >= ? AND id < ? ORDER BY id LIMIT ?');
    this.selectFrom = db.prepare('SELECT doc, revision FROM schedule WHERE id >= ? ORDER BY id LIMIT ?');
    this.remove = db.prepare('DELETE FROM schedule WHERE id = ?');
    this.removeAt = db.prepare('DELETE FROM schedule WHERE id = ? AND revision = ?');
  }

  async put(job: ScheduledJob): Promise<void> {
    const { dueAt, requestId, doc, revision } = toRow(job);
    await this.group.write(() => this.upsert.run(job.id, dueAt, requestId, doc, revision));
  }

  async putIfUnchanged(job: ScheduledJob, revision: string): Promise<boolean> {
    const row = toRow(job);
    const { changes } = await this.group.write(() =>
      this.replaceAt.run(row.dueAt, row.requestId, row.doc, row.revision, job.id, revision),
    );
    return changes === 1;
  }

  async putIfAbsent(job: ScheduledJob): Promise<boolean> {
    const { dueAt, requestId, doc, revision } = toRow(job);
    const { changes } = await this.group.write(() => this.insertNew.run(job.id, dueAt, requestId, doc, revision));
    return changes === 1;
  }

  async get(id: string): Promise<ScheduledJob | undefined> {
    const row = this.select.get(id) as JobRow | undefined;
    return row ? toJob(row) : undefined;
  }

  async due(now: Date, limit: number): Promise<ScheduledJob[]> {
    if (limit <= 0) return [];
    return (this.selectDue.all(now.toISOString(), limit) as JobRow[]).map(toJob);
  }

  async forRequest(requestId: string): Promise<ScheduledJob[]> {
    return (this.selectForRequest.all(requestId) as JobRow[]).map(toJob);
  }

  async withIdPrefix(prefix: string, limit: number): Promise<ScheduledJob[]> {
    if (limit <= 0) return [];
    const end = prefixEnd(prefix);
    const rows = end === undefined ? this.selectFrom.all(prefix, limit) : this.selectPrefix.all(prefix, end, limit);
    return (rows as JobRow[]).map(toJob);
  }

  async delete(id: string): Promise<void> {
    await this.group.write(() => this.remove.run(id));
  }

  async deleteIfUnchanged(id: string, revision: string): Promise<boolean> {
    const { changes } = await this.group.write(() => this.removeAt.run(id, revision));
    return changes === 1;
  }
}

/** SQLite-backed {@link DialogStore}. */
export class SqliteDialogStore implements DialogStore {
  private readonly select;
  private readonly upsert;
  private readonly remove;
  private readonly removeExpiredOne;
  private readonly purge;
  private readonly group: SqliteCommitGroup;

  constructor(db: SqliteDatabase) {
    this.group = commitGroupOf(db);
    this.select = db.prepare('SELECT expires_at, doc FROM dialogs WHERE key = ?');
    this.upsert = db.prepare(
      'INSERT INTO dialogs (key, expires_at, doc) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET expires_at = excluded.expires_at, doc = excluded.doc',
    );
    this.remove = db.prepare('DELETE FROM dialogs WHERE key = ?');
    // Conditional on expiry: a fresh put by another instance in between is kept.
    this.removeExpiredOne = db.prepare('DELETE FROM dialogs WHERE key = ? AND expires_at <= ?');
    // Uses the index dialogs_by_expiry: a range delete, proportional to what expired.
    this.purge = db.prepare('DELETE FROM dialogs WHERE expires_at <= ?');
  }

  async get(key: string, now: Date): Promise<DialogRecord | undefined> {
    const row = this.select.get(key) as { expires_at: number; doc: string } | undefined;
    if (!row) return undefined;
    if (row.expires_at <= now.getTime()) {
      await this.group.write(() => this.removeExpiredOne.run(key, now.getTime()));
      return undefined;
    }
    return JSON.parse(row.doc) as DialogRecord;
  }

  async put(record: DialogRecord): Promise<void> {
    const doc = JSON.stringify(record);
    await this.group.write(() => this.upsert.run(record.key, Date.parse(record.expiresAt), doc));
  }

  async delete(key: string): Promise<void> {
    await this.group.write(() => this.remove.run(key));
  }

  async purgeExpired(now: Date): Promise<number> {
    return this.group.write(() => this.purge.run(now.getTime()).changes);
  }
}

/** How long a sighting without its own expiry is kept: a Teams redelivery's memory (a day). */
const UNDATED_SIGHTING_TTL_MS = 24 * 60 * 60 * 1000;

/** SQLite-backed {@link AbuseLedger}. */
export class SqliteAbuseLedger implements AbuseLedger {
  private readonly sightingTx;
  private readonly hitStmt;
  private readonly forget;
  private readonly forgetOne;
  private readonly group: SqliteCommitGroup;

  constructor(db: SqliteDatabase) {
    this.group = commitGroupOf(db);
    this.forgetOne = db.prepare('DELETE FROM sightings WHERE activity_id = ?');
    // Each row by its own expiry (index sightings_by_expiry), never the caller's ttl: a refusal
    // remembered for a minute must not forget the redeliveries remembered for a day.
    const expire = db.prepare('DELETE FROM sightings WHERE expires_at > 0 AND expires_at <= ?');
    // A row with no expiry (0) was written by a process from before the column (a rolling
    // upgrade: its INSERT names seen_at only): kept as long as the longest memory, a redelivery's
    // (index sightings_by_time).
    const expireUndated = db.prepare('DELETE FROM sightings WHERE expires_at = 0 AND seen_at <= ?');
    const expireAll = (nowMs: number) =>
      expire.run(nowMs).changes + expireUndated.run(nowMs - UNDATED_SIGHTING_TTL_MS).changes;
    this.forget = db.transaction(expireAll);
    const insert = db.prepare('INSERT OR IGNORE INTO sightings (activity_id, seen_at, expires_at) VALUES (?, ?, ?)');
    this.sightingTx = db.transaction((activityId: string, nowMs: number, ttlMs: number) => {
      expireAll(nowMs);
      return insert.run(activityId, nowMs, nowMs + ttlMs).changes === 1;
    });
    // One statement: a new window restarts the count, the same window adds one (atomic across processes).
    this.hitStmt = db.prepare(
      'INSERT INTO rate_windows (key, window_start, count) VALUES (?, ?, 1) ON CONFLICT(key) DO UPDATE SET count = CASE WHEN window_start = excluded.window_start THEN count + 1 ELSE 1 END, window_start = excluded.window_start RETURNING count',
    );
  }

  async firstSighting(activityId: string, now: Date, ttlMs: number): Promise<boolean> {
    return this.group.write(() => this.sightingTx.immediate(activityId, now.getTime(), ttlMs));
  }

  async forgetSighting(activityId: string): Promise<void> {
    await this.group.write(() => this.forgetOne.run(activityId));
  }

  async hit(key: string, now: Date, windowMs: number): Promise<number> {
    const start = fixedWindowStart(now, windowMs);
    return this.group.write(() => (this.hitStmt.get(key, start) as { count: number }).count);
  }

  async forgetExpiredSightings(now: Date): Promise<number> {
    return this.group.write(() => this.forget.immediate(now.getTime()));
  }
}
