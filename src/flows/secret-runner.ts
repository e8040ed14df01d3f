/**
 * Carries out an approved secret plan: check the cluster side first, create the credential,
 * put it straight into the Kubernetes secret, and delete the credential again if anything
 * after its creation fails (G14). The password lives only in this function's variables.
 */
import { randomUUID } from 'node:crypto';
import { dockerConfigJson } from '../domain/docker-config';
import { isUserFacing, UserFacingError } from '../domain/errors';
import { currentCorrelationId } from '../observability/correlation';
import type { SecretPlan } from '../domain/plan';
import type {
  AzureResourceReader,
  ClusterAccess,
  PullSecretPort,
  RegistryTokenPort,
  RequestStore,
  RoleAssignmentPort,
  ServicePrincipalPort,
} from '../domain/ports';
import { CloudApiError, LeaseLostError, VersionConflictError } from '../domain/ports';
import type { AccessRequest, Outcome } from '../domain/request';
import {
  applicationDisplayNameFor,
  newApplicationUniqueName,
  type CredentialRef,
  encodeCredentialRef,
  scopeMapNameFor,
  tokenNameFor,
} from '../domain/secret-credential';
import type { SecretValue } from '../domain/secret-value';
import { assignRole, type Sleep } from './assign-role';
import { RunFailure, RunInterrupted, type PlanRunner, type RunContext } from './executor';
import { localAccountsRefusal } from './secret-planner';
import { requestIdLabelValue, roleAssignmentName } from '../domain/identifiers';
import {
  applicationProblem,
  credentialOf,
  credentialRefProblem,
  decideReplacement,
  type ExistingSecret,
  pullSecretRecordId,
  labelledRequestId,
  type OutcomeWithRetirement,
  replacedByStartedWrite,
  replacedRequestProblem,
  SECRET_WRITE_UNCONFIRMED,
  serviceAccountEntriesAfterWrite,
  writeStartedRecord,
} from '../domain/secret-ownership';

/**
 * Extra looks at an application this run just created whose owners Graph does not show yet
 * (replication), at the first of the retry delays: a few seconds, not the minutes a service
 * principal may need.
 */
const APPLICATION_INSPECT_RETRIES = 3;

/** What the runner needs. */
export interface SecretRunnerPorts {
  tokens: RegistryTokenPort;
  servicePrincipals: ServicePrincipalPort;
  roleAssignments: RoleAssignmentPort;
  kubernetes: PullSecretPort;
  /** acrbot's own records: the only source for what a secret was made with (G15). */
  requests: Pick<RequestStore, 'get'>;
}

interface Credential {
  username: string;
  password: SecretValue;
  ref: CredentialRef;
  id: string;
  requestIds: string[];
}

/** Runs secret plans. */
export class SecretRunner implements PlanRunner {
  constructor(
    private readonly ports: SecretRunnerPorts,
    private readonly retry: { delaysMs: readonly number[]; sleep: Sleep },
    /** The cluster is read again at execution: approval can come hours after the plan. */
    private readonly clusters: {
      reader: Pick<AzureResourceReader, 'getCluster'>;
      /** ACRBOT_ALLOW_LOCAL_ACCOUNT_CLUSTERS (see {@link localAccountsRefusal}). */
      allowLocalAccountClusters: boolean;
    },
  ) {}

  async run(request: AccessRequest, ctx: RunContext): Promise<Outcome> {
    const plan = request.plan as SecretPlan;
    const secretId = pullSecretRecordId(plan);
    const targetId = `${plan.cluster.id}/namespaces/${plan.namespace}/secrets/${plan.secretName}`;
    // An earlier attempt of this request began writing the secret: it may hold that attempt's
    // credential, so until the secret has been looked at the request must neither fail (its
    // credential would be left with nobody to delete it) nor delete it (G13, G14).
    const earlierWrite = ctx.created().some((o) => o.kind === 'pullSecretWriteStarted' && o.id === secretId);
    await this.recheckCluster(plan, ctx);
    // Everything that can be checked without a credential is checked first, so a typo'd
    // namespace or a foreign secret costs nothing to clean up.
    const { access, existing } = await this.checkKubernetes(plan, ctx).catch((err: unknown) => {
      if (!earlierWrite || err instanceof LeaseLostError) throw err;
      // Audited once, by the attempt that lost the answer: a cluster that stays unreachable is
      // tried again at every resume sweep, which must not add an entry each time.
      return this.interrupt(err, 'started', targetId, ctx, { again: true });
    });
    let previous: AccessRequest | undefined;
    let previousEntries: string[] | undefined;
    if (existing) {
      // The cluster's labels are hints; only acrbot's own records decide (G15).
      const labelled = labelledRequestId(existing);
      const decision = decideReplacement(
        { ...request, created: ctx.created() },
        existing,
        labelled ? await this.ports.requests.get(labelled) : undefined,
      );
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
      // Its own label: an interrupted earlier attempt of this request wrote the secret (a crash
      // or a take-over after the write, G13). What that write replaced is in the record it made
      // before writing, not on the secret any more: the rotation is finished from it.
      if (labelled === request.id) ({ previous, previousEntries } = await this.replacedEarlier(request, ctx));
    }
    const refs: CredentialRef[] = [];
    let credential: Credential | undefined;
    // How far the secret write got: once it started, only a refusal proves that the secret does
    // not hold the new credential.
    let writeState: 'none' | 'started' | 'written' = 'none';
    try {
      credential =
        plan.credentialKind === 'token'
          ? await this.createToken(request, plan, ctx, refs)
          : await this.createServicePrincipal(request, plan, ctx, refs);
      // With what it replaces: a run resumed after the write still retires it (G13).
      await ctx.recordCreated(writeStartedRecord(plan, previous, previousEntries));
      writeState = 'started';
      const { serviceAccountFailure, ...write } = await this.writeSecret(
        access,
        request,
        plan,
        credential,
        existing?.resourceVersion,
      );
      writeState = 'written';
      // A resumed run rewrites the secret its earlier attempt wrote: it replaced another
      // request's secret only when that attempt's record says so.
      const written = { ...write, action: previous ? ('replaced' as const) : ('created' as const) };
      // The uid names the very object written: revoke deletes that object and no other (G15).
      await ctx.recordCreated({ kind: 'pullSecret', id: secretId, name: plan.secretName, uid: write.uid });
      await ctx.audit({
        action: 'kubernetes.write.secret',
        outcome: written.action,
        targetIds: [targetId],
      });
      const serviceAccountId = `${plan.cluster.id}/namespaces/${plan.namespace}/serviceaccounts/${plan.serviceAccount}`;
      if (written.serviceAccountPatched)
        await ctx.audit({
          action: 'kubernetes.write.serviceAccount',
          outcome: 'patched',
          targetIds: [serviceAccountId],
        });
      // The secret is written and works when a pod names it: the run goes on (a failure now would
      // delete the credential the secret, perhaps replacing another, already holds) and says what
      // is left to do.
      let serviceAccountNote = '';
      if (serviceAccountFailure) {
        ctx.log.error(
          { err: serviceAccountFailure },
          'the secret was written; adding it to the service account failed',
        );
        await ctx.audit({
          action: 'kubernetes.write.serviceAccount',
          outcome: 'failed',
          targetIds: [serviceAccountId],
          detail: serviceAccountFailure.message,
        });
        const why = isUserFacing(serviceAccountFailure) ? ` ${serviceAccountFailure.message}` : '';
        serviceAccountNote = ` Not added to service account ${plan.serviceAccount}:${why} Until it is, name the secret in the pod's imagePullSecrets.`;
      }
      const retired = previous ? await this.retirePrevious(previous, credential.ref, ctx) : 'none';
      const retiredNote =
        retired === 'deleted'
          ? ' The credential it replaced was deleted.'
          : retired === 'pending' && previous
            ? ` The credential of ${previous.id}, which it replaced, could not be deleted yet; acrbot tries again shortly.`
            : '';
      const validity = credentialValidity(request, plan);
      const outcome: OutcomeWithRetirement = {
        summary: `Secret ${plan.namespace}/${plan.secretName} ${written.action} in ${plan.cluster.name} with ${plan.credentialKind === 'token' ? 'ACR token' : 'service principal'} ${credential.id}${validity}.${written.serviceAccountPatched ? ` Added to service account ${plan.serviceAccount}.` : ''}${serviceAccountNote}${retiredNote}`,
        azureRequestIds: credential.requestIds,
        createdIds: [credential.id],
        credentialRef: encodeCredentialRef(credential.ref),
        secret: {
          ...written,
          serviceAccounts: serviceAccountEntriesAfterWrite(
            plan,
            written.serviceAccountPatched,
            previousEntries ?? previous,
          ),
        },
        // Recorded with the outcome: the request's clean-up job deletes it (credential-cleanup.ts).
        ...(retired === 'pending' && previous ? { retirement: { requestId: previous.id } } : {}),
      };
      return outcome;
    } catch (err) {
      // The run is another instance's now (its lease lapsed and it was taken over, or the new
      // holder's fencing write beat ours): that instance resumes with the very credential
      // recorded here, so deleting it would pull it from under a secret it is writing, and
      // with the lease gone the delete could not even be audited. Stop without touching Azure.
      if (err instanceof LeaseLostError || err instanceof VersionConflictError) throw err;
      // The secret may hold the credential (written, or a write whose answer was lost): deleting
      // it would leave the secret with a dead credential, labelled with a failed request.
      if (writeState === 'written' || (writeState === 'started' && !isWriteRefusal(err)))
        return this.interrupt(err, writeState, targetId, ctx);
      const cleanup = await this.cleanUp(refs, ctx, { ...request, created: ctx.created() });
      const reason = isUserFacing(err)
        ? err.message
        : err instanceof CloudApiError
          ? this.explain(err, plan).message
          : `Something unexpected went wrong while creating the pull secret (reference ${currentCorrelationId() ?? request.id}).`;
      // One line for operators whatever the failure: the card explains an Azure or Graph refusal
      // in a sentence, but the code, status and Azure request id behind it are only here.
      if (isUserFacing(err)) logExplainedFailure(err, ctx);
      else if (err instanceof CloudApiError) ctx.log.error({ err, code: err.code }, 'secret flow failed in Azure');
      else ctx.log.error({ err }, 'unexpected error in the secret flow');
      const cleanupText =
        refs.length === 0
          ? ''
          : cleanup === 'deleted'
            ? ' The credential acrbot had created was deleted again.'
            : refs.every((ref) => ref.kind === 'sp' && !ref.applicationId)
              ? ' Azure did not answer whether it created the credential; acrbot looks for it again shortly and deletes it if it exists.'
              : ' The credential acrbot had created could not be deleted yet; it is recorded for clean-up and will be retried.';
      throw new RunFailure({
        summary: 'Failed',
        azureRequestIds: credential?.requestIds ?? [],
        error: `${reason}${cleanupText}`,
        errorCode: isUserFacing(err) ? err.code : err instanceof CloudApiError ? err.code : 'internal',
        cleanup: refs.length ? cleanup : 'none',
        credentialRef: refs.length && cleanup === 'pending' ? JSON.stringify(refs) : undefined,
      });
    }
  }

  /**
   * Stops the run without failing it or deleting anything: the secret may hold the credential
   * (`started`: a write Kubernetes neither confirmed nor refused, or a resumed run that could not
   * look at the secret; `written`: the write landed and recording it failed). The request stays
   * executing and is resumed (executor.ts, {@link RunInterrupted}); the resumed run finds the
   * secret with this request's label and writes it again, or finds the write never landed.
   */
  private async interrupt(
    err: unknown,
    writeState: 'started' | 'written',
    targetId: string,
    ctx: RunContext,
    options: { again?: boolean } = {},
  ): Promise<never> {
    const why =
      writeState === 'written'
        ? 'the secret was written but recording it failed'
        : 'acrbot could not tell whether the secret holds the new credential';
    // The errors here carry no secret: the Kubernetes ones are built without the request's or
    // the answer's text (kube-errors.ts), the store's know nothing of the password.
    if (options.again) {
      ctx.log.warn({ err }, `${why}; still so at this resume, which is tried again later`);
      throw new RunInterrupted(`secret run interrupted again: ${why}`, { cause: err });
    }
    ctx.log.error({ err }, `${why}; the credential is kept and the run is resumed`);
    await ctx
      .audit({
        action: 'kubernetes.write.secret',
        outcome: 'unconfirmed',
        targetIds: [targetId],
        detail: `${why}; resumed later`,
      })
      .catch((auditErr: unknown) => {
        if (auditErr instanceof LeaseLostError) throw auditErr;
        ctx.log.error({ err: auditErr }, 'audit of an unconfirmed secret write failed');
      });
    throw new RunInterrupted(`secret run interrupted: ${why}`, { cause: err });
  }

  /**
   * What an interrupted earlier attempt of `request` replaced, from the record it made before
   * its write (G13): the replaced request, read from the store and checked to be a pull secret
   * for the same target, and its service-account entries as recorded then.
   */
  private async replacedEarlier(
    request: AccessRequest,
    ctx: RunContext,
  ): Promise<{ previous?: AccessRequest; previousEntries?: string[] }> {
    const replaces = replacedByStartedWrite({ ...request, created: ctx.created() });
    if (!replaces) return {};
    const replaced = await this.ports.requests.get(replaces.requestId);
    const problem = replacedRequestProblem(request, replaced);
    if (problem) {
      ctx.log.error(
        { replacedRequestId: replaces.requestId, problem },
        'the request an earlier attempt replaced cannot be used; its credential is not retired',
      );
      return {};
    }
    return { previous: replaced, previousEntries: replaces.serviceAccounts };
  }

  /**
   * Reaches the cluster and checks namespace, service account and any secret of that name. A
   * failure here is shown to the user as it is; what caused it is logged, as in {@link run}.
   */
  private async checkKubernetes(
    plan: SecretPlan,
    ctx: RunContext,
  ): Promise<{ access: ClusterAccess; existing?: ExistingSecret }> {
    try {
      const access = await this.ports.kubernetes.access(plan.cluster);
      const { existing } = await this.ports.kubernetes.precheck(access, plan);
      return { access, existing };
    } catch (err) {
      if (isUserFacing(err)) logExplainedFailure(err, ctx);
      throw err;
    }
  }

  /**
   * Refuses, before any credential exists, a cluster that enabled local accounts (or vanished)
   * since the plan: its "cluster user" credential is then an admin certificate.
   */
  private async recheckCluster(plan: SecretPlan, ctx: RunContext): Promise<void> {
    const { subscriptionId, resourceGroup, name, id } = plan.cluster;
    const cluster = await this.clusters.reader.getCluster(subscriptionId, resourceGroup, name);
    const refusal = !cluster
      ? new UserFacingError(
          'cluster.notFound',
          `Cluster ${name} (resource group ${resourceGroup}) no longer exists or acrbot can no longer read it; nothing was created.`,
        )
      : !cluster.localAccountsDisabled && !this.clusters.allowLocalAccountClusters
        ? localAccountsRefusal(name, 'since this request was planned')
        : undefined;
    if (!refusal) return;
    await ctx.audit({ action: 'kubernetes.write.secret', outcome: 'refused', targetIds: [id], detail: refusal.code });
    throw refusal;
  }

  private explain(err: CloudApiError, plan: SecretPlan): UserFacingError {
    if (err.code === 'AuthorizationFailed')
      return new UserFacingError(
        'bot.cannotCreateCredential',
        `acrbot's identity may not create the credential on registry ${plan.registry.name}; give it rights on Microsoft.ContainerRegistry/registries/tokens and generateCredentials there (see docs/deploy.md), or ask for --kind sp.`,
      );
    if (err.code === 'Authorization_RequestDenied')
      return new UserFacingError(
        'bot.cannotCreateApplication',
        'acrbot may not create Entra applications; grant its identity the Graph application permission Application.ReadWrite.OwnedBy, or use --kind token (the default), which needs no directory rights.',
      );
    if (plan.role && err.code === 'RoleAssignmentUpdateNotPermitted')
      return new UserFacingError(
        'azure.assignmentConflict',
        `A different role assignment already uses acrbot's name for the new service principal's ${plan.role.name} on registry ${plan.registry.name}; ask the platform team to check the registry's role assignments.`,
      );
    if (plan.role && err.code === 'PrincipalNotFound')
      return new UserFacingError(
        'azure.principalNotFound',
        `Azure still did not know the new service principal after retrying for about two minutes (directory replication); approve a new request in a few minutes.`,
      );
    return new UserFacingError(
      'azure.writeFailed',
      `Azure refused to create the credential (${err.code}); the platform team can look it up with Azure request id ${err.requestId ?? 'unknown'}.`,
    );
  }

  private async createToken(
    request: AccessRequest,
    plan: SecretPlan,
    ctx: RunContext,
    refs: CredentialRef[],
  ): Promise<Credential> {
    const registry = plan.registry;
    const tokenName = tokenNameFor(request.id);
    const requestIds: string[] = [];
    const scopeMapName = plan.repositories.length ? scopeMapNameFor(request.id) : undefined;
    const ref: CredentialRef = {
      kind: 'token',
      subscriptionId: registry.subscriptionId,
      resourceGroup: registry.resourceGroup,
      registry: registry.name,
      tokenName,
      scopeMapName,
    };
    // A token or scope map with the planned name that acrbot's records do not vouch for is not
    // ours: replacing it would take it over (its other passwords stay valid) and a clean-up would
    // delete it. Only what an earlier attempt of this same request recorded may already exist (a
    // run resumed after a crash); the name, prefix and request id included, proves nothing (G15).
    const earlier = ctx.created();
    const recorded = (kind: 'acrToken' | 'scopeMap', name: string) =>
      earlier.some((o) => o.kind === kind && o.name === name);
    const foreign: { what: string; id: string } | undefined =
      scopeMapName &&
      !recorded('scopeMap', scopeMapName) &&
      (await this.ports.tokens.getScopeMap(registry, scopeMapName))
        ? { what: `scope map ${scopeMapName}`, id: `${registry.id}/scopeMaps/${scopeMapName}` }
        : !recorded('acrToken', tokenName) && (await this.ports.tokens.getToken(registry, tokenName))
          ? { what: `token ${tokenName}`, id: `${registry.id}/tokens/${tokenName}` }
          : undefined;
    if (foreign) {
      await ctx.audit({
        action: 'azure.write.token',
        outcome: 'refused',
        targetIds: [foreign.id],
        detail: `an ACR ${foreign.what} already exists and is not recorded as created by this request`,
      });
      throw new UserFacingError(
        'azure.credentialNotOurs',
        `An ACR ${foreign.what} already exists on registry ${registry.name}, and acrbot's records do not say acrbot created it, so acrbot will not take it over or delete it. Nothing was created; the platform team should look at who made it.`,
      );
    }
    // Recorded before the write, in the store and for this run: if the process dies mid-way, the
    // clean-up knows what to look for, and only what is recorded is ever deleted (G15).
    if (scopeMapName)
      await ctx.recordCreated({ kind: 'scopeMap', id: `${registry.id}/scopeMaps/${scopeMapName}`, name: scopeMapName });
    await ctx.recordCreated({ kind: 'acrToken', id: `${registry.id}/tokens/${tokenName}`, name: tokenName });
    refs.push(ref);
    const scopeMap = await this.ports.tokens.scopeMapFor(registry, scopeMapName ?? '', plan.repositories);
    if (scopeMap.requestId) requestIds.push(scopeMap.requestId);
    const token = await this.ports.tokens.createToken(registry, tokenName, scopeMap.id);
    if (token.requestId) requestIds.push(token.requestId);
    await ctx.audit({
      action: 'azure.write.token',
      outcome: 'created',
      targetIds: [token.id],
      correlationIds: requestIds,
    });
    const generated = await this.ports.tokens.generatePassword(registry, token.id, plan.expiresAt);
    if (generated.requestId) requestIds.push(generated.requestId);
    await ctx.audit({
      action: 'azure.write.generateCredentials',
      outcome: 'password1',
      targetIds: [token.id],
      correlationIds: generated.requestId ? [generated.requestId] : [],
      detail: `expires ${plan.expiresAt}`,
    });
    return { username: generated.username, password: generated.password, ref, id: token.id, requestIds };
  }

  private async createServicePrincipal(
    request: AccessRequest,
    plan: SecretPlan,
    ctx: RunContext,
    refs: CredentialRef[],
  ): Promise<Credential> {
    const requestIds: string[] = [];
    // Created idempotently under a uniqueName recorded before the call (never found by display
    // name, which anyone can give their own application, G15): a run resumed after a crash finds
    // its own application under the recorded key.
    const displayName = applicationDisplayNameFor(plan.credentialName, request.id);
    const recordedApp = ctx.created().find((o) => o.kind === 'application' && o.name);
    const uniqueName = recordedApp?.name ?? newApplicationUniqueName(request.id);
    if (!recordedApp) await ctx.recordCreated({ kind: 'application', id: '', name: uniqueName });
    // The application may exist from the call on, even when its answer is lost (G14). Until its
    // id is recorded, the clean-up knows it only by the uniqueName recorded above and looks it
    // up by that name (never by the id Graph answered, which acrbot's records do not vouch for
    // yet, G15); a call Graph refused leaves nothing under that name to delete.
    const byName: CredentialRef = { kind: 'sp', applicationId: '', appId: '', uniqueName };
    refs.push(byName);
    let app: Awaited<ReturnType<SecretRunnerPorts['servicePrincipals']['upsertApplication']>>;
    try {
      app = await this.ports.servicePrincipals.upsertApplication(uniqueName, displayName);
    } catch (err) {
      // A plain refusal of a name this run chose created nothing: nothing to look for. A
      // timeout, throttling, a 5xx or a lost connection may have created it, and a resumed run's
      // name may have been created by the run before it: the clean-up looks for it by name.
      if (!recordedApp && err instanceof CloudApiError && isRefusal(err.statusCode))
        refs.splice(refs.indexOf(byName), 1);
      throw err;
    }
    await ctx.recordCreated({ kind: 'application', id: app.id, name: uniqueName });
    const ref: CredentialRef = { kind: 'sp', applicationId: app.id, appId: app.appId };
    refs.splice(refs.indexOf(byName), 1, ref);
    if (app.requestId) requestIds.push(app.requestId);
    await ctx.audit({
      action: 'graph.write.application',
      outcome: app.created ? 'created' : 'reused',
      targetIds: [app.id, app.appId],
      correlationIds: app.requestId ? [app.requestId] : [],
    });
    const sp: { id: string; requestId?: string } =
      (await this.ports.servicePrincipals.findServicePrincipal(app.appId)) ??
      (await this.ports.servicePrincipals.createServicePrincipal(app.appId));
    await ctx.recordCreated({ kind: 'servicePrincipal', id: sp.id, name: app.appId });
    if (sp.requestId) requestIds.push(sp.requestId);
    // Before it gets a password and pull rights: nobody else may own it or hold a credential on it.
    const recordedPasswords = ctx.created().filter((o) => o.kind === 'applicationPassword');
    const inspect = async () =>
      applicationProblem(
        await this.ports.servicePrincipals.inspectApplication(app.id),
        recordedPasswords.map((o) => o.id).filter(Boolean),
        recordedPasswords.map((o) => o.name).filter((n): n is string => !!n),
      );
    let problem = await inspect();
    // Graph replicates a new application: read right after the 201 that created it, it may show
    // no owner yet. Looked at again briefly before it is given up.
    for (const delayMs of app.created ? this.retry.delaysMs.slice(0, APPLICATION_INSPECT_RETRIES) : []) {
      if (!problem) break;
      await this.retry.sleep(delayMs);
      problem = await inspect();
    }
    if (problem) {
      ctx.log.error({ applicationId: app.id, problem }, 'application refused: not held by acrbot alone');
      // A role assignment an earlier attempt recorded gives this service principal pull rights,
      // whatever becomes of the application: it goes (with the clean-up when the application
      // does, at once otherwise).
      const assignment = ctx.created().find((o) => o.kind === 'roleAssignment');
      const recordedAssignment = assignment && {
        scope: plan.registry.id,
        name: assignment.id.split('/').pop()!,
        subscriptionId: plan.registry.subscriptionId,
      };
      if (app.created) {
        // This run created it a moment ago under a name nobody else knows (G15): the clean-up
        // deletes it rather than leave it, passwordless and unused, for nobody to find.
        if (recordedAssignment) ref.roleAssignment = recordedAssignment;
        throw new UserFacingError(
          'graph.applicationNotOurs',
          `acrbot will not use the Entra application it just created (${app.id}) for this secret: ${problem}. Nothing was granted.`,
        );
      }
      // Not deleted: an application someone else holds as well is for a person to look at.
      refs.splice(refs.indexOf(ref), 1);
      if (recordedAssignment) await this.deleteRoleAssignment(recordedAssignment, ctx);
      throw new UserFacingError(
        'graph.applicationNotOurs',
        `acrbot will not use Entra application ${app.id} for this secret: ${problem}. Nothing was granted; the platform team should look at that application.`,
      );
    }
    // The marker is recorded before the call: if the process dies while Graph adds the password,
    // the resumed run recognises that password as its own instead of refusing the application.
    const marker = `acrbot image pull ${request.id} ${randomUUID()}`;
    await ctx.recordCreated({ kind: 'applicationPassword', id: '', name: marker });
    const password = await this.ports.servicePrincipals.addPassword(app.id, plan.expiresAt, marker);
    await ctx.recordCreated({ kind: 'applicationPassword', id: password.keyId, name: marker });
    if (password.requestId) requestIds.push(password.requestId);
    await ctx.audit({
      action: 'graph.write.addPassword',
      outcome: 'created',
      targetIds: [app.id],
      detail: `keyId ${password.keyId}, expires ${plan.expiresAt}`,
    });
    const role = plan.role!;
    const name = roleAssignmentName(plan.registry.id, sp.id, role.id);
    await ctx.recordCreated({
      kind: 'roleAssignment',
      id: `${plan.registry.id}/providers/Microsoft.Authorization/roleAssignments/${name}`,
      name,
    });
    ref.roleAssignment = { scope: plan.registry.id, name, subscriptionId: plan.registry.subscriptionId };
    const assigned = await assignRole(
      this.ports.roleAssignments,
      {
        scope: plan.registry.id,
        name,
        roleDefinitionGuid: role.id,
        principalId: sp.id,
        subscriptionId: plan.registry.subscriptionId,
      },
      this.retry,
      ctx,
    );
    requestIds.push(...assigned.requestIds);
    return { username: app.appId, password: password.secret, ref, id: app.appId, requestIds };
  }

  /**
   * Deletes a role assignment this request recorded (an earlier attempt's, on an application now
   * refused), under the lease, audited. A failure is logged and audited, not thrown: the request
   * fails for the application's sake either way, and its revocation rebuilds nothing from a
   * failed request, so the audit entry is what tells the platform team.
   */
  private async deleteRoleAssignment(
    assignment: { scope: string; name: string; subscriptionId: string },
    ctx: RunContext,
  ): Promise<void> {
    await ctx.checkLease?.();
    try {
      await this.ports.roleAssignments.delete(assignment);
      await ctx.audit({ action: 'credential.cleanup', outcome: 'deleted', targetIds: [assignment.name] });
    } catch (err) {
      if (err instanceof LeaseLostError) throw err;
      ctx.log.error({ err }, 'deleting the role assignment of a refused application failed');
      await ctx
        .audit({
          action: 'credential.cleanup',
          outcome: 'failed',
          targetIds: [assignment.name],
          detail: err instanceof CloudApiError ? err.code : 'error',
        })
        .catch((auditErr: unknown) => ctx.log.error({ err: auditErr }, 'audit of a failed clean-up failed'));
    }
  }

  private async writeSecret(
    access: ClusterAccess,
    request: AccessRequest,
    plan: SecretPlan,
    credential: Credential,
    replaceResourceVersion: string | undefined,
  ) {
    return this.ports.kubernetes.write(access, {
      replaceResourceVersion,
      namespace: plan.namespace,
      secretName: plan.secretName,
      // The one place the password is revealed: from Azure's answer into the Kubernetes request.
      dockerConfigJson: dockerConfigJson(plan.registry.loginServer, credential.username, credential.password.reveal()),
      labels: { 'acrbot.io/request-id': requestIdLabelValue(request.id) },
      annotations: {
        'acrbot.io/request-id': request.id,
        'acrbot.io/expires-at': plan.expiresAt,
        'acrbot.io/registry': plan.registry.id,
      },
      serviceAccount: plan.serviceAccount,
    });
  }

  /**
   * Deletes the credential a replaced acrbot secret used, so rotation leaves nothing behind. The
   * credential is rebuilt from the previous request's store records and checked against them
   * (G15); the cluster is never asked what to delete. `pending`: the deletion failed, and the
   * caller records it for the request's clean-up job; `none`: nothing of acrbot's to delete.
   */
  private async retirePrevious(
    previous: AccessRequest,
    current: CredentialRef,
    ctx: RunContext,
  ): Promise<'deleted' | 'pending' | 'none'> {
    const ref = credentialOf(previous);
    if (!ref || encodeCredentialRef(ref) === encodeCredentialRef(current)) return 'none';
    const problem = credentialRefProblem(ref, previous);
    if (problem) {
      ctx.log.error({ previousRequestId: previous.id, problem }, "previous credential not deleted: not acrbot's");
      return 'none';
    }
    return this.cleanUp([ref], ctx, previous);
  }

  /**
   * Deletes credentials (newest first); 'pending' if any deletion failed or an application known
   * only by its name was not found (audited, retried later: Graph may not show it yet). Each
   * reference is checked against `owner`'s records first (G15).
   */
  async cleanUp(refs: CredentialRef[], ctx: RunContext, owner?: AccessRequest): Promise<'deleted' | 'pending'> {
    let pending = false;
    for (const ref of [...refs].reverse()) {
      if (owner) {
        const problem = credentialRefProblem(ref, owner);
        if (problem) {
          ctx.log.error({ ownerRequestId: owner.id, problem }, "credential not deleted: not recorded as acrbot's");
          pending = true;
          continue;
        }
      }
      // A run that was taken over stops before deleting: the new holder resumes with these very
      // credentials (and a delete is no store write, so no fencing would stop it).
      await ctx.checkLease?.();
      try {
        const existed = await deleteCredential(this.ports, ref);
        // Not found under its name right after a call whose answer was lost: Graph may have made
        // it and not show it yet (replication), so "absent" is decided by the later retry.
        pending ||= !existed;
        await ctx.audit({
          action: 'credential.cleanup',
          outcome: existed ? 'deleted' : 'pending',
          targetIds: [ref.kind === 'token' ? ref.tokenName : ref.applicationId || (ref.uniqueName ?? '')],
          ...(existed ? {} : { detail: 'not found under its recorded name yet; looked for again later' }),
        });
      } catch (err) {
        // The run is another instance's now: it stops here, and the new holder records the rest.
        if (err instanceof LeaseLostError) throw err;
        pending = true;
        ctx.log.error({ err }, 'credential clean-up failed; recorded for retry');
        await ctx
          .audit({
            action: 'credential.cleanup',
            outcome: 'pending',
            targetIds: [ref.kind === 'token' ? ref.tokenName : ref.applicationId || (ref.uniqueName ?? '')],
            detail: err instanceof CloudApiError ? err.code : 'error',
          })
          .catch((auditErr: unknown) => ctx.log.error({ err: auditErr }, 'audit of a pending clean-up failed'));
      }
    }
    return pending ? 'pending' : 'deleted';
  }
}

/**
 * Logs once what lies behind a user-facing failure that has a cause (a Kubernetes API answer,
 * an unreadable kubeconfig): the card says only "see acrbot's logs", and the executor does not
 * log user-facing errors. Refusals acrbot decided itself have no cause and are audited instead.
 * The causes are built to hold no secret (see kube-errors.ts), so the error is logged whole.
 */
function logExplainedFailure(err: UserFacingError, ctx: RunContext): void {
  if (err.cause === undefined) return;
  ctx.log.error({ err, code: err.code }, 'secret flow failed');
}

/**
 * A secret write Kubernetes refused, which leaves the secret as it was: every explained failure
 * of the write but {@link SECRET_WRITE_UNCONFIRMED} (kube-pull-secrets.ts reads the secret back
 * after a timeout, a 5xx or a lost connection). Anything else may have written it.
 */
function isWriteRefusal(err: unknown): boolean {
  return isUserFacing(err) && err.code !== SECRET_WRITE_UNCONFIRMED;
}

/** A plain refusal (4xx other than a timeout or throttling): the call changed nothing. */
function isRefusal(status: number | undefined): boolean {
  return status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/**
 * Deletes one credential and what hangs on it. False when the reference names an application
 * by its recorded uniqueName only and none is found under it (never created, or not visible yet).
 */
export async function deleteCredential(ports: SecretRunnerPorts, ref: CredentialRef): Promise<boolean> {
  if (ref.kind === 'token') {
    const registry = { subscriptionId: ref.subscriptionId, resourceGroup: ref.resourceGroup, name: ref.registry };
    await ports.tokens.deleteToken(registry, ref.tokenName);
    if (ref.scopeMapName) await ports.tokens.deleteScopeMap(registry, ref.scopeMapName);
    return true;
  }
  if (ref.roleAssignment) await ports.roleAssignments.delete(ref.roleAssignment);
  // Only the recorded uniqueName is known (see createServicePrincipal): not found is not proof
  // that Graph never created it (replication); the caller decides what not found means.
  const applicationId =
    ref.applicationId || (ref.uniqueName && (await ports.servicePrincipals.findApplication(ref.uniqueName))?.id);
  if (!applicationId) return false;
  await ports.servicePrincipals.deleteApplication(applicationId);
  return true;
}

/**
 * What the outcome says about the credential's own expiry. A time-boxed secret's credential is
 * made to outlast its access (the approval wait too), so acrbot deletes it when the access ends,
 * before that date. Capped by the longest credential lifetime, it may lapse first: then it says so.
 * The access runs from about its decision, so that is where its end is counted from.
 */
function credentialValidity(request: AccessRequest, plan: SecretPlan): string {
  const date = plan.expiresAt.slice(0, 10);
  const term = request.access?.permanent ? undefined : request.access?.durationMs;
  if (!term) return `, valid until ${date}`;
  const accessEnd = Date.parse(request.decision?.at ?? request.createdAt) + term;
  return Date.parse(plan.expiresAt) >= accessEnd
    ? `; acrbot deletes it when the access ends (it would lapse by itself on ${date})`
    : `, valid until ${date}, before the access would end: pulls with it stop then unless it is renewed (ask for the secret again)`;
}
