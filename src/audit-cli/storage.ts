/**
 * Opens the bot's audit database for offline review, read-only. `openSqlite` is not used
 * because it creates the file and runs the schema's CREATE statements; a review tool must
 * leave the evidence exactly as it found it.
 */
import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readAuditKeyFile } from '../config/audit-key';
import { ConfigError, loadConfig } from '../config/config';
import type { Clock } from '../domain/ports';
import { SqliteAuditLog } from '../integrations/store/sqlite-audit-log';
import type { SqliteDatabase } from '../integrations/store/sqlite-database';
import { CliError, EXIT } from './cli-error';
import { type ReadableStorage, resolveReadableStorage } from './store-setting';

/** The read-only audit store. */
export interface ReadOnlyAudit {
  db: SqliteDatabase;
  log: SqliteAuditLog;
  path: string;
  close(): void;
}

/**
 * The store to review: a SQLite file (resolved path) or Azure Tables; memory is refused. A
 * `--storage sqlite:<path>` (a backup, say) reviews that file, whatever tables the
 * environment's own pair names (see {@link resolveReadableStorage}). Only the storage settings
 * are validated by the bot's config rules: an auditor needs no bot credentials to review the
 * trail, and a production env without them must still work.
 */
export function resolveAuditStorage(
  flag: string | undefined,
  env: Record<string, string | undefined>,
): ReadableStorage {
  return resolveReadableStorage(flag, env, {
    emptyFlag: '--storage is empty; give sqlite:<path> or tables:<connection>, or leave it out to use ACRBOT_STORAGE',
    memory:
      'storage is "memory": the audit log lived only inside the bot process and is gone when it stops, so there is nothing to review offline. Use --storage sqlite:<path> (or set ACRBOT_STORAGE) to point at the bot\'s SQLite file.',
  });
}

/** The audit key the review uses, and whether it was found in the sandbox's key file rather than given. */
export interface ReviewKey {
  key: Buffer;
  /** True for `.data/audit.key`: found by location, so it may not be the key of the log under review. */
  fromFile: boolean;
  /** The file it was read from (with `fromFile`), named to the operator. */
  path?: string;
}

/**
 * The audit key for checking MACs: ACRBOT_AUDIT_KEY, else the sandbox's `.data/audit.key` if
 * present (never created here). Undefined: hashes are checked, MACs cannot be.
 */
export function reviewKey(env: Record<string, string | undefined>, cwd = process.cwd()): ReviewKey | undefined {
  if (env.ACRBOT_AUDIT_KEY) {
    try {
      const key = loadConfig({ ACRBOT_AUDIT_KEY: env.ACRBOT_AUDIT_KEY }).auditKey;
      return key ? { key, fromFile: false } : undefined;
    } catch (err) {
      if (err instanceof ConfigError) throw new CliError(err.problems.join('\n'), EXIT.usage, { cause: err });
      throw err;
    }
  }
  const file = join(cwd, '.data', 'audit.key');
  if (!existsSync(file)) return undefined;
  try {
    return { key: readAuditKeyFile(file), fromFile: true, path: file };
  } catch (err) {
    throw new CliError((err as Error).message, EXIT.usage, { cause: err });
  }
}

/** Never called: the CLI only reads, so any attempt to append is a bug worth failing loudly. */
const NO_CLOCK: Clock = {
  now() {
    throw new Error('the audit CLI is read-only and never appends');
  },
};

/** Opens `path` read-only; a missing file is an error (exit 2), never created. */
export function openAuditReadOnly(path: string, key?: Buffer): ReadOnlyAudit {
  if (!existsSync(path))
    throw new CliError(`no audit database at ${path} (nothing was created); check --storage or ACRBOT_STORAGE`);
  if (!statSync(path).isFile())
    throw new CliError(`${path} is not a file; --storage expects sqlite:<path to the bot's database file>`);
  let db: SqliteDatabase | undefined;
  try {
    // readonly: SQLite refuses every write on this connection. In WAL mode it may still add
    // the -wal/-shm side files (the bot does the same), but the database file is untouched.
    db = new Database(path, { readonly: true, fileMustExist: true });
    // A reader waits briefly instead of failing if the bot is mid-checkpoint.
    db.pragma('busy_timeout = 5000');
    const tables = new Set(
      (
        db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('audit', 'audit_head')").all() as {
          name: string;
        }[]
      ).map((r) => r.name),
    );
    if (!tables.has('audit') || !tables.has('audit_head'))
      throw new CliError(`${path} is not an acrbot database (no audit tables)`);
    // Preparing INSERTs on a read-only connection is allowed (only running them fails), so the
    // bot's own implementation does the reading and verifying: one verify, not two.
    const log = new SqliteAuditLog(db, NO_CLOCK, key);
    const opened = db;
    return { db, log, path, close: () => opened.close() };
  } catch (err) {
    db?.close();
    if (err instanceof CliError) throw err;
    throw new CliError(`cannot read ${path}: ${(err as Error).message}`, EXIT.usage, { cause: err });
  }
}

/**
 * Runs `fn` inside one read transaction, so every query sees the same snapshot even while
 * the bot keeps appending (WAL readers never block the writer). Without it the head could be
 * read before and the entries after a new append, and an intact log would look truncated.
 */
export async function inReadSnapshot<T>(db: SqliteDatabase, fn: () => Promise<T>): Promise<T> {
  db.exec('BEGIN');
  try {
    return await fn();
  } finally {
    if (db.inTransaction) db.exec('ROLLBACK');
  }
}
