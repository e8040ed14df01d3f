/**
 * A cluster whose API server did not answer, told apart from one acrbot cannot reach: a stopped
 * AKS cluster (`properties.powerState.code` Stopped, `az aks stop`) has no API server running,
 * so every call to it gets no answer (or none in time), which kube-errors.ts can only word as
 * "check that its API server is up and reachable". After such a failure the cluster is read
 * once from ARM; stopped, the failure says so and how to start it, as `cluster.stopped` (the
 * code the secret planner refuses a stopped cluster with; it and "no answer" are defined in
 * kube-no-answer.ts, for both). Any other answer, or a read that fails, keeps the failure as
 * it was. Nothing else is read: a call that was answered, or that failed for another reason,
 * costs no ARM call.
 */
import type { ContainerServiceClient } from '@azure/arm-containerservice';
import { UserFacingError } from '../../domain/errors';
import { CLUSTER_STOPPED, isNoAnswer, startClusterCommand } from '../../domain/kube-no-answer';
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
 * `err` as a `cluster.stopped` failure (`err` its cause) when it is a call that got no answer
 * ({@link isNoAnswer}) and ARM says `cluster` is stopped; else `err` as it is. Never rejects.
 */
export async function stoppedOr(
  err: unknown,
  aksClient: (subscriptionId: string) => ContainerServiceClient,
  cluster: ArmCluster,
): Promise<unknown> {
  if (!isNoAnswer(err)) return err;
  try {
    const read = await aksClient(cluster.subscriptionId).managedClusters.get(cluster.resourceGroup, cluster.name);
    if (powerStateFromWire(read.powerState) !== 'Stopped') return err;
  } catch {
    // The read says nothing of the call: its own failure stands.
    return err;
  }
  return new UserFacingError(CLUSTER_STOPPED, clusterStoppedText(cluster), { cause: err });
}
