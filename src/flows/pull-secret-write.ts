/**
 * The write of the Kubernetes secret, and what a run does when it cannot tell whether the write
 * landed: the secret may then hold the new credential, so the run is interrupted rather than
 * failed (nothing deleted) and resumed later, until {@link CLUSTER_WAIT_LIMIT_MS} after it first
 * stopped; then it gives up, and the caller deletes the credential (G13, G14).
 */
import { isUserFacing, UserFacingError } from '../domain/errors';
import { requestIdLabelValue } from '../domain/identifiers';
import type { SecretPlan } from '../domain/plan';
import { type ClusterAccess, LeaseLostError, type PullSecretPort } from '../domain/ports';
import type { AccessRequest } from '../domain/request';
import { shortTime } from '../domain/pull-diagnosis';
import { type ExistingSecret, SECRET_WRITE_UNCONFIRMED } from '../domain/secret-ownership';
import { currentCorrelationId } from '../observability/correlation';
import { RunInterrupted, type RunContext } from './executor';
import { CLUSTER_WAIT_LIMIT_MS } from './run-resumption';

/**
 * Writes the secret: over `existing` (the object secret-run-checks.ts `checkFirst` decided to replace) only
 * while it is still that object, which the port checks by the version, uid, request-id label and
 * data fingerprint read then (a secret touched since by someone else is replaced at its new
 * version only when it still is that object with that label and data); else created, never
 * overwriting one that appeared. `dockerConfig`: the data to write (it holds the password).
 */
export async function writeSecret(
  kubernetes: PullSecretPort,
  access: ClusterAccess,
  request: AccessRequest,
  plan: SecretPlan,
  dockerConfig: string,
  existing: ExistingSecret | undefined,
) {
  return kubernetes.write(access, {
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
 * A secret write Kubernetes refused, which leaves the secret as it was: every explained failure
 * of the write but {@link SECRET_WRITE_UNCONFIRMED} (kube-secret-write.ts reads the secret back
 * after a timeout, a 5xx or a lost connection). Anything else may have written it.
 */
export function isWriteRefusal(err: unknown): boolean {
  return isUserFacing(err) && err.code !== SECRET_WRITE_UNCONFIRMED;
}

/**
 * Stops the run without failing it or deleting anything: the secret may hold the credential
 * (`started`: a write Kubernetes neither confirmed nor refused, or a resumed run that could not
 * look at the secret; `written`: the write landed and recording it failed). The request stays
 * executing and is resumed (executor.ts, {@link RunInterrupted}); the resumed run finds the
 * secret with this request's label and writes it again, or finds the write never landed.
 * `notice` is what the cards say meanwhile.
 */
export async function interruptRun(
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
 * A resumed run whose earlier attempt began writing the secret and that cannot look at it now:
 * interrupted again (resumed later, nothing deleted), until {@link CLUSTER_WAIT_LIMIT_MS} after
 * the run first stopped; then it gives up, and the caller deletes the credential, saying that
 * the secret may hold it.
 */
export async function waitOnCluster(
  now: () => Date,
  err: unknown,
  request: AccessRequest,
  plan: SecretPlan,
  targetId: string,
  ctx: RunContext,
  found: { secretMayHold: boolean },
): Promise<never> {
  const since = request.waiting?.since;
  if (since && waitedTooLong(now, since)) {
    found.secretMayHold = true;
    ctx.log.error({ err, waitingSince: since }, 'the secret could not be looked at for too long; the run gives up');
    throw gaveUpRefusal(err, request, plan, since, 'could not look at');
  }
  return interruptRun(err, 'started', targetId, ctx, waitingNotice(plan, 'again'), { again: true });
}

/** Whether a run waiting since `since` has waited {@link CLUSTER_WAIT_LIMIT_MS}. */
export function waitedTooLong(now: () => Date, since: string): boolean {
  return now().getTime() - Date.parse(since) >= CLUSTER_WAIT_LIMIT_MS;
}

/** The refusal of a run that waited on the cluster for {@link CLUSTER_WAIT_LIMIT_MS}. */
export function gaveUpRefusal(
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
export function waitingNotice(plan: SecretPlan, why: 'started' | 'written' | 'again'): string {
  const secret = `secret ${plan.namespace}/${plan.secretName} in cluster ${plan.cluster.name}`;
  const keeps = `acrbot keeps the new credential, which the secret may hold, and looks again until the cluster answers; after ${CLUSTER_WAIT_LIMIT_MS / 3_600_000} hours without an answer it gives up and deletes that credential.`;
  return why === 'written'
    ? `The ${secret} was written, but acrbot could not record it yet; it tries again shortly.`
    : why === 'started'
      ? `Cluster ${plan.cluster.name} gave no clear answer to the write of ${secret}: ${keeps}`
      : `acrbot cannot look at ${secret}, which an earlier attempt began writing: ${keeps}`;
}
