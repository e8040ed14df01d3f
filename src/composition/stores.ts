/** Step "stores": the request store and audit log from `ACRBOT_STORAGE` (memory or SQLite). */
import type { AppConfig } from '../config/config';
import type { AuditLog, Clock, RequestStore } from '../domain/ports';
import { MemoryAuditLog, MemoryRequestStore } from '../integrations/store/memory-stores';
import { openSqlite } from '../integrations/store/sqlite-database';
import { SqliteAuditLog } from '../integrations/store/sqlite-audit-log';
import { SqliteRequestStore } from '../integrations/store/sqlite-request-store';

/** Every store the app uses. New stores (leases, schedule, dialogs…) are added here. */
export interface Stores {
  requests: RequestStore;
  audit: AuditLog;
}

/** Opens the configured stores. */
export function openStores(config: AppConfig, clock: Clock): Stores {
  if (config.storage.kind === 'memory') return { requests: new MemoryRequestStore(), audit: new MemoryAuditLog(clock) };
  const db = openSqlite(config.storage.path);
  return { requests: new SqliteRequestStore(db), audit: new SqliteAuditLog(db, clock) };
}
