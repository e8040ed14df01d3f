/**
 * Builds the plan for an image pull secret: resolve the cluster and registry, validate the
 * options, name the credential, and (for a service principal) check the bot may assign the
 * pull role on the registry.
 */
import { UserFacingError } from '../domain/errors';
import { CLUSTER_STOPPED, isNoAnswer, startClusterCommand } from '../domain/kube-no-answer';
import { parseClusterRef, parseRegistryRef } from '../domain/names';
import { GRANT_WHILE_STOPPED, STOPPED_CLUSTER_RUN_WAY_ON } from '../domain/new-secret-way-on';
import { plannedCluster, plannedRegistry, type SecretPlan } from '../domain/plan';
import { factsFor, type RequestFacts } from '../domain/policy';
import type { Clock, PullSecretPort, RegistryTokenPort, RequestStore, RoleAssignmentPort } from '../domain/ports';
import {
  legacyWriterSentence,
  plannedReplacementOf,
  replacesLine,
  sameSecretTarget,
  secretWrittenAt,
  writtenSecretUid,
} from '../domain/secret-ownership';
import { shortTime } from '../domain/pull-diagnosis';
import { pullRoleFor } from '../domain/roles';
import { applicationNameFor } from '../domain/secret-credential';
import { newCredentialLines } from '../domain/secret-credential-lines';
import { checkSecretOptions, type SecretOptions } from '../domain/secret-options';
import type { SecretCommandOptions } from '../domain/command';
import type { AccessRequest } from '../domain/request';
import type { Logger } from '../observability/logger';
import { missingRoleWriteMessage, registryDeletingRefusal } from './grant-planner';
import { PLANNING_DEADLINE_MS, withPlanningDeadline } from './planning-deadline';
import { settleWithin } from './settle-within';
import { type AlreadyPulls, alreadyPulls, kubeletObjectIdOf, pullingAssignments } from './secret-already-pulls';
import { foreignSecretCheck } from './secret-existing-check';
import { checkSecretTarget, TARGET_CHECK_MS, type TargetSeen } from './secret-target-check';
import { heldAccessOf } from './secret-held-access';
import { type TokenRoom, tokenRoom, withRoomNote } from './registry-token-room';
import type { ResourceResolver } from './resource-resolver';

/**
 * A secret's plan and what already let its cluster pull ({@link SecretPlanner.planRequest};
 * secret-already-pulls.ts).
 */
export interface PlannedSecret {
  plan: SecretPlan;
  alreadyPulls: AlreadyPulls;
}

/** What a secret's plan is asked for ({@link SecretPlanner.plan}, {@link SecretPlanner.planRequest}). */
export interface SecretPlanInput {
  /** The cluster as typed (a name, `resource-group/name` or a resource id). */
  cluster: string;
  /** The registry as typed (a name, a login server or a resource id). */
  registry: string;
  /** The options as typed (`--namespace`, `--name`, `--kind`, …), checked before any Azure call. */
  typed: SecretCommandOptions;
  /**
   * The access term (time-boxing, validated by the caller; G17): the credential lives that long
   * (capped by ACRBOT_SECRET_MAX_EXPIRY), and `--expires`/`--for` is not parsed again. Without it,
   * `--expires` is the credential's own lifetime.
   */
  credentialLifetimeMs?: number;
  /**
   * With `credentialLifetimeMs`: how long the rule that covers what was resolved lets the
   * credential live (it may run the access for less); undefined: as long as the term.
   */
  lifetimeUnderPolicy?: (facts: RequestFacts) => number | undefined;
}

/** Plans secret requests. */
export class SecretPlanner {
  constructor(
    private readonly resolver: ResourceResolver,
    private readonly roleAssignments: RoleAssignmentPort,
    private readonly clock: Clock,
    private readonly maxExpiryMs: number,
    /**
     * acrbot's records, to say which earlier request's secret this one would replace; with `get`,
     * also whether a secret of that name the target check finds is one the run may replace (G15).
     */
    private readonly requests?: Pick<RequestStore, 'listByTarget'> & Partial<Pick<RequestStore, 'get'>>,
    /**
     * `allowLocalAccountClusters`: ACRBOT_ALLOW_LOCAL_ACCOUNT_CLUSTERS, see {@link localAccountsRefusal}.
     * `log`: where what a plan past its deadline came to is logged (planning-deadline.ts); without
     * it, that goes unseen (the requester's error card and its log line are there either way).
     * `pullSecrets`: the runner's Kubernetes port, for the read-only check of the namespace and
     * service account at plan time, and of a secret of that name ({@link SecretPlan.targetCheck});
     * without it, none is made.
     * `tokens`: the runner's ACR token port, to count a registry's tokens and scope maps against
     * its SKU's limits when the plan makes a token (registry-token-room.ts); without it (or its
     * `countTokens`), none is counted.
     */
    private readonly options: {
      allowLocalAccountClusters?: boolean;
      log?: Pick<Logger, 'warn'> & Partial<Pick<Logger, 'debug'>>;
      pullSecrets?: Pick<PullSecretPort, 'access' | 'precheck'>;
      tokens?: Pick<RegistryTokenPort, 'countTokens'>;
    } = {},
  ) {}

  /**
   * The typed options checked and completed with the defaults, without planning: chat checks
   * them before it asks any question. With time-boxing (`credentialLifetimeMs`) the access term,
   * not `--expires`, decides how long the credential lives.
   */
  checkOptions(typed: SecretCommandOptions, credentialLifetimeMs?: number): SecretOptions {
    const checked = checkSecretOptions(
      credentialLifetimeMs === undefined ? typed : { ...typed, expires: undefined },
      this.maxExpiryMs,
    );
    return credentialLifetimeMs === undefined
      ? checked
      : { ...checked, expiresInMs: Math.min(credentialLifetimeMs, this.maxExpiryMs) };
  }

  /**
   * Validates everything typed (before any Azure call), resolves, and plans. With
   * `credentialLifetimeMs` (the access term, validated by the caller; G17) `--expires`/`--for`
   * is not parsed again and the credential lives that long, or as long as `lifetimeUnderPolicy`
   * says for what was resolved: the rule that covers it may run the access for less. Within the
   * planning deadline (planning-deadline.ts): past it, fails with `PlanningTimeoutError` and
   * drops what the reads still under way answer later.
   */
  async plan(input: SecretPlanInput): Promise<SecretPlan> {
    return (await this.planRequest(input)).plan;
  }

  /**
   * {@link plan}, and what already let the cluster's kubelet identity pull from the registry
   * (its approvers are told a secret is redundant for that kubelet): the pair's live acrbot grants
   * from the succeeded requests the plan reads anyway (no extra store read), confirmed, and an
   * assignment no acrbot record holds (made outside acrbot) found, by one ARM list of the
   * identity's assignments on the registry, made alongside the plan's other reads
   * (secret-already-pulls.ts). That list failing or answering late leaves
   * acrbot's records alone; none is made for a cluster without a kubelet identity.
   */
  planRequest(input: SecretPlanInput): Promise<PlannedSecret> {
    return withPlanningDeadline(() => this.planUnbounded(input), {
      what: 'pull secret',
      onLate: (late) =>
        this.options.log?.warn(
          'error' in late ? { err: late.error } : {},
          'a pull secret plan ended after the planning deadline; dropped (the requester was told it failed)',
        ),
    });
  }

  private async planUnbounded({
    cluster: clusterText,
    registry: registryText,
    typed,
    credentialLifetimeMs,
    lifetimeUnderPolicy,
  }: SecretPlanInput): Promise<PlannedSecret> {
    // The target check's last moment, before withPlanningDeadline (which starts this at once)
    // fails the whole plan. Real time, as that deadline's timer is.
    const checkBy = Date.now() + PLANNING_DEADLINE_MS - TARGET_CHECK_MARGIN_MS;
    const clusterRef = parseClusterRef(clusterText);
    const registryRef = parseRegistryRef(registryText);
    const options = this.checkOptions(typed, credentialLifetimeMs);
    const [cluster, registry] = await Promise.all([
      this.resolver.resolveCluster(clusterRef),
      this.resolver.resolveRegistry(registryRef),
    ]);
    if (hasStaticUserCredential(cluster) && !this.options.allowLocalAccountClusters)
      throw localAccountsRefusal(cluster.name);
    // After the local accounts: starting a cluster costs money, and one refused for good should
    // not be started first. Nothing is stored, so no approver is asked to approve what cannot run.
    if (cluster.powerState === 'Stopped') throw clusterStoppedRefusal(cluster);
    // A credential on a registry being deleted goes with it (or is left behind): none is asked for.
    if (registry.provisioningState === 'Deleting') throw registryDeletingRefusal(registry);
    const plannedTarget = { ...plannedCluster(cluster), aadEnabled: cluster.aadEnabled };
    // Alongside the reads that follow; never fails (targetCheck).
    const checking = this.targetCheck(plannedTarget, options);
    // Alongside too, and never rejects: only a token credential uses the registry's tokens (and a
    // scope map of its own with --repositories); `sp` makes neither.
    const rooming: Promise<TokenRoom> =
      options.kind === 'token'
        ? tokenRoom(
            this.options.tokens,
            registry,
            { extension: false, repositories: options.repositories.length > 0 },
            this.clock,
            Math.min(TARGET_CHECK_MS, Math.max(0, checkBy - Date.now())),
            this.options.log,
          )
        : Promise.resolve(undefined);
    // Only with time-boxing: without it, --expires is the credential's own lifetime.
    const underPolicy =
      credentialLifetimeMs === undefined
        ? undefined
        : lifetimeUnderPolicy?.(
            factsFor(plannedCluster(cluster), plannedRegistry(registry), 'secret', options.kind, options.namespace),
          );
    // Alongside too, and never rejects: whether the kubelet already pulls (one ARM list).
    const kubelet = kubeletObjectIdOf(cluster);
    const pullingRead = kubelet
      ? pullingAssignments(this.roleAssignments, registry, kubelet, this.options.log)
      : Promise.resolve(undefined);
    // Read once the pair's records are (`listed`), waiting for the list no later than the target check.
    const pulls = (listed: readonly AccessRequest[]) =>
      alreadyPulls(
        kubelet,
        listed,
        pullingRead,
        Math.min(TARGET_CHECK_MS, Math.max(0, checkBy - Date.now())),
        this.clock.now(),
      );
    const expiresInMs = underPolicy === undefined ? options.expiresInMs : Math.min(underPolicy, options.expiresInMs);
    const expiresAt = new Date(this.clock.now().getTime() + expiresInMs).toISOString();
    const role = options.kind === 'sp' ? pullRoleFor(registry.roleAssignmentMode) : undefined;
    if (role && !(await this.roleAssignments.canAssignRoles(registry.id))) {
      throw new UserFacingError(
        'bot.cannotAssignRoles',
        `${missingRoleWriteMessage(registry.name, registry.id)} Or use --kind token, which needs no role assignment.`,
      );
    }
    // Token names carry the request id, which exists only once the request is stored; the
    // views name the token from the request (tokenNameFor), so the plan keeps the prefix only.
    const credentialName =
      options.kind === 'token' ? 'acrbot-' : applicationNameFor(registry.name, cluster.name, options.namespace);
    const where = `${options.namespace}/${options.secretName}`;
    const operations = newCredentialLines(
      { credentialKind: options.kind, credentialName, repositories: options.repositories, role, registry },
      expiresAt,
    );
    operations.push(
      `Read cluster credentials of ${cluster.name} and write kubernetes.io/dockerconfigjson secret ${where}`,
    );
    if (options.serviceAccount)
      operations.push(`Add ${options.secretName} to imagePullSecrets of service account ${options.serviceAccount}`);
    const plan: SecretPlan = {
      kind: 'secret',
      cluster: plannedTarget,
      registry: plannedRegistry(registry),
      credentialKind: options.kind,
      credentialName,
      repositories: options.repositories,
      namespace: options.namespace,
      secretName: options.secretName,
      serviceAccount: options.serviceAccount,
      expiresAt,
      role,
      operations,
      // As typed, since they resolved to these: hints about this plan name them so (plan.ts `typed`).
      typed: { cluster: clusterRef.kind, registry: registryRef.kind },
    };
    // Only acrbot's own records say what would be replaced (G15). The plan records it, and the run
    // replaces that secret and no other: one written after this plan is refused, not replaced
    // unseen by the approver.
    // Without the store (tests of the options only) nothing is recorded: it replaces nobody's.
    if (!this.requests) {
      const alone = withRoomNote(await this.withTargetCheck(plan, checking, checkBy), await rooming);
      return { plan: alone, alreadyPulls: await pulls([]) };
    }
    const { previous, listed } = await this.previousOn(plan, this.requests);
    // Written before acrbot kept secret uids: only an extension of that access may rotate it
    // (decideReplacement), never a new request, so none is put to an approver to be refused then.
    if (previous && previous !== 'unknown' && writtenSecretUid(previous) === undefined)
      throw new UserFacingError('secret.legacyWriter', legacyWriterSentence(plan, previous, 'plan'));
    if (previous === 'unknown') operations.unshift(REPLACES_UNKNOWN_LINE);
    else {
      plan.replaces = previous ? plannedReplacementOf(previous) : null;
      if (previous) operations.unshift(replacesLine(previous));
      const held = previous && heldAccessOf(previous, listed, this.clock.now());
      if (held) plan.replacesHeld = held;
    }
    // The request the run takes for the secret's recorded writer: the one the plan replaces.
    const checked = await this.withTargetCheck(plan, checking, checkBy, previous === 'unknown' ? undefined : previous);
    // A registry full for the token (or its scope map) is refused here: nothing is stored, and no
    // approver is asked to approve what Azure would refuse to make.
    const roomed = withRoomNote(checked, await rooming);
    return { plan: roomed, alreadyPulls: await pulls(listed) };
  }

  /**
   * The plan-time target check (secret-target-check.ts) through the runner's own cluster access,
   * as of now. A hint only (G15): the namespace may be made, or the secret removed, before
   * approval, and the run checks again. Whose a secret it shows is, acrbot's records say
   * ({@link withTargetCheck}). Never rejects.
   */
  private targetCheck(
    cluster: SecretPlan['cluster'],
    options: Pick<SecretOptions, 'namespace' | 'secretName' | 'serviceAccount'>,
  ): Promise<TargetSeen> {
    const at = shortTime(this.clock.now().toISOString());
    return checkSecretTarget(this.options.pullSecrets, cluster, options, at, this.options.log);
  }

  /**
   * `plan` with the target check's sentence when it came by `checkBy` (a late one is dropped):
   * the target missing, or a secret of that name the run would refuse to overwrite, by acrbot's
   * records (foreignSecretCheck, the run's own decision; `replaced`: the request the plan
   * replaces). Without the store's `get`, a secret found is not judged.
   */
  private async withTargetCheck(
    plan: SecretPlan,
    checking: Promise<TargetSeen>,
    checkBy: number,
    replaced?: AccessRequest,
  ): Promise<SecretPlan> {
    const waitMs = () => Math.min(TARGET_CHECK_MS, Math.max(0, checkBy - Date.now()));
    const got = await settleWithin(checking, waitMs());
    if (got.late) return plan;
    const { at, missing, existing } = got.value;
    if (missing) plan.targetCheck = missing;
    const get = this.requests?.get?.bind(this.requests);
    if (!existing || !get) return plan;
    const judged = await settleWithin(
      foreignSecretCheck(plan, existing, at, get, replaced).catch((err: unknown) => {
        this.options.log?.warn(
          { err },
          "reading acrbot's records of a pull secret found at plan time failed; planned without judging it",
        );
        return undefined;
      }),
      waitMs(),
    );
    if (!judged.late && judged.value) plan.targetCheck = judged.value;
    return plan;
  }

  /**
   * The succeeded acrbot request that last wrote the same secret from the same registry, by the
   * store's index of the cluster and registry (oldest first, at most {@link PREVIOUS_LIMIT}):
   * 'unknown' when the index holds more than that, since the newest may be past the cut. With the
   * requests listed (an extension's original is among them: the same target, succeeded).
   */
  private async previousOn(
    plan: SecretPlan,
    requests: Pick<RequestStore, 'listByTarget'>,
  ): Promise<{ previous: AccessRequest | undefined | 'unknown'; listed: AccessRequest[] }> {
    const listed = await requests.listByTarget(plan.cluster.id, plan.registry.id, ['succeeded'], PREVIOUS_LIMIT);
    if (listed.length >= PREVIOUS_LIMIT) return { previous: 'unknown', listed };
    const writers = listed.filter((r) => r.plan.kind === 'secret' && sameSecretTarget(r.plan, plan));
    // A write recorded without a uid was made by a version of acrbot older than every write
    // recorded with one, and its time is only the request's last update (moved by reminders and
    // ends since): such a writer is the last one only when no other recorded a uid.
    const withUid = writers.filter((r) => writtenSecretUid(r) !== undefined);
    const previous = (withUid.length ? withUid : writers).sort((a, b) =>
      secretWrittenAt(b).localeCompare(secretWrittenAt(a)),
    )[0];
    return { previous, listed };
  }
}

/**
 * Succeeded requests read on one cluster and registry to find the secret a plan replaces: far more
 * than a pair holds (each is an access someone asked for); past it the plan replaces nobody's.
 */
const PREVIOUS_LIMIT = 5000;

/** Time left after the target check's wait for the plan to end before the planning deadline. */
const TARGET_CHECK_MARGIN_MS = 2_000;

/** The card's line when acrbot's records could not say whose secret the plan would replace. */
const REPLACES_UNKNOWN_LINE =
  "acrbot could not check whether this replaces another request's secret; if one exists when approved, the run refuses to replace it";

/**
 * Whether the credential AKS hands out for the cluster's user (`listClusterUserCredential`) is a
 * static admin client certificate: local accounts enabled and no Entra ID integration. With
 * Entra ID it is a kubelogin exec stanza, whatever the local accounts (their static credential
 * is the admin one, `listClusterAdminCredential`, which acrbot's role does not grant), and acrbot
 * authenticates with its own Entra token under Kubernetes RBAC (kube-cluster-access.ts).
 */
export function hasStaticUserCredential(cluster: { aadEnabled: boolean; localAccountsDisabled?: boolean }): boolean {
  return !cluster.aadEnabled && !cluster.localAccountsDisabled;
}

/**
 * Refusal for a cluster with local accounts: the "cluster user" credential acrbot reads to write
 * the secret is then an admin client certificate (cluster-admin), so a bot holding that right
 * holds every cluster's keys. Refused before any credential exists.
 */
export function localAccountsRefusal(clusterName: string, when?: string, nothingCreated = true): UserFacingError {
  return new UserFacingError(
    'cluster.localAccounts',
    `acrbot does not write pull secrets in ${clusterName}: its local accounts are enabled without Entra ID integration${when ? ` (this changed ${when}${nothingCreated ? '; nothing was created' : ''})` : ''}, so the only credential acrbot could use there is an admin certificate. Enable Entra ID integration on the cluster (az aks update --enable-aad; then acrbot uses its own Entra token under Kubernetes RBAC), ideally with local accounts off (--disable-local-accounts), or ask the platform team to set ACRBOT_ALLOW_LOCAL_ACCOUNT_CLUSTERS=true if they accept that risk. A grant (AcrPull on the cluster's identity) needs no cluster credential.`,
  );
}

/**
 * Refusal for a stopped cluster (`powerState.code` Stopped): its API server answers nothing, so
 * the secret could not be written; refused at plan time and again before the run creates
 * anything (`when`: the run's clause, saying what it changes). A grant works while it is stopped.
 * The run's ends with {@link STOPPED_CLUSTER_RUN_WAY_ON}, which an extension's failure swaps for
 * a way on an extension can follow (secret-extension-way-on.ts).
 */
export function clusterStoppedRefusal(
  cluster: { subscriptionId: string; name: string; resourceGroup: string },
  when?: { earlierCredential: boolean },
): UserFacingError {
  const start = `start it with ${startClusterCommand(cluster)}`;
  return new UserFacingError(
    CLUSTER_STOPPED,
    when
      ? `Cluster ${cluster.name} was stopped after this request was planned (its power state is Stopped${when.earlierCredential ? '' : '; nothing was created'}), so acrbot cannot write a pull secret in it: ${start} ${STOPPED_CLUSTER_RUN_WAY_ON}`
      : `Cluster ${cluster.name} is stopped (its power state is Stopped), so acrbot cannot write a pull secret in it: ${start} and ask again. ${GRANT_WHILE_STOPPED}`,
  );
}

/**
 * A failure to reach a private cluster's API server (no answer, or none in time) said as what it
 * most likely is: acrbot runs outside the network that reaches it. Other failures are kept.
 * Recognised as the Kubernetes adapter recognises a stopped cluster's ({@link isNoAnswer}).
 */
export function privateClusterUnreachable(
  err: unknown,
  cluster: { name: string },
  earlierCredential: boolean,
): UserFacingError | undefined {
  if (!isNoAnswer(err)) return undefined;
  return new UserFacingError(
    'cluster.privateUnreachable',
    `acrbot could not reach the API server of cluster ${cluster.name}${earlierCredential ? '' : '; nothing was created'}. It is a private cluster: its API server has only a private address, so acrbot must run where it can reach it (in the cluster's virtual network or one peered with it, or through a private endpoint, with the cluster's private DNS zone resolving its name). Ask the platform team to check that, then ask for it again (the new request needs approving again).`,
    { cause: err },
  );
}
