/**
 * The guards on a drift mark coming off (drift-detector.ts `clear`): the mark stays when the
 * grant's expiry is due (the revocation runs next), when the request moved between the sweep's
 * read and its write (revoking, or marked again), and when the audit entry fails (the mark is put
 * back and the next sweep clears it under the same key). A store failure other than a version
 * conflict fails the run. Memory stores, with the request store wrapped to change one answer.
 */
import type { ClusterInfo, RegistryInfo, RoleAssignmentInfo } from '../../src/domain/azure-model';
import type { AccessRequest } from '../../src/domain/request';
import { VersionConflictError, type RequestStore } from '../../src/domain/ports';
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
const ID = 'R-CLEARGRD';
const MARKED_AT = '2025-01-15T08:00:00.000Z';

describe('a drift mark coming off: the guards (drift-detector clear)', () => {
  let clock: FakeClock;
  let store: MemoryRequestStore;
  let audit: MemoryAuditLog;
  let schedule: MemoryScheduleStore;
  /** Replaces the store's answer to the next `get` of the request, once. */
  let nextGet: ((r: AccessRequest) => AccessRequest) | undefined;
  /** Thrown by the next `update`, once. */
  let nextUpdateError: Error | undefined;
  let drift: DriftDetector;

  beforeEach(async () => {
    clock = new FakeClock();
    clock.advance(LISTING_LAG_GRACE_MS);
    store = new MemoryRequestStore();
    audit = new MemoryAuditLog(clock);
    schedule = new MemoryScheduleStore();
    nextGet = undefined;
    nextUpdateError = undefined;
    const requests = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'get')
          return async (id: string) => {
            const found = await target.get(id);
            const change = nextGet;
            nextGet = undefined;
            return found && change ? change(found) : found;
          };
        if (prop === 'update')
          return async (r: AccessRequest) => {
            const err = nextUpdateError;
            nextUpdateError = undefined;
            if (err) throw err;
            return target.update(r);
          };
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as RequestStore;
    const assignments: RoleAssignmentInfo[] = [assignmentOf(plan)];
    // The change undone: the cluster pulls as the granted identity, the registry honours AcrPull.
    const cluster: ClusterInfo = clusterPulling(plan, plan.identity.objectId);
    const registry: RegistryInfo = registryIn(plan, 'LegacyRegistryPermissions');
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
        access: { expiresAt: '2025-03-01T00:00:00.000Z', driftDetectedAt: MARKED_AT, driftReason: 'identityChanged' },
      }),
    );
  });

  const cleared = async () =>
    (await audit.forRequest(ID)).filter((e) => e.action === 'access.drift' && e.outcome === 'cleared');

  test('the sweep clears the mark when nothing stands in the way', async () => {
    await drift.sweep();
    expect((await store.get(ID))!.access?.driftDetectedAt).toBeUndefined();
    expect(await cleared()).toHaveLength(1);
  });

  test('the expiry job due now but not yet run: the mark stays, no cleared entry', async () => {
    await schedule.put({
      id: accessExpiryJobId(ID),
      kind: 'access.expire',
      dueAt: clock.now().toISOString(),
      requestId: ID,
      attempts: 0,
    });
    await drift.sweep();
    expect((await store.get(ID))!.access).toMatchObject({ driftDetectedAt: MARKED_AT, driftReason: 'identityChanged' });
    expect(await cleared()).toEqual([]);
  });

  test('the request re-read already revoking: nothing written, no entry', async () => {
    nextGet = (r) => ({ ...r, access: { ...r.access!, revokingSince: clock.now().toISOString() } });
    const before = (await store.get(ID))!.version;
    await drift.sweep();
    expect((await store.get(ID))!.version).toBe(before);
    expect(await cleared()).toEqual([]);
  });

  test('the request re-read marked again since the sweep read it: left for the next sweep', async () => {
    nextGet = (r) => ({ ...r, access: { ...r.access!, driftDetectedAt: clock.now().toISOString() } });
    const before = (await store.get(ID))!.version;
    await drift.sweep();
    expect((await store.get(ID))!.version).toBe(before);
    expect(await cleared()).toEqual([]);
  });

  test('the store failing with anything but a version conflict: the run fails, the mark stays', async () => {
    nextUpdateError = new Error('table storage unavailable');
    await expect(drift.sweep()).rejects.toThrow();
    expect((await store.get(ID))!.access?.driftDetectedAt).toBe(MARKED_AT);
    expect(await cleared()).toEqual([]);
  });

  test('another instance moving the request first (a version conflict): the sweep goes on, the mark stays, no entry', async () => {
    nextUpdateError = new VersionConflictError(ID);
    await expect(drift.sweep()).resolves.toEqual([]);
    expect((await store.get(ID))!.access).toMatchObject({ driftDetectedAt: MARKED_AT, driftReason: 'identityChanged' });
    expect(await cleared()).toEqual([]);
  });

  test('a drift mark losing its write to another instance: record() marks nothing, no entry', async () => {
    const OTHER = 'R-MARKCONF';
    await store.create(
      pendingRequest({
        id: OTHER,
        plan,
        state: 'succeeded',
        outcome: { summary: 'Granted', azureRequestIds: [] },
        access: { expiresAt: '2025-03-01T00:00:00.000Z' },
      }),
    );
    nextUpdateError = new VersionConflictError(OTHER);
    const finding = { requestId: OTHER, assignmentId: assignmentOf(plan).id, kind: 'deleted' as const, detail: 'gone' };
    expect(await drift.record([finding], 'sweeper')).toEqual([]);
    expect((await store.get(OTHER))!.access?.driftDetectedAt).toBeUndefined();
    expect(await audit.forRequest(OTHER)).toEqual([]);
  });

  test('the cleared entry failing: the mark is put back, the next sweep clears it under the same key', async () => {
    const append = audit.append.bind(audit);
    audit.append = async (event) => {
      if (event.idempotencyKey === `access.drift:${ID}:cleared`) throw new Error('audit store unavailable');
      return append(event);
    };
    await expect(drift.sweep()).rejects.toThrow(/could not audit the drift mark/);
    expect((await store.get(ID))!.access).toMatchObject({ driftDetectedAt: MARKED_AT, driftReason: 'identityChanged' });
    audit.append = append;

    await drift.sweep();
    expect((await store.get(ID))!.access?.driftDetectedAt).toBeUndefined();
    expect((await cleared()).map((e) => e.idempotencyKey)).toEqual([`access.drift:${ID}:cleared`]);
  });
});
