/**
 * Step "stores": everything that must outlive a turn or an instance, from `ACRBOT_STORAGE`
 * (memory or SQLite). A new store is opened here and added to {@link Stores}.
 */
import type { AppConfig } from '../config/config';
import type { AuditLog, Clock, LeaseStore, RequestStore, ScheduleStore } from '../domain/ports';
import { MemoryLeaseStore, MemoryScheduleStore } from '../integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../integrations/store/memory-stores';
import { openSqlite } from '../integrations/store/sqlite-database';
import { SqliteAuditLog } from '../integrations/store/sqlite-audit-log';
import { SqliteRequestStore } from '../integrations/store/sqlite-request-store';

/** Every store the app uses. */
export interface Stores {
  requests: RequestStore;
  audit: AuditLog;
  /** Persisted background jobs. */
  schedule: ScheduleStore;
  /** Leases that let one instance at a time run a job. */
  leases: LeaseStore;
}

/** Stores given by tests instead of opening them from config. */
export interface StoreOverrides {
  stores?: { requests: RequestStore; audit: AuditLog };
  coordination?: { schedule: ScheduleStore; leases: LeaseStore };
}

/** Opens the configured stores, unless given. */
export function openStores(config: AppConfig, clock: Clock, overrides: StoreOverrides = {}): Stores {
  const main = overrides.stores ?? openMainStores(config, clock);
  const coordination = overrides.coordination ?? {
    schedule: new MemoryScheduleStore(),
    leases: new MemoryLeaseStore(() => clock.now()),
  };
  return { ...main, ...coordination };
}

function openMainStores(config: AppConfig, clock: Clock): { requests: RequestStore; audit: AuditLog } {
  if (config.storage.kind === 'memory') return { requests: new MemoryRequestStore(), audit: new MemoryAuditLog(clock) };
  const db = openSqlite(config.storage.path);
  return { requests: new SqliteRequestStore(db), audit: new SqliteAuditLog(db, clock) };
}
