/**
 * What a secret run checks before its credential exists, so a typo'd namespace or a foreign
 * secret costs nothing to clean up: the credential's remaining life, the cluster and registry as
 * ARM reports them now (approval can come hours after the plan), the namespace and service
 * account, and whose any secret of that name is, by acrbot's records alone (G15). First of all,
 * that the plan's subscriptions are still served: approved before one was taken out of
 * ACRBOT_SUBSCRIPTION_IDS, the run would still write there (served-subscriptions.ts).
 */
import type { RegistryInfo } from '../domain/azure-model';
import { isSubscriptionNotFound, isUserFacing, UserFacingError } from '../domain/errors';
import { RECHECK_SUBSCRIPTION_UNSERVED, recheckUnreadable } from '../domain/new-request-codes';
import type { SecretPlan } from '../domain/plan';
import { type AzureResourceReader, type ClusterAccess, LeaseLostError, VersionConflictError } from '../domain/ports';
import { shortTime } from '../domain/pull-diagnosis';
import type { AccessRequest } from '../domain/request';
import { planOutsideSubscriptions, unservedClause } from '../domain/served-subscriptions';
import {
  decideReplacement,
  type ExistingSecret,
  labelledRequestId,
  recordedCredentials,
  replacementNotPlanned,
  replacementNotPlannedSentence,
} from '../domain/secret-ownership';
import { subscriptionGoneClause } from './azure-failure-text';
import type { RunContext } from './executor';
import { registryDeletingRefusal } from './grant-planner';
import { waitOnCluster } from './pull-secret-write';
import {
  clusterStoppedRefusal,
  hasStaticUserCredential,
  localAccountsRefusal,
  privateClusterUnreachable,
} from './secret-planner';
import {
  plannedWriterOfDeletedSecret,
  readLastFamilyWriter,
  recordedWriter,
  replacedEarlier,
} from './secret-previous-writer';
import { logExplainedFailure } from './secret-run-text';
import type { SecretRunnerPorts } from './secret-runner';

/** The cluster and registry as the run reads them again at execution. */
export interface ClusterRecheck {
  reader: Pick<AzureResourceReader, 'getCluster'> & Partial<Pick<AzureResourceReader, 'getRegistry'>>;
  /** ACRBOT_ALLOW_LOCAL_ACCOUNT_CLUSTERS (see {@link localAccountsRefusal}). */
  allowLocalAccountClusters: boolean;
  /**
   * The subscriptions served now (ACRBOT_SUBSCRIPTION_IDS): a plan in another, approved before
   * it was taken out, is refused before anything is read or written. Absent: not checked.
   */
  servedSubscriptionIds?: readonly string[];
}

/** What the checks need of the runner. */
export interface SecretCheckDeps {
  ports: Pick<SecretRunnerPorts, 'kubernetes' | 'requests'>;
  clusters: ClusterRecheck;
  /** The clock of the credential's remaining life and of the wait on the cluster. */
  now: () => Date;
}

/**
 * The least time a credential must have left when the run creates it; a plan whose expiry is
 * nearer is refused before anything is created (see `lapsedCredentialRefusal`). A credential that
 * lapses minutes after it is written makes a secret that stops working before a pod uses it.
 */
export const MIN_CREDENTIAL_REMAINING_MS = 10 * 60_000;

/** What {@link checkFirst} found. */
export interface Checked {
  access: ClusterAccess;
  existing?: ExistingSecret;
  /** The replaced acrbot request (its secret object is the one written), if any. */
  previous?: AccessRequest;
  /** Its service-account entries, as an interrupted earlier attempt recorded them. */
  previousEntries?: string[];
  /** Whether the plan's service account named the secret already (the cluster's word: a hint). */
  serviceAccountLinked?: boolean;
}

/**
 * Everything checked before this run's credential exists: the cluster again, the namespace, the
 * service account and any secret of that name (whose it is, by acrbot's records, G15), and what
 * an interrupted earlier attempt replaced. After an earlier attempt began writing the secret
 * (`earlierWrite`), the secret may hold that attempt's credential: until it has been looked at,
 * a failure that may pass (a cluster or store not answering) interrupts the run, which is
 * resumed later ({@link waitOnCluster}); a refusal fails it, with `found.secretMayHold` set when
 * the secret was not looked at.
 */
export async function checkFirst(
  deps: SecretCheckDeps,
  request: AccessRequest,
  plan: SecretPlan,
  ctx: RunContext,
  targetId: string,
  earlierWrite: boolean,
  found: { secretMayHold: boolean },
): Promise<Checked> {
  const wait = (err: unknown): Promise<never> => {
    if (!earlierWrite || err instanceof LeaseLostError || err instanceof VersionConflictError) throw err;
    return waitOnCluster(deps.now, err, request, plan, targetId, ctx, found);
  };
  const earlierCredential = recordedCredentials({ ...request, created: ctx.created() }).length > 0;
  const unserved = await unservedRefusal(deps, plan, ctx, earlierCredential, earlierWrite);
  if (unserved) {
    // As a refusal of the cluster below: the secret is not looked at.
    found.secretMayHold = earlierWrite;
    throw unserved;
  }
  const lapsed = await lapsedCredentialRefusal(deps, request, plan, ctx, targetId, earlierCredential, earlierWrite);
  if (lapsed) {
    // As a refusal of the cluster below: the secret is not looked at.
    found.secretMayHold = earlierWrite;
    throw lapsed;
  }
  // Read beside the cluster (one round trip more, not two); it never rejects.
  const registryRead = rereadRegistry(deps, plan, ctx);
  const { refusal, privateCluster } = await recheckCluster(deps, plan, ctx, earlierCredential).catch((err: unknown) => {
    // As for the cluster's own checks below: said once, by the run that fails.
    if (!earlierWrite && isUserFacing(err)) logExplainedFailure(err, ctx);
    return wait(err);
  });
  if (refusal) {
    // Gone, stopped, or one acrbot will not sign in to: the secret is not looked at.
    found.secretMayHold = earlierWrite;
    throw refusal;
  }
  const registryRefusal = await recheckRegistry(await registryRead, plan, ctx, earlierCredential);
  if (registryRefusal) {
    // As a refusal of the cluster: the secret is not looked at.
    found.secretMayHold = earlierWrite;
    throw registryRefusal;
  }
  const { access, existing, serviceAccountLinked } = await checkKubernetes(deps, plan).catch((cause: unknown) => {
    // A private API server that does not answer is most likely out of acrbot's network.
    const err = (privateCluster && privateClusterUnreachable(cause, plan.cluster, earlierCredential)) || cause;
    // Said once, by the run that fails; a run that waits says so in its own way.
    if (!earlierWrite && isUserFacing(err)) logExplainedFailure(err, ctx);
    return wait(err);
  });
  let previous: AccessRequest | undefined;
  let previousEntries: string[] | undefined;
  if (existing) {
    // The cluster's labels are hints; only acrbot's own records decide (G15).
    const labelled = labelledRequestId(existing);
    const current = { ...request, created: ctx.created() };
    const labelledRequest = labelled ? await deps.ports.requests.get(labelled).catch(wait) : undefined;
    let decision = decideReplacement(current, existing, labelledRequest);
    // The label taken off or changed (a policy engine): acrbot's records of who wrote this
    // secret for the access may still prove it is acrbot's (G15), by its uid and data.
    if (!decision.replace && labelled !== request.id) {
      const writer = await recordedWriter(deps.ports.requests, request).catch(wait);
      if (writer) decision = decideReplacement(current, existing, labelledRequest, writer);
    }
    if (!decision.replace) {
      await ctx.audit({
        action: 'kubernetes.write.secret',
        outcome: 'refused',
        targetIds: [targetId],
        detail: decision.reason,
      });
      throw new UserFacingError(decision.code, decision.reason);
    }
    previous = decision.previous;
    // Another request's secret: only the one the approved plan replaces (the card showed it).
    // A secret written since the plan, or one the plan did not record, is refused before any
    // credential exists, so the requester asks again and the approver sees the replacement.
    const notPlanned = previous && replacementNotPlanned(request, previous, existing);
    if (previous && notPlanned) {
      await ctx.audit({
        action: 'kubernetes.write.secret',
        outcome: 'refused',
        targetIds: [targetId],
        detail: `the secret is ${previous.id}'s: ${notPlanned}`,
      });
      throw new UserFacingError(
        'secret.replacementNotApproved',
        replacementNotPlannedSentence(request, previous, notPlanned, earlierCredential),
      );
    }
    // Its own write (its label, or exactly the data it recorded being about to write): an
    // interrupted earlier attempt of this request wrote the secret (a crash or a take-over
    // after the write, G13). What that write replaced is in the record it made
    // before writing, not on the secret any more: the rotation is finished from it.
    if (decision.ownWrite)
      ({ previous, previousEntries } = await replacedEarlier(deps.ports.requests, request, ctx).catch(wait));
  } else if (request.extendsRequestId) {
    // An extension whose secret someone deleted: the credential the secret held is still live,
    // and acrbot's records say whose it is (the cluster has no label left to hint at it). The
    // rotation retires it all the same, or it would stay valid with nothing holding it.
    previous = await readLastFamilyWriter(deps.ports.requests, request).catch(wait);
  } else {
    // The secret the approved plan replaces was deleted outside acrbot (GitOps, a person): the
    // credential it held still pulls, and acrbot's records say whose it is (G15). It is retired,
    // and that request ends as replaced, as with the secret there.
    previous = await plannedWriterOfDeletedSecret(deps.ports.requests, request, ctx).catch(wait);
  }
  return { access, existing, previous, previousEntries, serviceAccountLinked };
}

/**
 * The refusal, audited, of a plan whose cluster or registry is in a subscription this deployment
 * no longer serves (the grant run's `recheck.subscriptionUnserved`, grant-runner.ts): checked
 * before any read, as nothing of it may be written there any more. The code suppresses "ask
 * again" on the failed card (request-view.ts): the resolver refuses the names there too.
 */
async function unservedRefusal(
  deps: Pick<SecretCheckDeps, 'clusters'>,
  plan: SecretPlan,
  ctx: RunContext,
  earlierCredential: boolean,
  earlierWrite: boolean,
): Promise<UserFacingError | undefined> {
  const unserved = planOutsideSubscriptions(plan, deps.clusters.servedSubscriptionIds);
  if (!unserved) return undefined;
  const clause = unservedClause(unserved);
  await ctx.audit({
    action:
      unserved.kind === 'cluster'
        ? 'kubernetes.write.secret'
        : plan.credentialKind === 'token'
          ? 'azure.write.token'
          : 'graph.write.application',
    outcome: 'refused',
    targetIds: [plan[unserved.kind].id],
    detail: clause,
  });
  // An earlier attempt's credential is deleted by the caller, which says so (and of a secret
  // that attempt began writing): this sentence does not deny either.
  const done = earlierWrite
    ? 'acrbot stopped here'
    : earlierCredential
      ? 'the secret was not written'
      : 'nothing was created';
  return new UserFacingError(RECHECK_SUBSCRIPTION_UNSERVED, `${clause}, so ${done}.`);
}

/**
 * The refusal, audited, of a plan whose credential would lapse within
 * {@link MIN_CREDENTIAL_REMAINING_MS} of the run: its expiry is a date fixed when the request was
 * planned (and shown to the approver), and approval may come up to ACRBOT_APPROVAL_TTL later, so
 * a short lifetime (`--expires 1h`, a low ACRBOT_SECRET_MAX_EXPIRY) can have run out by then.
 * Refused before anything is created rather than made to live longer than approved: acrbot's
 * records (the tab, the reminders) take `plan.expiresAt` for the credential's expiry.
 */
async function lapsedCredentialRefusal(
  deps: Pick<SecretCheckDeps, 'now'>,
  request: AccessRequest,
  plan: SecretPlan,
  ctx: RunContext,
  targetId: string,
  earlierCredential: boolean,
  earlierWrite: boolean,
): Promise<UserFacingError | undefined> {
  const remainingMs = Date.parse(plan.expiresAt) - deps.now().getTime();
  // A credential planned to live less than twice the margin (`--for 1m` with a 5m approval
  // window) is held to half its planned life instead: approved at once, it is never refused.
  const plannedMs = Date.parse(plan.expiresAt) - Date.parse(request.createdAt);
  if (remainingMs >= Math.min(MIN_CREDENTIAL_REMAINING_MS, plannedMs / 2)) return undefined;
  const when = remainingMs <= 0 ? 'has passed' : 'is only minutes away';
  await ctx.audit({
    action: plan.credentialKind === 'token' ? 'azure.write.token' : 'graph.write.application',
    outcome: 'refused',
    targetIds: [targetId],
    detail: `the credential would expire at ${plan.expiresAt}, which ${when}`,
  });
  const done = earlierWrite
    ? 'so acrbot stopped here: an earlier attempt of this request may have written the secret, and the credential it made is deleted'
    : `so acrbot did not write the secret${earlierCredential ? '' : ' and created nothing'}`;
  return new UserFacingError(
    'secret.credentialLapsed',
    `The credential of this request was planned to expire at ${shortTime(plan.expiresAt)}, which ${when}: the approval came too late for its lifetime, ${done}. Ask again; if approvals take longer than the credential may live, ask for a longer --expires, or the platform team to raise ACRBOT_SECRET_MAX_EXPIRY.`,
  );
}

/**
 * Reaches the cluster and checks namespace, service account and any secret of that name. The
 * caller logs what caused a failure it fails on (a run that waits says so in its own way).
 */
async function checkKubernetes(
  deps: Pick<SecretCheckDeps, 'ports'>,
  plan: SecretPlan,
): Promise<{ access: ClusterAccess; existing?: ExistingSecret; serviceAccountLinked?: boolean }> {
  const access = await deps.ports.kubernetes.access(plan.cluster);
  const { existing, serviceAccountLinked } = await deps.ports.kubernetes.precheck(access, plan);
  return { access, existing, serviceAccountLinked };
}

/**
 * The refusal, audited, of a cluster that enabled local accounts (or vanished, or was stopped)
 * since the plan: its "cluster user" credential is then an admin certificate; a stopped one's
 * API server answers nothing. Nothing is created before it, and no cluster call is made
 * (`earlierCredential`: an earlier attempt of the request did create one, which the caller
 * deletes and the refusal does not deny). A subscription ARM no longer finds is thrown as
 * `recheck.clusterUnreadable`, with a sentence of its own instead of "something unexpected".
 * Otherwise, whether the cluster is private (its unreachable API server is said so).
 */
async function recheckCluster(
  deps: Pick<SecretCheckDeps, 'clusters'>,
  plan: SecretPlan,
  ctx: RunContext,
  earlierCredential: boolean,
): Promise<{ refusal?: UserFacingError; privateCluster?: boolean }> {
  const { subscriptionId, resourceGroup, name, id } = plan.cluster;
  const cluster = await deps.clusters.reader.getCluster(subscriptionId, resourceGroup, name).catch((err: unknown) => {
    // Says nothing of the cluster itself (the reader throws it rather than answer none). Thrown,
    // not a refusal: a run whose earlier attempt began writing the secret waits it out. What to
    // fix, not "ask again": the failed card adds that, with the command (request-view.ts).
    if (!isSubscriptionNotFound(err)) throw err;
    throw new UserFacingError(
      recheckUnreadable('cluster'),
      `${subscriptionGoneClause('cluster', name)}, so acrbot cannot check that the approved plan still holds${earlierCredential ? '.' : ', and nothing was created.'} Ask the platform team to check that subscription.`,
      { cause: err },
    );
  });
  const refusal = !cluster
    ? new UserFacingError(
        'cluster.notFound',
        `Cluster ${name} (resource group ${resourceGroup}) no longer exists or acrbot can no longer read it${earlierCredential ? '.' : '; nothing was created.'}`,
      )
    : hasStaticUserCredential(cluster) && !deps.clusters.allowLocalAccountClusters
      ? localAccountsRefusal(name, 'since this request was planned', !earlierCredential)
      : cluster.powerState === 'Stopped'
        ? clusterStoppedRefusal(plan.cluster, { earlierCredential })
        : undefined;
  if (!refusal) return { privateCluster: cluster?.privateCluster === true };
  await ctx.audit({ action: 'kubernetes.write.secret', outcome: 'refused', targetIds: [id], detail: refusal.code });
  return { refusal };
}

/**
 * The registry as ARM reports it now, or undefined when it was not read: no registry reader, or
 * a read that failed (logged). Only a state ARM reports refuses the run ({@link recheckRegistry});
 * a registry gone or unreadable meets ARM's answer to the credential's create, as before this
 * read existed, rather than failing a run that could have succeeded.
 */
async function rereadRegistry(
  deps: Pick<SecretCheckDeps, 'clusters'>,
  plan: SecretPlan,
  ctx: RunContext,
): Promise<RegistryInfo | undefined> {
  const { subscriptionId, resourceGroup, name } = plan.registry;
  try {
    return await deps.clusters.reader.getRegistry?.(subscriptionId, resourceGroup, name);
  } catch (err) {
    ctx.log.warn({ err }, 'reading the registry again before the credential step failed; going on without it');
    return undefined;
  }
}

/**
 * The refusal, audited, of a registry ARM is deleting (`provisioningState` Deleting) since the
 * plan: a credential made there now goes with it. Nothing is created before it
 * (`earlierCredential`: an earlier attempt of the request did create one, which the caller
 * deletes and the refusal does not deny).
 */
async function recheckRegistry(
  registry: RegistryInfo | undefined,
  plan: SecretPlan,
  ctx: RunContext,
  earlierCredential: boolean,
): Promise<UserFacingError | undefined> {
  if (registry?.provisioningState !== 'Deleting') return undefined;
  const refusal = registryDeletingRefusal(
    plan.registry,
    earlierCredential ? 'this attempt created nothing' : 'nothing was created',
  );
  await ctx.audit({
    action: plan.credentialKind === 'token' ? 'azure.write.token' : 'graph.write.application',
    outcome: 'refused',
    targetIds: [plan.registry.id],
    detail: refusal.code,
  });
  return refusal;
}
