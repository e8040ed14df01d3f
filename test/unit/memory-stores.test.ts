import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { describeAuditLogContract } from './support/audit-log-contract';
import { describeRequestStoreContract } from './support/request-store-contract';

// BUGS in src/integrations/store/memory-stores.ts (the SQLite store passes these):
// - update() awaits this.get() between the version check and the write, so two concurrent
//   updates from the same base version both succeed (no real If-Match; G8).
// - addCardCopy/listCardCopies keep the caller's object by reference (request documents are
//   JSON-copied, card copies are not).
describeRequestStoreContract(
  'MemoryRequestStore',
  () => ({ store: new MemoryRequestStore(), dispose: async () => undefined }),
  {},
);

// BUG: MemoryAuditLog.append/latest/forRequest return the stored entry objects themselves, so a
// caller editing a returned entry edits the log (verify then reports it broken); and
// latest(0) returns every entry because `slice(-0)` is `slice(0)` (SQLite's LIMIT 0 returns none).
describeAuditLogContract(
  'MemoryAuditLog',
  (clock) => ({ log: new MemoryAuditLog(clock), clock, dispose: async () => undefined }),
  {},
);
