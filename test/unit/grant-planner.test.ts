import type { ClusterInfo, RegistryInfo, RoleAssignmentInfo, RoleDefinitionInfo } from '../../src/domain/azure-model';
import { UserFacingError } from '../../src/domain/errors';
import { roleAssignmentName } from '../../src/domain/identifiers';
import type { PlannedIdentity } from '../../src/domain/plan';
import { CloudApiError, type RoleAssignmentPort } from '../../src/domain/ports';
import { ROLE_IDS, type RoleAssignmentMode } from '../../src/domain/roles';
import {
  buildGrantPlan,
  GrantPlanner,
  missingRoleWriteMessage,
  type PlanningReads,
} from '../../src/flows/grant-planner';
import type { ResourceResolver } from '../../src/flows/resource-resolver';
import { fakeDirectory } from './support/fake-directory';
import { CLUSTER_ID, REGISTRY_ID, SUB } from './support/requests';

const KUBELET = '0d000000-0000-4000-8000-0000000000d1';
const CONTROL_PLANE = '0c000000-0000-4000-8000-0000000000c1';

const cluster: ClusterInfo = {
  id: CLUSTER_ID,
  name: 'aks-prod',
  subscriptionId: SUB,
  resourceGroup: 'rg-aks',
  aadEnabled: true,
  identity: {
    identityType: 'SystemAssigned',
    servicePrincipalClientId: 'msi',
    kubeletObjectId: KUBELET,
    controlPlanePrincipalId: CONTROL_PLANE,
  },
};
const registry = (mode: RoleAssignmentMode): RegistryInfo => ({
  id: REGISTRY_ID,
  name: 'contosoacr',
  subscriptionId: SUB,
  resourceGroup: 'rg-acr',
  loginServer: 'contosoacr-x1.azurecr.io',
  roleAssignmentMode: mode,
});
const identity: PlannedIdentity = {
  kind: 'kubelet',
  objectId: KUBELET,
  description: 'kubelet managed identity (system-assigned cluster)',
};

describe('buildGrantPlan', () => {
  test.each([
    ['LegacyRegistryPermissions', ROLE_IDS.acrPull, 'AcrPull'],
    ['AbacRepositoryPermissions', ROLE_IDS.repositoryReader, 'Container Registry Repository Reader'],
  ] as const)('%s -> %s', (mode, roleId, roleName) => {
    const plan = buildGrantPlan(cluster, registry(mode), identity);
    expect(plan.kind).toBe('grant');
    expect(plan.scope).toBe(REGISTRY_ID);
    expect(plan.role).toEqual({ id: roleId, name: roleName });
    expect(plan.identity).toEqual(identity);
    expect(plan.roleAssignmentName).toBe(roleAssignmentName(REGISTRY_ID, KUBELET, roleId));
    expect(plan.registry).toEqual({
      id: REGISTRY_ID,
      name: 'contosoacr',
      subscriptionId: SUB,
      resourceGroup: 'rg-acr',
      loginServer: 'contosoacr-x1.azurecr.io',
      roleAssignmentMode: mode,
    });
    expect(plan.cluster).toEqual({ id: CLUSTER_ID, name: 'aks-prod', subscriptionId: SUB, resourceGroup: 'rg-aks' });
    expect(plan.operations[1]).toBe(
      `Create role assignment ${plan.roleAssignmentName}: ${roleName} for the kubelet managed identity (system-assigned cluster), by its service principal (object id ${KUBELET}), on registry contosoacr`,
    );
    expect(JSON.stringify(plan)).not.toContain(CONTROL_PLANE);
  });

  test('the name is deterministic and differs between the two modes', () => {
    const a = buildGrantPlan(cluster, registry('LegacyRegistryPermissions'), identity);
    expect(buildGrantPlan(cluster, registry('LegacyRegistryPermissions'), identity).roleAssignmentName).toBe(
      a.roleAssignmentName,
    );
    expect(buildGrantPlan(cluster, registry('AbacRepositoryPermissions'), identity).roleAssignmentName).not.toBe(
      a.roleAssignmentName,
    );
  });

  test('the scope is never the resource group or subscription', () => {
    const plan = buildGrantPlan(cluster, registry('LegacyRegistryPermissions'), identity);
    expect(plan.scope).toMatch(/\/providers\/Microsoft\.ContainerRegistry\/registries\/contosoacr$/);
  });
});

describe('missingRoleWriteMessage', () => {
  // docs/deploy.md: the bot gets Role Based Access Control Administrator with a condition, never
  // Owner or User Access Administrator.
  test('names the conditioned Role Based Access Control Administrator and docs/deploy.md, never User Access Administrator', () => {
    const text = missingRoleWriteMessage('contosoacr', REGISTRY_ID);
    expect(text).toContain(`Role Based Access Control Administrator role on ${REGISTRY_ID}`);
    expect(text).toContain('with the condition in docs/deploy.md');
    expect(text).toContain('AcrPull and Container Registry Repository Reader');
    expect(text).toContain('managedRegistries');
    // Named only to say not to use it.
    expect(text).toContain('not Owner or User Access Administrator');
    expect(text.replace('not Owner or User Access Administrator', '')).not.toContain('User Access Administrator');
  });
});

describe('GrantPlanner.findExisting and resolveIdentity (fake ports)', () => {
  const assignment = (scope: string, roleGuid: string, principalId = KUBELET): RoleAssignmentInfo => ({
    id: `${scope}/providers/Microsoft.Authorization/roleAssignments/x`,
    name: 'x',
    scope,
    principalId,
    roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid.toUpperCase()}`,
  });
  const planner = (existing: RoleAssignmentInfo[], spObjectId?: string) => {
    const ports: RoleAssignmentPort & PlanningReads = {
      listForPrincipal: async () => existing,
      listAssignedToAt: async () => existing,
      getRoleDefinition: async () => undefined,
      create: async () => ({ id: 'x' }),
      canAssignRoles: async () => true,
      delete: async () => ({}),
      scopeExists: async () => true,
    };
    const directory = fakeDirectory({}, { servicePrincipalObjectId: async () => spObjectId });
    return new GrantPlanner({} as ResourceResolver, ports, directory);
  };

  test.each<[string, RoleAssignmentInfo[], RoleAssignmentMode, boolean]>([
    ['AcrPull on the registry', [assignment(REGISTRY_ID, ROLE_IDS.acrPull)], 'LegacyRegistryPermissions', true],
    [
      'AcrPush on the resource group',
      [assignment(`/subscriptions/${SUB}/resourcegroups/RG-ACR`, ROLE_IDS.acrPush)],
      'LegacyRegistryPermissions',
      true,
    ],
    [
      'AcrPull on the subscription',
      [assignment(`/subscriptions/${SUB}`, ROLE_IDS.acrPull)],
      'LegacyRegistryPermissions',
      true,
    ],
    [
      'AcrPull in ABAC mode does not count',
      [assignment(REGISTRY_ID, ROLE_IDS.acrPull)],
      'AbacRepositoryPermissions',
      false,
    ],
    [
      'Repository Reader in ABAC mode',
      [assignment(REGISTRY_ID, ROLE_IDS.repositoryReader)],
      'AbacRepositoryPermissions',
      true,
    ],
    [
      'AcrPull on a sibling resource group rg-acr2',
      [assignment(`/subscriptions/${SUB}/resourceGroups/rg-acr2`, ROLE_IDS.acrPull)],
      'LegacyRegistryPermissions',
      false,
    ],
    [
      'AcrPull for another principal',
      [assignment(REGISTRY_ID, ROLE_IDS.acrPull, CONTROL_PLANE)],
      'LegacyRegistryPermissions',
      false,
    ],
    [
      'Reader only',
      [assignment(REGISTRY_ID, 'acdd72a7-3385-48ef-bd42-f606fba81ae7')],
      'LegacyRegistryPermissions',
      false,
    ],
    [
      // A condition limits it to some repositories: not the access a grant gives.
      'Repository Reader in ABAC mode with a repository condition',
      [
        {
          ...assignment(REGISTRY_ID, ROLE_IDS.repositoryReader),
          condition: "@Request[Microsoft.ContainerRegistry/registries/repositories:name] StringEquals 'team-a/only'",
        },
      ],
      'AbacRepositoryPermissions',
      false,
    ],
  ])('%s -> found=%s', async (_name, existing, mode, found) => {
    const { pulls } = await planner(existing).findExisting(REGISTRY_ID, KUBELET, mode);
    expect(pulls).toEqual(found ? existing[0] : undefined);
  });

  test('a service-principal cluster is resolved to the object id through the directory', async () => {
    const legacy: ClusterInfo = { ...cluster, identity: { servicePrincipalClientId: 'app-id-1' } };
    await expect(planner([], 'sp-object-1').resolveIdentity(legacy)).resolves.toEqual({
      kind: 'servicePrincipal',
      objectId: 'sp-object-1',
      appId: 'app-id-1',
      description: 'cluster service principal',
    });
  });

  test('an unknown service principal is a user-facing error', async () => {
    const legacy: ClusterInfo = { ...cluster, identity: { servicePrincipalClientId: 'app-id-1' } };
    await expect(planner([], undefined).resolveIdentity(legacy)).rejects.toMatchObject({
      code: 'cluster.servicePrincipalNotFound',
    });
    await expect(planner([], undefined).resolveIdentity(legacy)).rejects.toBeInstanceOf(UserFacingError);
  });

  const failingLookup = (err: Error) =>
    new GrantPlanner(
      {} as ResourceResolver,
      {} as RoleAssignmentPort & PlanningReads,
      fakeDirectory({}, { servicePrincipalObjectId: () => Promise.reject(err) }),
    );

  test('Graph refusing the lookup (403, no Application.Read.All) names the permission and the pull secret', async () => {
    const legacy: ClusterInfo = { ...cluster, identity: { servicePrincipalClientId: 'app-id-1' } };
    const refused = new CloudApiError('Authorization_RequestDenied', 403, 'service principal lookup by app id failed');
    const err = await failingLookup(refused)
      .resolveIdentity(legacy, 'name')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err).toMatchObject({ code: 'cluster.servicePrincipalUnreadable', cause: refused });
    const message = (err as Error).message;
    expect(message).toContain('app-id-1');
    expect(message).toContain('(HTTP 403 Authorization_RequestDenied)');
    expect(message).toContain('Application.Read.All');
    // As the requester named it (planning passes how); not known, by id (typed-names.ts).
    expect(message).toContain('@acrbot secret aks-prod REGISTRY --namespace NAMESPACE');
    expect(message).toContain('--kind token');
    const unknown = await failingLookup(refused)
      .resolveIdentity(legacy)
      .catch((e: unknown) => (e as Error).message);
    expect(unknown).toContain(`@acrbot secret ${CLUSTER_ID} REGISTRY --namespace NAMESPACE`);
  });

  test('any other failure of the lookup is thrown as it came (unexpected: logged with its ids)', async () => {
    const legacy: ClusterInfo = { ...cluster, identity: { servicePrincipalClientId: 'app-id-1' } };
    const failed = new CloudApiError('serviceNotAvailable', 503, 'service principal lookup by app id failed');
    await expect(failingLookup(failed).resolveIdentity(legacy)).rejects.toBe(failed);
  });
});

describe('GrantPlanner.existingAccess and plan: judged as check judges it (fake ports)', () => {
  const role = (
    guid: string,
    roleName: string,
    p: Partial<RoleDefinitionInfo['permissions'][number]>,
    custom = false,
  ) =>
    ({
      guid,
      roleName,
      roleType: custom ? 'CustomRole' : 'BuiltInRole',
      permissions: [{ actions: [], notActions: [], dataActions: [], notDataActions: [], ...p }],
    }) satisfies RoleDefinitionInfo;
  const OWNER = role('8e3af657-a8ff-443c-a75c-2fe8c4bcb635', 'Owner', { actions: ['*'] });
  const CONTRIBUTOR = role('b24988ac-6180-42a0-ab88-20f7382dd24c', 'Contributor', {
    actions: ['*'],
    notActions: ['Microsoft.Authorization/*/Write'],
  });
  const READER = role('acdd72a7-3385-48ef-bd42-f606fba81ae7', 'Reader', { actions: ['*/read'] });
  const ACR_PULL = role(ROLE_IDS.acrPull, 'AcrPull', { actions: ['Microsoft.ContainerRegistry/registries/pull/read'] });
  const REPO_READER = role(ROLE_IDS.repositoryReader, 'Container Registry Repository Reader', {
    dataActions: ['Microsoft.ContainerRegistry/registries/repositories/content/read'],
  });
  const NO_PULL = role(
    '3c000000-0000-4000-8000-0000000000c3',
    'everything but pull',
    { actions: ['Microsoft.ContainerRegistry/*'], notActions: ['Microsoft.ContainerRegistry/registries/pull/read'] },
    true,
  );
  const PULLER = role(
    '3c000000-0000-4000-8000-0000000000c4',
    'image puller',
    { actions: ['Microsoft.ContainerRegistry/registries/*/read'] },
    true,
  );
  const ROLES = [OWNER, CONTRIBUTOR, READER, ACR_PULL, REPO_READER, NO_PULL, PULLER];

  const assignment = (scope: string, def: RoleDefinitionInfo, extra: Partial<RoleAssignmentInfo> = {}) =>
    ({
      id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${def.guid.slice(0, 8)}`,
      name: def.guid.slice(0, 8),
      scope,
      principalId: KUBELET,
      roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${def.guid}`,
      ...extra,
    }) satisfies RoleAssignmentInfo;

  function setUp(existing: RoleAssignmentInfo[], mode: RoleAssignmentMode = 'LegacyRegistryPermissions') {
    const reads: string[] = [];
    const calls: string[] = [];
    const ports: RoleAssignmentPort & PlanningReads = {
      listForPrincipal: async () => existing,
      listAssignedToAt: async (scope, objectId) => {
        calls.push(`assignedTo ${scope} ${objectId}`);
        return existing;
      },
      getRoleDefinition: async (_sub, guid) => {
        reads.push(guid);
        return ROLES.find((r) => r.guid === guid);
      },
      create: async () => ({ id: 'x' }),
      canAssignRoles: async () => {
        calls.push('canAssignRoles');
        return true;
      },
      delete: async () => ({}),
      scopeExists: async () => true,
    };
    const directory = fakeDirectory();
    const resolver = {
      resolveCluster: async () => cluster,
      resolveRegistry: async () => registry(mode),
      // The clusters sharing its identity: none but itself.
      listAllClusters: async () => ({ clusters: [cluster], unlisted: [] }),
    } as unknown as ResourceResolver;
    const planner = new GrantPlanner(resolver, ports, directory);
    return { planner, reads, calls, plan: buildGrantPlan(cluster, registry(mode), identity) };
  }

  const RG = `/subscriptions/${SUB}/resourceGroups/rg-acr`;
  const MG = '/providers/Microsoft.Management/managementGroups/platform';
  const CONDITION = "@Resource[Microsoft.ContainerRegistry/registries/repositories:name] StringStartsWith 'team-a/'";

  test.each<[string, RoleAssignmentInfo[], RoleAssignmentMode, boolean]>([
    ['Contributor on the resource group', [assignment(RG, CONTRIBUTOR)], 'LegacyRegistryPermissions', true],
    ['Owner on a management group', [assignment(MG, OWNER)], 'LegacyRegistryPermissions', true],
    [
      'a custom role with registries/*/read on the subscription',
      [assignment(`/subscriptions/${SUB}`, PULLER)],
      'LegacyRegistryPermissions',
      true,
    ],
    [
      'a custom role whose notActions take pull away',
      [assignment(REGISTRY_ID, NO_PULL)],
      'LegacyRegistryPermissions',
      false,
    ],
    ['Reader on the registry', [assignment(REGISTRY_ID, READER)], 'LegacyRegistryPermissions', false],
    ['Contributor in ABAC mode', [assignment(RG, CONTRIBUTOR)], 'AbacRepositoryPermissions', false],
    [
      'Repository Reader in ABAC mode, on the resource group',
      [assignment(RG, REPO_READER)],
      'AbacRepositoryPermissions',
      true,
    ],
    [
      'AcrPull held through a group',
      [assignment(REGISTRY_ID, ACR_PULL, { principalId: 'group-1', principalType: 'Group' })],
      'LegacyRegistryPermissions',
      true,
    ],
    [
      'Contributor on a sibling resource group',
      [assignment(`${RG}2`, CONTRIBUTOR)],
      'LegacyRegistryPermissions',
      false,
    ],
    [
      'Contributor on the registry with a condition',
      [assignment(REGISTRY_ID, CONTRIBUTOR, { condition: CONDITION })],
      'LegacyRegistryPermissions',
      false,
    ],
    [
      'a role definition that no longer exists',
      [assignment(REGISTRY_ID, role('3c000000-0000-4000-8000-0000000000c9', 'gone', {}))],
      'LegacyRegistryPermissions',
      false,
    ],
  ])('%s -> pulls=%s', async (_name, existing, mode, pulls) => {
    const { planner, plan } = setUp(existing, mode);
    const access = await planner.existingAccess(registry(mode), plan);
    expect(access.pulls).toEqual(pulls ? existing[0] : undefined);
  });

  test('lists assignedTo() on the registry, and reads no role definition when nothing covers it', async () => {
    const { planner, plan, reads, calls } = setUp([assignment(`${RG}2`, CONTRIBUTOR)]);
    await planner.existingAccess(registry('LegacyRegistryPermissions'), plan);
    expect(calls).toEqual([`assignedTo ${REGISTRY_ID} ${KUBELET}`]);
    expect(reads).toEqual([]);
  });

  test('built-in role definitions are read once per planner; custom ones on every plan', async () => {
    const { planner, plan, reads } = setUp([assignment(REGISTRY_ID, READER), assignment(RG, NO_PULL)]);
    await planner.existingAccess(registry('LegacyRegistryPermissions'), plan);
    await planner.existingAccess(registry('LegacyRegistryPermissions'), plan);
    expect(reads.sort()).toEqual([NO_PULL.guid, NO_PULL.guid, READER.guid].sort());
  });

  test('the planned role at exactly the planned scope with a condition: refused at plan time, naming it, before the permission check', async () => {
    const conditioned = assignment(REGISTRY_ID, ACR_PULL, { condition: CONDITION });
    const { planner, calls } = setUp([conditioned]);
    const err = await planner.plan('aks-prod', 'contosoacr').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err).toMatchObject({ code: 'grant.conditionalExists' });
    expect((err as Error).message).toContain(conditioned.id);
    expect((err as Error).message).toContain('made outside acrbot');
    expect(calls).not.toContain('canAssignRoles');
  });

  test("acrbot's own assignment for the pair, given a condition outside acrbot: said as acrbot's, and the condition is the owners' to lift", async () => {
    const name = roleAssignmentName(REGISTRY_ID, KUBELET, ROLE_IDS.acrPull);
    const own = assignment(REGISTRY_ID, ACR_PULL, {
      condition: CONDITION,
      // ARM answers names in either case.
      name: name.toUpperCase(),
      id: `${REGISTRY_ID}/providers/Microsoft.Authorization/roleAssignments/${name.toUpperCase()}`,
    });
    const { planner } = setUp([own]);
    const err = await planner.plan('aks-prod', 'contosoacr').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'grant.conditionalExists' });
    const text = (err as Error).message;
    expect(text).not.toContain('made outside acrbot');
    expect(text).toBe(
      `${KUBELET} already has AcrPull on contosoacr through acrbot's own assignment for this pair: ${own.id}, and a condition (a limit to some repositories) was set on it outside acrbot. Azure keeps one assignment of a role per identity and registry, so acrbot cannot add one without that limit, and no request was made. Ask the registry's owners to remove or widen that condition, then ask again; @acrbot check aks-prod contosoacr names the acrbot request it belongs to.`,
    );
  });

  test('the plan records how the requester named the pair, and its hints repeat that form', async () => {
    const name = roleAssignmentName(REGISTRY_ID, KUBELET, ROLE_IDS.acrPull);
    const own = assignment(REGISTRY_ID, ACR_PULL, {
      condition: CONDITION,
      name,
      id: `${REGISTRY_ID}/providers/Microsoft.Authorization/roleAssignments/${name}`,
    });
    // Resolved as typed (the fake resolves any form to the pair): group/name and the registry's id.
    await expect(setUp([own]).planner.plan('rg-aks/aks-prod', REGISTRY_ID)).rejects.toMatchObject({
      code: 'grant.conditionalExists',
      message: expect.stringContaining(`@acrbot check rg-aks/aks-prod ${REGISTRY_ID} names the acrbot request`),
    });

    const planned = await setUp([]).planner.plan('AKS-PROD', REGISTRY_ID);
    expect(planned.plan.typed).toEqual({ cluster: 'name', registry: 'id' });
  });

  test.each<[string, RoleAssignmentInfo]>([
    [
      'held by a group',
      assignment(REGISTRY_ID, ACR_PULL, { condition: CONDITION, principalId: 'group-1', principalType: 'Group' }),
    ],
    ['on the resource group', assignment(RG, ACR_PULL, { condition: CONDITION })],
    [
      'of another role (AcrPush)',
      assignment(REGISTRY_ID, role(ROLE_IDS.acrPush, 'AcrPush', {}), { condition: CONDITION }),
    ],
  ])('a conditioned assignment %s does not block the PUT: planned', async (_name, conditioned) => {
    const { planner } = setUp([conditioned]);
    await expect(planner.plan('aks-prod', 'contosoacr')).resolves.toMatchObject({ status: 'planned' });
  });

  test('a conditioned AcrPull beside Contributor on the resource group: already pulls', async () => {
    const contributor = assignment(RG, CONTRIBUTOR);
    const { planner } = setUp([assignment(REGISTRY_ID, ACR_PULL, { condition: CONDITION }), contributor]);
    await expect(planner.plan('aks-prod', 'contosoacr')).resolves.toMatchObject({
      status: 'alreadyGranted',
      existing: contributor,
    });
  });
});

describe('GrantPlanner.plan: the look for clusters sharing the identity, when the plan fails first', () => {
  /** A planner whose existing-access read fails (`refused`) while the sharing look faults (`fault`). */
  function failingBoth(refused: Error, fault: Error) {
    const warned: { obj: Record<string, unknown>; msg: string }[] = [];
    let faulted!: () => void;
    const sharingFaulted = new Promise<void>((resolve) => (faulted = resolve));
    const ports = {
      listAssignedToAt: async () => {
        throw refused;
      },
      getRoleDefinition: async () => undefined,
      canAssignRoles: async () => true,
    } as unknown as RoleAssignmentPort & PlanningReads;
    const resolver = {
      resolveCluster: async () => cluster,
      resolveRegistry: async () => registry('LegacyRegistryPermissions'),
      listAllClusters: async () => {
        faulted();
        throw fault;
      },
    } as unknown as ResourceResolver;
    const log = {
      warn: (obj: Record<string, unknown>, msg: string) => void warned.push({ obj, msg }),
    } as never;
    return { planner: new GrantPlanner(resolver, ports, fakeDirectory(), log), warned, sharingFaulted };
  }

  test('the plan fails with the existing-access error; the sharing fault is logged at warn with err, not dropped', async () => {
    const refused = new CloudApiError('AuthorizationFailed', 403, 'refused');
    const fault = new TypeError("Cannot read properties of undefined (reading 'identity')");
    const { planner, warned, sharingFaulted } = failingBoth(refused, fault);

    await expect(planner.plan('aks-prod', 'contosoacr')).rejects.toBe(refused);
    await sharingFaulted;
    // The warn handler runs on the rejection's own turn: let it.
    await new Promise((resolve) => setImmediate(resolve));

    expect(warned).toEqual([
      {
        obj: { err: fault, clusterId: CLUSTER_ID },
        msg: 'looking for clusters sharing the identity failed while planning a grant that failed anyway',
      },
    ]);
  });
});
