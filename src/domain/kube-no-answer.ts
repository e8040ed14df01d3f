/**
 * A Kubernetes call that got no answer, the code of the failure a stopped cluster gives, and the
 * command that starts it: one definition for the planner, which words no answer from a private
 * cluster as acrbot running outside its network (secret-planner.ts), the Kubernetes adapter,
 * which words no answer (kube-errors.ts) and reads ARM after one to tell a stopped cluster apart
 * (kube-cluster-stopped.ts), and every answer that says how to start one. Pure.
 */
import { isUserFacing } from './errors';

/**
 * The code of a failure on a stopped AKS cluster (`powerState.code` Stopped): the planner's
 * refusal, and a call to its API server that got no answer while ARM says it is stopped.
 */
export const CLUSTER_STOPPED = 'cluster.stopped';

/**
 * The start of the cause of a `kubernetes.failed` failure whose call got no answer (no status),
 * as kube-errors.ts writes it and {@link isNoAnswer} reads it: one spelling for both.
 */
export const NO_KUBERNETES_ANSWER = 'No Kubernetes answer';

/**
 * The command that starts stopped AKS cluster `cluster` (`powerState.code` Stopped), with its
 * subscription as acrbot's other by-hand commands carry theirs: the operator's CLI may be set to
 * another one, where `-g`/`-n` alone would name no cluster, or the wrong one.
 */
export function startClusterCommand(cluster: { subscriptionId: string; resourceGroup: string; name: string }): string {
  return `az aks start --subscription ${cluster.subscriptionId} -g ${cluster.resourceGroup} -n ${cluster.name}`;
}

/**
 * A failure of a call that got no answer, as the Kubernetes adapter words it (kube-errors.ts):
 * `kubernetes.timeout`, or `kubernetes.failed` whose cause says no answer came
 * ({@link NO_KUBERNETES_ANSWER}). A status means the server was reached.
 */
export function isNoAnswer(err: unknown): boolean {
  if (!isUserFacing(err)) return false;
  const cause = err.cause instanceof Error ? err.cause.message : '';
  return (
    err.code === 'kubernetes.timeout' || (err.code === 'kubernetes.failed' && cause.startsWith(NO_KUBERNETES_ANSWER))
  );
}
