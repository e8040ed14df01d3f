/**
 * Carries out an approved grant: re-check the plan, wait out a revocation of the same role
 * assignment (access-lease.ts), then one PUT of the role assignment with a deterministic name.
 * Nothing is ever written to the cluster resource.
 */
import { UserFacingError } from '../domain/errors';
import type { GrantPlan } from '../domain/plan';
import type { AzureResourceReader, RoleAssignmentPort } from '../domain/ports';
import { CloudApiError } from '../domain/ports';
import type { AccessRequest, Outcome } from '../domain/request';
import type { RoleAssignmentMode } from '../domain/roles';
import { type AccessLeases, noRevocationRunning } from './access-lease';
import { assignRole, realSleep, type Sleep } from './assign-role';
import type { PlanRunner, RunContext } from './executor';
import type { GrantPlanner } from './grant-planner';
import { missingRoleWriteMessage } from './grant-planner';

/** Runs grant plans. */
export class GrantRunner implements PlanRunner {
  constructor(
    private readonly azure: AzureResourceReader,
    private readonly roleAssignments: RoleAssignmentPort,
    private readonly planner: GrantPlanner,
    private readonly retryDelaysMs: readonly number[],
    private readonly sleep: Sleep = realSleep,
    /** Where revocations hold the access lease (none: a single process without revocations). */
    private readonly leases?: AccessLeases,
  ) {}

  async run(request: AccessRequest, ctx: RunContext): Promise<Outcome> {
    const plan = request.plan as GrantPlan;
    await this.recheck(plan);
    // Recorded before the PUT (G15): the deterministic name is acrbot's, so a resumed run that
    // finds "already exists" still knows the assignment is its own and expiry removes it (G17).
    await ctx.recordCreated({
      kind: 'roleAssignment',
      id: `${plan.scope}/providers/Microsoft.Authorization/roleAssignments/${plan.roleAssignmentName}`,
      name: plan.roleAssignmentName,
    });
    // Another request's revocation may be deleting this very assignment (overlapping grants):
    // "already assigned" must not come from an assignment that is about to go.
    if (this.leases) await noRevocationRunning(this.leases, request);
    try {
      const result = await assignRole(
        this.roleAssignments,
        {
          scope: plan.scope,
          name: plan.roleAssignmentName,
          roleDefinitionGuid: plan.role.id,
          principalId: plan.identity.objectId,
          subscriptionId: plan.registry.subscriptionId,
        },
        { delaysMs: this.retryDelaysMs, sleep: this.sleep },
        ctx,
      );
      if (result.alreadyExisted) {
        // Azure answers RoleAssignmentExists for the same role, principal and scope also when
        // that assignment has a condition (an ABAC limit to some repositories): the cluster then
        // pulls only those, which is not what was granted.
        const pulls = await this.planner.findExisting(
          plan.scope,
          plan.identity.objectId,
          plan.registry.roleAssignmentMode as RoleAssignmentMode,
        );
        if (!pulls)
          throw new UserFacingError(
            'grant.conditionalExists',
            `${plan.identity.objectId} already has ${plan.role.name} on ${plan.registry.name} through an assignment with a condition (a limit to some repositories), made outside acrbot; Azure keeps one assignment of a role per identity and registry, so acrbot cannot add one without that limit. Nothing was changed. Remove or widen that assignment in Azure, then ask again.`,
          );
        return {
          summary: `${plan.role.name} on ${plan.registry.name} was already assigned to ${plan.identity.objectId}; nothing needed to change.`,
          azureRequestIds: result.requestIds,
          alreadyPresent: true,
        };
      }
      return {
        summary: `Granted ${plan.role.name} on ${plan.registry.name} to ${plan.identity.description} ${plan.identity.objectId} of cluster ${plan.cluster.name}.`,
        azureRequestIds: result.requestIds,
        createdIds: result.id ? [result.id] : [],
      };
    } catch (err) {
      if (!(err instanceof CloudApiError)) throw err;
      // The card says it in a sentence (and the executor does not log user-facing errors): the
      // code, status and Azure request id behind it reach operators only through this line.
      ctx.log.error({ err, code: err.code }, 'grant failed in Azure');
      throw explainWriteFailure(err, plan);
    }
  }

  /** Resources still there and unchanged: same identity, same registry mode. */
  private async recheck(plan: GrantPlan): Promise<void> {
    const [cluster, registry] = await Promise.all([
      this.azure.getCluster(plan.cluster.subscriptionId, plan.cluster.resourceGroup, plan.cluster.name),
      this.azure.getRegistry(plan.registry.subscriptionId, plan.registry.resourceGroup, plan.registry.name),
    ]);
    if (!cluster)
      throw new UserFacingError(
        'recheck.clusterGone',
        `Cluster ${plan.cluster.name} no longer exists, so nothing was granted.`,
      );
    if (!registry)
      throw new UserFacingError(
        'recheck.registryGone',
        `Registry ${plan.registry.name} no longer exists, so nothing was granted.`,
      );
    if (registry.roleAssignmentMode !== plan.registry.roleAssignmentMode) {
      throw new UserFacingError(
        'recheck.registryChanged',
        `Registry ${plan.registry.name} switched its permission mode to ${registry.roleAssignmentMode} since the plan was made, so nothing was granted; make a new request.`,
      );
    }
    const identity = await this.planner.resolveIdentity(cluster);
    if (identity.objectId.toLowerCase() !== plan.identity.objectId.toLowerCase()) {
      throw new UserFacingError(
        'recheck.identityChanged',
        `Cluster ${plan.cluster.name} now pulls with a different identity (${identity.objectId}) than the approved plan, so nothing was granted; make a new request.`,
      );
    }
  }
}

/** One plain sentence with the fix for a failed role assignment PUT, by error code (never by message text). */
function explainWriteFailure(err: CloudApiError, plan: GrantPlan): UserFacingError {
  switch (err.code) {
    case 'AuthorizationFailed':
      return new UserFacingError(
        'bot.cannotAssignRoles',
        missingRoleWriteMessage(plan.registry.name, plan.registry.id),
      );
    case 'PrincipalNotFound':
      return new UserFacingError(
        'azure.principalNotFound',
        `Azure still does not know identity ${plan.identity.objectId} after retrying for about two minutes (directory replication); approve a new request in a few minutes.`,
      );
    case 'RoleAssignmentUpdateNotPermitted':
      return new UserFacingError(
        'azure.assignmentConflict',
        `A different role assignment already uses the name ${plan.roleAssignmentName} on registry ${plan.registry.name}; ask the platform team to check the registry's role assignments.`,
      );
    default:
      return new UserFacingError(
        'azure.writeFailed',
        `Azure refused the role assignment (${err.code}${err.statusCode ? `, HTTP ${err.statusCode}` : ''}); the platform team can look it up with Azure request id ${err.requestId ?? 'unknown'}.`,
      );
  }
}
