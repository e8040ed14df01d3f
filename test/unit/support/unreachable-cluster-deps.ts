/**
 * What a pull secret's revocation (secret-revocation.ts) runs on when its cluster step cannot
 * succeed: the cluster never answers, and the store holds no other writer of the secret. Shared by
 * the tests of what the report and the trail say then.
 */
import type { LifecycleDeps } from '../../../src/flows/access-lifecycle-deps';
import { MemoryAuditLog } from '../../../src/integrations/store/memory-stores';
import { FakeClock } from './fake-clock';

/** Deps whose cluster never answers, writing to `audit` (a fresh one unless given). */
export function unreachableClusterDeps(audit = new MemoryAuditLog(new FakeClock())): LifecycleDeps {
  return {
    audit,
    store: { listByTarget: async () => [] },
    ports: {
      kubernetes: {
        access: async () => {
          throw new Error('the cluster did not answer');
        },
      },
    },
    log: { warn: () => undefined, error: () => undefined, info: () => undefined },
  } as unknown as LifecycleDeps;
}
