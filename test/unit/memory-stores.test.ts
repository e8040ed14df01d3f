import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { describeAuditLogContract } from './support/audit-log-contract';
import { describeRequestStoreContract } from './support/request-store-contract';

// The memory stores pass the same contracts as SQLite (conditional update, copies not shared
// by reference, latest(0) is empty).
describeRequestStoreContract('MemoryRequestStore', () => ({
  store: new MemoryRequestStore(),
  dispose: async () => undefined,
}));

describeAuditLogContract('MemoryAuditLog', (clock) => ({
  log: new MemoryAuditLog(clock),
  clock,
  dispose: async () => undefined,
}));
