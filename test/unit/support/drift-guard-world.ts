/**
 * A drift sweep over one live grant, for the tests of its guards (a cluster-gone note, a drift
 * mark coming off): memory stores, the request store wrapped so that a test can change its next
 * answer to `get` or fail its next `update`, and Azure as the grant's plan says it is (its role
 * assignment intact, its registry honouring AcrPull), the cluster read answering whatever
 * `world.cluster` holds at the time (undefined: gone, a 404).
 */
import type { ClusterInfo, RoleAssignmentInfo } from '../../../src/domain/azure-model';
import { LISTING_LAG_GRACE_MS } from '../../../src/domain/listing-lag';
import type { RequestStore } from '../../../src/domain/ports';
import type { AccessRequest } from '../../../src/domain/request';
import { accessExpiryJobId } from '../../../src/flows/access-jobs';
import { DriftDetector } from '../../../src/flows/drift-detector';
import { MemoryScheduleStore } from '../../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../../src/integrations/store/memory-stores';
import { createLogger } from '../../../src/observability/logger';
import { assignmentOf, registryIn } from './drift-azure';
import { FakeClock } from './fake-clock';
import { grantPlan, pendingRequest } from './requests';

/** What a guard test reads and steers. */
export interface DriftGuardWorld {
  /** Past the listing lag's grace, so an assignment's absence would count as drift. */
  clock: FakeClock;
  /** The store itself, unwrapped (the detector reads through the wrapper). */
  store: MemoryRequestStore;
  audit: MemoryAuditLog;
  schedule: MemoryScheduleStore;
  drift: DriftDetector;
  /** Replaces the store's answer to the next `get` of the request, once. */
  nextGet: ((r: AccessRequest) => AccessRequest) | undefined;
  /** Thrown by the next `update`, once. */
  nextUpdateError: Error | undefined;
  /** The cluster as ARM answers it: undefined is gone (404). */
  cluster: ClusterInfo | undefined;
  /**
   * Sweeps once with the request changed by `change` where the sweep reads it again before its
   * write (as if another instance moved it in between); whether the sweep wrote it (its version
   * moved).
   */
  sweepRereading(change: (r: AccessRequest) => AccessRequest): Promise<boolean>;
  /** Puts the grant's `access.expire` job, due now and not yet run: its revocation runs next. */
  expireDueNow(): Promise<void>;
}

/** The plan of the grant a {@link driftGuardWorld} holds. */
export const guardedPlan = grantPlan();

/**
 * A world holding the succeeded grant `id` of {@link guardedPlan} with `access` as its access
 * record, its cluster read answering `cluster` until a test changes `world.cluster`.
 */
export async function driftGuardWorld(
  id: string,
  access: NonNullable<AccessRequest['access']>,
  cluster: ClusterInfo | undefined,
): Promise<DriftGuardWorld> {
  const clock = new FakeClock();
  clock.advance(LISTING_LAG_GRACE_MS);
  const store = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  const schedule = new MemoryScheduleStore();
  const assignments: RoleAssignmentInfo[] = [assignmentOf(guardedPlan)];
  const registry = registryIn(guardedPlan, 'LegacyRegistryPermissions');
  const requests = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'get')
        return async (requestId: string) => {
          const found = await target.get(requestId);
          const change = world.nextGet;
          world.nextGet = undefined;
          return found && change ? change(found) : found;
        };
      if (prop === 'update')
        return async (r: AccessRequest) => {
          const err = world.nextUpdateError;
          world.nextUpdateError = undefined;
          if (err) throw err;
          return target.update(r);
        };
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as RequestStore;
  const drift = new DriftDetector(
    {
      requests,
      audit,
      roleAssignments: { listAssignedToAt: async () => assignments },
      resources: { getCluster: async () => world.cluster, getRegistry: async () => registry },
      schedule,
      clock,
    },
    { requestChanged: async () => undefined },
    createLogger({ level: 'silent' }),
    60_000,
  );
  const world: DriftGuardWorld = {
    clock,
    store,
    audit,
    schedule,
    drift,
    nextGet: undefined,
    nextUpdateError: undefined,
    cluster,
    async sweepRereading(change) {
      const before = (await store.get(id))!.version;
      world.nextGet = change;
      await drift.sweep();
      return (await store.get(id))!.version !== before;
    },
    expireDueNow: () =>
      schedule.put({
        id: accessExpiryJobId(id),
        kind: 'access.expire',
        dueAt: clock.now().toISOString(),
        requestId: id,
        attempts: 0,
      }),
  };
  await store.create(grantedRequest(id, access));
  return world;
}

/** A succeeded grant `id` of {@link guardedPlan} with `access` as its access record. */
export function grantedRequest(id: string, access: NonNullable<AccessRequest['access']>): AccessRequest {
  return pendingRequest({
    id,
    plan: guardedPlan,
    state: 'succeeded',
    outcome: { summary: 'Granted', azureRequestIds: [] },
    access,
  });
}
