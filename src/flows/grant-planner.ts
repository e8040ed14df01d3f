/**
 * Builds the plan for a grant: resolve both resources, pick the identity and role, and find
 * out whether the access already exists, is blocked by an assignment with a condition, or the
 * bot cannot assign roles there.
 */
import { scopeLevelOf } from '../domain/access-inventory';
import type { ClusterInfo, RegistryInfo, RoleAssignmentInfo } from '../domain/azure-model';
import { UserFacingError } from '../domain/errors';
import { RECHECK_REGISTRY_DELETING } from '../domain/new-request-codes';
import { roleAssignmentName } from '../domain/identifiers';
import { choosePullIdentity } from '../domain/identity';
import { clustersPullingAs } from '../domain/pull-identity-index';
import { madeAfterAccessEnded } from '../domain/made-after-access-ended';
import { parseClusterRef, parseRegistryRef } from '../domain/names';
import { identityWords } from '../domain/pulls-through';
import {
  clusterStoppedWhenPlanned,
  type GrantPlan,
  isPlannedTuple,
  type PlannedAsTyped,
  type PlannedIdentity,
  plannedCluster,
  plannedRegistry,
  SHARING_CLUSTERS_RECORDED,
  type SharedIdentity,
} from '../domain/plan';
import {
  CloudApiError,
  type DirectoryPort,
  type RoleAssignmentListing,
  type RoleAssignmentPort,
  type RequestStore,
} from '../domain/ports';
import type { AccessRequest } from '../domain/request';
import type { Logger } from '../observability/logger';
import { roleCarriesPull } from '../domain/pull-permission';
import { roleDefinitionGuid, scopeCovers } from '../domain/resource-id';
import { pullRoleFor, rolesThatGrantPull, type RoleAssignmentMode } from '../domain/roles';
import { typedCluster, typedPair, type TypeableResource, type TypedAs } from '../domain/typed-names';
import { armCode } from './azure-failure-text';
import type { ClusterListings, ResourceResolver } from './resource-resolver';
import { withPlanningDeadline } from './planning-deadline';
import { definitionScopes, RoleDefinitions } from './role-definitions';

/** The planner's answer. */
export type GrantPlanResult =
  | { status: 'planned'; plan: GrantPlan }
  | {
      status: 'alreadyGranted';
      plan: GrantPlan;
      existing: RoleAssignmentInfo;
      /** The existing assignment's role by name, when its definition was read (Contributor, a custom role…). */
      existingRoleName?: string;
    };

/**
 * The sentence users see when the bot itself may not write role assignments on a registry. The
 * right it needs is the one docs/deploy.md gives it (infra/modules/registry-access.bicep): Role
 * Based Access Control Administrator with a condition, never Owner or User Access Administrator.
 */
export function missingRoleWriteMessage(registryName: string, registryId: string): string {
  return `acrbot's own identity is not allowed to create role assignments (Microsoft.Authorization/roleAssignments/write) on registry ${registryName}. Ask an Owner of the registry to add it to managedRegistries and redeploy, or to give acrbot's identity the Role Based Access Control Administrator role on ${registryId} with the condition in docs/deploy.md (it may then assign only AcrPull and Container Registry Repository Reader, only to service principals); not Owner or User Access Administrator. Then try again.`;
}

/**
 * The role assignment reads planning needs beside {@link RoleAssignmentPort}: the principal's
 * assignments at, above or below a scope including those held through groups (`assignedTo()` on
 * the registry, where the bot has Reader), and role definitions.
 */
export interface PlanningReads extends Pick<RoleAssignmentListing, 'getRoleDefinition'> {
  listAssignedToAt(scope: string, objectId: string): Promise<RoleAssignmentInfo[]>;
}

/** What the principal already holds on the registry (see {@link GrantPlanner.existingAccess}). */
export interface ExistingAccess {
  /** An assignment without a condition that lets it pull from the registry. */
  pulls?: RoleAssignmentInfo;
  /** The name of that assignment's role. */
  pullsRoleName?: string;
  /** Its own assignment of the planned role at exactly the planned scope, with a condition. */
  conditioned?: RoleAssignmentInfo;
}

/**
 * The sentence users see when the planned assignment already exists with a condition. When it
 * carries the name acrbot gives this pair's assignment (deterministic, identifiers.ts), it is
 * acrbot's own grant limited from outside (`check` names its request and says the same fix),
 * not an assignment "made outside acrbot": the next step is the registry's owners lifting the
 * condition, after which a new grant overlaps that assignment (a drifted grant is not extended).
 */
export function conditionalExistsMessage(
  plan: GrantPlan,
  assignmentId: string | undefined,
  outcome = 'no request was made',
): string {
  const id = assignmentId ? `: ${assignmentId}` : '';
  const own = assignmentId?.split('/').pop()?.toLowerCase() === plan.roleAssignmentName.toLowerCase();
  const held = `${plan.identity.objectId} already has ${plan.role.name} on ${plan.registry.name}`;
  const noSecond = `Azure keeps one assignment of a role per identity and registry, so acrbot cannot add one without that limit, and ${outcome}.`;
  if (own)
    return `${held} through acrbot's own assignment for this pair${id}, and a condition (a limit to some repositories) was set on it outside acrbot. ${noSecond} Ask the registry's owners to remove or widen that condition, then ask again; @acrbot check ${typedPair(plan)} names the acrbot request it belongs to.`;
  return `${held} through an assignment with a condition (a limit to some repositories), made outside acrbot${id}. ${noSecond} Remove or widen that assignment in Azure, then ask again.`;
}

/**
 * The sentence for a cluster that pulls with a service principal Microsoft Graph refused to look
 * up (403, `Authorization_RequestDenied`): acrbot's identity lacks `Application.Read.All`, the
 * permission docs/deploy.md lists for service-principal clusters, so the object id a role would
 * be assigned to is unknown. A pull secret (`--kind token`, the default) needs no lookup. Graph's
 * code is quoted only when shaped like one (a proxy's 403 carries its own text). The secret
 * command names the cluster as `clusterAs` says a command may (typed-names.ts), else by id.
 */
export function servicePrincipalUnreadableMessage(
  cluster: TypeableResource,
  appId: string,
  code: unknown,
  clusterAs?: TypedAs['cluster'],
): string {
  const answered = armCode(code) === code ? ` ${code}` : '';
  return `Cluster ${cluster.name} pulls with service principal ${appId}, and Microsoft Graph refused to look it up (HTTP 403${answered}): acrbot's identity lacks the Microsoft Graph application permission Application.Read.All, which it needs to find that service principal's object id and assign it a role. Ask the platform team to grant it (docs/deploy.md, Microsoft Graph application permissions), or use a pull secret, which needs no lookup: "@acrbot secret ${typedCluster(cluster, clusterAs)} REGISTRY --namespace NAMESPACE REASON…" (--kind token, the default).`;
}

/**
 * Refusal for a registry ARM is deleting (`provisioningState` Deleting): a role assignment or a
 * token made on it now would be said granted and then go with it (or be left behind, an
 * assignment on a scope that no longer exists), so none is asked for or written. Refused when
 * planned (nothing is stored, no approver is asked) and again by the runs before their first
 * write (`notDone`: what the run did not do; the code is then a `recheck.*` one, as the grant's
 * other re-checks). Only Deleting: the other states (Creating, Updating, Failed, Canceled) are
 * those of the registry's last control-plane operation; a failed or canceled update leaves a
 * registry that serves pulls, and a write it cannot take is answered by ARM and said so.
 */
export function registryDeletingRefusal(registry: { name: string }, notDone?: string): UserFacingError {
  if (notDone === undefined)
    return new UserFacingError(
      'registry.deleting',
      `Registry ${registry.name} is being deleted (provisioningState Deleting); nothing was requested, since any access to it goes with it. If it is being recreated, ask again once it exists.`,
    );
  return new UserFacingError(
    RECHECK_REGISTRY_DELETING,
    `Registry ${registry.name} is being deleted (provisioningState Deleting; this began after the request was planned), so ${notDone}. If it is being recreated, ask for it again once it exists (the new request needs approving again).`,
  );
}

/** Plans grants. */
export class GrantPlanner {
  /** Built-in role definitions are read once per process (one planner per process). */
  private readonly definitions: RoleDefinitions;

  constructor(
    private readonly resolver: ResourceResolver,
    private readonly roleAssignments: RoleAssignmentPort & PlanningReads,
    private readonly directory: DirectoryPort,
    /**
     * Where a fault of the look for clusters sharing the identity is logged when the plan fails
     * before that look is awaited (its rejection is then not the caller's to see), and what a
     * plan past its deadline came to. Without it, those go unseen.
     */
    private readonly log?: Pick<Logger, 'warn'>,
  ) {
    this.definitions = new RoleDefinitions((s, guid) => roleAssignments.getRoleDefinition(s, guid));
  }

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

  /**
   * Validates the names (before any Azure call), resolves, and plans, within the planning
   * deadline (planning-deadline.ts): past it, fails with `PlanningTimeoutError` and drops what
   * the reads still under way answer later (logged here).
   */
  plan(clusterText: string, registryText: string): Promise<GrantPlanResult> {
    return withPlanningDeadline(() => this.planUnbounded(clusterText, registryText), {
      what: 'grant',
      onLate: (late) =>
        this.log?.warn(
          'error' in late ? { err: late.error } : { lateStatus: (late.value as GrantPlanResult).status },
          'a grant plan ended after the planning deadline; dropped (the requester was told it failed)',
        ),
    });
  }

  private async planUnbounded(clusterText: string, registryText: string): Promise<GrantPlanResult> {
    const clusterRef = parseClusterRef(clusterText);
    const registryRef = parseRegistryRef(registryText);
    // This plan's cluster listings: a cluster found by name was found in them, and the look for
    // the clusters sharing its identity reads the same ones rather than listing them all again.
    const listings: ClusterListings = new Map();
    const [cluster, registry] = await Promise.all([
      this.resolver.resolveCluster(clusterRef, listings),
      this.resolver.resolveRegistry(registryRef),
    ]);
    // Before Graph or any listing: nothing about a registry being deleted is worth a request.
    if (registry.provisioningState === 'Deleting') throw registryDeletingRefusal(registry);
    // As typed, since they resolved to these: hints about this plan name them so (plan.ts `typed`).
    const typed: PlannedAsTyped = { cluster: clusterRef.kind, registry: registryRef.kind };
    const identity = await this.resolveIdentity(cluster, typed.cluster);
    // Listed while the registry is read; an overlap of an existing grant (alreadyGranted) files a
    // request on this plan too, so both answers carry it. Handled at once so a refusal below
    // leaves no rejection unhandled (it rejects only on a fault: failed listings are recorded).
    // The no-op handler only marks it handled while the existing access is read: the rejection
    // is still thrown by `await sharing` below, or logged when the plan fails first.
    const sharing = this.sharedIdentity(cluster, identity, listings);
    sharing.catch(() => undefined);
    const bare = buildGrantPlan(cluster, registry, identity, typed);
    // Existing access first: a re-run on a granted pair then costs three reads (and, the first
    // time, the role's definition) and no permission check.
    const existing = await this.existingAccess(registry, bare).catch((err: unknown) => {
      // The plan fails with this error; the sharing look is not awaited, so a fault of its own
      // (a bug: failed listings are recorded, not thrown) would be lost without this line.
      sharing.catch((fault: unknown) =>
        this.log?.warn(
          { err: fault, clusterId: cluster.id },
          'looking for clusters sharing the identity failed while planning a grant that failed anyway',
        ),
      );
      throw err;
    });
    const shared = await sharing;
    const plan: GrantPlan = shared ? { ...bare, sharedWith: shared } : bare;
    if (existing.pulls)
      return { status: 'alreadyGranted', plan, existing: existing.pulls, existingRoleName: existing.pullsRoleName };
    // The PUT could only answer RoleAssignmentExists: refused before any request or approver.
    if (existing.conditioned)
      throw new UserFacingError('grant.conditionalExists', conditionalExistsMessage(plan, existing.conditioned.id));
    const allowed = await this.roleAssignments.canAssignRoles(plan.scope);
    if (!allowed)
      throw new UserFacingError('bot.cannotAssignRoles', missingRoleWriteMessage(registry.name, registry.id));
    return { status: 'planned', plan };
  }

  /**
   * The other clusters in the allowed subscriptions that pull with `identity` (identity.ts `pullsAs`):
   * a role assignment is named from scope, principal and role, so a grant for one of them is the
   * very assignment each of the others would get, and gives them pull too. One cluster listing per
   * subscription (no Graph: a service principal is matched by its app id). A subscription whose
   * listing fails is recorded as unchecked rather than failing the grant, and the card says so.
   * Undefined when none shares it and every subscription was listed (the plan stays as before).
   * Asked again for an extension of a grant (access-actions.ts): clusters may have started pulling
   * with the identity since, and plans stored before this was recorded have none. `listings`: those
   * the same plan made to resolve the cluster, reused (a failed one stays unchecked, not asked again).
   */
  async sharedIdentity(
    cluster: Pick<ClusterInfo, 'id'>,
    identity: PlannedIdentity,
    listings?: ClusterListings,
  ): Promise<SharedIdentity | undefined> {
    const { clusters, unlisted } = await this.resolver.listAllClusters(listings);
    const self = cluster.id.toLowerCase();
    // Indexed once per listing (every plan within SHARING_LISTING_TTL_MS reads the same), not scanned per plan.
    const sharing = clustersPullingAs(clusters, identity).filter((c) => c.id.toLowerCase() !== self);
    if (sharing.length === 0 && unlisted.length === 0) return undefined;
    return {
      clusters: sharing.slice(0, SHARING_CLUSTERS_RECORDED).map(plannedCluster),
      more: Math.max(0, sharing.length - SHARING_CLUSTERS_RECORDED),
      unchecked: unlisted,
    };
  }

  /**
   * Kubelet identity directly; a service principal's app id through Graph. Graph refusing that
   * lookup (403: no `Application.Read.All`) is said as such ({@link servicePrincipalUnreadableMessage});
   * any other failure of it is thrown as it came (unexpected, logged with its ids). `clusterAs`:
   * how a command may name the cluster (the requester's form), for that sentence's secret command.
   */
  async resolveIdentity(cluster: ClusterInfo, clusterAs?: TypedAs['cluster']): Promise<PlannedIdentity> {
    const chosen = choosePullIdentity(cluster);
    if (chosen.kind === 'kubelet')
      return { kind: 'kubelet', objectId: chosen.objectId, description: chosen.description };
    const objectId = await this.directory.servicePrincipalObjectId(chosen.appId).catch((err: unknown) => {
      if (err instanceof CloudApiError && err.statusCode === 403)
        throw new UserFacingError(
          'cluster.servicePrincipalUnreadable',
          servicePrincipalUnreadableMessage(cluster, chosen.appId, err.code, clusterAs),
          { cause: err },
        );
      throw err;
    });
    if (!objectId) {
      throw new UserFacingError(
        'cluster.servicePrincipalNotFound',
        `Cluster ${cluster.name} uses service principal ${chosen.appId}, but Microsoft Graph has no service principal with that app id; the cluster's credentials may have been deleted — rotate them (az aks update-credentials) or use the secret command.`,
      );
    }
    return { kind: 'servicePrincipal', objectId, appId: chosen.appId, description: chosen.description };
  }

  /**
   * What the planned identity already holds on the registry, judged as `check` judges it (the
   * access inventory: `scopeLevelOf`, `roleCarriesPull` on the role's definition):
   * - `pulls`: an assignment, direct or through a group, at the registry, its resource group,
   *   subscription or a management group above, whose role carries pull in the registry's mode
   *   (AcrPull, AcrPush, Owner, Contributor, custom roles; Repository Reader and the like in ABAC
   *   mode). One with a condition (an ABAC repository limit) lets it pull only some repositories:
   *   not the access a grant gives, so it does not count.
   * - `conditioned`: its own assignment of the planned role at exactly the planned scope, with a
   *   condition. Azure keeps one assignment per role, principal and scope, so the grant's PUT
   *   could only answer RoleAssignmentExists.
   *
   * ARM cost: one `assignedTo()` list on the registry (as before: one list), plus one role
   * definition GET per distinct role among the unconditioned assignments covering the registry
   * that was not read before (built-in roles once per process, custom roles on every plan); none
   * when there is no such assignment.
   */
  async existingAccess(registry: RegistryInfo, plan: GrantPlan): Promise<ExistingAccess> {
    const { listed: assignments, pulling } = await pullingAssignmentsAt(
      this.roleAssignments,
      this.definitions,
      registry,
      plan.identity.objectId,
    );
    const first = pulling[0];
    if (first) return { pulls: first.assignment, pullsRoleName: first.roleName };
    const planned = isPlannedTuple(plan);
    const conditioned = assignments.find((a) => Boolean(a.condition) && planned(a));
    return { conditioned };
  }

  /**
   * After a PUT answered RoleAssignmentExists (grant-runner.ts): whether an assignment without a
   * condition of a pull role acrbot grants (or AcrPush) lets the principal pull, at the registry
   * or above. None means the one Azure found has a condition (a limit to some repositories).
   * Planning judges existing access more widely ({@link existingAccess}).
   */
  async findExisting(
    scope: string,
    principalId: string,
    mode: RoleAssignmentMode,
  ): Promise<{ pulls?: RoleAssignmentInfo; conditioned?: RoleAssignmentInfo }> {
    return directPullAssignments(this.roleAssignments, scope, principalId, mode);
  }
}

/**
 * The principal's own assignments at or above `scope` (one `listForPrincipal` list, no role
 * definition read): `pulls`, one without a condition of a pull role acrbot grants (or AcrPush)
 * covering the scope (`pulling`: every such one); `conditioned`, the planned role at exactly the
 * scope with a condition. Used
 * after a PUT answered RoleAssignmentExists ({@link GrantPlanner.findExisting}), and by a pull
 * secret's plan to say its cluster's kubelet already pulls (secret-planner.ts): one ARM read.
 */
export async function directPullAssignments(
  reads: Pick<RoleAssignmentPort, 'listForPrincipal'>,
  scope: string,
  principalId: string,
  mode: RoleAssignmentMode,
): Promise<{ pulls?: RoleAssignmentInfo; pulling: RoleAssignmentInfo[]; conditioned?: RoleAssignmentInfo }> {
  const roles = rolesThatGrantPull(mode);
  const planned = pullRoleFor(mode).id;
  const own = (await reads.listForPrincipal(scope, principalId)).filter(
    (a) => a.principalId.toLowerCase() === principalId.toLowerCase(),
  );
  const pulling = own.filter(
    (a) => !a.condition && scopeCovers(a.scope, scope) && roles.includes(roleDefinitionGuid(a.roleDefinitionId)),
  );
  return {
    pulls: pulling[0],
    pulling,
    // The one Azure found instead: the planned role at exactly the scope, with a condition.
    conditioned: own.find(
      (a) =>
        Boolean(a.condition) &&
        a.scope.toLowerCase().replace(/\/+$/, '') === scope.toLowerCase() &&
        roleDefinitionGuid(a.roleDefinitionId) === planned.toLowerCase(),
    ),
  };
}

/** An assignment that lets a principal pull from a registry (in `limited`: some repositories), and its role's name. */
export interface PullingAssignment {
  assignment: RoleAssignmentInfo;
  /** As ARM names it: only assignments whose role definition was read are judged, and listed. */
  roleName: string;
}

/**
 * The principal's role assignments listed on the registry (`listed`: one `assignedTo()` list,
 * through groups too), and those of them without a condition, at the registry or a scope above
 * it, whose role carries pull in the registry's mode (`pulling`, in listing order), judged as
 * `check` judges them. Used by planning ({@link GrantPlanner.existingAccess}) and by a grant's
 * end (outside-pull.ts), so both read the same access the same way. With `options.limited`
 * (the end), also those with a condition that are otherwise the same (`limited`): `check` counts
 * them as pulling some repositories, so an end that left one says so; planning does not ask,
 * since partial access is not the access a grant gives (and its cost stays as it was). Each role
 * is read at the registry first: acrbot has Reader there and nowhere above it (docs/deploy.md),
 * and every role assignable above the registry is known at the registry. ARM cost: the list,
 * plus one role definition GET per distinct role among the covering assignments judged that
 * `definitions` has not cached (built-in roles once per `definitions`).
 */
export async function pullingAssignmentsAt(
  reads: PlanningReads,
  definitions: RoleDefinitions,
  registry: Pick<RegistryInfo, 'id' | 'subscriptionId' | 'resourceGroup' | 'roleAssignmentMode'>,
  objectId: string,
  options: { limited?: boolean } = {},
): Promise<{ listed: RoleAssignmentInfo[]; pulling: PullingAssignment[]; limited: PullingAssignment[] }> {
  const listed = await reads.listAssignedToAt(registry.id, objectId);
  // Listed on the registry: anything above it that ARM returns (a management group too) covers it.
  const covers = (a: RoleAssignmentInfo) => scopeLevelOf(a.scope, registry) !== undefined;
  const covering = listed.filter((a) => !a.condition && covers(a));
  const conditioned = options.limited ? listed.filter((a) => Boolean(a.condition) && covers(a)) : [];
  if (covering.length === 0 && conditioned.length === 0) return { listed, pulling: [], limited: [] };
  const roles = await definitions.of([...covering, ...conditioned], (a) =>
    definitionScopes(a, registry.subscriptionId, registry.id),
  );
  const carrying = (assignments: readonly RoleAssignmentInfo[]): PullingAssignment[] => {
    const out: PullingAssignment[] = [];
    for (const assignment of assignments) {
      const role = roles.get(roleDefinitionGuid(assignment.roleDefinitionId));
      if (role !== undefined && roleCarriesPull(role, registry.roleAssignmentMode))
        out.push({ assignment, roleName: role.roleName });
    }
    return out;
  };
  return { listed, pulling: carrying(covering), limited: carrying(conditioned) };
}

/** How many of a registry's ended requests {@link endedGrantsBehind} reads. */
const ENDED_LISTED = 1000;

/**
 * The ended acrbot grants (revoked, or ended at their term) whose own records say they created
 * exactly `existing` (G15: its id in their `created` list, under this pair's deterministic name),
 * for the "access already exists" answer when no active grant holds it: the assignment was left
 * behind (an orphan watch that ended, a revocation that kept it), and the requester is told so
 * and how to have it removed rather than only "no request was created". Empty when the name is
 * not acrbot's for this pair or no record proves it; a hint, never acted on. A grant whose access
 * ended before Azure made `existing` ({@link madeAfterAccessEnded}) did not leave it: the id is
 * the same, the assignment is someone else's made since.
 */
export async function endedGrantsBehind(
  store: Pick<RequestStore, 'listByRegistry'>,
  plan: GrantPlan,
  existing: RoleAssignmentInfo,
): Promise<AccessRequest[]> {
  if (existing.name.toLowerCase() !== plan.roleAssignmentName.toLowerCase()) return [];
  const id = existing.id.toLowerCase();
  const ended = await store.listByRegistry(plan.registry.id, ['revoked'], ENDED_LISTED);
  return ended.filter(
    (r) =>
      r.plan.kind === 'grant' &&
      r.plan.roleAssignmentName.toLowerCase() === plan.roleAssignmentName.toLowerCase() &&
      !r.outcome?.alreadyPresent &&
      (r.created ?? []).some((c) => c.kind === 'roleAssignment' && c.id?.toLowerCase() === id) &&
      !madeAfterAccessEnded(existing, r),
  );
}

/**
 * Pure: the plan from resolved facts. `typed`: how the requester named the cluster and registry
 * that resolved to these (plan.ts `typed`); without it, the plan's hints name them by id.
 */
export function buildGrantPlan(
  cluster: ClusterInfo,
  registry: RegistryInfo,
  identity: PlannedIdentity,
  typed?: PlannedAsTyped,
): GrantPlan {
  const role = pullRoleFor(registry.roleAssignmentMode);
  const scope = registry.id;
  const name = roleAssignmentName(scope, identity.objectId, role.id);
  // Read with the cluster already: a stopped cluster takes the grant, but pulls nothing yet.
  const clusterStopped = clusterStoppedWhenPlanned(cluster);
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
      `Create role assignment ${name}: ${role.name} for ${identityWords(identity)} on registry ${registry.name}`,
    ],
    ...(typed && { typed }),
    ...(clusterStopped && { clusterStopped }),
  };
}
