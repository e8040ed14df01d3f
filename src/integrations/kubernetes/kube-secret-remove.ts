/**
 * The revocation of a pull secret (G17): deleted only while it is still the object acrbot wrote
 * for the request, holding the data acrbot wrote (G15), with a uid and resourceVersion
 * precondition; then the service account entries acrbot added.
 */
import type { V1Secret } from '@kubernetes/client-node';
import { UserFacingError } from '../../domain/errors';
import { requestIdLabelValue } from '../../domain/identifiers';
import type { ClusterAccess, PullSecretRemoval, SecretRemoveResult } from '../../domain/ports';
import { secretDataFingerprint } from '../../domain/secret-ownership';
import { auditIdOf } from './kube-audit-id';
import type { KubeAccess } from './kube-cluster-access';
import { explainKubeError, type KubeScope, kubeStatus } from './kube-errors';
import { MANAGED_BY_LABEL, REQUEST_ID_LABEL } from './kube-secret-metadata';
import { readSecret } from './kube-secret-read';
import { unlinkAll } from './kube-service-account-unlink';

/** Reads and conditional deletes tried on a pull secret that others keep changing (annotations, controllers). */
const SECRET_DELETE_ATTEMPTS = 3;

/**
 * Whether acrbot's records make `secret` this removal's. The caller's store says this request
 * wrote the secret. With the uid it recorded, only that object is this request's: one deleted and
 * made again under the same name, labels copied or not, is someone else's (labels are hints,
 * never proof; G15). Requests recorded before uids were kept fall back to the labels, which must
 * still name the request. A replacement (PUT) keeps the uid, so a label naming another request
 * only makes acrbot more careful: it never deletes what its label says another request wrote,
 * uid or not; the label alone never makes a secret this request's. `labelledOther`: that request.
 * The data must still be what acrbot recorded writing (`writtenFingerprints`, where recorded): a
 * GitOps sync or `kubectl apply` that took the name over patches acrbot's object in place (uid
 * and acrbot's labels kept) with the team's data, and that secret is theirs now
 * (`contentsReplaced`).
 */
function ownership(
  secret: V1Secret,
  input: PullSecretRemoval,
): { ours: boolean; labelledOther?: string; contentsReplaced?: boolean } {
  const managed = secret.metadata?.labels?.[MANAGED_BY_LABEL] === 'acrbot';
  const label = secret.metadata?.labels?.[REQUEST_ID_LABEL];
  const labelledOther =
    managed && label !== undefined && label !== requestIdLabelValue(input.requestId) ? label : undefined;
  const ours = input.writtenUid
    ? secret.metadata?.uid === input.writtenUid && !labelledOther
    : managed && label === input.requestId;
  const fingerprints = input.writtenFingerprints ?? [];
  if (ours && fingerprints.length && !fingerprints.includes(secretDataFingerprint(secret.data) ?? ''))
    return { ours: false, contentsReplaced: true };
  return { ours, labelledOther };
}

/**
 * Deletes the secret if acrbot's records say this request wrote it (G15), then the service
 * account entries acrbot added. The delete is conditional on the object just read (uid and
 * resourceVersion): anyone's write in between (a `kubectl annotate`, a controller touching the
 * object) makes it 409, and the secret is then read again and checked again, at most
 * {@link SECRET_DELETE_ATTEMPTS} times. A secret replaced in between (another uid) fails that
 * check and is left; one that keeps changing fails the revocation, which is retried. A throw of
 * the caller's `beforePatch` is answered as `stopped`, with the secret's deletion (unlinkAll).
 */
export async function removeSecret(access: ClusterAccess, input: PullSecretRemoval): Promise<SecretRemoveResult> {
  const { api, clusterName, signIn } = access as KubeAccess;
  const ctx: KubeScope = { cluster: clusterName, namespace: input.namespace, signIn };
  // The object this revocation may delete: the one acrbot recorded writing, or (requests
  // recorded before uids were kept) the one first read here. A later read with another uid is
  // a secret made since under the same name, which is never this request's.
  let uid = input.writtenUid;
  for (let attempt = 1; ; attempt++) {
    // Its failure leaves the secret in place: its sentence does not say "nothing was left behind".
    const existing = await readSecret(api, ctx, input.secretName, { forRemoval: true });
    // Gone already (an earlier attempt deleted it and then failed on a service account): the
    // entries acrbot added still go, so a retry finishes what that attempt began.
    if (!existing) return { secret: 'absent', ...(await unlinkAll(api, input, ctx)) };
    uid ??= existing.metadata?.uid;
    const owner = ownership(existing, input);
    if (!owner.ours || existing.metadata?.uid !== uid)
      return {
        secret: 'notOurs',
        ownerRequestId: owner.labelledOther,
        ...(owner.contentsReplaced ? { contentsReplaced: true } : {}),
        serviceAccountsPatched: [],
        serviceAccountsAbsent: [],
      };
    // Already being deleted (a finalizer holds it): it is going, and deleting it again changes
    // nothing (a controller touching it meanwhile would only make the conditional delete 409).
    if (existing.metadata?.deletionTimestamp) return { secret: 'deleted', ...(await unlinkAll(api, input, ctx)) };
    let deleted: string | undefined;
    try {
      // Exactly the object just read: a replacement written meanwhile survives (409 Conflict).
      const answer = await api.deleteNamespacedSecretWithHttpInfo({
        name: input.secretName,
        namespace: input.namespace,
        body: { preconditions: { uid, resourceVersion: existing.metadata?.resourceVersion } },
      });
      deleted = auditIdOf(answer);
    } catch (err) {
      const status = kubeStatus(err);
      // Gone meanwhile: the 404's Audit-Id is the deletion's, as ARM's 404 request id is.
      if (status === 404) return { secret: 'absent', ...answeredAs(err), ...(await unlinkAll(api, input, ctx)) };
      const explained = explainKubeError(err, { ...ctx, verb: 'delete', resource: 'secrets' });
      // Changed (or replaced) since the read: read it again, and check again what it is.
      if (status !== 409) throw explained;
      if (attempt < SECRET_DELETE_ATTEMPTS) continue;
      // Not "not ours": the object acrbot wrote may still be there, so the revocation is retried.
      throw new UserFacingError(
        'kubernetes.conflict',
        `Secret ${input.secretName} in namespace ${input.namespace} of cluster ${clusterName} kept changing while acrbot deleted it; it tries again later.`,
        { cause: explained.cause },
      );
    }
    return { secret: 'deleted', ...(deleted ? { requestId: deleted } : {}), ...(await unlinkAll(api, input, ctx)) };
  }
}

/** The request id of a DELETE's refusal (its `Audit-Id`), as {@link SecretRemoveResult} names it. */
function answeredAs(err: unknown): Pick<SecretRemoveResult, 'requestId'> {
  const requestId = auditIdOf(err);
  return requestId ? { requestId } : {};
}
