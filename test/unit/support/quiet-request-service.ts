/**
 * A RequestService on memory stores that tells nobody anything (no notifier, a silent log): for
 * tests of what it reads and answers (pending, reviews owed, approver questions), not of what it
 * posts. Directory groups are `members` (group id → user object ids); its audit log `audit` when
 * the test reads what was recorded, a fresh memory log otherwise.
 */
import type { Policy } from '../../../src/domain/policy';
import type { AuditLog, RequestStore } from '../../../src/domain/ports';
import type { JobScheduling } from '../../../src/flows/request-jobs';
import { RequestService } from '../../../src/flows/request-service';
import { MemoryAuditLog } from '../../../src/integrations/store/memory-stores';
import { createLogger } from '../../../src/observability/logger';
import type { FakeClock } from './fake-clock';
import { fakeDirectory } from './fake-directory';
import { settings } from './policy-fixtures';

/** The service, its policy fixed to `policy`, its schedule `jobs` when given. */
export function quietRequestService(options: {
  store: RequestStore;
  clock: FakeClock;
  policy: Policy;
  members?: Record<string, readonly string[]>;
  jobs?: JobScheduling;
  audit?: AuditLog;
}): RequestService {
  const { store, clock, policy, members = {}, jobs } = options;
  const directory = fakeDirectory(members);
  return new RequestService(
    store,
    options.audit ?? new MemoryAuditLog({ now: () => clock.now() }),
    directory,
    clock,
    settings,
    { requestChanged: async () => undefined },
    createLogger({ level: 'silent' }),
    jobs,
    { current: () => policy },
  );
}
