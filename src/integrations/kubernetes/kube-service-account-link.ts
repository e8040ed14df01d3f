/**
 * The link of a pull secret to a service account: an entry appended to its `imagePullSecrets`
 * with a JSON Patch that keeps every other entry, read back when the patch gets no clear answer.
 */
import type { CoreV1Api } from '@kubernetes/client-node';
import { UserFacingError } from '../../domain/errors';
import { kube } from './kube-client';
import { explainKubeError, type KubeScope, kubeStatus } from './kube-errors';

/** Reads and patches tried to add an entry to, or take one out of, a service account's list that others keep changing. */
export const SERVICE_ACCOUNT_PATCH_ATTEMPTS = 3;

/**
 * Adds the secret to `imagePullSecrets`, keeping every other entry. A ServiceAccount's
 * `imagePullSecrets` is an atomic list (core/v1 has no patch strategy for it, unlike a pod's;
 * kubernetes/kubernetes#72475), so a strategic merge or JSON merge patch would replace the
 * whole list and drop the team's other pull secrets. A JSON Patch appends instead, guarded by
 * a `test` of the resourceVersion just read (an `add` to a list that does not exist yet
 * creates it): a service account changed since the read fails (422) rather than lose
 * someone's change, and is read again, at most {@link SERVICE_ACCOUNT_PATCH_ATTEMPTS} times. `added`
 * false when the list already names the secret. A patch with no clear answer (none, a timeout, a
 * 5xx) may have been applied: the list is read again, and naming the secret now (it did not when
 * read), the entry is taken as this patch's, so the outcome records it and the revocation
 * removes it; that read failing too, the link is `unknown` (the entry may be there), which the
 * outcome records so that the revocation still takes the entry out if it is there. `uid`: the
 * account's, as read (which object holds the entry).
 */
export async function linkServiceAccount(
  api: CoreV1Api,
  serviceAccount: string,
  secretName: string,
  ctx: KubeScope,
): Promise<{ added: boolean; uid?: string } | { unknown: UserFacingError; uid?: string }> {
  for (let attempt = 1; ; attempt++) {
    let uid: string | undefined;
    try {
      const sa = await api.readNamespacedServiceAccount({ name: serviceAccount, namespace: ctx.namespace });
      uid = sa.metadata?.uid;
      if (sa.imagePullSecrets?.some((s) => s.name === secretName)) return { added: false, uid };
      const { PatchStrategy, setHeaderOptions } = kube();
      await api.patchNamespacedServiceAccount(
        {
          name: serviceAccount,
          namespace: ctx.namespace,
          body: [
            { op: 'test', path: '/metadata/resourceVersion', value: sa.metadata?.resourceVersion },
            sa.imagePullSecrets
              ? { op: 'add', path: '/imagePullSecrets/-', value: { name: secretName } }
              : { op: 'add', path: '/imagePullSecrets', value: [{ name: secretName }] },
          ],
        },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      );
      return { added: true, uid };
    } catch (err) {
      const explained = explainKubeError(err, { ...ctx, verb: 'patch', resource: 'serviceaccounts' });
      const status = kubeStatus(err);
      // Only the patch leaves an unclear answer (the read changes nothing): `uid` is set once read.
      if (uid !== undefined && (status === undefined || status === 408 || status >= 500)) {
        // Read back: the patch may have been applied. Naming the secret now, the entry is the
        // patch's; not naming it, the patch did not land; the read failing too, nobody can tell.
        let readBackFailure: unknown;
        const linked = await api
          .readNamespacedServiceAccount({ name: serviceAccount, namespace: ctx.namespace })
          .then((sa) => (sa.metadata?.uid === uid ? !!sa.imagePullSecrets?.some((s) => s.name === secretName) : false))
          .catch((readErr: unknown) => {
            // Kept as a cause of the unconfirmed link below: both failures reach its log line.
            readBackFailure = readErr;
            return undefined;
          });
        if (linked) return { added: true, uid };
        if (linked === false) throw explained;
        return {
          uid,
          unknown: new UserFacingError(
            'kubernetes.serviceAccountUnconfirmed',
            `Cluster ${ctx.cluster} did not confirm adding ${secretName} to the imagePullSecrets of service account ${serviceAccount} in namespace ${ctx.namespace}, and acrbot could not read the account back to tell whether it was added; revoking this access takes the entry out if it is there.`,
            {
              cause: new AggregateError(
                [explained.cause, readBackFailure],
                'the patch got no clear answer, and reading the service account back failed',
              ),
            },
          ),
        };
      }
      // Written meanwhile by someone else (an answer the patch's own test would give as 422):
      // the secret is written, only the entry is missing; a new request would not help.
      if (status === 409)
        throw new UserFacingError(
          'kubernetes.conflict',
          `Service account ${serviceAccount} in namespace ${ctx.namespace} of cluster ${ctx.cluster} was being changed by someone else when acrbot added ${secretName} to its imagePullSecrets (409 Conflict); the entry was not added.`,
          { cause: explained.cause },
        );
      // The test failed (the read cannot answer 422): someone changed the service account in between.
      if (status !== 422) throw explained;
      if (attempt < SERVICE_ACCOUNT_PATCH_ATTEMPTS) continue;
      throw new UserFacingError(
        'kubernetes.conflict',
        `Service account ${serviceAccount} in namespace ${ctx.namespace} of cluster ${ctx.cluster} kept changing while acrbot added ${secretName} to its imagePullSecrets; the entry was not added.`,
        { cause: explained.cause },
      );
    }
  }
}
