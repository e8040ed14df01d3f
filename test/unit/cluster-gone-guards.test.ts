/**
 * The guards on a cluster-gone note (drift-detector.ts `noteClusterGone`): the note is written
 * only on a live grant as the sweep read it (not one revoking, nor one noted meanwhile by another
 * instance), not when its expiry is due (the revocation runs next), and each note has its own
 * `access.clusterGone` entry naming the grant's role assignment. Memory stores, with the request
 * store wrapped to change one answer, and a cluster read that answers "gone" (undefined) at will.
 */
import type { ClusterInfo, RegistryInfo, RoleAssignmentInfo } from '../../src/domain/azure-model';
import type { AccessRequest } from '../../src/domain/request';
import type { RequestStore } from '../../src/domain/ports';
import { accessExpiryJobId } from '../../src/flows/access-jobs';
import { DriftDetector } from '../../src/flows/drift-detector';
import { MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { LISTING_LAG_GRACE_MS } from '../../src/domain/listing-lag';
import { FakeClock } from './support/fake-clock';
import { grantPlan, pendingRequest } from './support/requests';
import { assignmentOf, clusterPulling, registryIn } from './support/drift-azure';

const plan = grantPlan();
const ID = 'R-GONEGRD';
const KEY = `access.clusterGone:${ID}`;

describe('a cluster-gone note: the guards (drift-detector noteClusterGone)', () => {
  let clock: FakeClock;
  let store: MemoryRequestStore;
  let audit: MemoryAuditLog;
  let schedule: MemoryScheduleStore;
  /** Replaces the store's answer to the next `get` of the request, once. */
  let nextGet: ((r: AccessRequest) => AccessRequest) | undefined;
  /** The cluster as ARM answers it: undefined is gone (404). */
  let cluster: ClusterInfo | undefined;
  let drift: DriftDetector;

  beforeEach(async () => {
    clock = new FakeClock();
    clock.advance(LISTING_LAG_GRACE_MS);
    store = new MemoryRequestStore();
    audit = new MemoryAuditLog(clock);
    schedule = new MemoryScheduleStore();
    nextGet = undefined;
    const requests = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'get')
          return async (id: string) => {
            const found = await target.get(id);
            const change = nextGet;
            nextGet = undefined;
            return found && change ? change(found) : found;
          };
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as RequestStore;
    const assignments: RoleAssignmentInfo[] = [assignmentOf(plan)];
    const registry: RegistryInfo = registryIn(plan, 'LegacyRegistryPermissions');
    cluster = undefined;
    drift = new DriftDetector(
      {
        requests,
        audit,
        roleAssignments: { listAssignedToAt: async () => assignments },
        resources: { getCluster: async () => cluster, getRegistry: async () => registry },
        schedule,
        clock,
      },
      { requestChanged: async () => undefined },
      createLogger({ level: 'silent' }),
      60_000,
    );
    await store.create(
      pendingRequest({
        id: ID,
        plan,
        state: 'succeeded',
        outcome: { summary: 'Granted', azureRequestIds: [] },
        access: { expiresAt: '2025-03-01T00:00:00.000Z' },
      }),
    );
  });

  const entries = async () => (await audit.forRequest(ID)).filter((e) => e.action === 'access.clusterGone');

  test('the cluster gone: noted once, its entry names the role assignment', async () => {
    await drift.sweep();
    expect((await store.get(ID))!.access?.clusterGoneAt).toBe(clock.now().toISOString());
    const [entry, ...more] = await entries();
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ idempotencyKey: KEY, outcome: 'noted', targetIds: [assignmentOf(plan).id] });
  });

  test('the request re-read already revoking: nothing written, no entry', async () => {
    nextGet = (r) => ({ ...r, access: { ...r.access!, revokingSince: clock.now().toISOString() } });
    const before = (await store.get(ID))!.version;
    await drift.sweep();
    expect((await store.get(ID))!.version).toBe(before);
    expect(await entries()).toEqual([]);
  });

  test('the request re-read noted meanwhile by another instance: nothing written, no entry', async () => {
    nextGet = (r) => ({ ...r, access: { ...r.access!, clusterGoneAt: '2025-01-01T00:00:00.000Z' } });
    const before = (await store.get(ID))!.version;
    await drift.sweep();
    expect((await store.get(ID))!.version).toBe(before);
    expect(await entries()).toEqual([]);
  });

  test('the expiry job due now but not yet run: no note, no entry', async () => {
    await schedule.put({
      id: accessExpiryJobId(ID),
      kind: 'access.expire',
      dueAt: clock.now().toISOString(),
      requestId: ID,
      attempts: 0,
    });
    await drift.sweep();
    expect((await store.get(ID))!.access?.clusterGoneAt).toBeUndefined();
    expect(await entries()).toEqual([]);
  });

  test('gone, back, gone again: each note and its clearing under its own key', async () => {
    await drift.sweep();
    clock.advance(60_000);
    cluster = clusterPulling(plan, plan.identity.objectId);
    await drift.sweep();
    expect((await store.get(ID))!.access?.clusterGoneAt).toBeUndefined();
    clock.advance(60_000);
    cluster = undefined;
    await drift.sweep();

    expect((await store.get(ID))!.access?.clusterGoneAt).toBe(clock.now().toISOString());
    expect((await entries()).map((e) => [e.outcome, e.idempotencyKey])).toEqual([
      ['noted', KEY],
      ['cleared', `${KEY}:cleared`],
      ['noted', `${KEY}:2`],
    ]);
  });
});
