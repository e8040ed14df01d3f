/**
 * Builds the plan for a grant: resolve both resources, pick the identity and role, and find
 * out whether the access already exists or the bot cannot assign roles there.
 */
import type { ClusterInfo, RegistryInfo, RoleAssignmentInfo } from '../domain/azure-model';
import { UserFacingError } from '../domain/errors';
import { roleAssignmentName } from '../domain/identifiers';
import { choosePullIdentity } from '../domain/identity';
import { parseClusterRef, parseRegistryRef } from '../domain/names';
import { type GrantPlan, type PlannedIdentity, plannedCluster, plannedRegistry } from '../domain/plan';
import type { DirectoryPort, RoleAssignmentPort } from '../domain/ports';
import { roleDefinitionGuid, scopeCovers } from '../domain/resource-id';
import { pullRoleFor, rolesThatGrantPull, type RoleAssignmentMode } from '../domain/roles';
import type { ResourceResolver } from './resource-resolver';

/** The planner's answer. */
export type GrantPlanResult =
  { status: 'planned'; plan: GrantPlan } | { status: 'alreadyGranted'; plan: GrantPlan; existing: RoleAssignmentInfo };

/** The sentence users see when the bot itself may not write role assignments on a registry. */
export function missingRoleWriteMessage(registryName: string, registryId: string): string {
  return `acrbot's own identity is not allowed to create role assignments (Microsoft.Authorization/roleAssignments/write) on registry ${registryName}. Ask an Owner of the registry to give acrbot's identity the Role Based Access Control Administrator role (limited to AcrPull and Container Registry Repository Reader) or User Access Administrator on ${registryId}, then try again.`;
}

/** Plans grants. */
export class GrantPlanner {
  constructor(
    private readonly resolver: ResourceResolver,
    private readonly roleAssignments: RoleAssignmentPort,
    private readonly directory: DirectoryPort,
  ) {}

  /** Validates the names (before any Azure call) and resolves both resources, without planning. */
  async resolve(clusterText: string, registryText: string): Promise<{ cluster: ClusterInfo; registry: RegistryInfo }> {
    // Both names are parsed before either lookup starts: a bad registry name thrown while the
    // cluster lookup runs would leave that lookup's rejection unhandled (and end the process).
    const clusterRef = parseClusterRef(clusterText);
    const registryRef = parseRegistryRef(registryText);
    const [cluster, registry] = await Promise.all([
      this.resolver.resolveCluster(clusterRef),
      this.resolver.resolveRegistry(registryRef),
    ]);
    return { cluster, registry };
  }

  /** Validates the names (before any Azure call), resolves, and plans. */
  async plan(clusterText: string, registryText: string): Promise<GrantPlanResult> {
    const clusterRef = parseClusterRef(clusterText);
    const registryRef = parseRegistryRef(registryText);
    const [cluster, registry] = await Promise.all([
      this.resolver.resolveCluster(clusterRef),
      this.resolver.resolveRegistry(registryRef),
    ]);
    const identity = await this.resolveIdentity(cluster);
    const plan = buildGrantPlan(cluster, registry, identity);
    // Existing access first: a re-run on a granted pair then costs three reads and no permission check.
    const existing = await this.findExisting(plan.scope, identity.objectId, registry.roleAssignmentMode);
    if (existing) return { status: 'alreadyGranted', plan, existing };
    const allowed = await this.roleAssignments.canAssignRoles(plan.scope);
    if (!allowed)
      throw new UserFacingError('bot.cannotAssignRoles', missingRoleWriteMessage(registry.name, registry.id));
    return { status: 'planned', plan };
  }

  /** Kubelet identity directly; a service principal's app id through Graph. */
  async resolveIdentity(cluster: ClusterInfo): Promise<PlannedIdentity> {
    const chosen = choosePullIdentity(cluster);
    if (chosen.kind === 'kubelet')
      return { kind: 'kubelet', objectId: chosen.objectId, description: chosen.description };
    const objectId = await this.directory.servicePrincipalObjectId(chosen.appId);
    if (!objectId) {
      throw new UserFacingError(
        'cluster.servicePrincipalNotFound',
        `Cluster ${cluster.name} uses service principal ${chosen.appId}, but Microsoft Graph has no service principal with that app id; the cluster's credentials may have been deleted — rotate them (az aks update-credentials) or use the secret command.`,
      );
    }
    return { kind: 'servicePrincipal', objectId, appId: chosen.appId, description: chosen.description };
  }

  /**
   * An assignment that already lets the principal pull, at the registry or above. One with a
   * condition (an ABAC repository limit) lets it pull only some repositories: not the access a
   * grant gives, so it does not count (the inventory shows it as conditional).
   */
  async findExisting(
    scope: string,
    principalId: string,
    mode: RoleAssignmentMode,
  ): Promise<RoleAssignmentInfo | undefined> {
    const roles = rolesThatGrantPull(mode);
    const assignments = await this.roleAssignments.listForPrincipal(scope, principalId);
    return assignments.find(
      (a) =>
        a.principalId.toLowerCase() === principalId.toLowerCase() &&
        !a.condition &&
        scopeCovers(a.scope, scope) &&
        roles.includes(roleDefinitionGuid(a.roleDefinitionId)),
    );
  }
}

/** Pure: the plan from resolved facts. */
export function buildGrantPlan(cluster: ClusterInfo, registry: RegistryInfo, identity: PlannedIdentity): GrantPlan {
  const role = pullRoleFor(registry.roleAssignmentMode);
  const scope = registry.id;
  const name = roleAssignmentName(scope, identity.objectId, role.id);
  return {
    kind: 'grant',
    cluster: plannedCluster(cluster),
    registry: plannedRegistry(registry),
    identity,
    role,
    scope,
    roleAssignmentName: name,
    operations: [
      `Re-read cluster ${cluster.name} and registry ${registry.name} to check nothing changed`,
      `Create role assignment ${name}: ${role.name} for service principal ${identity.objectId} on registry ${registry.name}`,
    ],
  };
}
