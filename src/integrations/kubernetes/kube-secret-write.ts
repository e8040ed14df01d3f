/**
 * The write of a pull secret: a create that never overwrites, or a replace conditional on the
 * version and object the caller checked (G15), then the service account's link. A write whose
 * answer is lost is read back, so a credential that may be in the cluster is never deleted.
 */
import type { CoreV1Api, V1ObjectMeta, V1Secret } from '@kubernetes/client-node';
import { UserFacingError } from '../../domain/errors';
import type { ClusterAccess, PullSecretWrite, PullSecretWriteOutcome, SecretWriteResult } from '../../domain/ports';
import { SECRET_WRITE_UNCONFIRMED } from '../../domain/secret-ownership';
import type { KubeAccess } from './kube-cluster-access';
import {
  explainKubeError,
  isClusterTokenError,
  type KubeScope,
  kubeStatus,
  secretTerminatingError,
} from './kube-errors';
import { MANAGED_BY_LABEL, REQUEST_ID_LABEL } from './kube-secret-metadata';
import { readSecret } from './kube-secret-read';
import { replacementBody, stillTheChecked } from './kube-secret-replacement';
import { linkServiceAccount } from './kube-service-account-link';

/**
 * Conditional replaces tried on a pull secret that others keep touching (annotations, controllers):
 * one more than the other writes, since the first is built from the check's read and so also
 * meets a touch made while the credential was being created.
 */
const SECRET_REPLACE_ATTEMPTS = 4;

/**
 * The error of a secret write whose effect is unknown: the sentence for people, the failed call's
 * explained cause (status, reason: nothing from the secret, see kube-errors.ts) for operators.
 */
function unconfirmed(
  input: PullSecretWrite,
  clusterName: string,
  explained: UserFacingError | undefined,
): UserFacingError {
  return new UserFacingError(
    SECRET_WRITE_UNCONFIRMED,
    `Cluster ${clusterName} did not confirm writing secret ${input.secretName} in namespace ${input.namespace}, and acrbot could not tell whether it was written; acrbot keeps the credential and looks at the secret again.`,
    { cause: explained?.cause ?? explained },
  );
}

/**
 * Creates the secret, or replaces it (`PullSecretPort.write`), then links it to the service
 * account. A replace keeps what others added to the secret ({@link replacementBody}): as the caller's
 * check read it (`replaceMetadata`), else as read here first ({@link replacedNow}). It is
 * conditional on the version the caller checked, or, touched since, on the version read when
 * that is still the object the caller named ({@link stillTheChecked}). Someone else's touch
 * since that read (a scanner's annotation, `kubectl annotate`) makes it 409: the secret is read
 * again and, still that object, replaced at its new version, at most
 * {@link SECRET_REPLACE_ATTEMPTS} PUTs in all. Anything else is refused, as before. A secret
 * found being deleted (`deletionTimestamp`: a delete held by a finalizer, landed after the
 * check) is refused as the check refuses it ({@link secretTerminatingError}), never replaced
 * at the version that delete gave it; a write whose answer carries the mark is refused too.
 */
export async function writeSecret(access: ClusterAccess, input: PullSecretWrite): Promise<PullSecretWriteOutcome> {
  const { api, clusterName, signIn } = access as KubeAccess;
  const ctx: KubeScope = { cluster: clusterName, namespace: input.namespace, signIn };
  const body: V1Secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/dockerconfigjson',
    metadata: {
      name: input.secretName,
      namespace: input.namespace,
      labels: { ...input.labels, [MANAGED_BY_LABEL]: 'acrbot' },
      annotations: input.annotations,
    },
    data: { '.dockerconfigjson': Buffer.from(input.dockerConfigJson).toString('base64') },
  };
  const replacing = input.replaceResourceVersion !== undefined;
  const action: SecretWriteResult['action'] = replacing ? 'replaced' : 'created';
  // The object replaced: as the caller's check read it (or as read now, when the caller kept
  // nothing of it), and as read again after someone touched it.
  let current: V1ObjectMeta | undefined = !replacing
    ? undefined
    : input.replaceMetadata
      ? { ...input.replaceMetadata, resourceVersion: input.replaceResourceVersion, uid: input.replaceUid }
      : await replacedNow(api, ctx, input);
  let written: V1Secret | undefined;
  for (let attempt = 1; !written; attempt++) {
    const sent = replacing
      ? replacementBody(body, current?.resourceVersion ?? input.replaceResourceVersion!, current, input.replaceUid)
      : body;
    try {
      written = replacing
        ? // Conditional on the version the flow checked: a secret swapped since then gets 409.
          await api.replaceNamespacedSecret({ name: input.secretName, namespace: input.namespace, body: sent })
        : // Create never overwrites: a secret that appeared since the check gets 409 AlreadyExists.
          await api.createNamespacedSecret({ namespace: input.namespace, body });
    } catch (err) {
      const after = await afterFailedWrite(api, input, sent, err, ctx, attempt);
      if ('written' in after) written = after.written;
      else current = after.retry;
    }
  }
  // Landed on a secret being deleted (a caller that named a version the delete gave it): the
  // API server removes it, new credential and all, once its finalizers clear. Not a success.
  if (written.metadata?.deletionTimestamp)
    throw secretTerminatingError(ctx, input.secretName, written.metadata.finalizers, true);
  const result = { action, serviceAccountPatched: false, uid: written.metadata?.uid };
  if (!input.serviceAccount) return result;
  try {
    const link = await linkServiceAccount(api, input.serviceAccount, input.secretName, ctx);
    // Which account object holds the entry: the revocation touches that one only (G15).
    const uid = link.uid ? { serviceAccountUid: link.uid } : {};
    if ('unknown' in link)
      return { ...result, ...uid, serviceAccountLinkUnknown: true, serviceAccountFailure: link.unknown };
    return { ...result, ...uid, serviceAccountPatched: link.added };
  } catch (err) {
    // The secret is written (and may have replaced another): the caller must know which
    // object it wrote even though the link failed, so the failure is answered, not thrown.
    return { ...result, serviceAccountFailure: err as Error };
  }
}

/**
 * The metadata of the secret a replace is about to overwrite, read now (never its data), for a
 * caller that passed none (`replaceMetadata`): at the version the caller checked, or at a newer
 * one when it is still the object the caller named ({@link stillTheChecked}); undefined
 * otherwise (another object, gone), and then the PUT at the checked version is refused and
 * explained by {@link afterFailedWrite}. A read that fails throws, explained with its cause.
 */
async function replacedNow(
  api: CoreV1Api,
  scope: KubeScope,
  input: PullSecretWrite,
): Promise<V1ObjectMeta | undefined> {
  // Thrown rather than answered in the outcome: nothing has been sent yet, so the flow takes it
  // as the refusal it is, logs it once and audits it as it does any failed call, with no new
  // branch for a case where the PUT would most likely fail too. Going on without it would send
  // acrbot's body alone, silently dropping others' finalizers, owners, labels and annotations.
  const found = await readSecret(api, scope, input.secretName);
  const meta = found?.metadata;
  if (!meta) return undefined;
  // Deleted since the check (a finalizer holds it): a replace at its new version would land.
  if (meta.deletionTimestamp) throw secretTerminatingError(scope, input.secretName, meta.finalizers);
  const sameObject = !input.replaceUid || meta.uid === input.replaceUid;
  if (meta.resourceVersion === input.replaceResourceVersion && sameObject) return meta;
  return meta.resourceVersion && stillTheChecked(found, input) ? meta : undefined;
}

/**
 * A secret write that failed: answers the secret when it turns out the write did land, throws
 * otherwise. A refusal (a 4xx but 408; a 429 after the throttling retries) changed nothing and
 * is explained. Anything else (a timeout, a 5xx, a dropped connection) says nothing about
 * whether the API server carried the write out, so the secret is read back: holding exactly
 * the docker config just sent (a fresh password nobody else has) under this request's label,
 * it is the write, taken as done. Changed to something else since the version the flow checked
 * (or created by someone else), the write cannot land any more: someone else's change, as a
 * 409, unless it is still the object the caller named ({@link stillTheChecked}):
 * then someone only touched it, and `retry` answers it to replace at its new version (at most
 * {@link SECRET_REPLACE_ATTEMPTS} attempts in all). Otherwise (unchanged, absent, or the read
 * failing too) the write may still land: {@link SECRET_WRITE_UNCONFIRMED}, and the flow must
 * not delete the credential. A 409 is read back too: the secret may carry this request's own
 * label, from an earlier attempt's write that landed late, which the resumed run replaces
 * rather than calls someone else's. Found being deleted (`deletionTimestamp`, held by a
 * finalizer: a delete since the check, which is what moved the version on), it is refused as
 * the check refuses it ({@link secretTerminatingError}), never retried at the new version.
 * `body`: what was sent (a replace: at the version it was conditional on).
 */
async function afterFailedWrite(
  api: CoreV1Api,
  input: PullSecretWrite,
  body: V1Secret,
  err: unknown,
  scope: KubeScope,
  attempt: number,
): Promise<{ written: V1Secret } | { retry: V1ObjectMeta }> {
  // No token, so the write was never sent: nothing to read back, and nothing left unconfirmed.
  if (isClusterTokenError(err)) throw err;
  const status = kubeStatus(err);
  const replacing = input.replaceResourceVersion !== undefined;
  const clusterName = scope.cluster;
  const ctx = { ...scope, verb: replacing ? 'update' : 'create' };
  const changed = () =>
    new UserFacingError(
      'kubernetes.secretChanged',
      `Secret ${input.secretName} in namespace ${input.namespace} of cluster ${clusterName} was ${replacing ? 'changed' : 'created'} by someone else while acrbot was working; nothing was overwritten. Ask for it again to check it afresh (the new request needs approving again).`,
    );
  if (status !== undefined && status !== 409 && status !== 408 && status >= 400 && status < 500)
    throw explainKubeError(err, { ...ctx, resource: 'secrets' });
  const explained = status === 409 ? undefined : explainKubeError(err, { ...ctx, resource: 'secrets' });
  let found: V1Secret | undefined;
  try {
    found = await readSecret(api, scope, input.secretName);
  } catch {
    if (status === 409) throw changed();
    throw unconfirmed(input, clusterName, explained);
  }
  const ownLabel = found?.metadata?.labels?.[REQUEST_ID_LABEL] === input.labels[REQUEST_ID_LABEL];
  // Compared, never logged: the data holds the password.
  if (found && ownLabel && found.data?.['.dockerconfigjson'] === body.data?.['.dockerconfigjson'])
    return { written: found };
  // Being deleted (held by a finalizer): a delete landed since the check, which is what moved
  // the version on. Replaced at its new version, it would vanish with the new credential; a
  // create cannot land until it is gone. Refused as the check refuses it.
  if (found?.metadata?.deletionTimestamp)
    throw secretTerminatingError(scope, input.secretName, found.metadata.finalizers);
  const movedOn = replacing ? found?.metadata?.resourceVersion !== body.metadata?.resourceVersion : found !== undefined;
  // Moved on, so the write can no longer land; still the object checked, so only touched.
  if (replacing && movedOn && found?.metadata?.resourceVersion && stillTheChecked(found, input)) {
    if (attempt < SECRET_REPLACE_ATTEMPTS) return { retry: found.metadata };
    throw new UserFacingError(
      'kubernetes.conflict',
      `Secret ${input.secretName} in namespace ${input.namespace} of cluster ${clusterName} kept changing while acrbot replaced it; nothing was overwritten. Ask for it again (the new request needs approving again).`,
      { cause: (explained ?? explainKubeError(err, { ...ctx, resource: 'secrets' })).cause },
    );
  }
  if (status === 409) {
    if (found && ownLabel) throw unconfirmed(input, clusterName, undefined);
    throw changed();
  }
  if (movedOn && !ownLabel) throw changed();
  throw unconfirmed(input, clusterName, explained);
}
