/** The pure join of the access inventory: pull-carrying roles, origin, states, drift. */
import {
  buildCells,
  findDrift,
  gaveAccess,
  requestAccessState,
  scopeLevelOf,
  type InventoryFacts,
  type InventoryRegistry,
} from '../../src/domain/access-inventory';
import type { RoleAssignmentInfo, RoleDefinitionInfo } from '../../src/domain/azure-model';
import { roleCarriesPull } from '../../src/domain/pull-permission';
import type { GrantPlan, SecretPlan } from '../../src/domain/plan';
import type { AccessRequest } from '../../src/domain/request';
import { matrixRows, requestRow } from '../../src/tab/tab-rows';
import { pathLine } from '../../src/views/access-view';

const SUB = '00000000-0000-4000-8000-000000000001';
const registry: InventoryRegistry = {
  id: `/subscriptions/${SUB}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/contosoacr`,
  name: 'contosoacr',
  subscriptionId: SUB,
  resourceGroup: 'rg-acr',
  loginServer: 'contosoacr.azurecr.io',
  roleAssignmentMode: 'LegacyRegistryPermissions',
};
const abacRegistry: InventoryRegistry = {
  ...registry,
  id: registry.id.replace('contosoacr', 'contosoabac'),
  name: 'contosoabac',
  roleAssignmentMode: 'AbacRepositoryPermissions',
};
const cluster = {
  id: `/subscriptions/${SUB}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-prod`,
  name: 'aks-prod',
  subscriptionId: SUB,
  resourceGroup: 'rg-aks',
};
const KUBELET = 'd0000000-0000-4000-8000-0000000000d1';
const identity = { kind: 'kubelet' as const, objectId: KUBELET, description: 'kubelet' };

const role = (
  guid: string,
  roleName: string,
  p: Partial<RoleDefinitionInfo['permissions'][number]>,
): RoleDefinitionInfo => ({
  guid,
  roleName,
  roleType: 'BuiltInRole',
  permissions: [{ actions: [], notActions: [], dataActions: [], notDataActions: [], ...p }],
});
const ACR_PULL = role('7f951dda-4ed3-4680-a7ca-43fe172d538d', 'AcrPull', {
  actions: ['Microsoft.ContainerRegistry/registries/pull/read'],
});
const READER = role('acdd72a7-3385-48ef-bd42-f606fba81ae7', 'Reader', { actions: ['*/read'] });
const CONTRIBUTOR = role('b24988ac-6180-42a0-ab88-20f7382dd24c', 'Contributor', {
  actions: ['*'],
  notActions: ['Microsoft.Authorization/*/Write'],
});
const REPO_READER = role('b93aa761-3e63-49ed-ac28-beffa264f7ac', 'Container Registry Repository Reader', {
  dataActions: ['Microsoft.ContainerRegistry/registries/repositories/content/read'],
});
const CUSTOM_DENIED = role('11111111-1111-4111-8111-111111111111', 'no pull', {
  actions: ['Microsoft.ContainerRegistry/*'],
  notActions: ['Microsoft.ContainerRegistry/registries/pull/read'],
});
const roles = new Map([ACR_PULL, READER, CONTRIBUTOR, REPO_READER, CUSTOM_DENIED].map((r) => [r.guid, r]));

function assignment(
  scope: string,
  roleGuid: string,
  name: string,
  extra: Partial<RoleAssignmentInfo> = {},
): RoleAssignmentInfo {
  return {
    id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
    name,
    scope,
    roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`,
    principalId: KUBELET,
    principalType: 'ServicePrincipal',
    ...extra,
  };
}

const NOW = new Date('2027-01-01T00:00:00Z');
const DAY = 24 * 3600 * 1000;

function grantRequest(id: string, over: Partial<AccessRequest> = {}, reg = registry): AccessRequest {
  const plan: GrantPlan = {
    kind: 'grant',
    cluster,
    registry: { ...reg },
    identity: { kind: 'kubelet', objectId: KUBELET, description: 'kubelet' },
    role: { id: ACR_PULL.guid, name: 'AcrPull' },
    scope: reg.id,
    roleAssignmentName: `aaaaaaaa-0000-4000-8000-${id
      .slice(2)
      .padStart(12, '0')
      .toLowerCase()
      .replace(/[^0-9a-f]/g, '0')}`,
    operations: [],
  };
  return {
    id,
    version: 3,
    state: 'succeeded',
    tenantId: 't',
    requester: { objectId: 'req', name: 'Riley' },
    reason: 'r',
    plan,
    createdAt: '2026-12-01T00:00:00Z',
    expiresAt: '2026-12-02T00:00:00Z',
    updatedAt: '2026-12-01T00:00:00Z',
    decision: { by: { objectId: 'ap', name: 'Alex' }, at: '2026-12-01T01:00:00Z', approved: true },
    origin: { conversationId: 'c', conversationType: 'channel' },
    sandbox: true,
    ...over,
  };
}

function assignmentOf(r: AccessRequest): RoleAssignmentInfo {
  const plan = r.plan as GrantPlan;
  return assignment(plan.scope, plan.role.id, plan.roleAssignmentName);
}

function facts(assignments: RoleAssignmentInfo[], requests: AccessRequest[], registries = [registry]): InventoryFacts {
  return {
    clusters: [{ cluster, identity }],
    registries,
    assignmentsByIdentity: new Map([[KUBELET, assignments]]),
    roles,
    requests,
    now: NOW,
  };
}

describe('which roles carry pull (from the definition, by mode)', () => {
  test.each([
    [ACR_PULL, true, false],
    [CONTRIBUTOR, true, false],
    [READER, false, false],
    [REPO_READER, false, true],
    [CUSTOM_DENIED, false, false],
  ])('%o', (def, legacy, abac) => {
    expect(roleCarriesPull(def, 'LegacyRegistryPermissions')).toBe(legacy);
    expect(roleCarriesPull(def, 'AbacRepositoryPermissions')).toBe(abac);
  });

  test('a custom role with the pull action carries pull', () => {
    const custom = role('22222222-2222-4222-8222-222222222222', 'puller', {
      actions: ['Microsoft.ContainerRegistry/registries/pull/*'],
    });
    expect(roleCarriesPull(custom, 'LegacyRegistryPermissions')).toBe(true);
  });
});

describe('scope levels', () => {
  test('registry, group, subscription, management group; other groups do not cover it', () => {
    expect(scopeLevelOf(registry.id.toUpperCase(), registry)).toBe('registry');
    expect(scopeLevelOf(`/subscriptions/${SUB}/resourcegroups/RG-ACR`, registry)).toBe('resourceGroup');
    expect(scopeLevelOf(`/subscriptions/${SUB}`, registry)).toBe('subscription');
    expect(scopeLevelOf('/providers/Microsoft.Management/managementGroups/root', registry)).toBe('managementGroup');
    expect(scopeLevelOf(`/subscriptions/${SUB}/resourceGroups/rg-other`, registry)).toBeUndefined();
  });
});

describe('cells', () => {
  test('one acrbot grant and one made outside acrbot: both listed, marked by origin', () => {
    const mine = grantRequest('R-AAAAAAAA', { access: { durationMs: 30 * DAY, expiresAt: '2027-01-20T00:00:00Z' } });
    const outside = assignment(
      `/subscriptions/${SUB}/resourceGroups/rg-acr`,
      ACR_PULL.guid,
      'bbbbbbbb-0000-4000-8000-000000000001',
    );
    const [cell] = buildCells(facts([assignmentOf(mine), outside], [mine]));
    expect(cell.canPull).toBe(true);
    expect(cell.state).toBe('active');
    // The outside grant has no end, so the cell has none either.
    expect(cell.expiresAt).toBeUndefined();
    const byOrigin = Object.fromEntries(
      cell.paths.map((p) => [p.kind === 'roleAssignment' ? p.origin : p.kind, p]),
    ) as Record<string, any>;
    expect(byOrigin.acrbot.requests[0]).toMatchObject({ requestId: 'R-AAAAAAAA', approvedBy: 'Alex' });
    expect(byOrigin.acrbot.scopeLevel).toBe('registry');
    expect(byOrigin.outside.scopeLevel).toBe('resourceGroup');
    expect(byOrigin.outside.requests).toEqual([]);
  });

  test('a role assignment with the same name but no record in the store is outside acrbot (G15)', () => {
    const notMine = grantRequest('R-AAAAAAAA');
    const a = assignmentOf(notMine);
    expect(buildCells(facts([a], []))[0].paths[0]).toMatchObject({ kind: 'roleAssignment', origin: 'outside' });
  });

  test('RoleAssignmentExists outcomes did not create anything: the assignment stays "outside"', () => {
    const r = grantRequest('R-AAAAAAAA', { outcome: { summary: '', azureRequestIds: [], alreadyPresent: true } });
    const [cell] = buildCells(facts([assignmentOf(r)], [r]));
    expect(cell.paths).toHaveLength(1);
    expect(cell.paths[0]).toMatchObject({ origin: 'outside' });
  });

  test('an extension request is not a way of pulling of its own (the original carries the access)', () => {
    const original = grantRequest('R-AAAAAAAA');
    const extension = grantRequest('R-BBBBBBBB', { extendsRequestId: 'R-AAAAAAAA' });
    const [cell] = buildCells(facts([assignmentOf(original)], [original, extension].filter(gaveAccess)));
    expect(cell.paths).toHaveLength(1);
    expect((cell.paths[0] as { requests: { requestId: string }[] }).requests.map((r) => r.requestId)).toEqual([
      'R-AAAAAAAA',
    ]);
  });

  test('a management-group assignment covers a registry only in a subscription that listed it (others may sit under another group)', () => {
    const mg = {
      ...assignment(
        '/providers/Microsoft.Management/managementGroups/platform',
        ACR_PULL.guid,
        'eeeeeeee-0000-4000-8000-000000000001',
      ),
      listedIn: [SUB],
    };
    expect(buildCells(facts([mg], []))[0].paths[0]).toMatchObject({
      kind: 'roleAssignment',
      scopeLevel: 'managementGroup',
    });
    expect(buildCells(facts([{ ...mg, listedIn: ['99999999-0000-4000-8000-000000000009'] }], []))).toEqual([]);
  });

  test('Reader does not carry pull: no cell', () => {
    expect(
      buildCells(facts([assignment(registry.id, READER.guid, 'cccccccc-0000-4000-8000-000000000001')], [])),
    ).toEqual([]);
  });

  test('AcrPull on an ABAC registry is listed but not honoured: cannot pull', () => {
    const [cell] = buildCells(
      facts([assignment(abacRegistry.id, ACR_PULL.guid, 'dddddddd-0000-4000-8000-000000000001')], [], [abacRegistry]),
    );
    expect(cell.paths[0]).toMatchObject({ honoured: false });
    expect(cell.canPull).toBe(false);
  });

  test('expiring within 7 days, and overlapping grants end at the latest expiry', () => {
    const early = grantRequest('R-AAAAAAAA', {
      access: { expiresAt: new Date(NOW.getTime() + 2 * DAY).toISOString() },
    });
    const late = grantRequest('R-BBBBBBBB', {
      access: { expiresAt: new Date(NOW.getTime() + 5 * DAY).toISOString() },
      created: [{ kind: 'roleAssignment', id: assignmentOf(early).id, recordedAt: NOW.toISOString() }],
    });
    const [cell] = buildCells(facts([assignmentOf(early)], [early, late]));
    expect(cell.paths).toHaveLength(1);
    expect(cell.state).toBe('expiring');
    expect(cell.expiresAt).toBe(late.access!.expiresAt);
  });

  test('an acrbot grant gone from Azure is drifted; a revoked one is revoked; secrets by namespace', () => {
    const gone = grantRequest('R-AAAAAAAA');
    const revoked = grantRequest('R-BBBBBBBB', {
      state: 'revoked',
      access: { revokedAt: '2026-12-10T00:00:00Z', revokedBy: { objectId: 'ap', name: 'Alex' } },
    });
    const secret = grantRequest('R-CCCCCCCC', { plan: secretPlanOnCluster(60) });
    const [cell] = buildCells(facts([], [gone, revoked, secret]));
    const states = cell.paths.map((p) => `${p.kind}:${p.state}`).sort();
    expect(states).toEqual(['endedGrant:drifted', 'endedGrant:revoked', 'pullSecret:active']);
    expect(cell.canPull).toBe(true);
    expect(cell.paths.find((p) => p.kind === 'pullSecret')).toMatchObject({
      namespace: 'payments',
      secretName: 'acr-auth',
    });
  });

  test('a grant whose revocation began still pulls and says it is being revoked, in the cell and in the tab; revoked, it does not', () => {
    const since = '2026-12-31T23:00:00.000Z';
    const revoking = grantRequest('R-AAAAAAAA', {
      access: { expiresAt: new Date(NOW.getTime() + 20 * DAY).toISOString(), revokingSince: since },
    });
    const [cell] = buildCells(facts([assignmentOf(revoking)], [revoking]));
    expect(cell.canPull).toBe(true);
    const path = cell.paths[0]!;
    expect(path.kind === 'roleAssignment' && path.requests[0]).toMatchObject({ state: 'active', revokingSince: since });
    expect(
      matrixRows({
        clusters: [cluster],
        registries: [registry],
        unresolvedClusters: [],
        generatedAt: since,
        cells: [cell],
      })[0],
    ).toMatchObject({ requestId: 'R-AAAAAAAA', revokingSince: since, state: 'revoking' });
    expect(requestRow(revoking, NOW)).toMatchObject({ revokingSince: since, state: 'revoking' });

    const revoked = {
      ...revoking,
      state: 'revoked' as const,
      access: { ...revoking.access, revokedAt: NOW.toISOString() },
    };
    expect(requestRow(revoked, NOW)).not.toHaveProperty('revokingSince');
    const [ended] = buildCells(facts([], [revoked]));
    expect(ended.paths[0]).toMatchObject({ kind: 'endedGrant', request: { requestId: 'R-AAAAAAAA' } });
    expect((ended.paths[0] as { request: object }).request).not.toHaveProperty('revokingSince');
    expect(requestRow(grantRequest('R-BBBBBBBB'), NOW)).not.toHaveProperty('revokingSince');
  });

  test("a request's tab row says how it pulls in words (the role's name)", () => {
    expect(requestRow(grantRequest('R-AAAAAAAA'), NOW).howText).toBe('AcrPull role on the registry by acrbot');
  });

  test('revoked by nobody at or after the end counts as expired', () => {
    const r = grantRequest('R-AAAAAAAA', {
      state: 'revoked',
      access: { expiresAt: '2026-12-20T00:00:00Z', revokedAt: '2026-12-20T00:00:30Z' },
    });
    expect(requestAccessState(r, NOW)).toBe('expired');
  });
});

describe('drift', () => {
  test('deleted and changed (condition added) acrbot grants are found; outside ones are not', () => {
    const deleted = grantRequest('R-AAAAAAAA');
    const changed = grantRequest('R-BBBBBBBB');
    const fine = grantRequest('R-CCCCCCCC');
    const already = grantRequest('R-DDDDDDDD', { access: { driftDetectedAt: '2026-12-30T00:00:00Z' } });
    const found = findDrift(
      KUBELET,
      [{ ...assignmentOf(changed), condition: "@Resource[...] StringLike 'x/*'" }, assignmentOf(fine)],
      [deleted, changed, fine, already],
    );
    expect(found.map((f) => `${f.requestId}:${f.kind}`)).toEqual(['R-AAAAAAAA:deleted', 'R-BBBBBBBB:changed']);
  });

  test('a grant answered RoleAssignmentExists created nothing, though its run recorded the planned name first: no drift, no acrbot path', () => {
    // The runner records the deterministic id before its PUT (G15, crash recovery); a 409 means
    // the access exists under another name, so that id never existed in Azure.
    const planned = grantRequest('R-AAAAAAAA');
    const r = grantRequest('R-AAAAAAAA', {
      created: [
        {
          kind: 'roleAssignment',
          id: `${registry.id}/providers/Microsoft.Authorization/roleAssignments/${planned.plan.kind === 'grant' ? planned.plan.roleAssignmentName : ''}`,
          name: planned.plan.kind === 'grant' ? planned.plan.roleAssignmentName : '',
          recordedAt: '2026-11-30T09:00:00.000Z',
        },
      ],
      outcome: { summary: '', azureRequestIds: [], alreadyPresent: true },
    });
    const someoneElses = assignment(registry.id, ACR_PULL.guid, 'dddddddd-0000-4000-8000-000000000001');
    expect(findDrift(KUBELET, [someoneElses], [r])).toEqual([]);
    const [cell] = buildCells(facts([someoneElses], [r]));
    expect(cell.paths).toEqual([expect.objectContaining({ origin: 'outside' })]);
  });
});

/** A token pull secret on the test cluster whose credential expires in `credentialInDays`. */
function secretPlanOnCluster(credentialInDays: number): SecretPlan {
  return {
    kind: 'secret',
    cluster: { ...cluster, aadEnabled: true },
    registry: { ...registry },
    credentialKind: 'token',
    credentialName: 'acrbot-x',
    repositories: [],
    namespace: 'payments',
    secretName: 'acr-auth',
    expiresAt: new Date(NOW.getTime() + credentialInDays * DAY).toISOString(),
    operations: [],
  };
}

describe("a pull secret's end: its term or its credential's expiry, whichever comes first", () => {
  const secretPlan = secretPlanOnCluster;
  const inDays = (d: number) => new Date(NOW.getTime() + d * DAY).toISOString();
  const secretCell = (r: AccessRequest) => buildCells(facts([], [r]))[0]!;

  test('a permanent secret ends when its capped credential expires: expiring before, expired after', () => {
    const r = grantRequest('R-AAAAAAAA', { plan: secretPlan(3), access: { permanent: true } });
    expect(secretCell(r)).toMatchObject({ state: 'expiring', canPull: true, expiresAt: inDays(3) });
    expect(secretCell(r).paths[0]).toMatchObject({ request: { expiresAt: inDays(3), credentialExpiresAt: inDays(3) } });
    expect(pathLine(secretCell(r).paths[0]!, 'rg-acr', SUB)).toContain('its credential expires then');
    const later = { ...facts([], [r]), now: new Date(NOW.getTime() + 4 * DAY) };
    expect(buildCells(later)[0]).toMatchObject({ state: 'expired', canPull: false });
    expect(requestRow(r, later.now)).toMatchObject({ state: 'expired', expiresAt: inDays(3) });
  });

  test('a term that ends first is the end, with no credential note', () => {
    const r = grantRequest('R-AAAAAAAA', { plan: secretPlan(40), access: { durationMs: DAY, expiresAt: inDays(20) } });
    expect(secretCell(r)).toMatchObject({ state: 'active', expiresAt: inDays(20) });
    expect(secretCell(r).paths[0]).not.toHaveProperty('request.credentialExpiresAt');
  });

  test('after an extension the rotated credential counts, not the plan; an old record without it is not capped', () => {
    const extended = { durationMs: DAY, expiresAt: inDays(50), extendedBy: ['R-EEEEEEEE'] };
    // The plan's credential was deleted by the rotation ten days ago.
    const recorded = grantRequest('R-AAAAAAAA', {
      plan: secretPlan(-10),
      access: { ...extended, credentialExpiresAt: inDays(5) },
    });
    expect(secretCell(recorded)).toMatchObject({ state: 'expiring', canPull: true, expiresAt: inDays(5) });
    const old = grantRequest('R-AAAAAAAA', { plan: secretPlan(-10), access: extended });
    expect(secretCell(old)).toMatchObject({ state: 'active', canPull: true, expiresAt: inDays(50) });
  });
});

describe('a cluster whose pull identity is unknown', () => {
  test("its live acrbot grants are not counted as pulling: 'cannot be checked', with the reason", () => {
    const problem = 'Cluster aks-prod uses service principal 123, which Microsoft Graph does not know.';
    const live = grantRequest('R-AAAAAAAA', { access: { durationMs: DAY, expiresAt: '2027-01-20T00:00:00Z' } });
    const [cell] = buildCells({
      ...facts([], [live]),
      clusters: [{ cluster, identityProblem: problem }],
    });
    expect(cell).toMatchObject({ state: 'unverified', canPull: false });
    expect(cell.paths[0]).toMatchObject({ kind: 'endedGrant', state: 'unverified', unverifiedBecause: problem });
    expect(pathLine(cell.paths[0]!, 'rg-acr', SUB)).toContain(`not checked: ${problem}`);
    const [row] = matrixRows({
      clusters: [cluster],
      registries: [registry],
      unresolvedClusters: [],
      generatedAt: '',
      cells: [cell],
    });
    expect(row.state).not.toBe('active');
    expect(row.notes?.join(' ')).toContain(problem);
  });
});
