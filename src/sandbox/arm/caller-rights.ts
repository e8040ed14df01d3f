/**
 * The caller's own role assignments (the bot's rights), as infra/modules/registry-access.bicep and
 * cluster-access.bicep deploy them by default: Reader on each managed registry's and cluster's
 * resource group; Role Based Access Control Administrator and the custom token operator role on
 * each registry; Azure Kubernetes Service Cluster User Role on each cluster. The emulator seeds them
 * when a registry or cluster is added and drops the ones on a resource when it is removed, as ARM
 * deletes a resource's role assignments with it: a deleted registry then answers 403 to whatever
 * the resource group's Reader does not carry (a token delete, a role assignment delete), and 404 to
 * reads. They decide at every registry and cluster scope, names never served too, and at each
 * resource group itself (role assignments and permissions there)
 * (access-control.ts): in a resource group without the caller's Reader, such a name is 403, as
 * in Azure. The Bicep's ABAC condition on the administrator role is not modelled (the emulator
 * does not evaluate conditions).
 *
 * Kept apart from the role assignment store: the store holds the assignments the bot (and tests,
 * "outside acrbot") make for clusters' identities, and listing them would show these too in ARM;
 * the emulator leaves them out of listings so that what tests count there stays the grants.
 */
import { idKey, isAtOrAbove, normalizeScope, parseScope, PROVIDERS } from './arm-ids';
import { BUILT_IN_ROLE_DEFINITIONS, BUILT_IN_ROLES, type RolePermissionBlock } from './role-definitions';

/** One role assignment of the caller. */
export interface CallerAssignment {
  scope: string;
  roleName: string;
  permissions: readonly RolePermissionBlock[];
}

/** A role the caller can hold: its name and permissions. */
export interface CallerRole {
  roleName: string;
  permissions: readonly RolePermissionBlock[];
}

/** A built-in role by GUID (any case), for {@link CallerAssignment}s. */
export function builtInCallerRole(guid: string): CallerRole {
  const def = BUILT_IN_ROLE_DEFINITIONS.find((d) => d.guid === guid.toLowerCase());
  if (!def) throw new Error(`No built-in role definition ${guid}`);
  return { roleName: def.roleName, permissions: def.permissions };
}

/**
 * The custom role registry-access.bicep defines per registry ("acrbot ACR token operator …"),
 * with the same actions. Written out here: the emulators never read the bot's infrastructure.
 */
export const TOKEN_OPERATOR_ROLE: CallerRole = {
  roleName: 'acrbot ACR token operator',
  permissions: [
    {
      actions: [
        'Microsoft.ContainerRegistry/registries/read',
        'Microsoft.ContainerRegistry/registries/tokens/*',
        'Microsoft.ContainerRegistry/registries/scopeMaps/read',
        'Microsoft.ContainerRegistry/registries/scopeMaps/write',
        'Microsoft.ContainerRegistry/registries/scopeMaps/delete',
        'Microsoft.ContainerRegistry/registries/generateCredentials/action',
      ],
      notActions: [],
      dataActions: [],
      notDataActions: [],
    },
  ],
};

/** `/subscriptions/{s}/resourceGroups/{rg}` of a resource id. */
function resourceGroupOf(resourceId: string): string {
  const p = parseScope(resourceId);
  return `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroup}`;
}

/** What registry-access.bicep assigns for one registry. */
export function registryCallerRights(registryId: string): CallerAssignment[] {
  return [
    { scope: resourceGroupOf(registryId), ...builtInCallerRole(BUILT_IN_ROLES.reader) },
    { scope: registryId, ...builtInCallerRole(BUILT_IN_ROLES.rbacAdministrator) },
    { scope: registryId, ...TOKEN_OPERATOR_ROLE },
  ];
}

/** What cluster-access.bicep assigns for one cluster. */
export function clusterCallerRights(clusterId: string): CallerAssignment[] {
  return [
    { scope: resourceGroupOf(clusterId), ...builtInCallerRole(BUILT_IN_ROLES.reader) },
    { scope: clusterId, ...builtInCallerRole(BUILT_IN_ROLES.aksClusterUser) },
  ];
}

/**
 * The registry or cluster id a scope is at or below (lower case), or undefined for any other
 * scope: subscriptions, resource groups, role assignments made there.
 */
export function governingResource(scope: string): string | undefined {
  const p = parseScope(scope);
  const type = p.resourceType?.toLowerCase();
  if (type !== PROVIDERS.registries.toLowerCase() && type !== PROVIDERS.managedClusters.toLowerCase()) return undefined;
  return idKey(
    `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroup}/providers/${p.resourceType}/${p.resourceName}`,
  );
}

/**
 * The resource group (`/subscriptions/{s}/resourceGroups/{rg}`) a scope is about when it is the
 * group itself or a role assignment or permissions path on it
 * (`…/resourceGroups/{rg}/providers/Microsoft.Authorization/…`); undefined for any other scope.
 * ARM decides such a request on the caller's assignments at the subscription and the group.
 */
export function resourceGroupScope(scope: string): string | undefined {
  const target = normalizeScope(scope).replace(/\/providers\/Microsoft\.Authorization(\/.*)?$/i, '');
  const parts = target.split('/').slice(1);
  if (parts.length !== 4 || parts[0]!.toLowerCase() !== 'subscriptions') return undefined;
  if (parts[2]!.toLowerCase() !== 'resourcegroups') return undefined;
  return target;
}

/**
 * The resource group (`/subscriptions/{s}/resourceGroups/{rg}`) of a registry or cluster listing
 * in it (`…/resourceGroups/{rg}/providers/Microsoft.ContainerRegistry/registries`), or undefined
 * for any other scope.
 */
export function resourceCollectionGroup(scope: string): string | undefined {
  const parts = normalizeScope(scope).split('/').slice(1);
  if (parts.length !== 7 || parts[0]!.toLowerCase() !== 'subscriptions') return undefined;
  if (parts[2]!.toLowerCase() !== 'resourcegroups' || parts[4]!.toLowerCase() !== 'providers') return undefined;
  const type = `${parts[5]}/${parts[6]}`.toLowerCase();
  const served = [PROVIDERS.registries, PROVIDERS.managedClusters].map((t) => t.toLowerCase());
  return served.includes(type) ? `/subscriptions/${parts[1]}/resourceGroups/${parts[3]}` : undefined;
}

/** Whether `a` covers `action` at `scope`: at or above it, and one of its blocks allows the action. */
export function assignmentCovers(
  a: CallerAssignment,
  scope: string,
  action: string,
  matches: (pattern: string, action: string) => boolean,
): boolean {
  return (
    isAtOrAbove(a.scope, scope) &&
    a.permissions.some(
      (p) => p.actions.some((x) => matches(x, action)) && !p.notActions.some((x) => matches(x, action)),
    )
  );
}

/**
 * The caller's assignments by scope key ({@link idKey}), built once per list: a listing of role
 * assignments asks {@link anyAssignmentCovers} about each listed one, and a scan of every
 * assignment of the caller per question was most of a large tab's cold read in the sandbox
 * (docs/performance.md, round fifty-one). The list is grown in place (a push) or replaced (a
 * filter): an index is kept per list object and built again when its length or last element
 * changed.
 */
const scopeIndexes = new WeakMap<
  readonly CallerAssignment[],
  { length: number; last: CallerAssignment | undefined; byScope: Map<string, CallerAssignment[]> }
>();

function scopeIndex(assignments: readonly CallerAssignment[]): Map<string, CallerAssignment[]> {
  const last = assignments[assignments.length - 1];
  const kept = scopeIndexes.get(assignments);
  if (kept && kept.length === assignments.length && kept.last === last) return kept.byScope;
  const byScope = new Map<string, CallerAssignment[]>();
  for (const a of assignments) {
    const key = idKey(a.scope);
    const here = byScope.get(key);
    if (here) here.push(a);
    else byScope.set(key, [a]);
  }
  scopeIndexes.set(assignments, { length: assignments.length, last, byScope });
  return byScope;
}

/**
 * Whether any of `assignments` covers `action` at `scope` ({@link assignmentCovers}): the same
 * answer as asking each, but only those at `scope` or one of its ancestors are looked at.
 */
export function anyAssignmentCovers(
  assignments: readonly CallerAssignment[],
  scope: string,
  action: string,
  matches: (pattern: string, action: string) => boolean,
): boolean {
  const byScope = scopeIndex(assignments);
  const key = idKey(scope);
  // The keys at or above `key` (isAtOrAbove): the root, each prefix ending before a `/`, and itself.
  const covers = (k: string) => byScope.get(k)?.some((a) => assignmentCovers(a, scope, action, matches)) ?? false;
  if (covers('/')) return true;
  for (let i = key.indexOf('/', 1); i > 0; i = key.indexOf('/', i + 1)) if (covers(key.slice(0, i))) return true;
  return key !== '/' && covers(key);
}

/** The same assignment (scope and role, any case). */
export function sameAssignment(a: CallerAssignment, b: { scope: string; roleName: string }): boolean {
  return (
    normalizeScope(a.scope).toLowerCase() === normalizeScope(b.scope).toLowerCase() &&
    a.roleName.toLowerCase() === b.roleName.toLowerCase()
  );
}
