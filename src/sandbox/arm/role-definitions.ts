/**
 * Built-in Azure role definitions the emulator knows, with their permissions (the parts that
 * matter for registries and clusters, from the built-in role reference), plus custom roles tests
 * add. A role assignment naming any other role definition fails with `RoleDefinitionDoesNotExist`,
 * which catches typos in role ids early.
 */
import { isAtOrAbove } from './arm-ids';

/** Built-in role definition ids (the trailing GUID of `roleDefinitionId`). */
export const BUILT_IN_ROLES = {
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
  acrPush: '8311e382-0749-4cb8-b61a-304f252e45ec',
  acrDelete: 'c2f4ef07-c644-48eb-af81-4b1b4947fb11',
  containerRegistryRepositoryReader: 'b93aa761-3e63-49ed-ac28-beffa264f7ac',
  reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  userAccessAdministrator: '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
  rbacAdministrator: 'f58310d9-a9f6-439a-9e8d-f62e7b41a168',
  aksClusterUser: '4abbcc35-e782-43d8-92c5-2d3f1bd2253f',
  aksClusterAdmin: '0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8',
  aksRbacReader: '7f6c6a51-bcf8-42ba-9220-52d62157d7db',
  aksRbacWriter: 'a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb',
  aksRbacAdmin: '3498e952-d568-435e-9b2c-8d77e338d7f7',
  aksRbacClusterAdmin: 'b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b',
} as const;

/**
 * Roles the emulator counts as "can pull" in each registry role mode (used by
 * `ArmState.hasPullAccess`). In ABAC mode AcrPull/AcrPush are not honoured (CONTRACTS §2.1).
 */
export const PULL_ROLES = {
  LegacyRegistryPermissions: [
    BUILT_IN_ROLES.acrPull,
    BUILT_IN_ROLES.acrPush,
    BUILT_IN_ROLES.contributor,
    BUILT_IN_ROLES.owner,
  ],
  AbacRepositoryPermissions: [BUILT_IN_ROLES.containerRegistryRepositoryReader],
} as const;

/** Extracts the trailing role definition GUID from a (possibly subscription-qualified) id. */
export function roleDefinitionGuid(roleDefinitionId: string): string | undefined {
  const m = /\/roleDefinitions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/i.exec(
    roleDefinitionId,
  );
  return m ? m[1]!.toLowerCase() : undefined;
}

/** The subscription-qualified form real ARM returns (CONTRACTS §3.1). */
export function qualifiedRoleDefinitionId(subscriptionId: string | undefined, guid: string): string {
  const prefix = subscriptionId ? `/subscriptions/${subscriptionId}` : '';
  return `${prefix}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
}

/** One permission block of a role definition (ARM's wire names). */
export interface RolePermissionBlock {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

/** A stored role definition. */
export interface RoleDefinitionRecord {
  guid: string;
  roleName: string;
  type: 'BuiltInRole' | 'CustomRole';
  description: string;
  permissions: RolePermissionBlock[];
  /** Custom roles: where they may be assigned; built-in roles: `/`. */
  assignableScopes: string[];
}

function block(actions: string[], dataActions: string[] = [], notActions: string[] = []): RolePermissionBlock {
  return { actions, notActions, dataActions, notDataActions: [] };
}

function builtIn(
  guid: string,
  roleName: string,
  description: string,
  permissions: RolePermissionBlock,
): RoleDefinitionRecord {
  return { guid, roleName, type: 'BuiltInRole', description, permissions: [permissions], assignableScopes: ['/'] };
}

/** The built-in roles with the permissions Azure publishes for them (registry/cluster parts verbatim). */
export const BUILT_IN_ROLE_DEFINITIONS: readonly RoleDefinitionRecord[] = [
  builtIn(BUILT_IN_ROLES.acrPull, 'AcrPull', 'acr pull', block(['Microsoft.ContainerRegistry/registries/pull/read'])),
  builtIn(
    BUILT_IN_ROLES.acrPush,
    'AcrPush',
    'acr push',
    block(['Microsoft.ContainerRegistry/registries/pull/read', 'Microsoft.ContainerRegistry/registries/push/write']),
  ),
  builtIn(
    BUILT_IN_ROLES.acrDelete,
    'AcrDelete',
    'acr delete',
    block(['Microsoft.ContainerRegistry/registries/artifacts/delete']),
  ),
  builtIn(
    BUILT_IN_ROLES.containerRegistryRepositoryReader,
    'Container Registry Repository Reader',
    'Allows for read access to Azure Container Registry repositories, but excluding catalog listing.',
    block(
      [],
      [
        'Microsoft.ContainerRegistry/registries/repositories/metadata/read',
        'Microsoft.ContainerRegistry/registries/repositories/content/read',
      ],
    ),
  ),
  builtIn(
    BUILT_IN_ROLES.reader,
    'Reader',
    'View all resources, but does not allow you to make any changes.',
    block(['*/read']),
  ),
  builtIn(
    BUILT_IN_ROLES.contributor,
    'Contributor',
    'Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC.',
    block(
      ['*'],
      [],
      [
        'Microsoft.Authorization/*/Delete',
        'Microsoft.Authorization/*/Write',
        'Microsoft.Authorization/elevateAccess/Action',
        'Microsoft.Blueprint/blueprintAssignments/write',
        'Microsoft.Blueprint/blueprintAssignments/delete',
        'Microsoft.Compute/galleries/share/action',
        'Microsoft.Purview/consents/write',
        'Microsoft.Purview/consents/delete',
        'Microsoft.Resources/deploymentStacks/manageDenySetting/action',
        'Microsoft.Subscription/cancel/action',
        'Microsoft.Subscription/enable/action',
      ],
    ),
  ),
  builtIn(BUILT_IN_ROLES.owner, 'Owner', 'Grants full access to manage all resources.', block(['*'])),
  builtIn(
    BUILT_IN_ROLES.userAccessAdministrator,
    'User Access Administrator',
    'Lets you manage user access to Azure resources.',
    block(['*/read', 'Microsoft.Authorization/*', 'Microsoft.Support/*']),
  ),
  builtIn(
    BUILT_IN_ROLES.rbacAdministrator,
    'Role Based Access Control Administrator',
    'Manage access to Azure resources by assigning roles using Azure RBAC.',
    block([
      'Microsoft.Authorization/roleAssignments/write',
      'Microsoft.Authorization/roleAssignments/delete',
      '*/read',
      'Microsoft.Support/*',
    ]),
  ),
  builtIn(
    BUILT_IN_ROLES.aksClusterUser,
    'Azure Kubernetes Service Cluster User Role',
    'List cluster user credential action.',
    block([
      'Microsoft.ContainerService/managedClusters/listClusterUserCredential/action',
      'Microsoft.ContainerService/managedClusters/read',
    ]),
  ),
  builtIn(
    BUILT_IN_ROLES.aksClusterAdmin,
    'Azure Kubernetes Service Cluster Admin Role',
    'List cluster admin credential action.',
    block([
      'Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action',
      'Microsoft.ContainerService/managedClusters/accessProfiles/listCredential/action',
      'Microsoft.ContainerService/managedClusters/read',
      'Microsoft.ContainerService/managedClusters/runcommand/action',
    ]),
  ),
  builtIn(
    BUILT_IN_ROLES.aksRbacReader,
    'Azure Kubernetes Service RBAC Reader',
    'Allows read-only access to see most objects in a namespace.',
    block(
      ['Microsoft.Authorization/*/read', 'Microsoft.Resources/subscriptions/operationresults/read'],
      ['Microsoft.ContainerService/managedClusters/*/read'],
    ),
  ),
  builtIn(
    BUILT_IN_ROLES.aksRbacWriter,
    'Azure Kubernetes Service RBAC Writer',
    'Allows read/write access to most objects in a namespace.',
    block(['Microsoft.Authorization/*/read'], ['Microsoft.ContainerService/managedClusters/*']),
  ),
  builtIn(
    BUILT_IN_ROLES.aksRbacAdmin,
    'Azure Kubernetes Service RBAC Admin',
    'Lets you manage all resources under cluster/namespace, except update or delete resource quotas and namespaces.',
    block(['Microsoft.Authorization/*/read'], ['Microsoft.ContainerService/managedClusters/*']),
  ),
  builtIn(
    BUILT_IN_ROLES.aksRbacClusterAdmin,
    'Azure Kubernetes Service RBAC Cluster Admin',
    'Lets you manage all resources in the cluster.',
    block(['Microsoft.Authorization/*/read'], ['Microsoft.ContainerService/managedClusters/*']),
  ),
];

/**
 * Whether ARM knows `def` at `scope`: built-in roles everywhere; a custom role at and below its
 * assignable scopes only. A custom role whose assignableScopes name one resource group is read
 * at that group or a resource in it, and is 404 `RoleDefinitionDoesNotExist` at its subscription
 * (Get-AzRoleAssignment shows such roles nameless unless given the group's scope,
 * Azure/azure-powershell#16991).
 */
export function assignableAt(def: RoleDefinitionRecord, scope: string): boolean {
  if (def.type === 'BuiltInRole') return true;
  return def.assignableScopes.some((a) => isAtOrAbove(a, scope));
}

/** The role definition as ARM returns it at `scope` (`/subscriptions/{sub}` or `''` for tenant level). */
export function roleDefinitionToWire(
  def: RoleDefinitionRecord,
  subscriptionId: string | undefined,
): Record<string, unknown> {
  return {
    id: qualifiedRoleDefinitionId(subscriptionId, def.guid),
    name: def.guid,
    type: 'Microsoft.Authorization/roleDefinitions',
    properties: {
      roleName: def.roleName,
      type: def.type,
      description: def.description,
      assignableScopes: def.assignableScopes,
      permissions: def.permissions,
      createdOn: '2018-02-22T00:00:00.0000000Z',
      updatedOn: '2024-01-01T00:00:00.0000000Z',
      createdBy: null,
      updatedBy: null,
    },
  };
}
