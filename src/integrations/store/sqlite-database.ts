/**
 * The embedded SQLite database (better-sqlite3) holding requests, card copies, the audit
 * log and the coordination tables (leases, schedule, dialogs, abuse ledger). One file, WAL
 * mode, schema created on open. Several processes on one local file coordinate through it;
 * never put it on a network share (no WAL there): use Azure Tables to run many instances.
 */
import type Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** An open database. */
export type SqliteDatabase = Database.Database;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS requests (
  id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS requests_by_state ON requests(state, created_at);
-- Requests on one cluster and registry (overlapping grants, revoke CLUSTER REGISTRY; G17), and
-- on one registry (holders, check, access REGISTRY), in a state by creation time: one seek per
-- state reads what is asked for in either order. The earlier requests_by_target had no state,
-- so every call walked the pair's whole history (ended grants only accumulate) row by row.
-- Created on open, so older files get them on their first start (building them takes the write
-- lock once: seconds on a large file).
CREATE INDEX IF NOT EXISTS requests_by_target_state ON requests(
  lower(json_extract(doc, '$.plan.registry.id')), lower(json_extract(doc, '$.plan.cluster.id')), state, created_at
);
CREATE INDEX IF NOT EXISTS requests_by_registry_state ON requests(
  lower(json_extract(doc, '$.plan.registry.id')), state, created_at
);
-- An older file's requests_by_target is kept (no statement of this version names it): a process
-- of the previous release still running on the file (an overlap, a rollback) prepares its listings
-- with INDEXED BY requests_by_target and would fail every one with "no such index". A later
-- release drops it, once no process older than this one can run on the file.
-- One requester's requests in a state, in either order (the per-user pending cap on every new
-- request oldest first, a user's own ended access newest first); created on open, so older
-- database files get it too.
CREATE INDEX IF NOT EXISTS requests_by_requester ON requests(
  lower(json_extract(doc, '$.requester.objectId')), state, created_at
);
CREATE TABLE IF NOT EXISTS card_copies (
  request_id TEXT NOT NULL,
  activity_id TEXT NOT NULL,
  role TEXT NOT NULL,
  conversation TEXT NOT NULL,
  PRIMARY KEY (request_id, activity_id)
);
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY,
  request_id TEXT,
  entry TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_by_request ON audit(request_id, seq);
-- The chain's head (latest seq and hash), written in the same transaction as each entry, so
-- deleting entries from the end is detected.
CREATE TABLE IF NOT EXISTS audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL);
-- Append-only: no code path may update or delete an audit entry (G11).
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
-- Coordination between instances (leases with fencing, the schedule, dialog state, abuse limits).
CREATE TABLE IF NOT EXISTS leases (key TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at INTEGER NOT NULL, fence INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS schedule (id TEXT PRIMARY KEY, due_at TEXT NOT NULL, request_id TEXT, doc TEXT NOT NULL);
-- due() reads this index from its start and stops after the last due row: O(due), not O(all).
CREATE INDEX IF NOT EXISTS schedule_by_due ON schedule(due_at, id);
CREATE INDEX IF NOT EXISTS schedule_by_request ON schedule(request_id);
CREATE TABLE IF NOT EXISTS dialogs (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS dialogs_by_expiry ON dialogs(expires_at);
-- Each sighting keeps its own expiry: callers remember for different times (redeliveries 24 h,
-- welcomes 10 min, limit refusals a window), and one caller's prune must not forget another's.
-- The expiry index is created by migrateSightings (older files get the column first).
CREATE TABLE IF NOT EXISTS sightings (activity_id TEXT PRIMARY KEY, seen_at INTEGER NOT NULL, expires_at INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS sightings_by_time ON sightings(seen_at);
CREATE TABLE IF NOT EXISTS rate_windows (key TEXT PRIMARY KEY, window_start INTEGER NOT NULL, count INTEGER NOT NULL);
-- The operators' pause of new access: one row while it is in force (pause, resume).
CREATE TABLE IF NOT EXISTS access_pause (id INTEGER PRIMARY KEY CHECK (id = 1), doc TEXT NOT NULL);
`;

/** Opens (creating if needed) the database at `path`; `:memory:` for a throwaway one. */
export function openSqlite(path: string): SqliteDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  // Required here, not at the top: the native addon loads only when SQLite is the store, so a
  // deployment on Azure Tables (or memory) does not pay for it at start (P5, docs/performance.md).
  const BetterSqlite = require('better-sqlite3') as typeof Database;
  const db = new BetterSqlite(path);
  try {
    prepare(db, path);
    return db;
  } catch (err) {
    // Not left open behind a refusal (a lock another process held, a file system without WAL).
    db.close();
    throw err;
  }
}

/** Sets an open database up: WAL (or a refusal), the pragmas, the schema and its migrations. */
function prepare(db: SqliteDatabase, path: string): void {
  // First: every later step waits up to 5 s for another process's lock instead of failing at once.
  db.pragma('busy_timeout = 5000');
  // Several processes on one file rely on WAL; a file system without it (a network share)
  // answers another mode, and the file would be shared unsafely: refused, not run anyway.
  const mode = String(db.pragma('journal_mode = WAL', { simple: true })).toLowerCase();
  if (path !== ':memory:' && mode !== 'wal')
    throw new Error(
      `SQLite could not use write-ahead logging on ${path} (journal mode "${mode}"): the file system does not support it (a network share?). Put the file on a local disk, or use Azure Tables (ACRBOT_STORAGE=tables:…) for many instances`,
    );
  db.pragma('synchronous = NORMAL');
  // better-sqlite3 is built with a 16 MB page cache per connection; SQLite's own default (2 MB)
  // keeps RSS from growing by that much under a flood of rows (P11, docs/performance.md). The
  // OS page cache still holds the file, so a miss costs a pread, not a disk read.
  db.pragma('cache_size = -2000');
  db.exec(SCHEMA);
  migrateSightings(db);
}

/** How long sightings written before `expires_at` existed are kept: the longest any caller asked (redeliveries). */
const LEGACY_SIGHTING_TTL_MS = 24 * 3_600_000;
/** Families of older sightings known to be kept for 10 minutes or less (welcomes, limit refusals). */
const LEGACY_SHORT_SIGHTING_TTL_MS = 10 * 60_000;

/**
 * Gives a file created before per-sighting expiry its `expires_at` column and index. Under the
 * write lock and re-checked there, so processes opening one file at once migrate it once. Old
 * rows keep their memory: welcomes and refusals for 10 minutes (their longest ttl), anything
 * else (redeliveries) for 24 hours, so no redelivery seen before the upgrade becomes new.
 */
function migrateSightings(db: SqliteDatabase): void {
  const hasExpiry = () =>
    (db.prepare('PRAGMA table_info(sightings)').all() as { name: string }[]).some((c) => c.name === 'expires_at');
  if (!hasExpiry())
    db.transaction(() => {
      if (hasExpiry()) return;
      db.exec('ALTER TABLE sightings ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0');
      db.prepare(
        "UPDATE sightings SET expires_at = seen_at + CASE WHEN activity_id LIKE 'welcome:%' OR activity_id LIKE 'refused:%' THEN ? ELSE ? END",
      ).run(LEGACY_SHORT_SIGHTING_TTL_MS, LEGACY_SIGHTING_TTL_MS);
    }).immediate();
  db.exec('CREATE INDEX IF NOT EXISTS sightings_by_expiry ON sightings(expires_at)');
}
