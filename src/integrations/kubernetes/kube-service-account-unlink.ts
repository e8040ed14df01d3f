/**
 * The end of a pull secret's links: its entry taken out of each service account's
 * `imagePullSecrets` that acrbot's records say acrbot added it to, and only from the account
 * object acrbot linked (G15), keeping every other entry.
 */
import type { CoreV1Api } from '@kubernetes/client-node';
import { UserFacingError } from '../../domain/errors';
import type { PullSecretRemoval, SecretRemoveResult } from '../../domain/ports';
import { auditIdOf } from './kube-audit-id';
import { kube } from './kube-client';
import { explainKubeError, type KubeScope, kubeStatus } from './kube-errors';
import { SERVICE_ACCOUNT_PATCH_ATTEMPTS } from './kube-service-account-link';

/** The caller's `beforePatch` threw: no PATCH is sent, and its error ends the removal (answered as `stopped`). */
class StoppedBeforePatch {
  constructor(readonly cause: unknown) {}
}

/**
 * Takes the secret out of each listed service account's `imagePullSecrets`, going on past a
 * failure (the others are still tried); the first failure is answered for the caller to retry.
 * The caller's `beforePatch` (a lease check) is not the cluster's failure: its throw ends the
 * removal at once, with nothing more sent. It is answered as `stopped`, with what was done before
 * it, not thrown: the revocation records that (the secret's DELETE and its Audit-Id with it), then
 * stops; a retry would find it done and could no longer say when, or under which Audit-Id.
 */
export async function unlinkAll(
  api: CoreV1Api,
  input: PullSecretRemoval,
  ctx: KubeScope,
): Promise<
  Pick<
    SecretRemoveResult,
    | 'serviceAccountsPatched'
    | 'serviceAccountRequestIds'
    | 'serviceAccountsAbsent'
    | 'serviceAccountsNoEntry'
    | 'serviceAccountsNotOurs'
    | 'serviceAccountFailure'
    | 'failedServiceAccount'
    | 'stopped'
  >
> {
  const serviceAccountsPatched: string[] = [];
  // Set by name: a Kubernetes name cannot be `__proto__`, so each is an own key (read with Object.hasOwn).
  const serviceAccountRequestIds: Record<string, string> = {};
  const serviceAccountsAbsent: string[] = [];
  const serviceAccountsNotOurs: string[] = [];
  const serviceAccountsNoEntry: string[] = [];
  let failure: Pick<SecretRemoveResult, 'serviceAccountFailure' | 'failedServiceAccount'> = {};
  let stopped: Pick<SecretRemoveResult, 'stopped'> = {};
  const uids = input.serviceAccountUids ?? {};
  const { beforePatch } = input;
  const checked = async () => {
    await beforePatch?.().catch((err: unknown) => {
      throw new StoppedBeforePatch(err);
    });
  };
  for (const serviceAccount of input.serviceAccounts) {
    try {
      const uid = Object.hasOwn(uids, serviceAccount) ? uids[serviceAccount] : undefined;
      const result = await unlinkServiceAccount(api, serviceAccount, input.secretName, ctx, { uid, checked });
      if (typeof result === 'object') {
        serviceAccountsPatched.push(serviceAccount);
        if (result.requestId) serviceAccountRequestIds[serviceAccount] = result.requestId;
      } else if (result === 'absent') serviceAccountsAbsent.push(serviceAccount);
      else if (result === 'notOurs') serviceAccountsNotOurs.push(serviceAccount);
      else serviceAccountsNoEntry.push(serviceAccount);
    } catch (err) {
      if (err instanceof StoppedBeforePatch) {
        stopped = { stopped: { cause: err.cause } };
        break;
      }
      if (!failure.serviceAccountFailure)
        failure = { serviceAccountFailure: err as Error, failedServiceAccount: serviceAccount };
    }
  }
  return {
    serviceAccountsPatched,
    ...(Object.keys(serviceAccountRequestIds).length ? { serviceAccountRequestIds } : {}),
    serviceAccountsAbsent,
    ...(serviceAccountsNotOurs.length ? { serviceAccountsNotOurs } : {}),
    ...(serviceAccountsNoEntry.length ? { serviceAccountsNoEntry } : {}),
    ...failure,
    ...stopped,
  };
}

/**
 * Removes the secret from `imagePullSecrets`, keeping every other entry: a JSON Patch that
 * tests the entry's name at its index before removing it, so a list changed since the read
 * fails (422) instead of losing someone else's entry; then the list is read again and the
 * entry looked for anew (at most {@link SERVICE_ACCOUNT_PATCH_ATTEMPTS} times). With the
 * account's `uid` as acrbot recorded it when linking, only that object is touched: one deleted
 * and made again under the name (another uid) holds its makers' entries, not acrbot's (G15),
 * and the patch tests the uid too, for an account made again between the read and the patch.
 * Named twice (someone prepended the same name), the first entry goes and the other stays:
 * entries are identical `{name}` objects that cannot be told apart, so which one is removed
 * cannot matter. `patched`: taken out, with the PATCH's `Audit-Id`; `noEntry`: the list no
 * longer has it; `absent`: the service account no longer exists; `notOurs`: it is another object
 * than the one acrbot linked. `checked` runs right before each PATCH, after the read (the caller's
 * lease check, which throws {@link StoppedBeforePatch}: passed on as it is).
 */
async function unlinkServiceAccount(
  api: CoreV1Api,
  serviceAccount: string,
  secretName: string,
  ctx: KubeScope,
  { uid, checked }: { uid: string | undefined; checked: () => Promise<void> },
): Promise<{ patched: true; requestId?: string } | 'noEntry' | 'absent' | 'notOurs'> {
  for (let attempt = 1; ; attempt++) {
    try {
      const sa = await api.readNamespacedServiceAccount({ name: serviceAccount, namespace: ctx.namespace });
      if (uid !== undefined && sa.metadata?.uid !== uid) return 'notOurs';
      const index = sa.imagePullSecrets?.findIndex((s) => s.name === secretName) ?? -1;
      if (index < 0) return 'noEntry';
      await checked();
      const { PatchStrategy, setHeaderOptions } = kube();
      const answer = await api.patchNamespacedServiceAccountWithHttpInfo(
        {
          name: serviceAccount,
          namespace: ctx.namespace,
          body: [
            ...(uid !== undefined ? [{ op: 'test', path: '/metadata/uid', value: uid }] : []),
            { op: 'test', path: `/imagePullSecrets/${index}/name`, value: secretName },
            { op: 'remove', path: `/imagePullSecrets/${index}` },
          ],
        },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      );
      // The PATCH's Audit-Id, for the entry's audit record (the cluster's audit log has the call).
      const requestId = auditIdOf(answer);
      return { patched: true, ...(requestId ? { requestId } : {}) };
    } catch (err) {
      if (err instanceof StoppedBeforePatch) throw err;
      // Gone before the read, or between the read and the patch: either way no entry is left.
      if (kubeStatus(err) === 404) return 'absent';
      const explained = explainKubeError(err, { ...ctx, verb: 'patch', resource: 'serviceaccounts' });
      // A test failed (the read cannot answer 422): someone changed the list in between, or
      // made the account again; the next read tells which.
      if (kubeStatus(err) !== 422) throw explained;
      if (attempt < SERVICE_ACCOUNT_PATCH_ATTEMPTS) continue;
      throw new UserFacingError(
        'kubernetes.conflict',
        `The imagePullSecrets of service account ${serviceAccount} in namespace ${ctx.namespace} of cluster ${ctx.cluster} kept changing while acrbot took ${secretName} out; it tries again later.`,
        { cause: explained.cause },
      );
    }
  }
}
