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
  readonly scope: string;
  readonly roleName: string;
  readonly permissions: readonly RolePermissionBlock[];
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
 * The caller's assignments, and an index of them by scope key ({@link idKey}): a listing of role
 * assignments asks {@link CallerAssignments.anyCovers} about each listed one, and a scan of every
 * assignment of the caller per question was most of a large tab's cold read in the sandbox
 * (docs/performance.md, round fifty-one). The index lives with the list it is built from, and
 * only this class changes that list: each change ({@link CallerAssignments.add},
 * {@link CallerAssignments.removeWhere}) drops it, and the next question builds it again, so it
 * never answers for a list that has changed since. Assignments are frozen as they come in, and
 * {@link CallerAssignments.all} hands out a frozen copy: neither an assignment's scope nor the
 * list can change from outside behind the index's back.
 */
export class CallerAssignments {
  private readonly items: CallerAssignment[] = [];
  /** The {@link assignmentKey} of each of `items`: ARM keeps one assignment of a role at a scope. */
  private readonly keys = new Set<string>();
  /** Built from `items` at the first question after a change; undefined until then. */
  private byScope: Map<string, CallerAssignment[]> | undefined;
  private snapshot: readonly CallerAssignment[] | undefined;

  /**
   * Adds `a` (a frozen copy), unless the caller holds the same role at the same scope already
   * ({@link assignmentKey}): ARM keeps one such assignment. Whether it was added.
   */
  add(a: CallerAssignment): boolean {
    // By key, not a scan of every one held: a caller with a large estate's assignments was
    // quadratic to build.
    const key = assignmentKey(a);
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    this.items.push(Object.freeze({ scope: a.scope, roleName: a.roleName, permissions: a.permissions }));
    this.changed();
    return true;
  }

  /**
   * Removes the assignments `drop` holds for; how many went. The kept ones are moved up in place:
   * spread into `splice`, each was an argument of one call, a RangeError past some 100,000.
   */
  removeWhere(drop: (a: CallerAssignment) => boolean): number {
    let kept = 0;
    for (const a of this.items) {
      if (drop(a)) this.keys.delete(assignmentKey(a));
      else this.items[kept++] = a;
    }
    const gone = this.items.length - kept;
    if (gone === 0) return 0;
    this.items.length = kept;
    this.changed();
    return gone;
  }

  /** The assignments, in the order they were made (a frozen copy, made once per change). */
  all(): readonly CallerAssignment[] {
    return (this.snapshot ??= Object.freeze([...this.items]));
  }

  /**
   * Whether any assignment covers `action` at `scope` ({@link assignmentCovers}): the same answer
   * as asking each, but only those at `scope` or one of its ancestors are looked at.
   */
  anyCovers(scope: string, action: string, matches: (pattern: string, action: string) => boolean): boolean {
    const byScope = (this.byScope ??= indexByScope(this.items));
    const key = idKey(scope);
    // The keys at or above `key` (isAtOrAbove): the root, each prefix ending before a `/`, and itself.
    const covers = (k: string) => byScope.get(k)?.some((a) => assignmentCovers(a, scope, action, matches)) ?? false;
    if (covers('/')) return true;
    for (let i = key.indexOf('/', 1); i > 0; i = key.indexOf('/', i + 1)) if (covers(key.slice(0, i))) return true;
    return key !== '/' && covers(key);
  }

  /** Drops what was built from the list before it changed. */
  private changed(): void {
    this.byScope = undefined;
    this.snapshot = undefined;
  }
}

function indexByScope(assignments: readonly CallerAssignment[]): Map<string, CallerAssignment[]> {
  const byScope = new Map<string, CallerAssignment[]>();
  for (const a of assignments) {
    const key = idKey(a.scope);
    const here = byScope.get(key);
    if (here) here.push(a);
    else byScope.set(key, [a]);
  }
  return byScope;
}

/**
 * What makes two assignments the same one (scope and role, any case): the scope's key and the
 * role's name, lower-cased, a line apart (neither holds a line break ARM would take).
 */
function assignmentKey(a: { scope: string; roleName: string }): string {
  return `${idKey(a.scope)}\n${a.roleName.toLowerCase()}`;
}
