import type { ClusterInfo, RegistryInfo, RoleAssignmentInfo } from '../../src/domain/azure-model';
import { UserFacingError } from '../../src/domain/errors';
import { roleAssignmentName } from '../../src/domain/identifiers';
import type { PlannedIdentity } from '../../src/domain/plan';
import type { DirectoryPort, RoleAssignmentPort } from '../../src/domain/ports';
import { ROLE_IDS, type RoleAssignmentMode } from '../../src/domain/roles';
import { buildGrantPlan, GrantPlanner } from '../../src/flows/grant-planner';
import type { ResourceResolver } from '../../src/flows/resource-resolver';
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
      `Create role assignment ${plan.roleAssignmentName}: ${roleName} for service principal ${KUBELET} on registry contosoacr`,
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

describe('GrantPlanner.findExisting and resolveIdentity (fake ports)', () => {
  const assignment = (scope: string, roleGuid: string, principalId = KUBELET): RoleAssignmentInfo => ({
    id: `${scope}/providers/Microsoft.Authorization/roleAssignments/x`,
    name: 'x',
    scope,
    principalId,
    roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid.toUpperCase()}`,
  });
  const planner = (existing: RoleAssignmentInfo[], spObjectId?: string) => {
    const ports: RoleAssignmentPort = {
      listForPrincipal: async () => existing,
      create: async () => ({ id: 'x' }),
      canAssignRoles: async () => true,
      delete: async () => undefined,
    };
    const directory: DirectoryPort = {
      servicePrincipalObjectId: async () => spObjectId,
      isMemberOfGroup: async () => false,
    };
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
    const result = await planner(existing).findExisting(REGISTRY_ID, KUBELET, mode);
    expect(result).toEqual(found ? existing[0] : undefined);
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
});
