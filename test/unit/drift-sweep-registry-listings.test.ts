/**
 * The drift sweep's ARM reads at scale: one listing of each registry (not one per identity on
 * it), a few registries at a time, and a registry whose listing fails leaves the others checked
 * and their drift recorded.
 */
import type { ClusterInfo, RegistryInfo, RoleAssignmentInfo } from '../../src/domain/azure-model';
import type { GrantPlan } from '../../src/domain/plan';
import type { AccessRequest } from '../../src/domain/request';
import { answerForApprovers } from '../../src/composition/scheduler';
import { DRIFT_JOB_ID, DriftDetector, REGISTRIES_AT_ONCE } from '../../src/flows/drift-detector';
import { MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { LISTING_LAG_GRACE_MS } from '../../src/domain/listing-lag';
import { FakeClock } from './support/fake-clock';
import { assignmentOf, clusterPulling, registryIn } from './support/drift-azure';
import { grantPlan, pendingRequest } from './support/requests';

const hex = (n: number, width = 12) => n.toString(16).padStart(width, '0');

/** `grants` live grants on `clusterCount` clusters (10 subscriptions) and `registryCount` registries (5 others). */
async function fleet(grants: number, clusterCount: number, registryCount: number) {
  const clock = new FakeClock();
  // The grants below were made at the clock's start: past the listing's lag (listing-lag.ts).
  clock.advance(LISTING_LAG_GRACE_MS);
  const requests = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  const assignments: RoleAssignmentInfo[] = [];
  const clusters = new Map<string, ClusterInfo>();
  const registries = new Map<string, RegistryInfo>();
  const plans: GrantPlan[] = [];
  const base = grantPlan();
  for (let i = 0; i < grants; i++) {
    const c = i % clusterCount;
    const g = (i * 7 + Math.floor(i / clusterCount)) % registryCount;
    const clusterSub = `00000000-0000-4000-8000-${hex(c % 10)}`;
    const registrySub = `00000000-0000-4000-9000-${hex(g % 5)}`;
    const cid = `/subscriptions/${clusterSub}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-${c}`;
    const rid = `/subscriptions/${registrySub}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/acr${g}`;
    const plan = {
      ...base,
      cluster: { ...base.cluster, id: cid, name: `aks-${c}`, subscriptionId: clusterSub },
      registry: {
        ...base.registry,
        id: rid,
        name: `acr${g}`,
        subscriptionId: registrySub,
        loginServer: `acr${g}.azurecr.io`,
      },
      identity: { kind: 'kubelet', objectId: `0d000000-0000-4000-8000-${hex(c)}`, description: 'kubelet' },
      scope: rid,
      roleAssignmentName: `00000000-0000-5000-8000-${hex(i)}`,
    } as GrantPlan;
    plans.push(plan);
    await requests.create(
      pendingRequest({
        id: `R-${hex(i, 8).toUpperCase()}`,
        plan,
        state: 'succeeded',
        outcome: { summary: 'Granted', azureRequestIds: [] },
        access: { expiresAt: '2099-03-01T00:00:00.000Z' },
      }) as AccessRequest,
    );
    assignments.push(assignmentOf(plan));
    clusters.set(cid.toLowerCase(), clusterPulling(plan, plan.identity.objectId));
    registries.set(rid.toLowerCase(), registryIn(plan, 'LegacyRegistryPermissions'));
  }
  const calls = { listings: 0, getCluster: 0, getRegistry: 0, listingsInFlight: 0, maxListingsInFlight: 0 };
  /** Registries (lower-case ids) whose listing is refused. */
  const refused = new Set<string>();
  /** Registries (lower-case ids) whose listing fails without an answer from ARM (a bug). */
  const broken = new Set<string>();
  /** Clusters (lower-case ids) whose read ARM answers 503. */
  const busy = new Set<string>();
  const listing = async <T>(scope: string, answer: () => T): Promise<T> => {
    calls.listings++;
    calls.listingsInFlight++;
    calls.maxListingsInFlight = Math.max(calls.maxListingsInFlight, calls.listingsInFlight);
    // A turn of the event loop, as an ARM round trip takes: other listings may start meanwhile.
    await new Promise((resolve) => setImmediate(resolve));
    calls.listingsInFlight--;
    if (refused.has(scope.toLowerCase()))
      throw Object.assign(new Error('refused'), { statusCode: 403, code: 'AuthorizationFailed' });
    if (broken.has(scope.toLowerCase())) throw new TypeError("Cannot read properties of undefined (reading 'value')");
    return answer();
  };
  const atScope = (scope: string) => assignments.filter((a) => a.scope.toLowerCase() === scope.toLowerCase());
  const idOf = (type: string, sub: string, rg: string, name: string) =>
    `/subscriptions/${sub}/resourceGroups/${rg}/providers/${type}/${name}`.toLowerCase();
  const drift = new DriftDetector(
    {
      requests,
      audit,
      roleAssignments: {
        listAtOrAbove: (scope) => listing(scope, () => atScope(scope)),
        listAssignedToAt: (scope, objectId) =>
          listing(scope, () => atScope(scope).filter((a) => a.principalId === objectId)),
      },
      resources: {
        getCluster: async (sub, rg, name) => {
          calls.getCluster++;
          const id = idOf('Microsoft.ContainerService/managedClusters', sub, rg, name);
          if (busy.has(id))
            throw Object.assign(new Error(`the cluster ${id} of principal 0d00… is busy`), {
              statusCode: 503,
              code: 'ServerBusy',
            });
          return clusters.get(id);
        },
        getRegistry: async (sub, rg, name) => {
          calls.getRegistry++;
          return registries.get(idOf('Microsoft.ContainerRegistry/registries', sub, rg, name));
        },
      },
      schedule: new MemoryScheduleStore(),
      clock,
    },
    { requestChanged: async () => undefined },
    createLogger({ level: 'silent' }),
    15 * 60_000,
  );
  /** Deletes the assignment of grant `i` "outside acrbot"; returns its request id. */
  const deleteOutside = (i: number) => {
    const id = assignmentOf(plans[i]).id;
    assignments.splice(
      assignments.findIndex((a) => a.id === id),
      1,
    );
    return `R-${hex(i, 8).toUpperCase()}`;
  };
  return { drift, calls, refused, broken, busy, plans, requests, audit, deleteOutside };
}

describe('drift sweep: one listing per registry', () => {
  test('2,000 grants on 300 clusters and 50 registries: at most 50 listings, each cluster and registry read once, a few at a time', async () => {
    const w = await fleet(2000, 300, 50);
    const gone = [w.deleteOutside(3), w.deleteOutside(1234)];

    const marked = await w.drift.sweep();

    expect(marked.map((r) => r.id).sort()).toEqual(gone.sort());
    expect(w.calls.listings).toBeLessThanOrEqual(50);
    expect(w.calls.getCluster).toBeLessThanOrEqual(300);
    expect(w.calls.getRegistry).toBeLessThanOrEqual(50);
    expect(w.calls.maxListingsInFlight).toBeGreaterThan(1);
    expect(w.calls.maxListingsInFlight).toBeLessThanOrEqual(REGISTRIES_AT_ONCE);
  });

  test('a registry whose listing fails: the other registries are checked and their drift recorded, nothing for its grants, then the run fails naming it', async () => {
    const w = await fleet(40, 4, 4);
    // Grants 0 and 1 are on different registries (acr0, acr7 % 4 = acr3); both assignments gone.
    const onRefused = w.deleteOutside(0);
    const elsewhere = w.deleteOutside(1);
    w.refused.add(w.plans[0].registry.id.toLowerCase());

    await expect(w.drift.sweep()).rejects.toThrow(
      new RegExp(
        `could not list the role assignments of \\d+ of \\d+ identity and registry pairs .*registry ${w.plans[0].registry.id}: 403 AuthorizationFailed$`,
      ),
    );
    expect((await w.requests.get(elsewhere))!.access?.driftReason).toBe('deleted');
    expect((await w.audit.forRequest(elsewhere)).map((e) => e.action)).toContain('access.drift');
    expect((await w.requests.get(onRefused))!.access?.driftDetectedAt).toBeUndefined();
    expect(await w.audit.forRequest(onRefused)).toEqual([]);
  });

  describe("the failing run's report (answerForApprovers): ARM's status and code, never its message", () => {
    /** The sweep's error as the job's report words it. */
    const reported = (w: Awaited<ReturnType<typeof fleet>>) =>
      w.drift.sweep().then(
        () => {
          throw new Error('the sweep did not fail');
        },
        (err: unknown) => {
          failure = err;
          return answerForApprovers(err, DRIFT_JOB_ID);
        },
      );
    let failure: unknown;

    test('a registry whose listing ARM refused: its status, code and name', async () => {
      const w = await fleet(40, 4, 4);
      w.refused.add(w.plans[0].registry.id.toLowerCase());

      const answer = await reported(w);

      expect(answer).toBe(
        `ARM answered 403 AuthorizationFailed for the role assignments on registry ${w.plans[0].registry.name}`,
      );
    });

    test('a cluster ARM answered 503 for: named with its status and code, not its message', async () => {
      const w = await fleet(40, 4, 4);
      w.busy.add(w.plans[0].cluster.id.toLowerCase());

      const answer = await reported(w);

      expect(answer).toBe(`ARM answered 503 ServerBusy for cluster ${w.plans[0].cluster.name}`);
    });

    test('a listing failing without an answer from ARM (a bug) stays an unexpected error with the reference', async () => {
      const w = await fleet(40, 4, 4);
      w.broken.add(w.plans[0].registry.id.toLowerCase());

      expect(await reported(w)).toBe('unexpected error (reference job-drift.check)');
    });

    test('one refused, one broken: the refusal named, the other counted', async () => {
      const w = await fleet(40, 4, 4);
      w.broken.add(w.plans[0].registry.id.toLowerCase());
      w.refused.add(w.plans[1].registry.id.toLowerCase());

      const answer = await reported(w);

      expect(answer).toBe(
        `ARM answered 403 AuthorizationFailed for the role assignments on registry ${w.plans[1].registry.name}; 1 more read failed (acrbot's log names it)`,
      );
    });

    test('a refused listing and a busy cluster in one run: the first problem named', async () => {
      const w = await fleet(40, 4, 4);
      w.refused.add(w.plans[0].registry.id.toLowerCase());
      // Grant 1 is on another registry, so its cluster is read.
      w.busy.add(w.plans[1].cluster.id.toLowerCase());

      const answer = await reported(w);

      expect(failure).toBeInstanceOf(AggregateError);
      expect((failure as AggregateError).errors).toHaveLength(2);
      expect(answer).toBe(
        `ARM answered 403 AuthorizationFailed for the role assignments on registry ${w.plans[0].registry.name}`,
      );
    });
  });
});
