/**
 * Carries out an approved secret plan: check the cluster side first, create the credential,
 * put it straight into the Kubernetes secret, and delete the credential again if anything
 * after its creation fails (G14). The password lives only in this function's variables.
 */
import { dockerConfigJson } from '../domain/docker-config';
import { isUserFacing } from '../domain/errors';
import { currentCorrelationId } from '../observability/correlation';
import type { SecretPlan } from '../domain/plan';
import type {
  PullSecretPort,
  RegistryTokenPort,
  RequestStore,
  RoleAssignmentPort,
  ServicePrincipalPort,
} from '../domain/ports';
import { CloudApiError, LeaseLostError, VersionConflictError } from '../domain/ports';
import type { AccessRequest, Outcome } from '../domain/request';
import { type CredentialRef, encodeCredentialRef } from '../domain/secret-credential';
import {
  CLEANUP_PROMISES,
  dockerConfigFingerprint,
  pullSecretRecordId,
  recordedCredentials,
  replacedByStartedWrite,
  REPLACED_CREDENTIAL_DELETED,
  retirementPendingSentence,
  serviceAccountEntriesAfterWrite,
  serviceAccountLinksAfterWrite,
  serviceAccountLinkedEarlier,
  startedWriteFingerprints,
  writeStartedRecord,
  writtenSecretUid,
} from '../domain/secret-ownership';
import type { Sleep } from './assign-role';
import type { RegistryWhereabouts } from './credential-deletion';
import { deferredRetirementSentence, leftAssignmentSentence, retirementDueAt } from './credential-cleanup';
import { leftReplacedTokenSentence, leftTokenSentence } from './foreign-token';
import { RunFailure, RunInterrupted, type PlanRunner, type RunContext } from './executor';
import {
  gaveUpRefusal,
  interruptRun,
  isWriteRefusal,
  waitedTooLong,
  waitingNotice,
  writeSecret,
} from './pull-secret-write';
import {
  checkNewCredentialPulls,
  type PullCheck,
  type PullCheckResult,
  pullCheckSentence,
  PULLS_MAY_FAIL_UNTIL_ROLE_APPLIES,
} from './pull-check';
import { retirePrevious } from './secret-previous-writer';
import { type Checked, checkFirst, type ClusterRecheck } from './secret-run-checks';
import { type CleanupFindings, cleanUpCredentials } from './secret-run-cleanup';
import type { Credential } from './secret-run-credential';
import { credentialName, credentialValidity, explainCreateFailure, logExplainedFailure } from './secret-run-text';
import { createServicePrincipal, ownServicePrincipalId, type SpCredentialDeps } from './secret-sp-credential';
import { removeEarlierPasswords } from './secret-sp-earlier-attempts';
import { createToken, type TokenProgress } from './secret-token-credential';

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

/** Runs secret plans. */
export class SecretRunner implements PlanRunner {
  constructor(
    private readonly ports: SecretRunnerPorts,
    private readonly retry: { delaysMs: readonly number[]; sleep: Sleep },
    /**
     * The cluster is read again at execution: approval can come hours after the plan. So is the
     * registry, when the reader reads registries (tests of other steps give a cluster reader only).
     */
    private readonly clusters: ClusterRecheck,
    /** The clock of {@link CLUSTER_WAIT_LIMIT_MS}. */
    private readonly now: () => Date = () => new Date(),
    /** A `--kind sp` rotation's wait for its new credential to pull (pull-check.ts); none: not checked. */
    private readonly pullCheck?: PullCheck,
  ) {}

  /** What a `--kind sp` credential step needs of the runner (secret-sp-credential.ts). */
  private get spDeps(): SpCredentialDeps {
    return { ports: this.ports, retry: this.retry };
  }

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
      checked = await checkFirst(
        { ports: this.ports, clusters: this.clusters, now: this.now },
        request,
        plan,
        ctx,
        targetId,
        earlierWrite,
        found,
      );
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
        ownSpId = await ownServicePrincipalId(this.spDeps, request, ctx);
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
          ? await createToken(this.ports.tokens, request, plan, ctx, refs, unanswered, tokenProgress)
          : await createServicePrincipal(this.spDeps, request, plan, ctx, refs, application, ownSpId);
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
      const { serviceAccountFailure, serviceAccountUid, serviceAccountLinkUnknown, ...write } = await writeSecret(
        this.ports.kubernetes,
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
        // Another request's secret deleted outside acrbot is replaced all the same: that request
        // ends (AccessLifecycle.endReplaced), its credential retired below.
        action:
          previous && (existing || earlierWrite || !request.extendsRequestId)
            ? ('replaced' as const)
            : ('created' as const),
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
      if (credential.earlierPasswords) await removeEarlierPasswords(this.spDeps, credential.earlierPasswords, ctx);
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
          // As the card (below) and the revocation's entry (secret-revocation.ts): a message written
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
      const retired = previous ? await retirePrevious(this.ports, previous, credential.ref, ctx, keepUntil) : 'none';
      const absent =
        previous && !existing && !earlierWrite ? ' The secret was no longer in the cluster and was written anew.' : '';
      const retiredNote =
        retired === 'deleted'
          ? `${absent} ${REPLACED_CREDENTIAL_DELETED}`
          : retired === 'kept' && previous && keepUntil
            ? `${absent} ${deferredRetirementSentence(previous.id, keepUntil, pullCheck === 'pulls')}`
            : retired === 'pending' && previous
              ? ` ${retirementPendingSentence(previous.id)}`
              : retired === 'left' && previous
                ? `${absent} ${leftReplacedTokenSentence(previous.id)}`
                : '';
      // Whether the kept credential's sentence says already that pulls may fail meanwhile.
      const pullsMayFailSaid = retired === 'kept' && !!keepUntil && pullCheck !== 'pulls';
      const pullCheckNote = pullCheck ? ` ${pullCheckSentence(pullCheck, plan.registry.name, pullsMayFailSaid)}` : '';
      // A new `--kind sp` secret is written at once, unchecked: no credential it replaces pulls
      // meanwhile, so waiting would gain nothing. Its service principal's role, made just now,
      // applies minutes later (as the grant card says of a grant's role): the card says so.
      const uncheckedNote =
        plan.credentialKind === 'sp' && !pullCheck && !pullsMayFailSaid ? ` ${PULLS_MAY_FAIL_UNTIL_ROLE_APPLIES}` : '';
      const validity = credentialValidity(request, plan);
      const entries = serviceAccountEntriesAfterWrite(plan, written.serviceAccountPatched, previousEntries ?? previous);
      const serviceAccountLinks = serviceAccountLinksAfterWrite(
        plan,
        { patched: written.serviceAccountPatched, uid: serviceAccountUid, unknown: serviceAccountLinkUnknown },
        entries,
        previous,
      );
      return {
        summary: `Secret ${plan.namespace}/${plan.secretName} ${written.action} in ${plan.cluster.name} with ${credentialName(credential.ref, credential.id)}${validity}.${written.serviceAccountPatched ? ` Added to service account ${plan.serviceAccount}.` : ''}${serviceAccountNote}${pullCheckNote}${uncheckedNote}${retiredNote}`,
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
          ? {
              retired: { requestId: previous.id, credential: retired === 'kept' ? 'pending' : retired },
            }
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
        if (writeState === 'started' && since && waitedTooLong(this.now, since)) {
          ctx.log.error(
            { err, waitingSince: since },
            'the secret write was not confirmed for too long; the run gives up',
          );
          const gaveUp = gaveUpRefusal(err, request, plan, since, 'could not confirm writing');
          const owner = { ...request, created: ctx.created() };
          return this.failWithEarlierCredential(gaveUp, owner, plan, ctx, refs, true, unanswered);
        }
        // Once per waiting period (the waiting mark, executor.ts): a resume that stops again the
        // same way adds no audit entry and no warning.
        return interruptRun(err, writeState, targetId, ctx, waitingNotice(plan, writeState), {
          again: !!request.waiting,
        });
      }
      const cleaned: CleanupFindings = { deleted: 0 };
      const cleanup = await cleanUpCredentials(
        this.ports,
        refs,
        ctx,
        { ...request, created: ctx.created() },
        unanswered,
        cleaned,
      );
      const reason = isUserFacing(err)
        ? err.message
        : err instanceof CloudApiError
          ? explainCreateFailure(err, plan).message
          : `Something unexpected went wrong while creating the pull secret (reference ${currentCorrelationId() ?? request.id}).`;
      // One line for operators whatever the failure: the card explains an Azure or Graph refusal
      // in a sentence, but the code, status and Azure request id behind it are only here.
      if (isUserFacing(err)) logExplainedFailure(err, ctx);
      else if (err instanceof CloudApiError) ctx.log.error({ err, code: err.code }, 'secret flow failed in Azure');
      else ctx.log.error({ err }, 'unexpected error in the secret flow');
      const cleanupText = cleanupSentence(cleanup, refs, cleaned, plan, {
        tokenRefused: tokenProgress.tokenRefused,
        earlierCredential,
        applicationUnseen: application.unseen,
      });
      const leftText = leftSentences(cleaned);
      throw new RunFailure({
        summary: 'Failed',
        azureRequestIds: credential?.requestIds ?? [],
        error: `${reason}${cleanupText}${leftText}`,
        errorCode: isUserFacing(err) ? err.code : err instanceof CloudApiError ? err.code : 'internal',
        cleanup: credentialMade(cleanup, refs, cleaned, { ...tokenProgress, earlierCredential }) ? cleanup : 'none',
        credentialRef: refs.length && cleanup === 'pending' ? JSON.stringify(refs) : undefined,
      });
    }
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
   * `unanswered`: see {@link cleanUpCredentials}.
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
    const cleanup = await cleanUpCredentials(this.ports, refs, ctx, owner, unanswered, findings);
    const reason = isUserFacing(err)
      ? err.message
      : `Something unexpected went wrong; the platform team can find the details in the bot's logs under reference ${currentCorrelationId() ?? owner.id}.`;
    const what = earlierCleanupSentence(cleanup, refs, findings);
    const replaced = replacedByStartedWrite(owner)?.requestId;
    // What to do with the secret, not "ask again" (as executor.ts says it): the failed card adds
    // that, with the command to type (request-view.ts, failedSummary).
    const held = secretMayHold
      ? ` That attempt began writing secret ${plan.namespace}/${plan.secretName} in cluster ${plan.cluster.name}, which may therefore hold the credential and stop working without it${replaced ? ` (it was replacing the secret of ${replaced})` : ''}: look at that secret, and delete it if it names this request.`
      : '';
    throw new RunFailure({
      summary: 'Failed',
      azureRequestIds: [],
      error: `${reason}${what}${held}${leftSentences(findings)}`,
      errorCode: isUserFacing(err) ? err.code : 'internal',
      cleanup,
      credentialRef: cleanup === 'pending' ? JSON.stringify(refs) : undefined,
    });
  }
}

/**
 * The sentences of what a failed run's clean-up left in place for an operator: role assignments
 * under a recorded name that are not acrbot's, and tokens under a recorded name Azure dates
 * otherwise than acrbot recorded.
 */
function leftSentences(findings: CleanupFindings): string {
  return [
    ...(findings.left ?? []).map(leftAssignmentSentence),
    ...(findings.keptTokens ?? []).map((name) => leftTokenSentence(`the token now under the name ${name}`)),
  ]
    .map((sentence) => ` ${sentence}`)
    .join('');
}

/**
 * Whether a failed run made a credential: its clean-up found one (deleted again, or kept as not
 * acrbot's), or left one pending, or an earlier attempt of the request recorded one (gone by now:
 * deleted, as the error says nothing of the request is left). The outcome's `cleanup` says so only
 * then, and the card then names the credential and what became of it. Not when this run's
 * clean-up found nothing under the recorded names (its first create was refused: nothing was
 * made), nor when its token's create was refused after its scope map's (only the scope map was
 * made, and deleted again, as the error says): the card must not call a token never made deleted.
 */
function credentialMade(
  cleanup: 'deleted' | 'pending',
  refs: CredentialRef[],
  cleaned: CleanupFindings,
  run: { tokenRefused: boolean; earlierCredential: boolean },
): boolean {
  if (!refs.length) return false;
  if (cleanup === 'pending' || cleaned.keptTokens?.length || run.earlierCredential) return true;
  return cleaned.deleted > 0 && !run.tokenRefused;
}

/** Whether every reference is a service principal whose create never answered (no application id). */
const allUnanswered = (refs: CredentialRef[]): boolean => refs.every((ref) => ref.kind === 'sp' && !ref.applicationId);

/**
 * What a failed run's error says of the credentials it had created, after its clean-up: deleted
 * again, none made, or recorded for the clean-up job. Empty when it created none, or when the
 * only one found was a kept token (said by {@link leftSentences}).
 */
function cleanupSentence(
  cleanup: 'deleted' | 'pending',
  refs: CredentialRef[],
  cleaned: CleanupFindings,
  plan: SecretPlan,
  run: { tokenRefused: boolean; earlierCredential: boolean; applicationUnseen: boolean },
): string {
  if (refs.length === 0) return '';
  if (cleanup === 'deleted') {
    if (cleaned.deleted) {
      if (run.tokenRefused && plan.repositories.length) {
        return ' The scope map acrbot had created for the token was deleted again.';
      }
      // Named as the failure's own sentence names it (explainCreateFailure): a `--kind sp`
      // run's is "a service principal", which its clean-up deletes with its application.
      return ` The ${plan.credentialKind === 'sp' ? 'service principal' : 'credential'} acrbot had created was deleted again.`;
    }
    if (cleaned.keptTokens?.length) return '';
    // The clean-up found nothing under its names: the refused create made nothing, or (a resumed
    // run) an earlier attempt's credential was deleted already.
    return run.earlierCredential
      ? ' Nothing acrbot created for this request is left in Azure.'
      : ' Nothing was created.';
  }
  if (run.applicationUnseen) return ` ${CLEANUP_PROMISES.applicationUnseen}`;
  return allUnanswered(refs) ? ` ${CLEANUP_PROMISES.unanswered}` : ` ${CLEANUP_PROMISES.recorded}`;
}

/**
 * What a resumed run's error says of the credential an earlier attempt had created, after its
 * clean-up: deleted, or recorded for the clean-up job. Empty when the only one found was a kept
 * token (said by {@link leftSentences}).
 */
function earlierCleanupSentence(
  cleanup: 'deleted' | 'pending',
  refs: CredentialRef[],
  findings: CleanupFindings,
): string {
  if (cleanup === 'deleted') {
    if (!findings.deleted && findings.keptTokens?.length) return '';
    return ' The credential an earlier attempt of this request had created was deleted.';
  }
  return allUnanswered(refs) ? ` ${CLEANUP_PROMISES.earlierUnanswered}` : ` ${CLEANUP_PROMISES.earlierRecorded}`;
}
