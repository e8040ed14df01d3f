/**
 * Carries out an approved grant: re-check the plan, wait out a revocation of the same role
 * assignment (access-lease.ts), then one PUT of the role assignment with a deterministic name,
 * read back by that name when its answer was lost (a 5xx or timeout after Azure applied it).
 * Nothing is ever written to the cluster resource.
 */
import { isRefusalStatus } from '../domain/azure-answer-class';
import { isSubscriptionNotFound, isUserFacing, UserFacingError } from '../domain/errors';
import {
  RECHECK_IDENTITY_CHANGED,
  RECHECK_REGISTRY_CHANGED,
  RECHECK_SUBSCRIPTION_UNSERVED,
  recheckGone,
  recheckUnreadable,
} from '../domain/new-request-codes';
import { currentCorrelationId } from '../observability/correlation';
import type { RoleAssignmentInfo } from '../domain/azure-model';
import { type GrantPlan, plannedAssignmentId } from '../domain/plan';
import type { AzureResourceReader, RoleAssignmentPort } from '../domain/ports';
import { CloudApiError, LeaseLostError } from '../domain/ports';
import type { AccessRequest, Outcome } from '../domain/request';
import type { RoleAssignmentMode } from '../domain/roles';
import { typedPair } from '../domain/typed-names';
import { notAtRecordedId } from '../domain/not-at-recorded-id';
import { planOutsideSubscriptions, unservedClause } from '../domain/served-subscriptions';
import { sharingWords } from '../domain/audit-request-words';
import { type AccessLeases, noRevocationRunning } from './access-lease';
import { assignRole, realSleep, type Sleep } from './assign-role';
import { RunInterrupted, type PlanRunner, type RunContext } from './executor';
import type { GrantPlanner } from './grant-planner';
import { conditionalExistsMessage, missingRoleWriteMessage, registryDeletingRefusal } from './grant-planner';
import {
  armCode,
  azureAnswered,
  azureLookupIds,
  linkedAuthorizationSentence,
  roleAssignmentLimitSentence,
  subscriptionGoneClause,
} from './azure-failure-text';

// Defined beside the run limits, which the executor reads without importing a runner.
import { UNCONFIRMED_GRANT } from './run-resumption';
export { UNCONFIRMED_GRANT };

/**
 * Waits before reading the principal's assignments again when a PUT answered RoleAssignmentExists
 * and the listing showed no such assignment (not replicated to the replica that answered yet).
 */
const READ_AGAIN_DELAYS_MS: readonly number[] = [2_000, 5_000];

/**
 * The check a grant's plan must pass before anything about it goes to Azure: the cluster and the
 * registry still there, the cluster still pulling with the planned identity, the registry in the
 * planned role assignment mode. An extension runs it too (extension-runner.ts): it prolongs the
 * access of the planned identity, which must still be the cluster's.
 */
export interface GrantRecheck {
  /**
   * Throws a `recheck.*` {@link UserFacingError} when the plan no longer holds; writes nothing.
   * `notDone` says what did not happen, in the sentence ("nothing was granted" for a grant).
   */
  recheck(plan: GrantPlan, notDone?: string): Promise<void>;
}

/** Runs grant plans. */
export class GrantRunner implements PlanRunner, GrantRecheck {
  constructor(
    private readonly azure: AzureResourceReader,
    private readonly roleAssignments: RoleAssignmentPort,
    private readonly planner: GrantPlanner,
    private readonly retryDelaysMs: readonly number[],
    private readonly sleep: Sleep = realSleep,
    /** Where revocations hold the access lease (none: a single process without revocations). */
    private readonly leases?: AccessLeases,
    /**
     * The subscriptions served now (ACRBOT_SUBSCRIPTION_IDS): a plan in another, approved before
     * it was taken out, fails its recheck. Absent: not checked.
     */
    private readonly servedSubscriptionIds?: readonly string[],
  ) {}

  async run(request: AccessRequest, ctx: RunContext): Promise<Outcome> {
    const plan = request.plan as GrantPlan;
    // A resumed run whose earlier attempt recorded the assignment (and may have PUT it: the
    // process can die between the PUT and the outcome): however this attempt fails, Azure may
    // hold the assignment, so it fails as unconfirmed and the lifecycle deletes what Azure made,
    // instead of a failure that leaves an assignment nothing ends (G13, G17).
    const earlier = ctx.created().some((c) => c.kind === 'roleAssignment' && c.name === plan.roleAssignmentName);
    try {
      return await this.attempt(request, plan, ctx);
    } catch (err) {
      if (!earlier || err instanceof LeaseLostError || err instanceof RunInterrupted) throw err;
      if (isUserFacing(err) && err.code === UNCONFIRMED_GRANT) throw err;
      // The executor logs only what is not user-facing; this one becomes user-facing, so here.
      if (!isUserFacing(err)) ctx.log.error({ err }, 'resumed grant failed unexpectedly');
      const why = isUserFacing(err)
        ? err.message
        : `Something unexpected went wrong (reference ${currentCorrelationId() ?? request.id}).`;
      throw new UserFacingError(
        UNCONFIRMED_GRANT,
        `${why} An earlier attempt of this request had already asked Azure for the role assignment, so it may exist: if it does, acrbot deletes it, and nothing is granted.`,
        { cause: err },
      );
    }
  }

  private async attempt(request: AccessRequest, plan: GrantPlan, ctx: RunContext): Promise<Outcome> {
    await this.recheck(plan);
    // Recorded before the PUT (G15): the deterministic name is acrbot's, so a resumed run that
    // finds "already exists" still knows the assignment is its own and expiry removes it (G17).
    await ctx.recordCreated({
      kind: 'roleAssignment',
      id: plannedAssignmentId(plan),
      name: plan.roleAssignmentName,
    });
    // Another request's revocation may be deleting this very assignment (overlapping grants):
    // "already assigned" must not come from an assignment that is about to go. The wait can
    // outlast this run's lease: assignRole checks it again before each PUT.
    if (this.leases) await noRevocationRunning(this.leases, request);
    const put = rememberingExisting(this.roleAssignments);
    try {
      const result = await assignRole(
        put.port,
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
        const { pulls, conditioned } = await this.existingAfterConflict(plan);
        if (!pulls && !conditioned)
          throw new UserFacingError('grant.existingUnread', existingUnreadMessage(plan, put.existingName()));
        if (!pulls)
          throw new UserFacingError(
            'grant.conditionalExists',
            conditionalExistsMessage(plan, conditioned?.id, 'nothing was changed'),
          );
        return {
          summary: `${plan.role.name} on ${plan.registry.name} was already assigned to ${plan.identity.objectId}, by an assignment acrbot did not make; nothing needed to change, and that assignment stays when this request ends.${sharingSentence(plan)}`,
          azureRequestIds: result.requestIds,
          alreadyPresent: true,
        };
      }
      return {
        summary: grantedSummary(plan),
        azureRequestIds: result.requestIds,
        createdIds: result.id ? [result.id] : [],
      };
    } catch (err) {
      if (!(err instanceof CloudApiError)) throw err;
      // The card says it in a sentence (and the executor does not log user-facing errors): the
      // code, status and Azure request id behind it reach operators only through this line.
      ctx.log.error({ err, code: err.code }, 'grant failed in Azure');
      if (!answerMayBeLost(err)) throw explainWriteFailure(err, plan);
      return this.afterLostAnswer(plan, err, ctx);
    }
  }

  /**
   * The assignment Azure found instead of making one (RoleAssignmentExists), as the principal's
   * listing shows it. ARM checks the PUT against its own copy while the listing may be served by
   * a replica that does not show that assignment yet (replication), so an empty answer is read
   * again, after {@link READ_AGAIN_DELAYS_MS}; neither found after that is said as such by the
   * caller, never taken for "it has a condition".
   */
  private async existingAfterConflict(
    plan: GrantPlan,
  ): Promise<{ pulls?: RoleAssignmentInfo; conditioned?: RoleAssignmentInfo }> {
    const mode = plan.registry.roleAssignmentMode as RoleAssignmentMode;
    for (let attempt = 0; ; attempt++) {
      const found = await this.planner.findExisting(plan.scope, plan.identity.objectId, mode);
      if (found.pulls || found.conditioned || attempt >= READ_AGAIN_DELAYS_MS.length) return found;
      await this.sleep(READ_AGAIN_DELAYS_MS[attempt]!);
    }
  }

  /**
   * The PUT failed without a refusal (a 5xx, a timeout, a dropped connection, throttling after
   * the SDK's retries): Azure may have made the assignment and lost only its answer. It is read
   * back by its deterministic name: found exactly as planned (name, principal, role, scope, no
   * condition), the grant succeeded and acrbot made it (G15: the name is acrbot's, recorded
   * before the PUT; another acrbot request's is the same object, which the revocation's holder
   * check covers), so it ends at its expiry like any other (G17). Otherwise the run fails with
   * `azure.writeUnconfirmed`, and the lifecycle deletes whatever Azure made at once, under the
   * revocation's checks (AccessLifecycle.onExpire): a listing that does not show it yet, or
   * that fails too, does not prove the PUT was not applied.
   */
  private async afterLostAnswer(plan: GrantPlan, err: CloudApiError, ctx: RunContext): Promise<Outcome> {
    const answer = `${armCode(err.code)}${err.statusCode ? `, HTTP ${err.statusCode}` : ''}`;
    let found: RoleAssignmentInfo | undefined;
    try {
      const current = await this.roleAssignments.listForPrincipal(plan.scope, plan.identity.objectId);
      found = current.find((a) => isPlannedAssignment(a, plan));
    } catch (readErr) {
      // Logged here, once: the run then fails on the PUT's error (logged above), not on this one.
      ctx.log.error(
        { err: readErr },
        'reading the role assignment back after a lost answer failed; the lifecycle deletes it if Azure made it',
      );
    }
    if (found) {
      await ctx.audit({
        action: 'azure.write.roleAssignment',
        outcome: 'created',
        targetIds: [found.id],
        // `x-ms-request-id`s, as every entry's correlationIds (audit-chain.ts; the tab lists them
        // as Azure request ids): ARM's correlation request id is on the card and the log line.
        correlationIds: err.requestId ? [err.requestId] : [],
        detail: `the PUT's answer was lost (${answer}); read back with the planned name, principal, role and scope`,
      });
      return {
        summary: grantedSummary(plan),
        azureRequestIds: err.requestId ? [err.requestId] : [],
        createdIds: [found.id],
      };
    }
    throw new UserFacingError(
      UNCONFIRMED_GRANT,
      `Azure did not answer the role assignment (${answer}) and acrbot could not tell whether Azure made it, so nothing is granted: if Azure made it, acrbot deletes it. Ask again in a few minutes; the platform team can look it up with ${azureLookupIds(err)}.`,
      { cause: err },
    );
  }

  /**
   * Resources still there and unchanged: in a subscription still served, same identity, same
   * registry mode, the registry not being deleted (reads only).
   */
  async recheck(plan: GrantPlan, notDone = 'nothing was granted'): Promise<void> {
    // First, before any read: approved before its subscription was taken out of
    // ACRBOT_SUBSCRIPTION_IDS (approval refuses it since), the run would still write there.
    const unserved = planOutsideSubscriptions(plan, this.servedSubscriptionIds);
    if (unserved)
      throw new UserFacingError(RECHECK_SUBSCRIPTION_UNSERVED, `${unservedClause(unserved)}, so ${notDone}.`);
    const [cluster, registry] = await Promise.all([
      reread('cluster', plan.cluster.name, notDone, () =>
        this.azure.getCluster(plan.cluster.subscriptionId, plan.cluster.resourceGroup, plan.cluster.name),
      ),
      reread('registry', plan.registry.name, notDone, () =>
        this.azure.getRegistry(plan.registry.subscriptionId, plan.registry.resourceGroup, plan.registry.name),
      ),
    ]);
    if (!cluster) throw new UserFacingError(recheckGone('cluster'), notAtRecordedId('cluster', plan, notDone, false));
    if (!registry)
      throw new UserFacingError(recheckGone('registry'), notAtRecordedId('registry', plan, notDone, false));
    // Still listed while ARM deletes it: an assignment made now goes with it, or is left behind.
    if (registry.provisioningState === 'Deleting') throw registryDeletingRefusal(plan.registry, notDone);
    if (registry.roleAssignmentMode !== plan.registry.roleAssignmentMode) {
      throw new UserFacingError(
        RECHECK_REGISTRY_CHANGED,
        `Registry ${plan.registry.name} switched its permission mode to ${registry.roleAssignmentMode} since the plan was made, so ${notDone}; make a new request.`,
      );
    }
    const identity = await this.planner.resolveIdentity(cluster, plan.typed?.cluster);
    if (identity.objectId.toLowerCase() !== plan.identity.objectId.toLowerCase()) {
      throw new UserFacingError(
        RECHECK_IDENTITY_CHANGED,
        `Cluster ${plan.cluster.name} now pulls with a different identity (${identity.objectId}) than the approved plan, so ${notDone}; make a new request.`,
      );
    }
  }
}

/**
 * The outcome of a grant that made (or read back) its role assignment: what was granted, and the
 * other clusters that pull with the identity and so can pull too (`plan.sharedWith`, named by
 * resource id), so the `request.succeeded` entry, not only the approvers' card, says every
 * cluster that could pull.
 */
function grantedSummary(plan: GrantPlan): string {
  return `Granted ${plan.role.name} on ${plan.registry.name} to ${plan.identity.description} ${plan.identity.objectId} of cluster ${plan.cluster.name}.${sharingSentence(plan)}`;
}

/** {@link sharingWords} as a sentence after another (a leading space), or nothing. */
function sharingSentence(plan: GrantPlan): string {
  const sharing = sharingWords(plan, 'named');
  return sharing ? ` ${sharing[0]!.toUpperCase()}${sharing.slice(1)}.` : '';
}

/**
 * A re-read of a planned resource. ARM answers 403 AuthorizationFailed, not 404, when acrbot may
 * no longer read it (its Reader was removed since planning), whether or not it still exists: the
 * run cannot check the plan, so nothing is granted, and the card says which right is missing
 * (as resolving names says it) instead of "something unexpected went wrong". Likewise a 404
 * SubscriptionNotFound, which says nothing of the resource itself (the reader throws it).
 * The sentences say what must be fixed, not to ask again: the failed card adds that, with the
 * command to type (request-view.ts, failedSummary).
 */
async function reread<T>(
  kind: 'cluster' | 'registry',
  name: string,
  notDone: string,
  read: () => Promise<T>,
): Promise<T> {
  try {
    return await read();
  } catch (err) {
    const { statusCode, code } = err as { statusCode?: unknown; code?: unknown };
    if (isSubscriptionNotFound(err))
      throw new UserFacingError(
        recheckUnreadable(kind),
        `${subscriptionGoneClause(kind, name)}, so acrbot cannot check that the approved plan still holds, and ${notDone}. Ask the platform team to check that subscription.`,
        { cause: err },
      );
    if (statusCode !== 403) throw err;
    throw new UserFacingError(
      recheckUnreadable(kind),
      `acrbot may no longer read ${kind} ${name}${azureAnswered(code)}, so it cannot check that the approved plan still holds, and ${notDone}; ask the platform team to give acrbot's identity the Reader role on it (docs/deploy.md).`,
      { cause: err },
    );
  }
}

/**
 * A PUT failure that is not a refusal (domain/azure-answer-class.ts): Azure may have carried the
 * write out and the answer been lost (a 5xx, 408, 429 or no answer), or carried it out and its
 * answer not been read (a 2xx whose body could not be).
 */
function answerMayBeLost(err: CloudApiError): boolean {
  return !isRefusalStatus(err.statusCode);
}

/**
 * `port` whose `create` remembers the existing assignment's name from a RoleAssignmentExists
 * answer ("… The ID of the existing role assignment is 716c4d159bc8476da3c16ccb70082517.",
 * CONTRACTS §3.1); older answers end at "already exists." and leave it unknown.
 */
function rememberingExisting(port: RoleAssignmentPort): {
  port: RoleAssignmentPort;
  existingName: () => string | undefined;
} {
  let existing: string | undefined;
  const create: RoleAssignmentPort['create'] = async (input) => {
    try {
      return await port.create(input);
    } catch (err) {
      if (err instanceof CloudApiError && err.code === 'RoleAssignmentExists')
        existing = existingAssignmentName(err.message);
      throw err;
    }
  };
  return {
    port: {
      create,
      listForPrincipal: (scope, principalId) => port.listForPrincipal(scope, principalId),
      canAssignRoles: (scope) => port.canAssignRoles(scope),
      delete: (input) => port.delete(input),
      scopeExists: (scope) => port.scopeExists(scope),
    },
    existingName: () => existing,
  };
}

/**
 * The existing assignment's name in ARM's RoleAssignmentExists sentence, as a lowercase GUID:
 * only 32 hex digits (or a GUID) are taken, so nothing else of ARM's text reaches a card.
 */
export function existingAssignmentName(message: string): string | undefined {
  const m = /existing role assignment is ([0-9a-f]{32}|[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12})(?![0-9a-f-])/i.exec(
    message,
  );
  if (!m) return undefined;
  const hex = m[1]!.replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The sentence for a RoleAssignmentExists whose assignment the listing still did not show: what
 * Azure said, that acrbot could not check it (it may be limited to some repositories), and how
 * to look.
 */
function existingUnreadMessage(plan: GrantPlan, existingName: string | undefined): string {
  const which = existingName ? ` (role assignment ${existingName})` : '';
  return `Azure answered that ${plan.identity.objectId} already has ${plan.role.name} on registry ${plan.registry.name}${which}, made outside acrbot, but acrbot could not read that assignment back to check that it covers every repository, so nothing was changed and this request granted nothing. Try "@acrbot check ${typedPair(plan)}" in a few minutes; if the cluster cannot pull, ask the platform team to look at that assignment on the registry.`;
}

/** The assignment the plan makes, exactly: its deterministic name, principal, role and scope, no condition. */
function isPlannedAssignment(a: RoleAssignmentInfo, plan: GrantPlan): boolean {
  return (
    a.name.toLowerCase() === plan.roleAssignmentName.toLowerCase() &&
    a.scope.toLowerCase() === plan.scope.toLowerCase() &&
    a.principalId.toLowerCase() === plan.identity.objectId.toLowerCase() &&
    a.roleDefinitionId.toLowerCase().endsWith(`/${plan.role.id.toLowerCase()}`) &&
    !a.condition
  );
}

/**
 * PrincipalNotFound after the retries: a new identity not replicated yet, which asking again in a
 * few minutes fixes; or one that no longer exists, which it never does (a user-assigned kubelet
 * identity deleted with another resource group while the cluster still names it, or a
 * service-principal cluster's principal deleted). Both are said, with how to tell them apart.
 */
function principalNotFoundMessage(plan: GrantPlan): string {
  const { identity, cluster } = plan;
  const gone =
    identity.kind === 'servicePrincipal' && identity.appId
      ? `the cluster's service principal may have been deleted: check it exists with "az ad sp show --id ${identity.appId}", and if not, rotate the cluster's credentials (az aks update-credentials)`
      : `the cluster's kubelet identity may have been deleted (common for a user-assigned identity kept in another resource group): find it with "az aks show -g ${cluster.resourceGroup} -n ${cluster.name} --query identityProfile.kubeletidentity" and check it exists with "az identity show --ids <its resourceId>"; if it is gone, assign the cluster an existing one (az aks update --assign-kubelet-identity) before asking again`;
  return `Azure still does not know identity ${identity.objectId} after retrying for about two minutes, so nothing was granted. Either it is new and not yet replicated in the directory, and asking for it again in a few minutes works (the new request needs approving again), or ${gone}.`;
}

/** One plain sentence with the fix for a failed role assignment PUT, by error code (never by message text). */
function explainWriteFailure(err: CloudApiError, plan: GrantPlan): UserFacingError {
  switch (err.code) {
    case 'AuthorizationFailed':
      return new UserFacingError(
        'bot.cannotAssignRoles',
        missingRoleWriteMessage(plan.registry.name, plan.registry.id),
        { cause: err },
      );
    case 'LinkedAuthorizationFailed':
      return new UserFacingError(
        'bot.linkedAuthorizationFailed',
        linkedAuthorizationSentence(err, {
          refused: `the role assignment on registry ${plan.registry.name}`,
          outcome: 'Nothing was granted.',
          retry: 'the requester can ask for it again (the new request needs approving again)',
        }),
        { cause: err },
      );
    case 'PrincipalNotFound':
      return new UserFacingError('azure.principalNotFound', principalNotFoundMessage(plan), { cause: err });
    case 'RoleAssignmentLimitExceeded':
      return new UserFacingError(
        'azure.roleAssignmentLimit',
        roleAssignmentLimitSentence(err, {
          refused: `Azure refused the role assignment on registry ${plan.registry.name}`,
          registry: plan.registry.name,
          outcome: 'Nothing was granted.',
          meanwhile: `Meanwhile a pull secret ("@acrbot secret ${typedPair(plan)} --kind token …", the default kind) needs no role assignment.`,
          retry: 'the requester can ask for the grant again (the new request needs approving again)',
        }),
        { cause: err },
      );
    case 'RoleAssignmentUpdateNotPermitted':
      return new UserFacingError(
        'azure.assignmentConflict',
        `A different role assignment already uses the name ${plan.roleAssignmentName} on registry ${plan.registry.name}; ask the platform team to check the registry's role assignments.`,
        { cause: err },
      );
    default:
      return new UserFacingError(
        'azure.writeFailed',
        `Azure refused the role assignment (${armCode(err.code)}${err.statusCode ? `, HTTP ${err.statusCode}` : ''}); the platform team can look it up with ${azureLookupIds(err)}.`,
        { cause: err },
      );
  }
}
