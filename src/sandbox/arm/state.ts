/**
 * Everything the ARM emulator knows: subscriptions, resource groups, clusters, registries (with
 * scope maps and tokens), role assignments and the caller's rights. Tests seed and inspect it
 * through these plain methods (`arm.state.addCluster(...)`, `arm.state.listRoleAssignments()`);
 * the route handlers use the same methods, so the HTTP surface and the test API cannot drift.
 */
import type { Directory } from '../directory';
import { AccessControl } from './access-control';
import { builtInCallerRole, clusterCallerRights, registryCallerRights } from './caller-rights';
import { randomUUID } from 'node:crypto';
import { idKey, isAtOrAbove, normalizeScope, parseScope, PROVIDERS, resourceId } from './arm-ids';
import {
  authorizationFailed,
  parentNotFound,
  resourceGroupNotFound,
  resourceNotFound,
  subscriptionNotFound,
} from './arm-errors';
import type { HttpError } from '../http-util';
import { clusterRecord, type ClusterRecord, type ClusterSpec } from './clusters';
import {
  assignableAt,
  BUILT_IN_ROLE_DEFINITIONS,
  PULL_ROLES,
  qualifiedRoleDefinitionId,
  roleDefinitionGuid,
  type RolePermissionBlock,
  type RoleDefinitionRecord,
} from './role-definitions';
import type { RoleAssignmentRecord } from './role-assignments';
import { RoleAssignmentStore } from './role-assignment-store';
import { LongRunningWrites } from './long-running-writes';
import { registryRecord, type RegistryRecord, type RegistrySpec } from './registries';
import type { TokenRecord } from './tokens';
import { verifyTokenPassword } from './tokens';

/** Mutable cluster settings after seeding (e.g. pointing kubeconfigs at the Kubernetes emulator). */
export type ClusterUpdate = Partial<
  Pick<
    ClusterSpec,
    | 'apiServerUrl'
    | 'apiServerCaPem'
    | 'token'
    | 'disableLocalAccounts'
    | 'aad'
    | 'enableAzureRBAC'
    | 'kubernetesVersion'
  >
>;

/** Options of {@link ArmState}. */
export interface ArmStateOptions {
  tenantId: string;
  /** Object id of the caller (the bot's identity): `updatedBy` of role assignments, named in 403s. */
  callerObjectId: string;
  directory: Directory;
  /** Page size of every list operation (`nextLink` paging). */
  pageSize: number;
  /** What time it is for the stamps of role assignments and the dates of tokens; default the wall clock. */
  clock?: ArmClock;
}

/**
 * The emulator's source of time for role assignments' `createdOn`/`updatedOn` and tokens'
 * `creationDate` (a bot's test clock fits it; emulators never import the bot's code, so it is
 * declared here).
 */
export interface ArmClock {
  now(): Date;
}

/** The wall clock. */
const WALL_CLOCK: ArmClock = { now: () => new Date() };

/** The emulated ARM world. */
export class ArmState {
  readonly tenantId: string;
  callerObjectId: string;
  readonly directory: Directory;
  /** Page size of every list; set to 1 in a test to force `nextLink` paging. */
  pageSize: number;
  /**
   * The time role assignments are stamped with (`createdOn`, `updatedOn`). A test running the bot
   * on a test clock sets it to that clock, so Azure's times agree with the bot's records.
   */
  clock: ArmClock;
  /** The caller's rights: its role assignments (caller-rights.ts) and the denials of {@link ArmState.denyAction}. */
  readonly access = new AccessControl();
  /** Token and scope map creates a test holds in `Creating`: `arm.state.longRunning.hold({...})`. */
  readonly longRunning = new LongRunningWrites();

  /** Default `certificate-authority-data` for kubeconfigs of clusters seeded without one. */
  defaultApiServerCaPem: string | undefined;

  private readonly subscriptions = new Map<string, string>();
  private readonly resourceGroups = new Map<string, { subscriptionId: string; name: string }>();
  private readonly clusters = new Map<string, ClusterRecord>();
  private readonly registries = new Map<string, RegistryRecord>();
  /** Role assignments (names are unique across scopes, as in ARM). */
  readonly roleAssignments = new RoleAssignmentStore();
  private readonly roleDefinitions = new Map<string, RoleDefinitionRecord>(
    BUILT_IN_ROLE_DEFINITIONS.map((d) => [d.guid, d]),
  );

  constructor(opts: ArmStateOptions) {
    this.tenantId = opts.tenantId;
    this.callerObjectId = opts.callerObjectId;
    this.directory = opts.directory;
    this.pageSize = opts.pageSize;
    this.clock = opts.clock ?? WALL_CLOCK;
  }

  // ---- subscriptions and resource groups -------------------------------------------------

  addSubscription(subscriptionId: string): void {
    this.subscriptions.set(subscriptionId.toLowerCase(), subscriptionId);
  }

  /** Adds a resource group (and its subscription). Clusters and registries add theirs implicitly. */
  addResourceGroup(subscriptionId: string, name: string): void {
    this.addSubscription(subscriptionId);
    const key = `${subscriptionId}/${name}`.toLowerCase();
    if (!this.resourceGroups.has(key)) this.resourceGroups.set(key, { subscriptionId, name });
  }

  /**
   * 403 `AuthorizationFailed` for `action` over `shownScope` (ARM's message names it), after the
   * 404 `SubscriptionNotFound` of a path whose subscription ARM does not know: that is answered
   * before the caller's rights are looked at.
   */
  refuse(path: string, action: string, shownScope: string): HttpError {
    const sub = parseScope(path).subscriptionId;
    if (sub !== undefined && !this.subscriptions.has(sub.toLowerCase())) return subscriptionNotFound(sub);
    return authorizationFailed(this.callerObjectId, action, shownScope);
  }

  /** Throws ARM's 404 when the subscription or resource group does not exist. */
  requireResourceGroup(subscriptionId: string, resourceGroup?: string): void {
    if (!this.subscriptions.has(subscriptionId.toLowerCase())) throw subscriptionNotFound(subscriptionId);
    if (resourceGroup !== undefined && !this.resourceGroups.has(`${subscriptionId}/${resourceGroup}`.toLowerCase()))
      throw resourceGroupNotFound(resourceGroup);
  }

  // ---- clusters ---------------------------------------------------------------------------

  /**
   * Adds a cluster, and gives the caller the rights cluster-access.bicep gives acrbot on it
   * (caller-rights.ts) unless `opts.callerRights` is false (a cluster acrbot does not manage:
   * then it may do nothing there but what a role on its resource group or subscription allows).
   */
  addCluster(spec: ClusterSpec, opts: { callerRights?: boolean } = {}): ClusterRecord {
    this.addResourceGroup(spec.subscriptionId, spec.resourceGroup);
    const record = clusterRecord(spec, this.tenantId);
    this.clusters.set(idKey(record.id), record);
    if (opts.callerRights ?? true) for (const a of clusterCallerRights(record.id)) this.access.assign(a.scope, a);
    return record;
  }

  /** Changes kubeconfig-related settings of a cluster (by id, any case). */
  updateCluster(id: string, update: ClusterUpdate): ClusterRecord {
    const c = this.clusters.get(idKey(id));
    if (!c) throw new Error(`No cluster ${id}`);
    Object.assign(c, update);
    return c;
  }

  // Clusters and registries have parallel get/list/remove methods: tests seed and inspect each
  // type by name (`arm.state.getCluster`), so the test API stays explicit rather than generic.

  /** The cluster with this id (any case), or undefined. */
  getCluster(id: string): ClusterRecord | undefined {
    return this.clusters.get(idKey(id));
  }

  listClusters(): ClusterRecord[] {
    return [...this.clusters.values()];
  }

  /** Deletes a cluster, and with it the caller's role assignments on it (not those on its resource group). */
  removeCluster(id: string): boolean {
    this.access.dropWithResource(id);
    return this.clusters.delete(idKey(id));
  }

  /** Looks a cluster up for a route: ARM's 404s when the group or cluster is missing. */
  requireCluster(subscriptionId: string, resourceGroup: string, name: string): ClusterRecord {
    const c = this.inGroup(this.clusters, subscriptionId, resourceGroup, PROVIDERS.managedClusters, name);
    if (!c) throw resourceNotFound(PROVIDERS.managedClusters, name, resourceGroup);
    return c;
  }

  /** A resource of `table` by its path parts, after ARM's 404 for a missing subscription or group. */
  private inGroup<R>(
    table: Map<string, R>,
    subscriptionId: string,
    resourceGroup: string,
    provider: string,
    name: string,
  ): R | undefined {
    this.requireResourceGroup(subscriptionId, resourceGroup);
    return table.get(
      idKey(`/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${provider}/${name}`),
    );
  }

  // ---- registries -------------------------------------------------------------------------

  /** Adds a registry with the caller's rights on it as for {@link addCluster} (registry-access.bicep's). */
  addRegistry(spec: RegistrySpec, opts: { callerRights?: boolean } = {}): RegistryRecord {
    this.addResourceGroup(spec.subscriptionId, spec.resourceGroup);
    const record = registryRecord(spec);
    this.registries.set(idKey(record.id), record);
    if (opts.callerRights ?? true) for (const a of registryCallerRights(record.id)) this.access.assign(a.scope, a);
    return record;
  }

  getRegistry(id: string): RegistryRecord | undefined {
    return this.registries.get(idKey(id));
  }

  listRegistries(): RegistryRecord[] {
    return [...this.registries.values()];
  }

  /**
   * Deletes a registry (scope maps and tokens with it), and the caller's role assignments on it:
   * what only they allowed there answers 403 from now on, as in Azure.
   */
  removeRegistry(id: string): boolean {
    this.access.dropWithResource(id);
    return this.registries.delete(idKey(id));
  }

  /**
   * Moves a registry to another resource group (of its subscription, or of `to.subscriptionId`),
   * as ARM's moveResources does: same name and login server, a new id. Its scope maps and tokens
   * move with it (child resources: their ids and a token's `scopeMapId` follow, its passwords
   * still sign in). Role assignments made on it do not move (Azure leaves them orphaned at the
   * old id): the caller's go, and it holds on the moved registry only what a role on its new
   * resource group or above gives. Returns the moved registry.
   */
  moveRegistry(id: string, to: { resourceGroup: string; subscriptionId?: string }): RegistryRecord {
    const old = this.getRegistry(id);
    if (!old) throw new Error(`No registry ${id}`);
    const subscriptionId = to.subscriptionId ?? old.subscriptionId;
    this.addResourceGroup(subscriptionId, to.resourceGroup);
    const movedId = resourceId(subscriptionId, to.resourceGroup, PROVIDERS.registries, old.name);
    const follow = (childId: string) =>
      childId.toLowerCase().startsWith(`${old.id.toLowerCase()}/`)
        ? `${movedId}${childId.slice(old.id.length)}`
        : childId;
    for (const map of old.scopeMaps.values()) map.id = follow(map.id);
    for (const token of old.tokens.values())
      Object.assign(token, { id: follow(token.id), scopeMapId: follow(token.scopeMapId) });
    this.removeRegistry(old.id);
    const moved: RegistryRecord = { ...old, id: movedId, subscriptionId, resourceGroup: to.resourceGroup };
    this.registries.set(idKey(movedId), moved);
    return moved;
  }

  /** Looks a registry up for a route; `asParent` gives ARM's nested-resource 404 instead. */
  requireRegistry(subscriptionId: string, resourceGroup: string, name: string, asParent = false): RegistryRecord {
    const r = this.inGroup(this.registries, subscriptionId, resourceGroup, PROVIDERS.registries, name);
    if (!r)
      throw asParent
        ? parentNotFound(PROVIDERS.registries, name)
        : resourceNotFound(PROVIDERS.registries, name, resourceGroup);
    return r;
  }

  /** Tokens of a registry (by id); what tests check after the secret flow or its clean-up. */
  listTokens(registryId: string): TokenRecord[] {
    return [...(this.getRegistry(registryId)?.tokens.values() ?? [])];
  }

  /** True when `password` would sign in as the token: a current password of an enabled token (values are never stored). */
  verifyTokenPassword(registryId: string, tokenName: string, password: string): boolean {
    const token = this.getRegistry(registryId)?.tokens.get(tokenName.toLowerCase());
    return token ? verifyTokenPassword(token, password) : false;
  }

  // ---- role assignments -------------------------------------------------------------------

  /**
   * Adds a custom role definition (acceptable to role assignment creation, served by the
   * roleDefinitions routes). Without permissions it grants nothing. `assignableScopes` default to
   * every subscription; a resource group or resource there makes the role readable only at and
   * below it (404 at its subscription, as in ARM).
   */
  addRoleDefinition(
    guid: string,
    custom: { roleName?: string; permissions?: Partial<RolePermissionBlock>[]; assignableScopes?: string[] } = {},
  ): void {
    const key = guid.toLowerCase();
    this.roleDefinitions.set(key, {
      guid: key,
      roleName: custom.roleName ?? `custom-${key.slice(0, 8)}`,
      type: 'CustomRole',
      description: '',
      permissions: (custom.permissions ?? [{}]).map((p) => ({
        actions: p.actions ?? [],
        notActions: p.notActions ?? [],
        dataActions: p.dataActions ?? [],
        notDataActions: p.notDataActions ?? [],
      })),
      assignableScopes:
        custom.assignableScopes?.map(normalizeScope) ??
        [...this.subscriptions.values()].map((s) => `/subscriptions/${s}`),
    });
  }

  hasRoleDefinition(guid: string): boolean {
    return this.roleDefinitions.has(guid.toLowerCase());
  }

  /** A role definition by GUID (any case). */
  getRoleDefinition(guid: string): RoleDefinitionRecord | undefined {
    return this.roleDefinitions.get(guid.toLowerCase());
  }

  /** Every role definition, built-in first. */
  listRoleDefinitions(): RoleDefinitionRecord[] {
    return [...this.roleDefinitions.values()];
  }

  /**
   * Adds a role assignment as someone other than acrbot would (portal, CLI, Bicep): seeds and
   * tests use it for grants made outside acrbot. The role must exist and be assignable at `scope`
   * (a seed naming a custom role outside its assignable scopes is a mistake, caught here); the
   * name defaults to a new GUID.
   */
  addRoleAssignment(input: {
    scope: string;
    roleDefinitionGuid: string;
    principalId: string;
    principalType?: string;
    name?: string;
    condition?: string;
    createdBy?: string;
  }): RoleAssignmentRecord {
    const role = this.getRoleDefinition(input.roleDefinitionGuid);
    if (!role) throw new Error(`No role definition ${input.roleDefinitionGuid}`);
    const scope = normalizeScope(input.scope);
    if (!assignableAt(role, scope))
      throw new Error(`Role definition ${input.roleDefinitionGuid} is not assignable at ${scope}`);
    const name = input.name ?? randomUUID();
    const now = this.clock.now().toISOString();
    const record: RoleAssignmentRecord = {
      id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
      name,
      scope,
      roleDefinitionId: qualifiedRoleDefinitionId(
        parseScope(scope).subscriptionId,
        input.roleDefinitionGuid.toLowerCase(),
      ),
      principalId: input.principalId,
      principalType: input.principalType ?? this.directory.principalKind(input.principalId) ?? 'ServicePrincipal',
      description: null,
      condition: input.condition ?? null,
      conditionVersion: input.condition ? '2.0' : null,
      createdOn: now,
      updatedOn: now,
      createdBy: input.createdBy ?? null,
      updatedBy: input.createdBy ?? null,
    };
    this.roleAssignments.set(record);
    return record;
  }

  /** Role assignments, optionally only those at or below `scope`. */
  listRoleAssignments(scope?: string): RoleAssignmentRecord[] {
    const all = this.roleAssignments.values();
    return scope === undefined ? all : all.filter((ra) => isAtOrAbove(scope, ra.scope));
  }

  /**
   * Whether `principalId` can pull from the registry through a role assignment at or above it,
   * honouring the registry's role mode (AcrPull does nothing in ABAC mode).
   */
  hasPullAccess(registryId: string, principalId: string): boolean {
    const registry = this.getRegistry(registryId);
    if (!registry) return false;
    const roles: readonly string[] = PULL_ROLES[registry.roleAssignmentMode];
    return this.roleAssignments
      .forPrincipal(principalId)
      .some(
        (ra) => isAtOrAbove(ra.scope, registry.id) && roles.includes(roleDefinitionGuid(ra.roleDefinitionId) ?? ''),
      );
  }

  /**
   * Throws the 404 ARM gives when a scope names a missing subscription, resource group, or a
   * cluster/registry the emulator serves. Scopes of other resource types are accepted as they are.
   */
  requireScopeExists(scope: string): void {
    const p = parseScope(scope);
    if (!p.subscriptionId) return;
    this.requireResourceGroup(p.subscriptionId, p.resourceGroup);
    if (!p.resourceGroup || !p.resourceType || !p.resourceName) return;
    const type = p.resourceType.toLowerCase();
    const id = `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroup}/providers/${p.resourceType}/${p.resourceName}`;
    if (type === PROVIDERS.registries.toLowerCase() && !this.getRegistry(id))
      throw resourceNotFound(PROVIDERS.registries, p.resourceName, p.resourceGroup);
    if (type === PROVIDERS.managedClusters.toLowerCase() && !this.getCluster(id))
      throw resourceNotFound(PROVIDERS.managedClusters, p.resourceName, p.resourceGroup);
  }

  // ---- the caller's rights ----------------------------------------------------------------

  /**
   * Takes `action` (wildcards allowed) away from the caller at `scope` and below. Both the
   * `permissions` answer and enforcement (403 `AuthorizationFailed`) honour it.
   * Example: `denyAction(registryId, 'Microsoft.Authorization/roleAssignments/write')`.
   */
  denyAction(scope: string, action: string): void {
    this.access.denyAction(scope, action);
  }

  /**
   * Takes `action` away at `scope` itself only (the caller's rights are on the resources below
   * it): e.g. a subscription-wide role assignment listing refused while each registry's answers.
   */
  denyActionOnlyAt(scope: string, action: string): void {
    this.access.denyActionOnlyAt(scope, action);
  }

  /** Gives back a right taken by {@link denyAction} or {@link denyActionOnlyAt}. */
  allowAction(scope: string, action: string): void {
    this.access.allowAction(scope, action);
  }

  /**
   * Gives the caller a built-in role (by GUID) at `scope`, beyond what the Bicep gives it:
   * `assignCallerRole(clusterId, BUILT_IN_ROLES.aksClusterAdmin)`.
   */
  assignCallerRole(scope: string, roleDefinitionGuid: string): void {
    this.access.assign(scope, builtInCallerRole(roleDefinitionGuid));
  }

  /**
   * Removes the caller's role assignments at exactly `scope` (only those of `roleName`, when
   * given), as when an operator takes acrbot's rights there away; e.g. the Reader on a registry's
   * resource group: `unassignCaller('/subscriptions/…/resourceGroups/rg-acr', 'Reader')`.
   * Returns how many were removed.
   */
  unassignCaller(scope: string, roleName?: string): number {
    return this.access.unassign(scope, roleName);
  }
}
