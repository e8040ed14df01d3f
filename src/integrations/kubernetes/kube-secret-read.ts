/**
 * The reads of a pull secret and its service accounts: the check before any credential exists
 * (namespace, secret, service account: hints only, the flow decides from its records, G15), and
 * `check`'s read-only look at what acrbot's records name. Never the secret's data, only its hash.
 */
import type { CoreV1Api, V1Secret } from '@kubernetes/client-node';
import { UserFacingError } from '../../domain/errors';
import { MISSING_SERVICE_ACCOUNT_WAY_ON } from '../../domain/new-secret-way-on';
import type { ClusterAccess, PullSecretInspection, PullSecretSeen } from '../../domain/ports';
import { type ExistingSecret, secretDataFingerprint } from '../../domain/secret-ownership';
import type { KubeAccess } from './kube-cluster-access';
import {
  explainKubeError,
  type KubeScope,
  kubeStatus,
  namespaceTerminatingError,
  secretTerminatingError,
} from './kube-errors';
import { MANAGED_BY_LABEL, metadataSeen, REQUEST_ID_LABEL } from './kube-secret-metadata';

/**
 * The check before a write: the namespace is there and not being deleted, the service account
 * (if any) is there, and what the cluster says of a secret of that name (refused when it is
 * being deleted). See `PullSecretPort.precheck`.
 */
export async function precheckSecret(
  access: ClusterAccess,
  input: { namespace: string; secretName: string; serviceAccount?: string },
): Promise<{ existing?: ExistingSecret; serviceAccountLinked?: boolean }> {
  const { api, clusterName, signIn } = access as KubeAccess;
  const ctx: KubeScope = { cluster: clusterName, namespace: input.namespace, signIn };
  let phase: string | undefined;
  try {
    phase = (await api.readNamespace({ name: input.namespace })).status?.phase;
  } catch (err) {
    throw explainKubeError(err, { ...ctx, verb: 'read', resource: 'the namespace' });
  }
  // Being deleted (often for days, held by a finalizer): the API server would refuse the secret
  // (403, NamespaceTerminating); said before any credential exists.
  if (phase === 'Terminating') throw namespaceTerminatingError(ctx);
  const secret = await readSecret(api, ctx, input.secretName);
  let serviceAccountLinked: boolean | undefined;
  if (input.serviceAccount) {
    try {
      const sa = await api.readNamespacedServiceAccount({ name: input.serviceAccount, namespace: input.namespace });
      serviceAccountLinked = (sa.imagePullSecrets ?? []).some((s) => s.name === input.secretName);
    } catch (err) {
      if (kubeStatus(err) === 404)
        throw new UserFacingError(
          'kubernetes.noServiceAccount',
          `Service account ${input.serviceAccount} does not exist in namespace ${input.namespace} of cluster ${clusterName}; ${MISSING_SERVICE_ACCOUNT_WAY_ON}`,
        );
      throw explainKubeError(err, { ...ctx, verb: 'read', resource: 'service accounts' });
    }
  }
  const linked = serviceAccountLinked === undefined ? {} : { serviceAccountLinked };
  if (!secret) return linked;
  const meta = secret.metadata ?? {};
  // Being deleted, held by a finalizer: a create would meet it (409) and a replace would put the
  // new credential into a secret about to vanish. Said before any credential exists.
  if (meta.deletionTimestamp) throw secretTerminatingError(ctx, input.secretName, meta.finalizers);
  const existing: ExistingSecret = {
    requestIdLabel: meta.labels?.[REQUEST_ID_LABEL],
    managedBy: meta.labels?.[MANAGED_BY_LABEL],
    createdAt: meta.creationTimestamp ? new Date(meta.creationTimestamp).toISOString() : undefined,
    writers: [...new Set((meta.managedFields ?? []).map((f) => f.manager).filter((m): m is string => !!m))].slice(0, 3),
    resourceVersion: meta.resourceVersion,
    uid: meta.uid,
    // A hash, never the data: whether it still holds what acrbot wrote (G15).
    dataFingerprint: secretDataFingerprint(secret.data),
    // For the write: it builds the replacement from these rather than reading the secret again.
    metadata: metadataSeen(meta),
  };
  return { existing, ...linked };
}

/**
 * What the cluster holds of a pull secret acrbot's records name. Reads only: the secret (its data hashed here and dropped), then each service account, in
 * turn (the caller bounds how many objects one answer reads).
 */
export async function inspectSecret(access: ClusterAccess, input: PullSecretInspection): Promise<PullSecretSeen> {
  const { api, clusterName, signIn } = access as KubeAccess;
  const ctx: KubeScope = { cluster: clusterName, namespace: input.namespace, signIn };
  const found = await readSecret(api, ctx, input.secretName);
  const meta = found?.metadata;
  const secret: PullSecretSeen['secret'] = found
    ? {
        state: 'present',
        ...(meta?.uid ? { uid: meta.uid } : {}),
        ...(found.data ? { dataFingerprint: secretDataFingerprint(found.data) } : {}),
        ...(meta?.deletionTimestamp ? { deleting: true } : {}),
      }
    : { state: 'absent' };
  const serviceAccounts: PullSecretSeen['serviceAccounts'] = {};
  for (const name of input.serviceAccounts) {
    try {
      const sa = await api.readNamespacedServiceAccount({ name, namespace: input.namespace });
      serviceAccounts[name] = sa.imagePullSecrets?.some((s) => s.name === input.secretName) ? 'listed' : 'noEntry';
    } catch (err) {
      if (kubeStatus(err) !== 404) throw explainKubeError(err, { ...ctx, verb: 'read', resource: 'serviceaccounts' });
      serviceAccounts[name] = 'absent';
    }
  }
  return { secret, serviceAccounts };
}

/**
 * The secret `name` in `scope`'s namespace; undefined when there is none (404). `forRemoval`: the
 * read of a revocation, whose failure leaves what acrbot wrote in place (its sentence does not say
 * "nothing was left behind").
 */
export async function readSecret(
  api: CoreV1Api,
  scope: KubeScope,
  name: string,
  options: { forRemoval?: boolean } = {},
): Promise<V1Secret | undefined> {
  try {
    return await api.readNamespacedSecret({ name, namespace: scope.namespace });
  } catch (err) {
    if (kubeStatus(err) === 404) return undefined;
    throw explainKubeError(err, {
      ...scope,
      verb: 'read',
      resource: 'secrets',
      ...(options.forRemoval ? { forRemoval: true } : {}),
    });
  }
}
