/** Kubernetes API failures turned into one plain sentence with the fix. */
import { UserFacingError } from '../../domain/errors';

/** HTTP status of a client-node error, if it is one. */
export function kubeStatus(err: unknown): number | undefined {
  // client-node's ApiException carries the HTTP status as a numeric `code`; checked by shape
  // so this module does not load client-node.
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** Explains a failed call on `what` (e.g. "create secrets") in a namespace of a cluster. */
export function explainKubeError(
  err: unknown,
  ctx: { cluster: string; namespace: string; verb: string; resource: string },
): UserFacingError {
  const status = kubeStatus(err);
  switch (status) {
    case 401:
      return new UserFacingError(
        'kubernetes.unauthorized',
        `Cluster ${ctx.cluster} did not accept acrbot's credentials; on Entra-enabled clusters give acrbot's identity access to the cluster (e.g. Azure Kubernetes Service RBAC Writer on namespace ${ctx.namespace}).`,
      );
    case 403:
      return new UserFacingError(
        'kubernetes.forbidden',
        `acrbot may not ${ctx.verb} ${ctx.resource} in namespace ${ctx.namespace} of cluster ${ctx.cluster}; give its identity a RoleBinding there that allows get, create and update on secrets (and patch on serviceaccounts), or Azure Kubernetes Service RBAC Writer on the namespace.`,
      );
    case 404:
      return new UserFacingError(
        'kubernetes.notFound',
        `Namespace ${ctx.namespace} does not exist in cluster ${ctx.cluster}; create it first or choose another --namespace (a pull secret must live in the workload's namespace).`,
      );
    case 409:
      return new UserFacingError(
        'kubernetes.conflict',
        `The ${ctx.resource} in namespace ${ctx.namespace} of cluster ${ctx.cluster} changed while acrbot was writing it; approve a new request to try again.`,
      );
    case 422:
      return new UserFacingError(
        'kubernetes.invalid',
        `Cluster ${ctx.cluster} refused the ${ctx.resource} as invalid; the platform team can find the details in acrbot's logs.`,
      );
    default:
      return new UserFacingError(
        'kubernetes.failed',
        `Cluster ${ctx.cluster} could not be reached or failed (${status ?? 'no answer'}) while acrbot tried to ${ctx.verb} ${ctx.resource} in namespace ${ctx.namespace}; nothing was left behind.`,
      );
  }
}
