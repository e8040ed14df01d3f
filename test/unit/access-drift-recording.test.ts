/**
 * `access CLUSTER` and `check CLUSTER REGISTRY` record the drift of an intact assignment that no
 * longer serves (the cluster pulls as another identity, the registry's mode ignores the role) as
 * the daily sweep would: through DriftDetector.record, as the chat handlers call it, after the
 * same confirmation the sweep makes. Same reason, same audit entry (but who noticed), one card
 * update; once only, and not at all when the sweep marked it first, when a revocation is in
 * flight, or when it cannot be told. Nothing is written to Azure (G15: the fakes have no writes).
 */
import type { AuditEntry } from '../../src/domain/audit-chain';
import type { ClusterInfo } from '../../src/domain/azure-model';
import type { AccessRequest } from '../../src/domain/request';
import { AccessInventory, type AccessInventoryPorts } from '../../src/flows/access-inventory';
import { accessExpiryJobId } from '../../src/flows/access-jobs';
import { DriftDetector, type DriftNoticedBy } from '../../src/flows/drift-detector';
import type { ResourceResolver } from '../../src/flows/resource-resolver';
import { MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { clusterAccessCard } from '../../src/views/access-view';
import { assignmentOf, clusterPulling, registryIn } from './support/drift-azure';
import { acrPullDefinition } from './support/role-definitions';
import { LISTING_LAG_GRACE_MS } from '../../src/domain/listing-lag';
import { FakeClock } from './support/fake-clock';
import { grantPlan, pendingRequest, SUB } from './support/requests';

const KUBELET = '0d000000-0000-4000-8000-0000000000d1';
const NEW_KUBELET = '0d000000-0000-4000-8000-0000000000e9';

/** One cluster, one registry and one acrbot grant, as the inventory and the detector read them. */
function world() {
  const plan = grantPlan();
  const clock = new FakeClock();
  // The grant below was made at the clock's start: past the listing's lag (listing-lag.ts).
  clock.advance(LISTING_LAG_GRACE_MS);
  const requests = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  const schedule = new MemoryScheduleStore();
  const azure = {
    cluster: clusterPulling(plan, KUBELET) as ClusterInfo | undefined,
    registry: registryIn(plan, 'LegacyRegistryPermissions'),
    assignments: [assignmentOf(plan)],
  };
  const cardUpdates: string[] = [];
  const assignedTo = (objectId: string) => azure.assignments.filter((a) => a.principalId === objectId);
  const drift = new DriftDetector(
    {
      requests,
      audit,
      roleAssignments: { listAssignedToAt: async (_scope, objectId) => assignedTo(objectId) },
      resources: { getCluster: async () => azure.cluster, getRegistry: async () => azure.registry },
      schedule,
      clock,
    },
    { requestChanged: async (r, o) => void cardUpdates.push(`${r.id}${o?.markOnly ? ' markOnly' : ''}`) },
    createLogger({ level: 'silent' }),
    60_000,
  );
  const ports = {
    azure: { listRegistries: async () => [azure.registry], listClusters: async () => [azure.cluster] },
    roleAssignments: {
      listAssignedTo: async (_s: string, objectId: string) => assignedTo(objectId),
      listAssignedToAt: async (_scope: string, objectId: string) => assignedTo(objectId),
      getRoleDefinition: async () => acrPullDefinition(),
    },
    directory: { servicePrincipalObjectId: async () => undefined, memberGroupsAmong: async () => [] },
    requests,
    clock,
  } as unknown as AccessInventoryPorts;
  const resolver = {
    resolveCluster: async () => azure.cluster,
    resolveRegistry: async () => azure.registry,
  } as unknown as ResourceResolver;
  const inventory = new AccessInventory(ports, resolver, [SUB]);

  /** What the chat handlers do (src/bot/handlers/access-handlers.ts): answer, then record what was seen. */
  const ask = async (verb: Exclude<DriftNoticedBy, 'sweeper'>) => {
    const answer =
      verb === 'access' ? await inventory.forCluster('aks-prod') : await inventory.check('aks-prod', 'contosoacr');
    const marked = answer.drift.length ? await drift.record(answer.drift, verb) : [];
    return { answer, marked };
  };
  const request = pendingRequest({
    id: 'R-AAAAAAAA',
    plan,
    state: 'succeeded',
    outcome: { summary: 'Granted', azureRequestIds: [] },
    access: { expiresAt: '2025-03-01T00:00:00.000Z' },
  });
  const driftEntries = async (): Promise<AuditEntry[]> =>
    (await audit.forRequest(request.id)).filter((e) => e.action === 'access.drift');
  return { plan, clock, requests, schedule, azure, cardUpdates, drift, inventory, ask, request, driftEntries };
}

type Change = 'identityChanged' | 'modeChanged';
const changes: Record<Change, (w: ReturnType<typeof world>) => void> = {
  // `az aks update --assign-kubelet-identity`: the old identity keeps its assignment.
  identityChanged: (w) => void (w.azure.cluster = clusterPulling(w.plan, NEW_KUBELET)),
  modeChanged: (w) => void (w.azure.registry = registryIn(w.plan, 'AbacRepositoryPermissions')),
};

describe.each(['access', 'check'] as const)('%s records drift of an intact assignment as the sweep would', (verb) => {
  test.each(['identityChanged', 'modeChanged'] as const)(
    '%s: marked once, audited as the sweep audits it, one card update',
    async (reason) => {
      const w = world();
      await w.requests.create(w.request);
      changes[reason](w);

      const first = await w.ask(verb);
      expect(first.answer.drift.map((f) => f.kind)).toEqual([reason]);
      expect(first.marked.map((r) => r.id)).toEqual(['R-AAAAAAAA']);
      const stored = (await w.requests.get('R-AAAAAAAA'))!;
      expect(stored.access).toMatchObject({ driftDetectedAt: w.clock.now().toISOString(), driftReason: reason });
      expect(stored.state).toBe('succeeded');
      const entries = await w.driftEntries();
      expect(entries).toEqual([
        expect.objectContaining({ outcome: reason, targetIds: [assignmentOf(w.plan).id], actor: expect.anything() }),
      ]);
      expect(w.cardUpdates).toEqual(['R-AAAAAAAA markOnly']);

      // The same entry the sweep would write, but who noticed it.
      const swept = world();
      await swept.requests.create(swept.request);
      changes[reason](swept);
      expect((await swept.drift.sweep()).map((r) => r.id)).toEqual(['R-AAAAAAAA']);
      const [sweepEntry] = await swept.driftEntries();
      expect(entries[0].detail).toBe(sweepEntry.detail?.replace('noticed by sweeper', `noticed by ${verb}`));
      expect(entries[0].outcome).toBe(sweepEntry.outcome);

      // Asked again, and the sweep after it: nothing more (marked once, never twice).
      expect((await w.ask(verb)).marked).toEqual([]);
      expect(await w.drift.record(first.answer.drift, verb)).toEqual([]);
      expect(await w.drift.sweep()).toEqual([]);
      expect(await w.driftEntries()).toHaveLength(1);
      expect(w.cardUpdates).toHaveLength(1);
    },
  );

  test.each(['identityChanged', 'modeChanged'] as const)(
    '%s already marked by the sweep: nothing more is recorded',
    async (reason) => {
      const w = world();
      await w.requests.create(w.request);
      changes[reason](w);
      expect((await w.drift.sweep()).map((r) => r.id)).toEqual(['R-AAAAAAAA']);

      const { answer, marked } = await w.ask(verb);
      expect(answer.drift).toEqual([]);
      expect(marked).toEqual([]);
      // Even a finding made before the sweep marked it (a race) is not recorded twice.
      const stale = [
        { requestId: 'R-AAAAAAAA', assignmentId: assignmentOf(w.plan).id, kind: reason, detail: 'seen earlier' },
      ];
      expect(await w.drift.record(stale, verb)).toEqual([]);
      expect(await w.driftEntries()).toHaveLength(1);
      expect((await w.driftEntries())[0].detail).toMatch(/noticed by sweeper/);
    },
  );

  test('a revocation in flight (its access.expire job due) is not recorded', async () => {
    const w = world();
    await w.requests.create(w.request);
    changes.identityChanged(w);
    await w.schedule.put({
      id: accessExpiryJobId('R-AAAAAAAA'),
      kind: 'access.expire',
      requestId: 'R-AAAAAAAA',
      dueAt: new Date(w.clock.now().getTime() - 1000).toISOString(),
      attempts: 0,
    });
    expect((await w.ask(verb)).marked).toEqual([]);
    expect((await w.requests.get('R-AAAAAAAA'))!.access?.driftDetectedAt).toBeUndefined();
    expect(await w.driftEntries()).toEqual([]);
  });

  test('a cluster mid-update reporting no kubelet identity, or an unknown mode: nothing recorded', async () => {
    const w = world();
    await w.requests.create(w.request);
    w.azure.cluster = clusterPulling(w.plan, undefined);
    expect((await w.ask(verb)).marked).toEqual([]);
    w.azure.cluster = clusterPulling(w.plan, KUBELET);
    w.azure.registry = registryIn(w.plan, 'SomeFutureMode');
    expect((await w.ask(verb)).marked).toEqual([]);
    expect(await w.driftEntries()).toEqual([]);
  });

  test('seen as identityChanged, but the old assignment is gone too: recorded as the sweep has it (deleted)', async () => {
    const w = world();
    await w.requests.create(w.request);
    changes.identityChanged(w);
    w.azure.assignments = [];
    const { answer, marked } = await w.ask(verb);
    expect(answer.drift.map((f) => f.kind)).toEqual(['identityChanged']);
    expect(marked.map((r) => r.access?.driftReason)).toEqual(['deleted']);
    expect((await w.driftEntries()).map((e) => e.outcome)).toEqual(['deleted']);
  });
});

test('access CLUSTER says why the grant stopped serving: the old identity grant is listed, "no longer gives pull"', async () => {
  const w = world();
  await w.requests.create(w.request);
  changes.identityChanged(w);
  const report = await w.inventory.forCluster('aks-prod');
  const card = JSON.stringify(clusterAccessCard(report, false));
  expect(card).toContain('R-AAAAAAAA');
  expect(card).toContain('no longer gives pull: the cluster pulls as another identity now');
});
