/**
 * Carries out an approved secret plan: check the cluster side first, create the credential,
 * put it straight into the Kubernetes secret, and delete the credential again if anything
 * after its creation fails (G14). The password lives only in this function's variables.
 */
import { randomUUID } from 'node:crypto';
import { dockerConfigJson } from '../domain/docker-config';
import { isSubscriptionNotFound, isUserFacing, UserFacingError } from '../domain/errors';
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
import { CloudApiError, LeaseLostError, LeaseMarginError, VersionConflictError } from '../domain/ports';
import type { AccessRequest, Outcome } from '../domain/request';
import type { RegistryInfo, RoleAssignmentInfo } from '../domain/azure-model';
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
import {
  clusterStoppedRefusal,
  hasStaticUserCredential,
  localAccountsRefusal,
  privateClusterUnreachable,
} from './secret-planner';
import { registryDeletingRefusal } from './grant-planner';
import { requestIdLabelValue, roleAssignmentName } from '../domain/identifiers';
import {
  applicationProblem,
  credentialOf,
  credentialRefProblem,
  decideReplacement,
  CLEANUP_PROMISES,
  dockerConfigFingerprint,
  type ExistingSecret,
  pullSecretRecordId,
  labelledRequestId,
  recordedCredentials,
  replacedByStartedWrite,
  replacedRequestProblem,
  REPLACED_CREDENTIAL_DELETED,
  replacementNotPlanned,
  replacementNotPlannedSentence,
  retirementPendingSentence,
  SECRET_WRITE_UNCONFIRMED,
  serviceAccountEntriesAfterWrite,
  serviceAccountLinksAfterWrite,
  serviceAccountLinkedEarlier,
  startedWriteFingerprints,
  writeStartedRecord,
  writtenSecretUid,
} from '../domain/secret-ownership';
import { shortTime } from '../domain/pull-diagnosis';
import { lastFamilyWriter } from '../domain/secret-holder';
import { deleteCredential, type RegistryWhereabouts, WRITE_IN_PROGRESS } from './credential-deletion';
import {
  deferredRetirementSentence,
  leftAssignmentDetail,
  leftAssignmentSentence,
  refusalKey,
  retirementDueAt,
} from './credential-cleanup';
import { foreignHolders, type ForeignHolder } from '../domain/application-holders';
import { checkNewCredentialPulls, type PullCheck, type PullCheckResult, pullCheckSentence } from './pull-check';
import { recordedByDerivedName } from '../domain/recorded-assignment';
import {
  armCode,
  azureLookupIds,
  disabledTokenSentence,
  linkedAuthorizationSentence,
  registryQuotaSentence,
  subscriptionGoneClause,
} from './azure-failure-text';

// Where the flows have always found it (the revocation and the clean-up job delete with it too).
export { deleteCredential } from './credential-deletion';

/**
 * Extra looks at an application this run just created whose owners Graph does not show yet
 * (replication), at the first of the retry delays: a few seconds, not the minutes a service
 * principal may need.
 */
const APPLICATION_INSPECT_RETRIES = 3;

/** What the runner needs. */
export interface SecretRunnerPorts {
  /** With where a registry is, when a revocation or clean-up does not find its token there. */
  tokens: RegistryTokenPort & RegistryWhereabouts;
  servicePrincipals: ServicePrincipalPort;
  roleAssignments: RoleAssignmentPort;
  kubernetes: PullSecretPort;
  /** acrbot's own records: the only source for what a secret was made with (G15). */
  requests: Pick<RequestStore, 'get'>;
}

// Defined beside the executor's run limits, which are sized by it.
import { CLUSTER_WAIT_LIMIT_MS } from './run-resumption';
export { CLUSTER_WAIT_LIMIT_MS };

/**
 * The least time a credential must have left when the run creates it; a plan whose expiry is
 * nearer is refused before anything is created (see `lapsedCredentialRefusal`). A credential that
 * lapses minutes after it is written makes a secret that stops working before a pod uses it.
 */
export const MIN_CREDENTIAL_REMAINING_MS = 10 * 60_000;

/** What {@link SecretRunner.checkFirst} found. */
interface Checked {
  access: ClusterAccess;
  existing?: ExistingSecret;
  /** The replaced acrbot request (its secret object is the one written), if any. */
  previous?: AccessRequest;
  /** Its service-account entries, as an interrupted earlier attempt recorded them. */
  previousEntries?: string[];
  /** Whether the plan's service account named the secret already (the cluster's word: a hint). */
  serviceAccountLinked?: boolean;
}

interface Credential {
  username: string;
  password: SecretValue;
  ref: CredentialRef;
  id: string;
  requestIds: string[];
  /** A resumed `--kind sp` run: the passwords its earlier attempts added, by their records. */
  earlierPasswords?: EarlierPasswords;
}

/** What a resumed run's records say about the passwords its earlier attempts added. */
interface EarlierPasswords {
  applicationId: string;
  /** The password this run added (kept). */
  currentKeyId: string;
  /** Key ids recorded after `addPassword` answered. */
  keyIds: string[];
  /** Markers recorded before each call: a password whose answer never came carries one. */
  markers: string[];
}

/** Runs secret plans. */
export class SecretRunner implements PlanRunner {
  constructor(
    private readonly ports: SecretRunnerPorts,
    private readonly retry: { delaysMs: readonly number[]; sleep: Sleep },
    /**
     * The cluster is read again at execution: approval can come hours after the plan. So is the
     * registry, when the reader reads registries (tests of other steps give a cluster reader only).
     */
    private readonly clusters: {
      reader: Pick<AzureResourceReader, 'getCluster'> & Partial<Pick<AzureResourceReader, 'getRegistry'>>;
      /** ACRBOT_ALLOW_LOCAL_ACCOUNT_CLUSTERS (see {@link localAccountsRefusal}). */
      allowLocalAccountClusters: boolean;
    },
    /** The clock of {@link CLUSTER_WAIT_LIMIT_MS}. */
    private readonly now: () => Date = () => new Date(),
    /** A `--kind sp` rotation's wait for its new credential to pull (pull-check.ts); none: not checked. */
    private readonly pullCheck?: PullCheck,
  ) {}

  async run(request: AccessRequest, ctx: RunContext): Promise<Outcome> {
    const plan = request.plan as SecretPlan;
    const secretId = pullSecretRecordId(plan);
    const targetId = `${plan.cluster.id}/namespaces/${plan.namespace}/secrets/${plan.secretName}`;
    // An earlier attempt of this request began writing the secret: it may hold that attempt's
    // credential, so until the secret has been looked at the request must neither fail (its
    // credential would be left with nobody to delete it) nor delete it (G13, G14).
    const earlierWrite = ctx.created().some((o) => o.kind === 'pullSecretWriteStarted' && o.id === secretId);
    // An earlier attempt recorded a credential: a clean-up that finds nothing of it now does not
    // mean "nothing was created" (that attempt's may have been deleted already).
    const earlierCredential = recordedCredentials({ ...request, created: ctx.created() }).length > 0;
    // Everything that can be checked without a credential is checked first, so a typo'd
    // namespace or a foreign secret costs nothing to clean up.
    const found = { secretMayHold: false };
    let checked: Checked;
    try {
      checked = await this.checkFirst(request, plan, ctx, targetId, earlierWrite, found);
    } catch (err) {
      return this.failBeforeCredential(err, request, ctx, found.secretMayHold);
    }
    const { access, existing, previous, previousEntries, serviceAccountLinked } = checked;
    // Who acrbot is, before anything of the credential step: failing here, a resumed run still
    // deletes (or records for the clean-up job) what its earlier attempt created (G14); a run
    // with nothing recorded fails below like any refusal of its credential step.
    let ownSpId = '';
    let ownIdFailure: unknown;
    if (plan.credentialKind === 'sp') {
      try {
        ownSpId = await this.ownServicePrincipalId(request, ctx);
      } catch (err) {
        if (recordedCredentials({ ...request, created: ctx.created() }).length) {
          // Said once, here: the clean-up's path logs only unexpected errors.
          if (isUserFacing(err)) logExplainedFailure(err, ctx);
          return this.failBeforeCredential(err, request, ctx, earlierWrite);
        }
        ownIdFailure = err;
      }
    }
    // The entry an earlier attempt of this request was to add to the service account (its
    // record, made before its write, says the account did not name the secret then): the write
    // finds it there and adds nothing, and it is acrbot's all the same (G13, G15).
    const linkedEarlier = serviceAccountLinkedEarlier({ ...request, created: ctx.created() });
    const linksServiceAccount =
      plan.serviceAccount && (serviceAccountLinked === false || linkedEarlier) ? plan.serviceAccount : undefined;
    const refs: CredentialRef[] = [];
    // References whose create Azure did not answer (a deadline, a lost answer): what they name
    // may still appear, so the clean-up does not take "not found" for "gone".
    const unanswered = new Set<CredentialRef>();
    let credential: Credential | undefined;
    // A `--kind sp` run's new application Graph has not shown by its id yet (see createServicePrincipal).
    const application = { unseen: false };
    // A `--kind token` run's steps, for the clean-up sentence (see TokenProgress).
    const tokenProgress: TokenProgress = { tokenExisted: false, tokenRefused: false };
    // How far the secret write got: once it started, only a refusal proves that the secret does
    // not hold the new credential.
    let writeState: 'none' | 'started' | 'written' = 'none';
    try {
      if (ownIdFailure) throw ownIdFailure;
      credential =
        plan.credentialKind === 'token'
          ? await this.createToken(request, plan, ctx, refs, unanswered, tokenProgress)
          : await this.createServicePrincipal(request, plan, ctx, refs, application, ownSpId);
      // A rotation writes the new service principal into the secret once the registry lets it
      // pull (bounded): until then the credential it replaces keeps pulls working. Read-only, so
      // a run resumed after stopping here asks again and creates nothing more.
      const pullCheck: PullCheckResult | undefined =
        plan.credentialKind === 'sp' && previous && this.pullCheck
          ? await checkNewCredentialPulls(this.pullCheck, plan.registry, credential, ctx)
          : undefined;
      // The one place the password is revealed: from Azure's answer into the Kubernetes request.
      const dockerConfig = dockerConfigJson(
        plan.registry.loginServer,
        credential.username,
        credential.password.reveal(),
      );
      // A hash of what is written, never the data: proof that the secret still holds acrbot's
      // write when it is replaced or deleted later (G15), and, kept before the write, for a run
      // resumed after it landed unanswered.
      const dataFingerprint = dockerConfigFingerprint(dockerConfig);
      // With what it replaces: a run resumed after the write still retires it (G13).
      await ctx.recordCreated(
        writeStartedRecord(
          plan,
          previous,
          previousEntries,
          linksServiceAccount,
          dataFingerprint,
          startedWriteFingerprints({ ...request, created: ctx.created() }).fingerprints,
        ),
      );
      writeState = 'started';
      const { serviceAccountFailure, serviceAccountUid, serviceAccountLinkUnknown, ...write } = await this.writeSecret(
        access,
        request,
        plan,
        dockerConfig,
        existing,
      );
      writeState = 'written';
      const addedEarlier = !write.serviceAccountPatched && !serviceAccountFailure && !!linkedEarlier;
      // A resumed run rewrites the secret its earlier attempt wrote: it replaced another
      // request's secret only when that attempt's record says so.
      const written = {
        ...write,
        serviceAccountPatched: write.serviceAccountPatched || addedEarlier,
        // An extension whose secret was deleted meanwhile writes it anew (and still retires the
        // credential it held).
        action: previous && (existing || earlierWrite) ? ('replaced' as const) : ('created' as const),
      };
      // The uid names the very object written, the fingerprint the data: revoke deletes that
      // object and no other, and only while it holds that data (G15).
      await ctx.recordCreated({
        kind: 'pullSecret',
        id: secretId,
        name: plan.secretName,
        uid: write.uid,
        dataFingerprint,
      });
      await ctx.audit({
        action: 'kubernetes.write.secret',
        outcome: written.action,
        targetIds: [targetId],
        // Trusted on its label and records alone (sameAccess): said, for an operator to find.
        ...(previous && existing && writtenSecretUid(previous) === undefined
          ? { detail: `over the secret of ${previous.id}, recorded before acrbot kept secret uids` }
          : {}),
      });
      if (credential.earlierPasswords) await this.removeEarlierPasswords(credential.earlierPasswords, ctx);
      const serviceAccountId = `${plan.cluster.id}/namespaces/${plan.namespace}/serviceaccounts/${plan.serviceAccount}`;
      if (written.serviceAccountPatched)
        await ctx.audit({
          action: 'kubernetes.write.serviceAccount',
          outcome: 'patched',
          targetIds: [serviceAccountId],
          ...(addedEarlier ? { detail: 'by an earlier attempt of this request' } : {}),
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
          outcome: serviceAccountLinkUnknown ? 'unknown' : 'failed',
          targetIds: [serviceAccountId],
          // As the card (below) and the revocation's entry (access-lifecycle.ts): a message written
          // for people, else no library's text at all; the error itself is in the log line above.
          detail: isUserFacing(serviceAccountFailure) ? serviceAccountFailure.message : 'unexpected error',
        });
        const why = isUserFacing(serviceAccountFailure) ? ` ${serviceAccountFailure.message}` : '';
        serviceAccountNote = serviceAccountLinkUnknown
          ? ` Perhaps not added to service account ${plan.serviceAccount}:${why} Until its imagePullSecrets names the secret, name it in the pod's imagePullSecrets.`
          : ` Not added to service account ${plan.serviceAccount}:${why} Until it is, name the secret in the pod's imagePullSecrets.`;
      }
      // A `--kind sp` rotation keeps the credential it replaced until its new role can have
      // applied: the clean-up job deletes it then (credential-cleanup.ts SP_RETIREMENT_DELAY_MS).
      const keepUntil = retirementDueAt({ ...request, created: ctx.created() });
      const retired = previous ? await this.retirePrevious(previous, credential.ref, ctx, keepUntil) : 'none';
      const absent =
        previous && written.action === 'created'
          ? ' The secret was no longer in the cluster and was written anew.'
          : '';
      const retiredNote =
        retired === 'deleted'
          ? `${absent} ${REPLACED_CREDENTIAL_DELETED}`
          : retired === 'kept' && previous && keepUntil
            ? `${absent} ${deferredRetirementSentence(previous.id, keepUntil, pullCheck === 'pulls')}`
            : retired === 'pending' && previous
              ? ` ${retirementPendingSentence(previous.id)}`
              : '';
      // Whether the kept credential's sentence says already that pulls may fail meanwhile.
      const pullsMayFailSaid = retired === 'kept' && !!keepUntil && pullCheck !== 'pulls';
      const pullCheckNote = pullCheck ? ` ${pullCheckSentence(pullCheck, plan.registry.name, pullsMayFailSaid)}` : '';
      const validity = credentialValidity(request, plan);
      const entries = serviceAccountEntriesAfterWrite(plan, written.serviceAccountPatched, previousEntries ?? previous);
      const serviceAccountLinks = serviceAccountLinksAfterWrite(
        plan,
        { patched: written.serviceAccountPatched, uid: serviceAccountUid, unknown: serviceAccountLinkUnknown },
        entries,
        previous,
      );
      return {
        summary: `Secret ${plan.namespace}/${plan.secretName} ${written.action} in ${plan.cluster.name} with ${credentialName(credential.ref, credential.id)}${validity}.${written.serviceAccountPatched ? ` Added to service account ${plan.serviceAccount}.` : ''}${serviceAccountNote}${pullCheckNote}${retiredNote}`,
        azureRequestIds: credential.requestIds,
        createdIds: [credential.id],
        credentialRef: encodeCredentialRef(credential.ref),
        secret: { ...written, serviceAccounts: entries, ...(serviceAccountLinks ? { serviceAccountLinks } : {}) },
        // Recorded with the outcome: the request's clean-up job deletes it (credential-cleanup.ts).
        ...((retired === 'pending' || retired === 'kept') && previous
          ? { retirement: { requestId: previous.id } }
          : {}),
        // What became of the replaced credential, for what reads it later (the extension's audit
        // entry), rather than from the summary's words: one kept is still to delete (`pending`).
        ...(previous
          ? { retired: { requestId: previous.id, credential: retired === 'kept' ? 'pending' : retired } }
          : {}),
      };
    } catch (err) {
      // The run is another instance's now (its lease lapsed and it was taken over, or the new
      // holder's fencing write beat ours): that instance resumes with the very credential
      // recorded here, so deleting it would pull it from under a secret it is writing, and
      // with the lease gone the delete could not even be audited. Stop without touching Azure.
      if (err instanceof LeaseLostError || err instanceof VersionConflictError) throw err;
      // Stopped before the write (the instance stopping during the pull check): the run stays
      // executing and is resumed, reusing what it recorded; nothing to undo.
      if (err instanceof RunInterrupted && writeState === 'none') throw err;
      // The secret may hold the credential (written, or a write whose answer was lost): deleting
      // it would leave the secret with a dead credential, labelled with a failed request.
      if (writeState === 'written' || (writeState === 'started' && !isWriteRefusal(err))) {
        // A cluster that answers reads but never confirms the write is waited on as long as one
        // that answers nothing (waitOnCluster): then the run gives up and deletes the credential.
        const since = request.waiting?.since;
        if (writeState === 'started' && since && this.waitedTooLong(since)) {
          ctx.log.error(
            { err, waitingSince: since },
            'the secret write was not confirmed for too long; the run gives up',
          );
          const gaveUp = this.gaveUp(err, request, plan, since, 'could not confirm writing');
          const owner = { ...request, created: ctx.created() };
          return this.failWithEarlierCredential(gaveUp, owner, plan, ctx, refs, true, unanswered);
        }
        // Once per waiting period (the waiting mark, executor.ts): a resume that stops again the
        // same way adds no audit entry and no warning.
        return this.interrupt(err, writeState, targetId, ctx, this.waitingNotice(plan, writeState), {
          again: !!request.waiting,
        });
      }
      const cleaned: CleanupFindings = { deleted: 0 };
      const cleanup = await this.cleanUp(refs, ctx, { ...request, created: ctx.created() }, unanswered, cleaned);
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
            ? cleaned.deleted
              ? tokenProgress.tokenRefused && plan.repositories.length
                ? ' The scope map acrbot had created for the token was deleted again.'
                : ' The credential acrbot had created was deleted again.'
              : // The clean-up found nothing under its names: the refused create made nothing, or
                // (a resumed run) an earlier attempt's credential was deleted already.
                earlierCredential
                ? ' Nothing acrbot created for this request is left in Azure.'
                : ' Nothing was created.'
            : application.unseen
              ? ` ${CLEANUP_PROMISES.applicationUnseen}`
              : refs.every((ref) => ref.kind === 'sp' && !ref.applicationId)
                ? ` ${CLEANUP_PROMISES.unanswered}`
                : ` ${CLEANUP_PROMISES.recorded}`;
      const leftText = (cleaned.left ?? []).map((a) => ` ${leftAssignmentSentence(a)}`).join('');
      throw new RunFailure({
        summary: 'Failed',
        azureRequestIds: credential?.requestIds ?? [],
        error: `${reason}${cleanupText}${leftText}`,
        errorCode: isUserFacing(err) ? err.code : err instanceof CloudApiError ? err.code : 'internal',
        cleanup: refs.length ? cleanup : 'none',
        credentialRef: refs.length && cleanup === 'pending' ? JSON.stringify(refs) : undefined,
      });
    }
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
  private async checkFirst(
    request: AccessRequest,
    plan: SecretPlan,
    ctx: RunContext,
    targetId: string,
    earlierWrite: boolean,
    found: { secretMayHold: boolean },
  ): Promise<Checked> {
    const wait = (err: unknown): Promise<never> => {
      if (!earlierWrite || err instanceof LeaseLostError || err instanceof VersionConflictError) throw err;
      return this.waitOnCluster(err, request, plan, targetId, ctx, found);
    };
    const earlierCredential = recordedCredentials({ ...request, created: ctx.created() }).length > 0;
    const lapsed = await this.lapsedCredentialRefusal(request, plan, ctx, targetId, earlierCredential, earlierWrite);
    if (lapsed) {
      // As a refusal of the cluster below: the secret is not looked at.
      found.secretMayHold = earlierWrite;
      throw lapsed;
    }
    // Read beside the cluster (one round trip more, not two); it never rejects.
    const registryRead = this.rereadRegistry(plan, ctx);
    const { refusal, privateCluster } = await this.recheckCluster(plan, ctx, earlierCredential).catch(
      (err: unknown) => {
        // As for the cluster's own checks below: said once, by the run that fails.
        if (!earlierWrite && isUserFacing(err)) logExplainedFailure(err, ctx);
        return wait(err);
      },
    );
    if (refusal) {
      // Gone, stopped, or one acrbot will not sign in to: the secret is not looked at.
      found.secretMayHold = earlierWrite;
      throw refusal;
    }
    const registryRefusal = await this.recheckRegistry(await registryRead, plan, ctx, earlierCredential);
    if (registryRefusal) {
      // As a refusal of the cluster: the secret is not looked at.
      found.secretMayHold = earlierWrite;
      throw registryRefusal;
    }
    const { access, existing, serviceAccountLinked } = await this.checkKubernetes(plan).catch((cause: unknown) => {
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
      const labelledRequest = labelled ? await this.ports.requests.get(labelled).catch(wait) : undefined;
      let decision = decideReplacement(current, existing, labelledRequest);
      // The label taken off or changed (a policy engine): acrbot's records of who wrote this
      // secret for the access may still prove it is acrbot's (G15), by its uid and data.
      if (!decision.replace && labelled !== request.id) {
        const writer = await this.recordedWriter(request).catch(wait);
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
      if (decision.ownWrite) ({ previous, previousEntries } = await this.replacedEarlier(request, ctx).catch(wait));
    } else if (request.extendsRequestId) {
      // An extension whose secret someone deleted: the credential the secret held is still live,
      // and acrbot's records say whose it is (the cluster has no label left to hint at it). The
      // rotation retires it all the same, or it would stay valid with nothing holding it.
      previous = await this.lastFamilyWriter(request).catch(wait);
    }
    return { access, existing, previous, previousEntries, serviceAccountLinked };
  }

  /**
   * The refusal, audited, of a plan whose credential would lapse within
   * {@link MIN_CREDENTIAL_REMAINING_MS} of the run: its expiry is a date fixed when the request was
   * planned (and shown to the approver), and approval may come up to ACRBOT_APPROVAL_TTL later, so
   * a short lifetime (`--expires 1h`, a low ACRBOT_SECRET_MAX_EXPIRY) can have run out by then.
   * Refused before anything is created rather than made to live longer than approved: acrbot's
   * records (the tab, the reminders) take `plan.expiresAt` for the credential's expiry.
   */
  private async lapsedCredentialRefusal(
    request: AccessRequest,
    plan: SecretPlan,
    ctx: RunContext,
    targetId: string,
    earlierCredential: boolean,
    earlierWrite: boolean,
  ): Promise<UserFacingError | undefined> {
    const remainingMs = Date.parse(plan.expiresAt) - this.now().getTime();
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
   * A resumed run whose earlier attempt began writing the secret and that cannot look at it now:
   * interrupted again (resumed later, nothing deleted), until {@link CLUSTER_WAIT_LIMIT_MS} after
   * the run first stopped; then it gives up, and the caller deletes the credential, saying that
   * the secret may hold it.
   */
  private async waitOnCluster(
    err: unknown,
    request: AccessRequest,
    plan: SecretPlan,
    targetId: string,
    ctx: RunContext,
    found: { secretMayHold: boolean },
  ): Promise<never> {
    const since = request.waiting?.since;
    if (since && this.waitedTooLong(since)) {
      found.secretMayHold = true;
      ctx.log.error({ err, waitingSince: since }, 'the secret could not be looked at for too long; the run gives up');
      throw this.gaveUp(err, request, plan, since, 'could not look at');
    }
    return this.interrupt(err, 'started', targetId, ctx, this.waitingNotice(plan, 'again'), { again: true });
  }

  /** Whether a run waiting since `since` has waited {@link CLUSTER_WAIT_LIMIT_MS}. */
  private waitedTooLong(since: string): boolean {
    return this.now().getTime() - Date.parse(since) >= CLUSTER_WAIT_LIMIT_MS;
  }

  /** The refusal of a run that waited on the cluster for {@link CLUSTER_WAIT_LIMIT_MS}. */
  private gaveUp(
    err: unknown,
    request: AccessRequest,
    plan: SecretPlan,
    since: string,
    what: 'could not look at' | 'could not confirm writing',
  ): UserFacingError {
    return new UserFacingError(
      'kubernetes.gaveUp',
      `acrbot ${what} secret ${plan.namespace}/${plan.secretName} in cluster ${plan.cluster.name} from ${shortTime(since)} on, and gave up after ${CLUSTER_WAIT_LIMIT_MS / 3_600_000} hours. The last try: ${isUserFacing(err) ? err.message : `an unexpected error; the platform team can find the details in acrbot's logs under reference ${currentCorrelationId() ?? request.id}. Ask them to look at the cluster, then ask for it again (the new request needs approving again).`}`,
    );
  }

  /** What the cards say while the run waits (once, when it first stops: executor.ts). */
  private waitingNotice(plan: SecretPlan, why: 'started' | 'written' | 'again'): string {
    const secret = `secret ${plan.namespace}/${plan.secretName} in cluster ${plan.cluster.name}`;
    const keeps = `acrbot keeps the new credential, which the secret may hold, and looks again until the cluster answers; after ${CLUSTER_WAIT_LIMIT_MS / 3_600_000} hours without an answer it gives up and deletes that credential.`;
    return why === 'written'
      ? `The ${secret} was written, but acrbot could not record it yet; it tries again shortly.`
      : why === 'started'
        ? `Cluster ${plan.cluster.name} gave no clear answer to the write of ${secret}: ${keeps}`
        : `acrbot cannot look at ${secret}, which an earlier attempt began writing: ${keeps}`;
  }

  /**
   * Ends a run refused before it began (an extension whose original no longer holds its access,
   * secret-extension-runner.ts) as a refusal in its own checks ends: a resumed run deletes the
   * credential its earlier attempt recorded; the secret may hold it when that attempt began
   * writing it, since the secret was not looked at. Throws `err` when nothing was recorded.
   */
  refuseBeforeChecks(err: unknown, request: AccessRequest, ctx: RunContext): Promise<never> {
    const secretId = pullSecretRecordId(request.plan as SecretPlan);
    const earlierWrite = ctx.created().some((o) => o.kind === 'pullSecretWriteStarted' && o.id === secretId);
    return this.failBeforeCredential(err, request, ctx, earlierWrite);
  }

  /**
   * A run that failed before its own credential step. A resumed one may hold the credential an
   * earlier attempt of this request created: the request's records say acrbot made it, and a
   * failed request's credential is deleted by nothing else (G14, G15). Anything else is thrown.
   */
  private async failBeforeCredential(
    err: unknown,
    request: AccessRequest,
    ctx: RunContext,
    secretMayHold: boolean,
  ): Promise<never> {
    const owner = { ...request, created: ctx.created() };
    const earlier = recordedCredentials(owner);
    if (!earlier.length || err instanceof LeaseLostError || err instanceof VersionConflictError) throw err;
    if (err instanceof RunInterrupted) throw err;
    // An earlier attempt may have stopped with its create unanswered (a crash, a lost lease):
    // its objects are taken as possibly still to appear.
    const plan = request.plan as SecretPlan;
    return this.failWithEarlierCredential(err, owner, plan, ctx, earlier, secretMayHold, new Set(earlier));
  }

  /**
   * Fails a resumed run before its own credential step, deleting the credential an earlier
   * attempt of the request created (its records say so, G15) like any failed run's (G14): at
   * once, or recorded for the clean-up job. `secretMayHold`: that attempt began writing the
   * secret and it could not be looked at, so the outcome says the secret may hold it.
   * `unanswered`: see {@link cleanUp}.
   */
  private async failWithEarlierCredential(
    err: unknown,
    owner: AccessRequest,
    plan: SecretPlan,
    ctx: RunContext,
    refs: CredentialRef[],
    secretMayHold: boolean,
    unanswered: ReadonlySet<CredentialRef>,
  ): Promise<never> {
    if (!isUserFacing(err)) ctx.log.error({ err }, 'resumed secret run failed before its credential step');
    const findings: CleanupFindings = { deleted: 0 };
    const cleanup = await this.cleanUp(refs, ctx, owner, unanswered, findings);
    const reason = isUserFacing(err)
      ? err.message
      : `Something unexpected went wrong; the platform team can find the details in the bot's logs under reference ${currentCorrelationId() ?? owner.id}.`;
    const what =
      cleanup === 'deleted'
        ? ' The credential an earlier attempt of this request had created was deleted.'
        : refs.every((ref) => ref.kind === 'sp' && !ref.applicationId)
          ? ` ${CLEANUP_PROMISES.earlierUnanswered}`
          : ` ${CLEANUP_PROMISES.earlierRecorded}`;
    const replaced = replacedByStartedWrite(owner)?.requestId;
    const held = secretMayHold
      ? ` That attempt began writing secret ${plan.namespace}/${plan.secretName} in cluster ${plan.cluster.name}, which may therefore hold the credential and stop working without it${replaced ? ` (it was replacing the secret of ${replaced})` : ''}: look at that secret, delete it if it names this request, and ask again.`
      : '';
    throw new RunFailure({
      summary: 'Failed',
      azureRequestIds: [],
      error: `${reason}${what}${held}${(findings.left ?? []).map((a) => ` ${leftAssignmentSentence(a)}`).join('')}`,
      errorCode: isUserFacing(err) ? err.code : 'internal',
      cleanup,
      credentialRef: cleanup === 'pending' ? JSON.stringify(refs) : undefined,
    });
  }

  /**
   * Stops the run without failing it or deleting anything: the secret may hold the credential
   * (`started`: a write Kubernetes neither confirmed nor refused, or a resumed run that could not
   * look at the secret; `written`: the write landed and recording it failed). The request stays
   * executing and is resumed (executor.ts, {@link RunInterrupted}); the resumed run finds the
   * secret with this request's label and writes it again, or finds the write never landed.
   * `notice` is what the cards say meanwhile.
   */
  private async interrupt(
    err: unknown,
    writeState: 'started' | 'written',
    targetId: string,
    ctx: RunContext,
    notice: string,
    options: { again?: boolean } = {},
  ): Promise<never> {
    const why =
      writeState === 'written'
        ? 'the secret was written but recording it failed'
        : 'acrbot could not tell whether the secret holds the new credential';
    // Not logged here: the executor logs the interruption with this cause, in one line (a warning
    // when the run first stops, debug at a resume that stops again: markWaiting). The errors here
    // carry no secret: the Kubernetes ones are built without the request's or the answer's text
    // (kube-errors.ts), the store's know nothing of the password.
    if (options.again)
      // Audited once, by the attempt that stopped first: a cluster that stays unreachable is
      // tried again at every resume sweep, which must not add an entry each time.
      throw new RunInterrupted(`secret run interrupted again: ${why}`, { cause: err, notice });
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
    throw new RunInterrupted(`secret run interrupted: ${why}; the credential is kept`, { cause: err, notice });
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
   * The request acrbot's records say wrote the secret `request` is to replace: for an extension,
   * its access's last writer ({@link lastFamilyWriter}); else the request the approved plan
   * replaces (`plan.replaces`). Undefined when there is none.
   */
  private async recordedWriter(request: AccessRequest): Promise<AccessRequest | undefined> {
    if (request.extendsRequestId) return this.lastFamilyWriter(request);
    const planned = (request.plan as SecretPlan).replaces;
    return planned ? this.ports.requests.get(planned.requestId) : undefined;
  }

  /**
   * The request of `extension`'s access that last wrote its secret, by acrbot's records (G15):
   * its original, or the extension of that original (one that moved its end) whose write came
   * last. Only one that still holds the access (`succeeded`) and wrote that very secret counts.
   * The rotation card names the same request (AccessLifecycle.rotationPlan asks the same function).
   */
  private async lastFamilyWriter(extension: AccessRequest): Promise<AccessRequest | undefined> {
    const original = await this.ports.requests.get(extension.extendsRequestId!);
    if (!original || original.id === extension.id) return undefined;
    const extensions = [];
    for (const id of original.access?.extendedBy ?? []) {
      if (id === extension.id) continue;
      const other = await this.ports.requests.get(id);
      if (other) extensions.push(other);
    }
    return lastFamilyWriter(original, extensions, extension.plan as SecretPlan);
  }

  /**
   * Reaches the cluster and checks namespace, service account and any secret of that name. The
   * caller logs what caused a failure it fails on (a run that waits says so in its own way).
   */
  private async checkKubernetes(
    plan: SecretPlan,
  ): Promise<{ access: ClusterAccess; existing?: ExistingSecret; serviceAccountLinked?: boolean }> {
    const access = await this.ports.kubernetes.access(plan.cluster);
    const { existing, serviceAccountLinked } = await this.ports.kubernetes.precheck(access, plan);
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
  private async recheckCluster(
    plan: SecretPlan,
    ctx: RunContext,
    earlierCredential: boolean,
  ): Promise<{ refusal?: UserFacingError; privateCluster?: boolean }> {
    const { subscriptionId, resourceGroup, name, id } = plan.cluster;
    const cluster = await this.clusters.reader.getCluster(subscriptionId, resourceGroup, name).catch((err: unknown) => {
      // Says nothing of the cluster itself (the reader throws it rather than answer none). Thrown,
      // not a refusal: a run whose earlier attempt began writing the secret waits it out.
      if (!isSubscriptionNotFound(err)) throw err;
      throw new UserFacingError(
        'recheck.clusterUnreadable',
        `${subscriptionGoneClause('cluster', name)}, so acrbot cannot check that the approved plan still holds${earlierCredential ? '.' : ', and nothing was created.'} Ask the platform team to check that subscription, and make a new request once it is back.`,
        { cause: err },
      );
    });
    const refusal = !cluster
      ? new UserFacingError(
          'cluster.notFound',
          `Cluster ${name} (resource group ${resourceGroup}) no longer exists or acrbot can no longer read it${earlierCredential ? '.' : '; nothing was created.'}`,
        )
      : hasStaticUserCredential(cluster) && !this.clusters.allowLocalAccountClusters
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
  private async rereadRegistry(plan: SecretPlan, ctx: RunContext): Promise<RegistryInfo | undefined> {
    const { subscriptionId, resourceGroup, name } = plan.registry;
    try {
      return await this.clusters.reader.getRegistry?.(subscriptionId, resourceGroup, name);
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
  private async recheckRegistry(
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

  private explain(err: CloudApiError, plan: SecretPlan): UserFacingError {
    // ARM refuses a `--kind sp` run only its role assignment (Graph's refusals have codes of their
    // own): the registry's token rights have nothing to do with it.
    if (err.code === 'AuthorizationFailed' && plan.credentialKind === 'sp')
      return new UserFacingError(
        'bot.cannotAssignRole',
        `acrbot's identity may not give the new service principal ${plan.role?.name ?? 'pull'} on registry ${plan.registry.name} (Microsoft.Authorization/roleAssignments/write). Ask an Owner of the registry to add it to managedRegistries and redeploy, or to give acrbot's identity Role Based Access Control Administrator there with the condition in docs/deploy.md; or ask for --kind token (the default), which needs no role assignment.`,
      );
    if (err.code === 'AuthorizationFailed')
      return new UserFacingError(
        'bot.cannotCreateCredential',
        `acrbot's identity may not create the credential on registry ${plan.registry.name}; ask the platform team to give it rights on Microsoft.ContainerRegistry/registries/tokens and generateCredentials there (docs/deploy.md), or ask for --kind sp.`,
      );
    if (err.code === 'LinkedAuthorizationFailed')
      return new UserFacingError(
        'bot.linkedAuthorizationFailed',
        linkedAuthorizationSentence(err, {
          refused: `to create the credential on registry ${plan.registry.name}`,
          retry: 'ask again',
        }),
      );
    if (err.code === 'Authorization_RequestDenied')
      return new UserFacingError(
        'bot.cannotCreateApplication',
        'acrbot may not create Entra applications; ask the platform team to give its identity the Graph application permission Application.ReadWrite.OwnedBy, or ask for --kind token (the default), which needs no directory rights.',
      );
    if (plan.role && err.code === 'RoleAssignmentUpdateNotPermitted')
      return new UserFacingError(
        'azure.assignmentConflict',
        `A different role assignment already uses acrbot's name for the new service principal's ${plan.role.name} on registry ${plan.registry.name}; ask the platform team to check the registry's role assignments.`,
      );
    if (plan.role && err.code === 'PrincipalNotFound')
      return new UserFacingError(
        'azure.principalNotFound',
        `Azure still did not know the new service principal after retrying for about two minutes (directory replication); ask for it again in a few minutes (the new request needs approving again).`,
      );
    // No status: no answer came (a lost connection, a deadline, an operation still running), so
    // nothing says Azure refused; the clean-up note that follows says what becomes of it.
    if (err.statusCode === undefined)
      return new UserFacingError(
        'azure.writeUnconfirmed',
        `Azure did not confirm creating the credential (${armCode(err.code)}): its answer was lost or did not come in time; the platform team can look it up with ${azureLookupIds(err)}.`,
      );
    // A success status whose body could not be read (arm-registry-tokens.ts): Azure may well have
    // done it, generateCredentials included, so it is not called a refusal.
    if (err.statusCode < 300)
      return new UserFacingError(
        'azure.writeUnconfirmed',
        `Azure answered the creation of the credential, but its answer could not be read (${armCode(err.code)}), so whether the credential was created is not known; the platform team can look it up with ${azureLookupIds(err)}.`,
      );
    return new UserFacingError(
      'azure.writeFailed',
      `Azure refused to create the credential (${armCode(err.code)}); the platform team can look it up with ${azureLookupIds(err)}.`,
    );
  }

  private async createToken(
    request: AccessRequest,
    plan: SecretPlan,
    ctx: RunContext,
    refs: CredentialRef[],
    unanswered: Set<CredentialRef>,
    progress: TokenProgress,
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
    // A resumed run's token (an earlier attempt recorded it): as it is now, before any write. One
    // someone disabled since is not enabled again by a PUT asking for `enabled` (G15).
    const earlierToken = recorded('acrToken', tokenName)
      ? await this.ports.tokens.getToken(registry, tokenName).catch((err: unknown) => {
          // As after a create Azure did not answer: the earlier attempt's token may be there.
          if (!(err instanceof CloudApiError && isRefusal(err.statusCode))) unanswered.add(ref);
          throw err;
        })
      : undefined;
    if (earlierToken) progress.tokenExisted = true;
    if (earlierToken?.status !== undefined && earlierToken.status !== 'enabled')
      await this.refuseDisabledToken(registry, tokenName, earlierToken.status, true, ctx);
    // Only a refusal says the create changed nothing. One past its deadline may still be running
    // in Azure, and one whose answer was lost may have landed: not found is no proof of gone.
    const noteUnanswered = async <T>(write: () => Promise<T>, what: 'token' | 'scope map'): Promise<T> =>
      write().catch((err: unknown) => {
        if (!(err instanceof CloudApiError && isRefusal(err.statusCode))) unanswered.add(ref);
        else if (what === 'token' && !progress.tokenExisted) progress.tokenRefused = true;
        const atQuota = err instanceof CloudApiError && registryQuotaSentence(err, registry.name, what);
        throw atQuota ? new UserFacingError('azure.registryQuota', atQuota, { cause: err }) : err;
      });
    const scopeMap = await noteUnanswered(
      () => this.ports.tokens.scopeMapFor(registry, scopeMapName ?? '', plan.repositories),
      'scope map',
    );
    if (scopeMap.requestId) requestIds.push(scopeMap.requestId);
    // The earlier attempt's token, enabled and on this scope map, is left as it is: no second
    // PUT and no second "created" entry. Anything else of it (still being written, another
    // scope map, a status not given) is PUT again, as a create would.
    const reusable =
      earlierToken?.status === 'enabled' &&
      (earlierToken.provisioningState ?? 'Succeeded') === 'Succeeded' &&
      earlierToken.scopeMapId?.toLowerCase() === scopeMap.id.toLowerCase();
    const token = reusable
      ? { id: earlierToken.id }
      : await noteUnanswered(() => this.ports.tokens.createToken(registry, tokenName, scopeMap.id), 'token');
    // One key for this token's "created" entry, in the first attempt and any resumed one: an
    // attempt that died mid-PUT left a token the resumed run reuses without writing it, and the
    // trail must still say it was created before it says a password was generated for it.
    // Names, not the token's ARM path: a key is at most IDEMPOTENCY_KEY_MAX (128) characters,
    // and this one stays under it (ids of 10, registry and token names of at most 50 each).
    // A reused token's entry is not written again when the earlier attempt's own is there (same key).
    if ('requestId' in token && token.requestId) requestIds.push(token.requestId);
    await ctx.audit({
      action: 'azure.write.token',
      outcome: 'created',
      targetIds: [token.id],
      correlationIds: requestIds,
      ...(reusable && { detail: 'created by an earlier attempt of this run; found enabled on its scope map' }),
      idempotencyKey: `acr-token:${ctx.requestId}:${registry.name}:${tokenName}`.toLowerCase(),
    });
    // Azure answered success, but a policy may have made the token disabled: its password would
    // not sign in, so none is generated (the clean-up deletes the token; an extension keeps the
    // credential its secret holds).
    if ('status' in token && token.status !== undefined && token.status !== 'enabled')
      await this.refuseDisabledToken(registry, tokenName, token.status, false, ctx);
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

  /**
   * Audits and throws the refusal of a token that is not `enabled` (`status`): ACR created it
   * so (`resumed` false: a policy, see {@link disabledTokenSentence}) or it was found so when a
   * resumed run came back to it. Thrown before any password is generated or secret written.
   */
  private async refuseDisabledToken(
    registry: SecretPlan['registry'],
    tokenName: string,
    status: string,
    resumed: boolean,
    ctx: RunContext,
  ): Promise<never> {
    await ctx.audit({
      action: 'azure.write.token',
      outcome: 'refused',
      targetIds: [`${registry.id}/tokens/${tokenName}`],
      detail: resumed ? 'token found disabled when the run resumed' : 'token created disabled (an Azure Policy?)',
    });
    throw new UserFacingError('azure.tokenDisabled', disabledTokenSentence(registry.name, tokenName, status, resumed));
  }

  private async createServicePrincipal(
    request: AccessRequest,
    plan: SecretPlan,
    ctx: RunContext,
    refs: CredentialRef[],
    /** Set while the clean-up knows the application only by its name because Graph has not shown it yet. */
    application: { unseen: boolean },
    /** acrbot's own service principal's object id ({@link ownServicePrincipalId}). */
    ownSpId: string,
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
    // A name this run has just chosen is known to nobody else, so the application under it is
    // this run's new one even when Graph answered 204 "exists": the SDK resends an upsert whose
    // 201 was lost, and the resend finds what the first one made. Taken for an earlier one, it
    // would get no replication retries and, refused, be left behind instead of deleted.
    if (!recordedApp && !app.created) app = { ...app, created: true };
    await ctx.recordCreated({ kind: 'application', id: app.id, name: uniqueName });
    // A role assignment an earlier attempt of this request recorded (a resumed run): it gives the
    // service principal pull rights, so it goes with the application whenever the clean-up
    // deletes that, as the clean-up of a run failing before this step does (credentialOf, G14).
    const assignment = ctx.created().find((o) => o.kind === 'roleAssignment');
    const recordedAssignment = assignment && {
      scope: plan.registry.id,
      name: assignment.id.split('/').pop()!,
      subscriptionId: plan.registry.subscriptionId,
    };
    const ref: CredentialRef = {
      kind: 'sp',
      applicationId: app.id,
      appId: app.appId,
      ...(recordedAssignment && { roleAssignment: recordedAssignment }),
    };
    // Until Graph has shown the application this run created (a call on it by its id answered),
    // a delete by its id could be answered 404 ("gone") while it replicates, and leave it behind:
    // its clean-up looks for it by the uniqueName recorded before the create instead, again later
    // until Graph shows it (G14). One Graph has shown is deleted by its id.
    const cleanUpBy = (by: CredentialRef): void => {
      refs.splice(
        refs.findIndex((r) => r === ref || r === byName),
        1,
        by,
      );
      application.unseen = by === byName;
    };
    cleanUpBy(app.created ? byName : ref);
    const lookUpByName = () => cleanUpBy(byName);
    if (app.requestId) requestIds.push(app.requestId);
    await ctx.audit({
      action: 'graph.write.application',
      outcome: app.created ? 'created' : 'reused',
      targetIds: [app.id, app.appId],
      correlationIds: app.requestId ? [app.requestId] : [],
    });
    const foundSp = await this.ports.servicePrincipals.findServicePrincipal(app.appId);
    const sp: { id: string; requestId?: string } =
      foundSp ??
      (await this.whileReplicating(
        app,
        'service principal create',
        ctx,
        () => this.ports.servicePrincipals.createServicePrincipal(app.appId),
        lookUpByName,
      ));
    await ctx.recordCreated({ kind: 'servicePrincipal', id: sp.id, name: app.appId });
    if (sp.requestId) requestIds.push(sp.requestId);
    // Before it gets a password and pull rights: nobody else may own it or its service principal
    // (an existing one found above included), or hold a credential on either: a federated
    // identity credential or a service principal's own password authenticates as well (G15).
    const recordedPasswords = ctx.created().filter((o) => o.kind === 'applicationPassword');
    let foreign: ForeignHolder[] = [];
    // The read covers the service principal too: one this run created a moment ago (for an
    // application it reused) may not be found yet either, so a 404 then is replication as well.
    // Giving up on it changes nothing of how the application, which Graph did show, is deleted.
    const spJustCreated = !app.created && !foundSp;
    const inspect = async () => {
      const holders = await this.whileReplicating(
        spJustCreated ? { id: app.id, created: true } : app,
        'application read',
        ctx,
        () => this.ports.servicePrincipals.inspectApplication(app.id, sp.id),
        spJustCreated ? () => undefined : lookUpByName,
        spJustCreated
          ? `the service principal acrbot had just created (${sp.id}) for Entra application ${app.id}`
          : undefined,
      );
      // Graph shows it by its id: from here on it is deleted by its id.
      cleanUpBy(ref);
      const own = {
        servicePrincipalId: ownSpId,
        passwordKeyIds: recordedPasswords.map((o) => o.id).filter(Boolean),
        passwordMarkers: recordedPasswords.map((o) => o.name).filter((n): n is string => !!n),
      };
      foreign = foreignHolders(holders, own);
      return applicationProblem(holders, own);
    };
    let problem = await inspect();
    // Graph replicates a new application: read right after the 201 that created it, it may show
    // no owner yet. Looked at again briefly before it is given up.
    for (const delayMs of app.created ? this.retry.delaysMs.slice(0, APPLICATION_INSPECT_RETRIES) : []) {
      if (!problem) break;
      await this.retry.sleep(delayMs);
      problem = await inspect();
    }
    if (problem) {
      // The holders in full for the platform team (issuers and subjects are not for the card).
      ctx.log.error(
        { applicationId: app.id, servicePrincipalId: sp.id, problem, foreign },
        'application refused: not held by acrbot alone',
      );
      // A role assignment an earlier attempt recorded gives this service principal pull rights,
      // whatever becomes of the application: it goes (with the clean-up when the application
      // does, as `ref` carries it, at once otherwise).
      if (app.created) {
        // This run created it a moment ago under a name nobody else knows (G15): the clean-up
        // deletes it rather than leave it, passwordless and unused, for nobody to find.
        throw new UserFacingError(
          'graph.applicationNotOurs',
          `acrbot will not use the Entra application it just created (${app.id}) for this secret: ${problem}. Nothing was granted.`,
        );
      }
      // Not deleted: an application someone else holds as well is for a person to look at.
      refs.splice(refs.indexOf(ref), 1);
      const assignmentLeft = recordedAssignment
        ? await this.deleteRoleAssignment(recordedAssignment, sp.id, ctx)
        : undefined;
      // Not listed even after looking again, or its deletion failed: it may still exist and
      // grant pull, so "nothing was granted" would not be true (G14).
      const granted =
        assignmentLeft === 'unconfirmed' || assignmentLeft === 'failed'
          ? ` An earlier attempt of this request gave its service principal role assignment ${recordedAssignment!.name} on registry ${plan.registry.name}, which acrbot could not delete (${assignmentLeft === 'failed' ? 'the deletion failed' : 'Azure did not list it'}); the platform team should look at that application and at the registry's role assignments.`
          : ' Nothing was granted; the platform team should look at that application.';
      throw new UserFacingError(
        'graph.applicationNotOurs',
        `acrbot will not use Entra application ${app.id} for this secret: ${problem}.${granted}`,
      );
    }
    // The marker is recorded before the call: if the process dies while Graph adds the password,
    // the resumed run recognises that password as its own instead of refusing the application.
    // A replication 404 added nothing (Graph did not find the application), so the call is sent
    // again under the same marker, already recorded.
    const marker = `acrbot image pull ${request.id} ${randomUUID()}`;
    await ctx.recordCreated({ kind: 'applicationPassword', id: '', name: marker });
    const password = await this.whileReplicating(
      app,
      'addPassword',
      ctx,
      () => this.ports.servicePrincipals.addPassword(app.id, plan.expiresAt, marker),
      lookUpByName,
    );
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
    const earlierPasswords: EarlierPasswords | undefined = recordedPasswords.length
      ? {
          applicationId: app.id,
          currentKeyId: password.keyId,
          keyIds: recordedPasswords.map((o) => o.id).filter(Boolean),
          markers: recordedPasswords.map((o) => o.name).filter((n): n is string => !!n),
        }
      : undefined;
    return { username: app.appId, password: password.secret, ref, id: app.appId, requestIds, earlierPasswords };
  }

  /**
   * acrbot's own service principal's object id, read before anything of a `--kind sp` credential
   * step: the application check trusts no owner but it (anyone's service principal would pass
   * "one service principal owner"). Its refusal says "nothing was created" only when this
   * request's records hold nothing an earlier attempt created; otherwise the caller deletes that,
   * or records it for the clean-up job, and says so.
   */
  private async ownServicePrincipalId(request: AccessRequest, ctx: RunContext): Promise<string> {
    try {
      return await this.ports.servicePrincipals.ownServicePrincipalId();
    } catch (err) {
      const earlier = recordedCredentials({ ...request, created: ctx.created() }).length > 0;
      throw new UserFacingError(
        'graph.ownIdentityUnknown',
        `acrbot could not tell its own service principal's object id from its Microsoft Graph token, so it cannot check who else holds an Entra application.${earlier ? '' : ' Nothing was created.'}`,
        { cause: err },
      );
    }
  }

  /**
   * A Graph call about the application of this run, asked again (at the runner's retry delays,
   * bounded) while Graph answers 404 `Request_ResourceNotFound` for an application this run just
   * created (`app.created`): Graph is eventually consistent, and for a few seconds after the
   * create it may not find the new application on reads, `addPassword` or service principal
   * creation (microsoftgraph/msgraph-sdk-javascript#1999; hashicorp/terraform-provider-azuread
   * #117/#118 and #1802 wait on the same 404). Such a 404 changed nothing, so asking again is
   * safe (the application read also reads the service principal: one this run just created for
   * an application it reused is passed as `created` too). A 404 about an application this run did
   * not just create is a real one (deleted):
   * thrown at once. When the application stays invisible, the run fails with the last 404 as the
   * cause and its clean-up deletes the application, as for any failure after its creation.
   */
  private async whileReplicating<T>(
    app: { id: string; created: boolean },
    what: string,
    ctx: RunContext,
    call: () => Promise<T>,
    /** Called before giving up: what the clean-up should look the application up by. */
    onGiveUp: () => void,
    /** What Graph did not find, as the failure names it. */
    missing = `the Entra application acrbot had just created (${app.id})`,
  ): Promise<T> {
    const delays = app.created ? this.retry.delaysMs : [];
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        const notFound =
          err instanceof CloudApiError && err.statusCode === 404 && err.code === 'Request_ResourceNotFound';
        if (!notFound || !app.created) throw err;
        if (attempt >= delays.length) {
          onGiveUp();
          throw new UserFacingError(
            'graph.applicationNotReplicated',
            `Microsoft Graph still did not find ${missing} after ${attempt + 1} tries (${what}; directory replication). Nothing was granted; ask for it again in a few minutes (the new request needs approving again).`,
            { cause: err },
          );
        }
        // Once per call, not per try: the outcome (or the failure) tells the rest.
        if (attempt === 0)
          ctx.log.info(
            { applicationId: app.id, what, code: err.code },
            'Graph does not find the new application yet (replication); asking again',
          );
        await this.retry.sleep(delays[attempt]);
      }
    }
  }

  /**
   * A resumed `--kind sp` run added a password of its own: the ones its earlier attempts added
   * (by their recorded key ids, or the marker recorded before a call whose answer never came)
   * are removed once the secret holds the new one, so the application carries no live password
   * that nothing holds. Only passwords still on the application are removed. A Graph failure is
   * logged and audited, not thrown: the secret works, and those passwords lapse at the
   * credential's end and go with the application when the access ends.
   */
  private async removeEarlierPasswords(earlier: EarlierPasswords, ctx: RunContext): Promise<void> {
    const { applicationId } = earlier;
    const ours = (keyId: string, displayName: string | null | undefined) =>
      earlier.keyIds.some((k) => k.toLowerCase() === keyId.toLowerCase()) ||
      (!!displayName && earlier.markers.includes(displayName));
    let stale: string[];
    try {
      const inspection = await this.ports.servicePrincipals.inspectApplication(applicationId);
      stale = inspection.passwordKeyIds.filter(
        (keyId) =>
          keyId.toLowerCase() !== earlier.currentKeyId.toLowerCase() &&
          ours(keyId, inspection.passwordDisplayNames?.[keyId]),
      );
    } catch (err) {
      ctx.log.error({ err, applicationId }, 'reading the application to remove earlier passwords failed');
      await ctx.audit({
        action: 'graph.write.removePassword',
        outcome: 'failed',
        targetIds: [applicationId],
        detail:
          'the passwords earlier attempts of this request added could not be looked up; they lapse at the credential’s end',
      });
      return;
    }
    for (const keyId of stale) {
      try {
        await this.ports.servicePrincipals.removePassword(applicationId, keyId);
      } catch (err) {
        ctx.log.error({ err, applicationId, keyId }, 'removing a password an earlier attempt added failed');
        await ctx.audit({
          action: 'graph.write.removePassword',
          outcome: 'failed',
          targetIds: [applicationId],
          detail: `keyId ${keyId}, added by an earlier attempt of this request; it lapses at the credential’s end`,
        });
        continue;
      }
      await ctx.audit({
        action: 'graph.write.removePassword',
        outcome: 'removed',
        targetIds: [applicationId],
        detail: `keyId ${keyId}, added by an earlier attempt of this request`,
      });
    }
  }

  /**
   * Deletes a role assignment this request recorded (an earlier attempt's, on an application now
   * refused), under the lease, audited. Its recorded name is a predictable UUIDv5, so only the
   * assignment under that name listed for the service principal (`principalId`) with the scope and
   * role the name was made for is deleted (G15, as credential-deletion.ts's clean-up does); one
   * made again under the name for another role or scope is left in place for an operator, and
   * audited as refused. A failure is logged and audited, not thrown: the request fails for the
   * application's sake either way, and its revocation rebuilds nothing from a failed request, so
   * the audit entry is what tells the platform team.
   */
  private async deleteRoleAssignment(
    assignment: { scope: string; name: string; subscriptionId: string },
    principalId: string,
    ctx: RunContext,
  ): Promise<'deleted' | 'left' | 'unconfirmed' | 'failed'> {
    try {
      // Not listed is no proof of gone (a listing that lags the create, or a create whose answer
      // was lost): looked at again at the runner's retry delays, as the clean-up looks again
      // later; still not listed, it is said undecided, not absent.
      const delays = [0, ...this.retry.delaysMs];
      let named: RoleAssignmentInfo | undefined;
      for (const [attempt, delayMs] of delays.entries()) {
        if (attempt > 0) await this.retry.sleep(delayMs);
        // Inside the try as defence in depth (check() throws only LeaseLostError): any other
        // error of it is logged and audited like a failed delete.
        await ctx.checkLease?.();
        const listed = await this.ports.roleAssignments.listForPrincipal(assignment.scope, principalId);
        named = listed.find((a) => a.name.toLowerCase() === assignment.name.toLowerCase());
        if (named) break;
      }
      if (!named) {
        ctx.log.error(
          { roleAssignment: assignment.name, scope: assignment.scope, looks: delays.length },
          'the recorded role assignment of a refused application is not listed; not deleted',
        );
        await ctx.audit({
          action: 'credential.cleanup',
          outcome: 'unconfirmed',
          targetIds: [assignment.name],
          detail: `not listed for the service principal under its recorded name after ${delays.length} looks: never created, deleted already, or not listed yet; not deleted, for an operator to check`,
        });
        return 'unconfirmed';
      }
      if (!recordedByDerivedName(named, { name: assignment.name, scope: assignment.scope, principalId })) {
        await this.auditLeftAssignment([assignment.name], assignment.scope, ctx);
        return 'left';
      }
      await this.ports.roleAssignments.delete(assignment);
      await ctx.audit({ action: 'credential.cleanup', outcome: 'deleted', targetIds: [assignment.name] });
      return 'deleted';
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
      return 'failed';
    }
  }

  /**
   * Writes the secret: over `existing` (the object {@link checkFirst} decided to replace) only
   * while it is still that object, which the port checks by the version, uid, request-id label and
   * data fingerprint read then (a secret touched since by someone else is replaced at its new
   * version only when it still is that object with that label and data); else created, never
   * overwriting one that appeared. `dockerConfig`: the data to write (it holds the password).
   */
  private async writeSecret(
    access: ClusterAccess,
    request: AccessRequest,
    plan: SecretPlan,
    dockerConfig: string,
    existing: ExistingSecret | undefined,
  ) {
    return this.ports.kubernetes.write(access, {
      replaceResourceVersion: existing?.resourceVersion,
      ...(existing?.resourceVersion !== undefined && existing.uid ? { replaceUid: existing.uid } : {}),
      ...(existing?.resourceVersion !== undefined && existing.requestIdLabel !== undefined
        ? { replaceRequestIdLabel: existing.requestIdLabel }
        : {}),
      // The data it held then: one whose data someone replaced since is not replaced (G15).
      ...(existing?.resourceVersion !== undefined && existing.dataFingerprint
        ? { replaceFingerprint: existing.dataFingerprint }
        : {}),
      // What others put on it, as that check read it: the replace keeps it without reading again.
      ...(existing?.resourceVersion !== undefined && existing.metadata ? { replaceMetadata: existing.metadata } : {}),
      namespace: plan.namespace,
      secretName: plan.secretName,
      dockerConfigJson: dockerConfig,
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
   * caller records it for the request's clean-up job; `kept`: not deleted before `keepUntil`
   * (a `--kind sp` rotation, whose new role may not apply yet), audited, and recorded the same
   * way for the job, which deletes it then; `none`: nothing of acrbot's to delete.
   */
  private async retirePrevious(
    previous: AccessRequest,
    current: CredentialRef,
    ctx: RunContext,
    keepUntil: Date | undefined,
  ): Promise<'deleted' | 'pending' | 'kept' | 'none'> {
    const ref = credentialOf(previous);
    if (!ref || encodeCredentialRef(ref) === encodeCredentialRef(current)) return 'none';
    const problem = credentialRefProblem(ref, previous);
    if (problem) {
      ctx.log.error({ previousRequestId: previous.id, problem }, "previous credential not deleted: not acrbot's");
      return 'none';
    }
    if (!keepUntil) return this.cleanUp([ref], ctx, previous);
    await ctx.audit({
      action: 'credential.cleanup',
      outcome: 'pending',
      targetIds: [ref.kind === 'token' ? ref.tokenName : ref.applicationId || (ref.uniqueName ?? '')],
      detail: `the credential of ${previous.id}, kept until the new role has had time to apply; deleted from ${keepUntil.toISOString()}`,
    });
    return 'kept';
  }

  /**
   * Audits role assignments found under a name acrbot recorded that are not the one it made
   * (another role or scope): left in place, refused (G15). The detail is the clean-up job's
   * (credential-cleanup.ts NOT_OURS_DETAIL), whose later runs read such entries back.
   */
  private async auditLeftAssignment(names: readonly string[], scope: string, ctx: RunContext): Promise<void> {
    for (const name of names) {
      ctx.log.warn(
        { roleAssignment: name, scope },
        'role assignment under the recorded name is not the one acrbot made; left in place for an operator',
      );
      const detail = leftAssignmentDetail({ name, scope });
      // Keyed as the request's clean-up job keys it: a resumed run and the job that both find the
      // assignment record the refusal once.
      await ctx.audit({
        action: 'credential.cleanup',
        outcome: 'refused',
        targetIds: [name],
        detail,
        idempotencyKey: refusalKey(ctx.requestId, detail),
      });
    }
  }

  /**
   * Deletes credentials (newest first); 'pending' (audited, retried by the request's clean-up
   * job) if a deletion failed, a token or scope map is still being written in Azure (a create
   * past its deadline: deleting it now could be overtaken by the create landing after it), or
   * something was not found that may still appear: an application known only by its name
   * (Graph may not show it yet), or what a create Azure did not answer names (`unanswered`).
   * Each reference is checked against `owner`'s records first (G15).
   */
  async cleanUp(
    refs: CredentialRef[],
    ctx: RunContext,
    owner?: AccessRequest,
    unanswered: ReadonlySet<CredentialRef> = new Set(),
    /**
     * Counts the credentials found and deleted (none: nothing had been created), and collects the
     * role assignments left in place as not acrbot's.
     */
    found: CleanupFindings = { deleted: 0 },
  ): Promise<'deleted' | 'pending'> {
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
      const targetIds = [ref.kind === 'token' ? ref.tokenName : ref.applicationId || (ref.uniqueName ?? '')];
      try {
        // A run that was taken over stops before deleting: the new holder resumes with these very
        // credentials (and a delete is no store write, so no fencing would stop it). A check the
        // store failed with too little of the lease left (LeaseMarginError) does not delete either:
        // nobody else holds the run, so the credential stays 'pending', recorded for the clean-up
        // job (G14). Inside the try for that, and as defence in depth: check() throws only
        // LeaseLostError (lease-guard.ts), but any other error of it is taken the same way instead
        // of escaping with nothing recorded.
        await ctx.checkLease?.();
        const { found: there, deleted, notFound, notOurs, registryNote } = await deleteCredential(this.ports, ref);
        if (deleted.length) found.deleted++;
        // A role assignment under the recorded name that is not acrbot's: left, for an operator.
        if (notOurs.length && ref.kind === 'sp' && ref.roleAssignment) {
          await this.auditLeftAssignment(notOurs, ref.roleAssignment.scope, ctx);
          found.left = [...(found.left ?? []), ...notOurs.map((name) => ({ name, scope: ref.roleAssignment!.scope }))];
        }
        // Not found is final only for a token or scope map whose creates Azure answered (made,
        // or refused). Otherwise "absent" is decided by the later retry.
        const undecided = !there && (ref.kind === 'sp' || unanswered.has(ref));
        pending ||= undecided;
        await ctx.audit({
          action: 'credential.cleanup',
          outcome: undecided ? 'pending' : deleted.length ? 'deleted' : 'absent',
          targetIds,
          ...(undecided
            ? {
                detail:
                  ref.kind === 'sp'
                    ? 'not found under its recorded name yet; looked for again later'
                    : `${notFound.join(', ')} not found yet after a create Azure did not confirm; looked for again later`,
              }
            : notFound.length
              ? { detail: `${notFound.join(', ')} not found: ${registryNote ?? 'never created, or deleted already'}` }
              : {}),
        });
      } catch (err) {
        // The run is another instance's now (the lease was taken over, or it expired): it stops
        // here, and whoever resumes the run records the rest. Not so for a LeaseMarginError.
        if (err instanceof LeaseLostError && !(err instanceof LeaseMarginError)) throw err;
        pending = true;
        if (isStillBeingWritten(err))
          ctx.log.warn({ err }, 'the credential is still being written in Azure; its clean-up is retried later');
        else ctx.log.error({ err }, 'credential clean-up failed; recorded for retry');
        await ctx
          .audit({
            action: 'credential.cleanup',
            outcome: 'pending',
            targetIds,
            detail: pendingCleanupDetail(err),
          })
          .catch((auditErr: unknown) => ctx.log.error({ err: auditErr }, 'audit of a pending clean-up failed'));
      }
    }
    return pending ? 'pending' : 'deleted';
  }
}

/** How far a `--kind token` run's credential step got, for what its failure says. */
interface TokenProgress {
  /** The token was there already (a resumed run's, recorded by an earlier attempt). */
  tokenExisted: boolean;
  /** Azure refused this run's token create, and none was there before: only a scope map may exist. */
  tokenRefused: boolean;
}

/** What {@link SecretRunner.cleanUp} found besides its answer. */
interface CleanupFindings {
  /** Credentials found and deleted. */
  deleted: number;
  /** Role assignments under a recorded name that are not acrbot's, left in place. */
  left?: { name: string; scope: string }[];
}

/**
 * The audit detail of a clean-up left pending by `err`: Azure's error code, why it was not
 * deleted when the lease store could not be reached (a reader would otherwise see only "error"
 * and look for an Azure fault), else `error`. Never the error's message, which may quote more
 * than an audit entry should hold.
 */
function pendingCleanupDetail(err: unknown): string {
  if (err instanceof CloudApiError) return err.code;
  // acrbot's own reason (a registry moved with the token): its code, the report has the sentence.
  if (isUserFacing(err)) return err.code;
  if (err instanceof LeaseMarginError)
    return 'not deleted: the lease store could not be reached to confirm this run still held its lease; left for the clean-up job';
  return 'error';
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
 * A write on the credential still running in Azure: its provisioning state is not final yet, or
 * ARM refused the DELETE 409 (another operation holds the resource). Retried later, not an error.
 */
function isStillBeingWritten(err: unknown): boolean {
  return err instanceof CloudApiError && (err.code === WRITE_IN_PROGRESS || err.statusCode === 409);
}

/**
 * The credential as the outcome names it: a token by its name and registry (its ARM resource
 * path is an id for machines, and the outcome is read in the tab's drawer), a service principal
 * by its appId.
 */
function credentialName(ref: CredentialRef, id: string): string {
  return ref.kind === 'token' ? `ACR token ${ref.tokenName} on registry ${ref.registry}` : `service principal ${id}`;
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
