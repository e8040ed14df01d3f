/**
 * One place that opens every store for a storage setting: the app asks for a {@link Stores}
 * bundle and never knows which backend it got.
 */
import type { AppConfig } from '../../config/config';
import type { AnchorLog } from '../../domain/audit-anchor';
import type { AuditKey } from '../../domain/audit-chain';
import type {
  AbuseLedger,
  AuditLog,
  Clock,
  DialogStore,
  LeaseStore,
  PauseStore,
  RequestStore,
  ScheduleStore,
} from '../../domain/ports';
import { MemoryAbuseLedger, MemoryDialogStore, MemoryLeaseStore, MemoryScheduleStore } from './memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from './memory-stores';
import { MemoryPauseStore } from './memory-pause-store';
import { SqliteAuditLog } from './sqlite-audit-log';
import { SqliteAbuseLedger, SqliteDialogStore, SqliteLeaseStore, SqliteScheduleStore } from './sqlite-coordination';
import { commitGroupOf } from './sqlite-commit-group';
import { openSqlite, type SqliteDatabase } from './sqlite-database';
import { attachWalCheckpointer } from './sqlite-wal-checkpointer';
import { SqliteRequestStore } from './sqlite-request-store';
import { SqlitePauseStore } from './sqlite-pause-store';
import { TablesAuditLog } from './tables-audit-log';
import { openTablesAccount, type TablesClientOptions, type TablesConnection } from './tables-client';
import { TablesAbuseLedger, TablesDialogStore, TablesLeaseStore, TablesScheduleStore } from './tables-coordination';
import { TablesRequestStore } from './tables-request-store';
import { TablesPauseStore } from './tables-pause-store';

/** Every store the bot uses, on one backend. */
export interface Stores {
  requests: RequestStore;
  audit: AuditLog;
  leases: LeaseStore;
  schedule: ScheduleStore;
  dialogs: DialogStore;
  abuse: AbuseLedger;
  /** The operators' pause of new access (`pause`, `resume`). */
  pause: PauseStore;
  /** Where signed audit anchors are published (outside the store), when configured. */
  anchors?: AnchorLog;
  /** The audit key (MACs and anchor signatures), when configured; never stored. */
  auditKey?: AuditKey;
  /** Closes the backend (idempotent). */
  close(): Promise<void>;
}

/** Memory stores for one process (ACRBOT_STORAGE=memory, tests). */
export function memoryStores(clock: Clock, auditKey?: AuditKey): Stores {
  const now = () => clock.now();
  return {
    requests: new MemoryRequestStore(),
    audit: new MemoryAuditLog(clock, auditKey),
    leases: new MemoryLeaseStore(now),
    schedule: new MemoryScheduleStore(),
    dialogs: new MemoryDialogStore(),
    abuse: new MemoryAbuseLedger(),
    pause: new MemoryPauseStore(),
    close: async () => undefined,
  };
}

/**
 * What the stores report that they recovered from on their own (SQLite's WAL checkpointer, the
 * Tables index backfill).
 */
export interface StoreProblemOptions {
  /** A failure the store recovered from (or works around) on its own, to log. Default: a process warning. */
  onBackgroundError?: (err: Error) => void;
  /** How a long step at opening goes (the Tables index backfill after an upgrade), to log. */
  onProgress?: (message: string) => void;
}

const defaultBackgroundError = (err: Error) => process.emitWarning(err);

/**
 * Runs a step of opening the SQLite file `path`; a lock another process held past the busy
 * timeout (SQLITE_BUSY: another acrbot migrating the file, a `sqlite3` session or a backup in a
 * write transaction) is refused with a sentence naming the file, the database closed.
 */
function lockedAtOpenExplained<T>(path: string, open: () => T, db?: SqliteDatabase): T {
  try {
    return open();
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'SQLITE_BUSY') throw err;
    db?.close();
    throw new Error(
      `the SQLite file ${path} is locked: another process (another acrbot, a sqlite3 session, a backup) held its write lock for more than 5 s. Let it finish, then start again`,
      { cause: err },
    );
  }
}

/** SQLite stores on one database file (`:memory:` for a throwaway one). */
export function sqliteStores(
  path: string,
  clock: Clock,
  auditKey?: AuditKey,
  options: StoreProblemOptions = {},
): Stores {
  const db = lockedAtOpenExplained(path, () => openSqlite(path));
  const now = () => clock.now();
  // Opening migrates older files, which may wait on another process's write lock.
  const stores = lockedAtOpenExplained(
    path,
    () => ({
      // The request store does not close the shared database: close() below does, once.
      requests: new SqliteRequestStore(db, false),
      audit: new SqliteAuditLog(db, clock, auditKey),
      leases: new SqliteLeaseStore(db, now),
      schedule: new SqliteScheduleStore(db),
      dialogs: new SqliteDialogStore(db),
      abuse: new SqliteAbuseLedger(db),
      pause: new SqlitePauseStore(db),
    }),
    db,
  );
  // A file's checkpoints run on a worker thread once it is written to in earnest; a memory
  // database has no log to copy back.
  const checkpointer =
    path === ':memory:'
      ? undefined
      : attachWalCheckpointer(db, { onError: options.onBackgroundError ?? defaultBackgroundError });
  return {
    ...stores,
    close: async () => {
      if (!db.open) return;
      await checkpointer?.stop();
      // After the await: writes asked for while the worker stopped are stored too.
      commitGroupOf(db).flush();
      db.close();
    },
  };
}

/**
 * Azure Table Storage stores (one table per concern, named `<prefix><concern>`; tables are
 * created on open). `prefix` separates deployments, or tests, sharing one account.
 */
export async function tablesStores(
  connection: TablesConnection,
  clock: Clock,
  prefix = 'acrbot',
  auditKey?: AuditKey,
  options: TablesClientOptions & StoreProblemOptions = {},
): Promise<Stores> {
  const account = openTablesAccount(connection, prefix, options);
  const now = () => clock.now();
  const [requests, audit, leases, schedule, dialogs, abuse, pause] = await Promise.all(
    ['requests', 'audit', 'leases', 'schedule', 'dialogs', 'abuse', 'pause'].map((name) => account.table(name)),
  );
  return {
    requests: await TablesRequestStore.open(requests, options.onBackgroundError, options.onProgress),
    audit: new TablesAuditLog(audit, clock, auditKey),
    leases: new TablesLeaseStore(leases, now),
    schedule: new TablesScheduleStore(schedule),
    dialogs: new TablesDialogStore(dialogs),
    abuse: new TablesAbuseLedger(abuse),
    pause: new TablesPauseStore(pause),
    close: async () => undefined,
  };
}

/**
 * Opens every store for `storage` (async: a remote backend creates its tables first).
 * `tracing: false` (no telemetry exporter) leaves the SDK's tracing policy out of remote clients.
 */
export async function openStores(
  storage: AppConfig['storage'],
  clock: Clock,
  auditKey?: AuditKey,
  options: TablesClientOptions & StoreProblemOptions = {},
): Promise<Stores> {
  switch (storage.kind) {
    case 'memory':
      return memoryStores(clock, auditKey);
    case 'sqlite':
      return sqliteStores(storage.path, clock, auditKey, options);
    case 'tables':
      return tablesStores(storage.connection, clock, storage.prefix, auditKey, options);
  }
}

/**
 * Completes a partial bundle (tests replace one store, e.g. a failing audit log) with memory
 * stores for the rest.
 */
export function withMemoryDefaults(partial: Partial<Stores>, clock: Clock): Stores {
  const base = memoryStores(clock);
  return { ...base, ...partial, close: partial.close ?? (async () => partial.requests?.close()) };
}
