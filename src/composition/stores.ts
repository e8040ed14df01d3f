/**
 * Step "stores": every store the app uses, opened for `ACRBOT_STORAGE` by
 * `src/integrations/store/open-stores.ts` (a new store is added there), or given by tests.
 */
import type { AppConfig } from '../config/config';
import type { Clock, LeaseStore, ScheduleStore } from '../domain/ports';
import { openStores, type Stores, withMemoryDefaults } from '../integrations/store/open-stores';

export type { Stores } from '../integrations/store/open-stores';

/** Stores given by tests instead of opening them from config. */
export interface StoreOverrides {
  /** Replace stores (e.g. a failing audit log); the others are memory stores. */
  stores?: Partial<Stores>;
  /** Replace the schedule and lease stores (restart tests keep them across app instances). */
  coordination?: { schedule: ScheduleStore; leases: LeaseStore };
}

/** Opens the configured stores, unless given. */
export async function openAppStores(config: AppConfig, clock: Clock, overrides: StoreOverrides = {}): Promise<Stores> {
  const opened = overrides.stores
    ? withMemoryDefaults(overrides.stores, clock)
    : await openStores(config.storage, clock);
  return { ...opened, ...overrides.coordination };
}
