/**
 * A Kubernetes call that got no answer, and the code of the failure a stopped cluster gives: one
 * definition for the planner, which words no answer from a private cluster as acrbot running
 * outside its network (secret-planner.ts), and the Kubernetes adapter, which reads ARM after
 * one to tell a stopped cluster apart (kube-cluster-stopped.ts). Pure.
 */
import { isUserFacing } from './errors';

/**
 * The code of a failure on a stopped AKS cluster (`powerState.code` Stopped): the planner's
 * refusal, and a call to its API server that got no answer while ARM says it is stopped.
 */
export const CLUSTER_STOPPED = 'cluster.stopped';

/**
 * A failure of a call that got no answer, as the Kubernetes adapter words it (kube-errors.ts):
 * `kubernetes.timeout`, or `kubernetes.failed` whose cause says no answer came. A status means
 * the server was reached.
 */
export function isNoAnswer(err: unknown): boolean {
  if (!isUserFacing(err)) return false;
  const cause = err.cause instanceof Error ? err.cause.message : '';
  return (
    err.code === 'kubernetes.timeout' || (err.code === 'kubernetes.failed' && cause.startsWith('No Kubernetes answer'))
  );
}
