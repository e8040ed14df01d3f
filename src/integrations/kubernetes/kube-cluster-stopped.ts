/**
 * A cluster whose API server did not answer, told apart from one acrbot cannot reach: a stopped
 * AKS cluster (`properties.powerState.code` Stopped, `az aks stop`) has no API server running,
 * so every call to it gets no answer (or none in time), which kube-errors.ts can only word as
 * "check that its API server is up and reachable". After such a failure the cluster is read
 * from ARM; stopped, the failure says so and how to start it, as `cluster.stopped` (the code
 * the secret planner refuses a stopped cluster with; it and "no answer" are defined in
 * kube-no-answer.ts, for both). Any other answer, or a read that fails (logged), keeps the
 * failure as it was. Nothing else is read: a call that was answered, or that failed for another
 * reason, costs no ARM call; and the caller reads a cluster once for all the calls of one access
 * (kube-pull-secrets.ts), so a `check` of many secrets on an unreachable cluster reads it once.
 */
import type { ContainerServiceClient } from '@azure/arm-containerservice';
import { UserFacingError } from '../../domain/errors';
import { CLUSTER_STOPPED, isNoAnswer, startClusterCommand } from '../../domain/kube-no-answer';
import type { Logger } from '../../observability/logger';
import { powerStateFromWire } from '../azure/arm-wire';

/** The cluster an access was made for, as ARM names it. */
export interface ArmCluster {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

/**
 * The sentence of a call to stopped cluster `cluster`: what stops it, and the command that
 * starts it. No "ask again" and no "retried": a run's failed card adds the first, a
 * revocation's report the second (its job keeps trying).
 */
export function clusterStoppedText(cluster: ArmCluster): string {
  return `Cluster ${cluster.name} is stopped (its power state is Stopped), so its API server answers nothing until it is started: ${startClusterCommand(cluster)}.`;
}

/**
 * Whether ARM says `cluster` is stopped: one GET of the cluster. A read that fails says nothing
 * of the call that got no answer, whose failure then stands (false); its own failure is logged
 * at warn, as that is the only place it is seen. Never rejects.
 */
export async function isClusterStopped(
  aksClient: (subscriptionId: string) => ContainerServiceClient,
  cluster: ArmCluster,
  log?: Pick<Logger, 'warn'>,
): Promise<boolean> {
  try {
    const read = await aksClient(cluster.subscriptionId).managedClusters.get(cluster.resourceGroup, cluster.name);
    return powerStateFromWire(read.powerState) === 'Stopped';
  } catch (err) {
    log?.warn(
      { err, cluster: cluster.name },
      "reading a cluster's power state after a call to it got no answer failed; the failure is told as it was",
    );
    return false;
  }
}

/**
 * `err` as a `cluster.stopped` failure (`err` its cause) when it is a call that got no answer
 * ({@link isNoAnswer}) and `stopped` (asked only then: {@link isClusterStopped}, or the caller's
 * memo of it) says `cluster` is stopped; else `err` as it is. Rejects only if `stopped` does.
 */
export async function explainNoAnswer(
  err: unknown,
  cluster: ArmCluster,
  stopped: () => Promise<boolean>,
): Promise<unknown> {
  if (!isNoAnswer(err) || !(await stopped())) return err;
  return new UserFacingError(CLUSTER_STOPPED, clusterStoppedText(cluster), { cause: err });
}
