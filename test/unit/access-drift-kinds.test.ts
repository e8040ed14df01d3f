/**
 * `findDrift` as `access` and `check` use it, given the cluster and registries they read: besides
 * `deleted`/`changed`, the intact grants that no longer serve — the cluster pulls as another
 * identity now (`identityChanged`), or the registry's mode ignores the role (`modeChanged`) —
 * worded as the sweeper words them. Unknowable is not drift (a cluster reporting no kubelet
 * identity mid-update, an unknown mode); a revocation in flight or a marked grant is not looked
 * at. `buildCells` shows what was seen as the recorded drift will read.
 */
import { buildCells, findDrift, type EndedGrantPath, type RoleAssignmentPath } from '../../src/domain/access-inventory';
import type { GrantPlan } from '../../src/domain/plan';
import type { AccessRequest } from '../../src/domain/request';
import { ROLE_IDS } from '../../src/domain/roles';
import { assignmentOf, clusterPulling, registryIn } from './support/drift-azure';
import { acrPullDefinition } from './support/role-definitions';
import { CLUSTER_ID, grantPlan, pendingRequest, SUB } from './support/requests';

const KUBELET = '0d000000-0000-4000-8000-0000000000d1';
const NEW_KUBELET = '0d000000-0000-4000-8000-0000000000e9';
const NOW = new Date('2025-01-20T00:00:00.000Z');

function granted(id: string, plan: GrantPlan = grantPlan(), access: AccessRequest['access'] = {}): AccessRequest {
  return pendingRequest({
    id,
    plan,
    state: 'succeeded',
    outcome: { summary: 'Granted', azureRequestIds: [] },
    access: { expiresAt: '2025-03-01T00:00:00.000Z', ...access },
  });
}

const kinds = (found: { requestId: string; kind: string }[]) => found.map((f) => `${f.requestId}:${f.kind}`);

describe('findDrift with the cluster and registry read now', () => {
  const plan = grantPlan();
  const legacy = registryIn(plan, 'LegacyRegistryPermissions');

  test('the cluster pulls as another kubelet identity: the grant to the old one is identityChanged, in the sweeper words', () => {
    const r = granted('R-AAAAAAAA', plan);
    // `access` lists the NEW identity's assignments: the old one's grant is not among them.
    const found = findDrift(NEW_KUBELET, [], [r], { cluster: clusterPulling(plan, NEW_KUBELET), registries: [legacy] });
    expect(found).toEqual([
      {
        requestId: 'R-AAAAAAAA',
        assignmentId: assignmentOf(plan).id,
        kind: 'identityChanged',
        detail: `cluster aks-prod now pulls as kubelet identity ${NEW_KUBELET}, not ${KUBELET}; role assignment ${plan.roleAssignmentName} (AcrPull on contosoacr) is intact but no longer gives it pull`,
      },
    ]);
  });

  test('a service principal unknown to Graph (no identity listed) still shows identityChanged when its app changed', () => {
    const r = granted('R-AAAAAAAA', plan);
    const cluster = { ...clusterPulling(plan, undefined), identity: { servicePrincipalClientId: 'new-app' } };
    expect(kinds(findDrift(undefined, [], [r], { cluster }))).toEqual(['R-AAAAAAAA:identityChanged']);
  });

  test('a cluster mid-update reporting no kubelet identity is not drift (unknowable)', () => {
    const r = granted('R-AAAAAAAA', plan);
    expect(findDrift(undefined, [], [r], { cluster: clusterPulling(plan, undefined), registries: [legacy] })).toEqual(
      [],
    );
  });

  test("another cluster's grant to the shared identity is not compared with this cluster (its own was not read)", () => {
    const other: GrantPlan = {
      ...plan,
      cluster: { ...plan.cluster, id: CLUSTER_ID.replace('aks-prod', 'aks-dr'), name: 'aks-dr' },
    };
    const r = granted('R-AAAAAAAA', other);
    expect(findDrift(NEW_KUBELET, [], [r], { cluster: clusterPulling(plan, NEW_KUBELET) })).toEqual([]);
  });

  test('the registry switched to ABAC repository permissions after an AcrPull grant: modeChanged, in the sweeper words', () => {
    const r = granted('R-AAAAAAAA', plan);
    const found = findDrift(KUBELET, [assignmentOf(plan)], [r], {
      cluster: clusterPulling(plan, KUBELET),
      registries: [registryIn(plan, 'AbacRepositoryPermissions')],
    });
    expect(found).toEqual([
      {
        requestId: 'R-AAAAAAAA',
        assignmentId: assignmentOf(plan).id,
        kind: 'modeChanged',
        detail: `registry contosoacr now uses "RBAC Registry + ABAC Repository Permissions", which ignores AcrPull; role assignment ${plan.roleAssignmentName} (AcrPull on contosoacr) is intact but no longer gives pull`,
      },
    ]);
  });

  test('a Repository Reader grant on a registry switched back to RBAC registry permissions: modeChanged', () => {
    const reader: GrantPlan = {
      ...plan,
      registry: { ...plan.registry, roleAssignmentMode: 'AbacRepositoryPermissions' },
      role: { id: ROLE_IDS.repositoryReader, name: 'Container Registry Repository Reader' },
    };
    const r = granted('R-AAAAAAAA', reader);
    expect(kinds(findDrift(KUBELET, [assignmentOf(reader)], [r], { registries: [legacy] }))).toEqual([
      'R-AAAAAAAA:modeChanged',
    ]);
  });

  test('a mode acrbot does not know cannot tell: nothing', () => {
    const r = granted('R-AAAAAAAA', plan);
    expect(findDrift(KUBELET, [assignmentOf(plan)], [r], { registries: [registryIn(plan, 'SomeFutureMode')] })).toEqual(
      [],
    );
  });

  test('unchanged: nothing; a gone assignment is deleted before any mode is looked at', () => {
    const r = granted('R-AAAAAAAA', plan);
    const context = { cluster: clusterPulling(plan, KUBELET), registries: [legacy] };
    expect(findDrift(KUBELET, [assignmentOf(plan)], [r], context)).toEqual([]);
    const abac = {
      cluster: clusterPulling(plan, KUBELET),
      registries: [registryIn(plan, 'AbacRepositoryPermissions')],
    };
    expect(kinds(findDrift(KUBELET, [], [r], abac))).toEqual(['R-AAAAAAAA:deleted']);
  });

  test('a grant whose revocation began, or already marked, is not looked at', () => {
    const revoking = granted('R-AAAAAAAA', plan, { revokingSince: '2025-01-19T00:00:00.000Z' });
    const marked = granted('R-BBBBBBBB', plan, {
      driftDetectedAt: '2025-01-19T00:00:00.000Z',
      driftReason: 'identityChanged',
    });
    const context = {
      cluster: clusterPulling(plan, NEW_KUBELET),
      registries: [registryIn(plan, 'AbacRepositoryPermissions')],
    };
    expect(findDrift(NEW_KUBELET, [], [revoking, marked], context)).toEqual([]);
    expect(findDrift(KUBELET, [assignmentOf(plan)], [revoking, marked], context)).toEqual([]);
  });

  test('without a context it finds only what the assignments show (the sweeper first pass)', () => {
    const r = granted('R-AAAAAAAA', plan);
    expect(findDrift(NEW_KUBELET, [], [r])).toEqual([]);
    expect(findDrift(KUBELET, [assignmentOf(plan)], [r])).toEqual([]);
  });
});

describe('buildCells shows the drift seen as it will read once recorded', () => {
  const plan = grantPlan();
  const cluster = { id: plan.cluster.id, name: 'aks-prod', subscriptionId: SUB, resourceGroup: 'rg-aks' };
  const registry = { ...registryIn(plan, 'LegacyRegistryPermissions') };
  const roles = new Map([[ROLE_IDS.acrPull, acrPullDefinition()]]);

  test('identityChanged: the old identity grant is listed as drifted with its reason, not hidden', () => {
    const r = granted('R-AAAAAAAA', plan);
    const identity = { kind: 'kubelet' as const, objectId: NEW_KUBELET, description: 'kubelet' };
    const drift = findDrift(NEW_KUBELET, [], [r], { cluster: clusterPulling(plan, NEW_KUBELET) });
    const facts = {
      clusters: [{ cluster, identity }],
      registries: [registry],
      assignmentsByIdentity: new Map(),
      roles,
      requests: [r],
      now: NOW,
    };
    expect(buildCells(facts)).toEqual([]);
    const [cell] = buildCells({ ...facts, drift });
    expect(cell.canPull).toBe(false);
    expect(cell.paths).toEqual([
      expect.objectContaining<Partial<EndedGrantPath>>({
        kind: 'endedGrant',
        state: 'drifted',
        request: expect.objectContaining({ requestId: 'R-AAAAAAAA', state: 'drifted', driftReason: 'identityChanged' }),
      }),
    ]);
  });

  test('modeChanged: the not-honoured assignment names its request as drifted with its reason', () => {
    const r = granted('R-AAAAAAAA', plan);
    const abac = { ...registry, roleAssignmentMode: 'AbacRepositoryPermissions' as const };
    const identity = { kind: 'kubelet' as const, objectId: KUBELET, description: 'kubelet' };
    const assignments = [assignmentOf(plan)];
    const drift = findDrift(KUBELET, assignments, [r], { registries: [registryIn(plan, 'AbacRepositoryPermissions')] });
    const [cell] = buildCells({
      clusters: [{ cluster, identity }],
      registries: [abac],
      assignmentsByIdentity: new Map([[KUBELET, assignments]]),
      roles,
      requests: [r],
      drift,
      now: NOW,
    });
    const [path] = cell.paths as RoleAssignmentPath[];
    expect(path).toMatchObject({ kind: 'roleAssignment', honoured: false, origin: 'acrbot' });
    expect(path.requests).toEqual([
      expect.objectContaining({ requestId: 'R-AAAAAAAA', state: 'drifted', driftReason: 'modeChanged' }),
    ]);
  });
});
