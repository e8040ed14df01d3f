/**
 * Drift of a grant whose role assignment is intact but no longer gives its cluster pull: the
 * cluster pulls as another identity now (kubelet identity replaced, service principal reset, the
 * cluster re-created under its name), or the registry's role assignment mode ignores the role
 * (AcrPull once the registry uses ABAC repository permissions, Repository Reader the other way).
 * The sweep marks the request with the reason (`access.driftReason`), audits `access.drift` with
 * it as outcome, and updates the cards, never writing to Azure (G15: acrbot does not grant the new
 * identity on its own). A cluster that is gone is not drift; a read that fails marks nothing and
 * fails the run naming it. One GET per distinct cluster and registry per run.
 */
import type { AcrbotRequestRef } from '../../src/domain/access-inventory';
import { requestRef } from '../../src/domain/access-inventory';
import type { ClusterInfo, RegistryInfo, RoleAssignmentInfo } from '../../src/domain/azure-model';
import type { GrantPlan } from '../../src/domain/plan';
import type { AccessRequest } from '../../src/domain/request';
import { ROLE_IDS } from '../../src/domain/roles';
import { DriftDetector } from '../../src/flows/drift-detector';
import { MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { userAccessCard } from '../../src/views/access-view';
import { planFacts } from '../../src/views/request-view';
import { armRestError } from './support/arm-rest-error';
import { LISTING_LAG_GRACE_MS } from '../../src/domain/listing-lag';
import { FakeClock } from './support/fake-clock';
import { CLUSTER_ID, grantPlan, pendingRequest, REGISTRY_ID } from './support/requests';
import { assignmentOf, clusterPulling, registryIn } from './support/drift-azure';

const KUBELET = '0d000000-0000-4000-8000-0000000000d1';
const NEW_KUBELET = '0d000000-0000-4000-8000-0000000000e9';
const SP_APP = '0b000000-0000-4000-8000-0000000000a1';
const SP_OBJECT = '0b000000-0000-4000-8000-0000000000b1';

function granted(id: string, plan: GrantPlan = grantPlan()): AccessRequest {
  return pendingRequest({
    id,
    plan,
    state: 'succeeded',
    outcome: { summary: 'Granted', azureRequestIds: [] },
    access: { expiresAt: '2025-03-01T00:00:00.000Z' },
  });
}

/** A second cluster pulling with the same kubelet identity, or another registry. */
function otherCluster(plan: GrantPlan, name: string): GrantPlan {
  return { ...plan, cluster: { ...plan.cluster, id: CLUSTER_ID.replace('aks-prod', name), name } };
}
function otherRegistry(plan: GrantPlan, name: string): GrantPlan {
  const id = REGISTRY_ID.replace('contosoacr', name);
  return {
    ...plan,
    registry: { ...plan.registry, id, name, loginServer: `${name}.azurecr.io` },
    scope: id,
    roleAssignmentName: `00000000-0000-5000-8000-${name.padStart(12, '0').slice(-12)}`,
  };
}

describe('drift of an intact assignment (drift-detector)', () => {
  let clock: FakeClock;
  let requests: MemoryRequestStore;
  let audit: MemoryAuditLog;
  /** What Azure holds now: clusters and registries by id (lower case), errors to throw instead. */
  let clusters: Map<string, ClusterInfo | Error>;
  let registries: Map<string, RegistryInfo | Error>;
  let assignments: RoleAssignmentInfo[];
  let reads: string[];
  let cardUpdates: string[];
  let drift: DriftDetector;

  beforeEach(() => {
    clock = new FakeClock();
    // The grants below were made at the clock's start: past the listing's lag (listing-lag.ts).
    clock.advance(LISTING_LAG_GRACE_MS);
    requests = new MemoryRequestStore();
    audit = new MemoryAuditLog(clock);
    clusters = new Map();
    registries = new Map();
    assignments = [];
    reads = [];
    cardUpdates = [];
    const find = <T>(map: Map<string, T | Error>, id: string): T | undefined => {
      const found = map.get(id.toLowerCase());
      if (found instanceof Error) throw found;
      return found;
    };
    const idOf = (type: string, sub: string, rg: string, name: string) =>
      `/subscriptions/${sub}/resourceGroups/${rg}/providers/${type}/${name}`;
    drift = new DriftDetector(
      {
        requests,
        audit,
        // Read only: the detector is given no way to write a role assignment (G15).
        roleAssignments: {
          listAssignedToAt: async (scope, objectId) =>
            assignments.filter((a) => a.principalId === objectId && a.scope.toLowerCase() === scope.toLowerCase()),
        },
        resources: {
          getCluster: async (sub, rg, name) => {
            reads.push(`cluster ${name}`);
            return find(clusters, idOf('Microsoft.ContainerService/managedClusters', sub, rg, name));
          },
          getRegistry: async (sub, rg, name) => {
            reads.push(`registry ${name}`);
            return find(registries, idOf('Microsoft.ContainerRegistry/registries', sub, rg, name));
          },
        },
        schedule: new MemoryScheduleStore(),
        clock,
      },
      { requestChanged: async (r, o) => void cardUpdates.push(`${r.id}${o?.markOnly ? ' markOnly' : ''}`) },
      createLogger({ level: 'silent' }),
      60_000,
    );
  });

  /** A granted request whose assignment, cluster and registry are in Azure as the plan says. */
  async function live(id: string, plan: GrantPlan = grantPlan()): Promise<AccessRequest> {
    const request = granted(id, plan);
    await requests.create(request);
    assignments.push(assignmentOf(plan));
    clusters.set(
      plan.cluster.id.toLowerCase(),
      plan.identity.kind === 'kubelet'
        ? clusterPulling(plan, plan.identity.objectId)
        : {
            ...clusterPulling(plan, ''),
            identity: { servicePrincipalClientId: plan.identity.appId },
          },
    );
    registries.set(
      plan.registry.id.toLowerCase(),
      registryIn(plan, plan.registry.roleAssignmentMode as RegistryInfo['roleAssignmentMode']),
    );
    return request;
  }

  const driftEntries = async (id: string) => (await audit.forRequest(id)).filter((e) => e.action === 'access.drift');

  test('unchanged: nothing is marked', async () => {
    await live('R-AAAAAAAA');
    expect(await drift.sweep()).toEqual([]);
    expect(await driftEntries('R-AAAAAAAA')).toEqual([]);
  });

  test('the cluster pulls as another kubelet identity: marked identityChanged, audited, cards updated', async () => {
    const plan = grantPlan();
    await live('R-AAAAAAAA', plan);
    // `az aks update --assign-kubelet-identity`: the old identity keeps its assignment.
    clusters.set(CLUSTER_ID.toLowerCase(), clusterPulling(plan, NEW_KUBELET));

    expect((await drift.sweep()).map((r) => r.id)).toEqual(['R-AAAAAAAA']);
    const marked = (await requests.get('R-AAAAAAAA'))!;
    expect(marked.access).toMatchObject({ driftDetectedAt: clock.now().toISOString(), driftReason: 'identityChanged' });
    expect(marked.state).toBe('succeeded');
    const entries = await driftEntries('R-AAAAAAAA');
    expect(entries).toEqual([
      expect.objectContaining({
        outcome: 'identityChanged',
        targetIds: [assignmentOf(plan).id],
        detail: `cluster aks-prod now pulls as kubelet identity ${NEW_KUBELET}, not ${KUBELET}; role assignment ${plan.roleAssignmentName} (AcrPull on contosoacr) is intact but no longer gives it pull; noticed by sweeper; acrbot does not grant the new identity`,
      }),
    ]);
    expect(cardUpdates).toEqual(['R-AAAAAAAA markOnly']);
    // The card and `access` say what happened, not "removed".
    expect(planFacts(marked).find((f) => f.label === 'Access')?.value).toMatch(
      /^no longer gives pull: the cluster pulls as another identity now on .+; acrbot did not grant the new identity$/,
    );
    const ref: AcrbotRequestRef = requestRef(marked, clock.now());
    expect(ref).toMatchObject({ state: 'drifted', driftReason: 'identityChanged' });
    const card = JSON.stringify(
      userAccessCard(
        {
          user: { objectId: marked.requester.objectId, name: marked.requester.name },
          entries: [
            {
              kind: 'grant',
              cluster: plan.cluster,
              registry: registryIn(plan, 'LegacyRegistryPermissions'),
              roleName: 'AcrPull',
              request: ref,
            },
          ],
          generatedAt: clock.now().toISOString(),
        },
        true,
      ),
    );
    expect(card).toContain('No longer gives pull');
    expect(card).not.toContain('Removed outside acrbot');
    // Marked once: the next run looks no further at it.
    expect(await drift.sweep()).toEqual([]);
    expect(await driftEntries('R-AAAAAAAA')).toHaveLength(1);
  });

  test('a service principal cluster whose credentials were reset to a new app: identityChanged; the same app: nothing', async () => {
    const plan: GrantPlan = {
      ...grantPlan(),
      identity: {
        kind: 'servicePrincipal',
        objectId: SP_OBJECT,
        appId: SP_APP,
        description: 'cluster service principal',
      },
    };
    await live('R-AAAAAAAA', plan);
    expect(await drift.sweep()).toEqual([]);

    const reset = '0b000000-0000-4000-8000-0000000000a2';
    clusters.set(CLUSTER_ID.toLowerCase(), {
      ...clusterPulling(plan, ''),
      identity: { servicePrincipalClientId: reset },
    });
    expect((await drift.sweep()).map((r) => r.id)).toEqual(['R-AAAAAAAA']);
    expect(await driftEntries('R-AAAAAAAA')).toEqual([
      expect.objectContaining({
        outcome: 'identityChanged',
        detail: expect.stringContaining(`now pulls as service principal ${reset}, not ${SP_OBJECT}`),
      }),
    ]);
  });

  test('the registry switched to ABAC repository permissions after an AcrPull grant: modeChanged', async () => {
    const plan = grantPlan();
    await live('R-AAAAAAAA', plan);
    registries.set(REGISTRY_ID.toLowerCase(), registryIn(plan, 'AbacRepositoryPermissions'));

    expect((await drift.sweep()).map((r) => r.id)).toEqual(['R-AAAAAAAA']);
    const marked = (await requests.get('R-AAAAAAAA'))!;
    expect(marked.access?.driftReason).toBe('modeChanged');
    expect(await driftEntries('R-AAAAAAAA')).toEqual([
      expect.objectContaining({
        outcome: 'modeChanged',
        detail: `registry contosoacr now uses "RBAC Registry + ABAC Repository Permissions", which ignores AcrPull; role assignment ${plan.roleAssignmentName} (AcrPull on contosoacr) is intact but no longer gives pull; noticed by sweeper; acrbot does not assign the role the new mode honours`,
      }),
    ]);
    expect(JSON.stringify(planFacts(marked))).toContain(
      "no longer gives pull: the registry's role assignment mode changed and ignores this role",
    );
  });

  test('a Repository Reader grant on a registry switched back to RBAC registry permissions: modeChanged', async () => {
    const plan: GrantPlan = {
      ...grantPlan(),
      registry: { ...grantPlan().registry, roleAssignmentMode: 'AbacRepositoryPermissions' },
      role: { id: ROLE_IDS.repositoryReader, name: 'Container Registry Repository Reader' },
    };
    await live('R-AAAAAAAA', plan);
    expect(await drift.sweep()).toEqual([]);
    registries.set(REGISTRY_ID.toLowerCase(), registryIn(plan, 'LegacyRegistryPermissions'));
    expect((await drift.sweep()).map((r) => r.id)).toEqual(['R-AAAAAAAA']);
    expect((await requests.get('R-AAAAAAAA'))!.access?.driftReason).toBe('modeChanged');
  });

  test('a cluster that no longer exists is not drift (its grant ends at its end): nothing marked but the note, the run succeeds', async () => {
    await live('R-AAAAAAAA');
    clusters.delete(CLUSTER_ID.toLowerCase());
    expect(await drift.sweep()).toEqual([]);
    expect((await requests.get('R-AAAAAAAA'))!.access?.driftDetectedAt).toBeUndefined();
    expect((await requests.get('R-AAAAAAAA'))!.access?.clusterGoneAt).toBeDefined();
    expect(await driftEntries('R-AAAAAAAA')).toEqual([]);
  });

  test.each([
    ['cluster', 403, 'AuthorizationFailed'],
    ['cluster', 429, 'TooManyRequests'],
    ['registry', 403, 'AuthorizationFailed'],
    ['registry', 429, 'TooManyRequests'],
  ])('a %s read that fails (%s) marks nothing and fails the run naming it', async (what, status, code) => {
    const plan = grantPlan();
    await live('R-AAAAAAAA', plan);
    const failure = armRestError(status, code, 'refused', { requestId: 'req-1' });
    if (what === 'cluster') clusters.set(CLUSTER_ID.toLowerCase(), failure);
    else registries.set(REGISTRY_ID.toLowerCase(), failure);

    const id = what === 'cluster' ? CLUSTER_ID : REGISTRY_ID;
    await expect(drift.sweep()).rejects.toThrow(
      `drift check could not read 1 of 2 clusters and registries, so whether the grants naming them still give pull is not known; nothing was marked for them (the others were checked): ${what} ${id}: ${status} ${code}`,
    );
    expect((await requests.get('R-AAAAAAAA'))!.access?.driftDetectedAt).toBeUndefined();
    expect((await requests.get('R-AAAAAAAA'))!.access?.clusterGoneAt).toBeUndefined();
    expect(await driftEntries('R-AAAAAAAA')).toEqual([]);
    expect(cardUpdates).toEqual([]);
  });

  test('a failed read does not hide drift elsewhere: the others are marked, then the run fails', async () => {
    const plan = grantPlan();
    const other = otherRegistry(plan, 'sharedacr');
    await live('R-AAAAAAAA', plan);
    await live('R-BBBBBBBB', other);
    registries.set(REGISTRY_ID.toLowerCase(), armRestError(429, 'TooManyRequests', 'slow down', { requestId: 'r' }));
    registries.set(other.registry.id.toLowerCase(), registryIn(other, 'AbacRepositoryPermissions'));

    await expect(drift.sweep()).rejects.toThrow(
      /could not read 1 of 3 clusters and registries.*registry .*contosoacr: 429/,
    );
    expect((await requests.get('R-BBBBBBBB'))!.access?.driftReason).toBe('modeChanged');
    expect((await requests.get('R-AAAAAAAA'))!.access?.driftDetectedAt).toBeUndefined();
  });

  test('one GET per distinct cluster and registry per run, however many grants name them', async () => {
    const plan = grantPlan();
    // Two clusters sharing one kubelet identity on one registry, and the first on a second registry.
    await live('R-AAAAAAAA', plan);
    await live('R-BBBBBBBB', otherCluster(plan, 'aks-dr'));
    await live('R-CCCCCCCC', otherRegistry(plan, 'sharedacr'));
    // A second grant on the first pair (an earlier request's own assignment).
    await live('R-DDDDDDDD', { ...plan, roleAssignmentName: '00000000-0000-5000-8000-0000000000dd' });

    expect(await drift.sweep()).toEqual([]);
    expect([...reads].sort()).toEqual([
      'cluster aks-dr',
      'cluster aks-prod',
      'registry contosoacr',
      'registry sharedacr',
    ]);

    // Only aks-dr's kubelet identity changed: only its request is marked.
    reads = [];
    clusters.set(
      otherCluster(plan, 'aks-dr').cluster.id.toLowerCase(),
      clusterPulling(otherCluster(plan, 'aks-dr'), NEW_KUBELET),
    );
    expect((await drift.sweep()).map((r) => r.id)).toEqual(['R-BBBBBBBB']);
    expect(reads).toHaveLength(4);
  });

  test('an assignment that is gone is reported as deleted, without reading the cluster or registry', async () => {
    const plan = grantPlan();
    await live('R-AAAAAAAA', plan);
    assignments = [];
    clusters.set(CLUSTER_ID.toLowerCase(), clusterPulling(plan, NEW_KUBELET));
    expect((await drift.sweep()).map((r) => r.id)).toEqual(['R-AAAAAAAA']);
    expect((await requests.get('R-AAAAAAAA'))!.access?.driftReason).toBe('deleted');
    expect(await driftEntries('R-AAAAAAAA')).toEqual([
      expect.objectContaining({ outcome: 'deleted', detail: expect.stringMatching(/acrbot does not re-create it$/) }),
    ]);
    expect(reads).toEqual([]);
  });
});
