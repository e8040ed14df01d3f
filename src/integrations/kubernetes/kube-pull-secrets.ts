/**
 * The Kubernetes side of the secret flow with `@kubernetes/client-node`: cluster credentials
 * from ARM (the bot's own Entra token on Entra-enabled clusters, never kubelogin/device code),
 * then the `kubernetes.io/dockerconfigjson` secret and the service account link. Each step lives
 * in a file of its own under this folder; this one puts them behind {@link PullSecretPort}.
 */
import type { ContainerServiceClient } from '@azure/arm-containerservice';
import type { TokenCredential } from '@azure/core-auth';
import type {
  ClusterAccess,
  PullSecretInspection,
  PullSecretPort,
  PullSecretRemoval,
  PullSecretSeen,
  PullSecretWrite,
  PullSecretWriteOutcome,
  SecretRemoveResult,
} from '../../domain/ports';
import type { ExistingSecret } from '../../domain/secret-ownership';
import type { Logger } from '../../observability/logger';
import { KUBE_IDLE_SOCKET_MS } from './kube-agent';
import { KUBE_CALL_TIMEOUT_MS, type KubeAccess, kubeClusterAccess } from './kube-cluster-access';
import { explainNoAnswer, isClusterStopped } from './kube-cluster-stopped';
import { KUBE_THROTTLE_MAX_WAIT_MS } from './kube-retrying-http';
import { inspectSecret, precheckSecret } from './kube-secret-read';
import { removeSecret } from './kube-secret-remove';
import { writeSecret } from './kube-secret-write';

// Named here as before the split, so callers keep importing them from this file.
export { AKS_SERVER_APP_ID, KUBE_CALL_TIMEOUT_MS } from './kube-cluster-access';
export { KUBE_THROTTLE_ATTEMPTS, KUBE_THROTTLE_MAX_WAIT_MS } from './kube-retrying-http';
export { MANAGED_BY_LABEL, REQUEST_ID_LABEL } from './kube-secret-metadata';

/** {@link PullSecretPort} over the Kubernetes API. */
export class KubePullSecrets implements PullSecretPort {
  constructor(
    private readonly aksClient: (subscriptionId: string) => ContainerServiceClient,
    private readonly credential: TokenCredential,
    /** Longest one Kubernetes API call may take before it fails as unreachable. */
    private readonly callTimeoutMs = KUBE_CALL_TIMEOUT_MS,
    /** Longest wait for a throttled call's (or a failed read's) Retry-After (tests shorten it). */
    private readonly throttleWaitMs = KUBE_THROTTLE_MAX_WAIT_MS,
    /** How long a connection to an API server may stay idle before it is closed (tests shorten it). */
    private readonly idleSocketMs = KUBE_IDLE_SOCKET_MS,
    /** Where a failed read of a cluster's power state after a call got no answer is logged. */
    private readonly log?: Pick<Logger, 'warn'>,
  ) {}

  /**
   * Per access (one cluster, one `check` answer or one run), whether ARM says its cluster is
   * stopped, read at the first call that got no answer: the calls after it, and those failing at
   * the same time (`check` reads a few secrets at once), ask the same read, not one each. Dropped
   * with the access.
   */
  private readonly stoppedReads = new WeakMap<ClusterAccess, Promise<boolean>>();

  /** {@inheritDoc PullSecretPort.access} See {@link kubeClusterAccess}. */
  access(cluster: {
    subscriptionId: string;
    resourceGroup: string;
    name: string;
    aadEnabled: boolean;
  }): Promise<ClusterAccess> {
    const { aksClient, credential, callTimeoutMs, throttleWaitMs, idleSocketMs } = this;
    return kubeClusterAccess({ aksClient, credential, callTimeoutMs, throttleWaitMs, idleSocketMs }, cluster);
  }

  /** {@inheritDoc PullSecretPort.precheck} See {@link precheckSecret}. */
  precheck(
    access: ClusterAccess,
    input: { namespace: string; secretName: string; serviceAccount?: string },
  ): Promise<{ existing?: ExistingSecret; serviceAccountLinked?: boolean }> {
    return this.toldIfStopped(access, precheckSecret(access, input));
  }

  /** {@inheritDoc PullSecretPort.write} See {@link writeSecret}. */
  write(access: ClusterAccess, input: PullSecretWrite): Promise<PullSecretWriteOutcome> {
    return this.toldIfStopped(access, writeSecret(access, input));
  }

  /** {@inheritDoc PullSecretPort.remove} See {@link removeSecret}. */
  remove(access: ClusterAccess, input: PullSecretRemoval): Promise<SecretRemoveResult> {
    return this.toldIfStopped(access, removeSecret(access, input));
  }

  /** {@inheritDoc PullSecretPort.inspect} See {@link inspectSecret}. */
  inspect(access: ClusterAccess, input: PullSecretInspection): Promise<PullSecretSeen> {
    return this.toldIfStopped(access, inspectSecret(access, input));
  }

  /**
   * `call`, whose failure for want of an answer is said to be a stopped cluster's when ARM says
   * the cluster is stopped ({@link explainNoAnswer}), read once per access; any other outcome as it is.
   */
  private async toldIfStopped<T>(access: ClusterAccess, call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (err) {
      const cluster = (access as KubeAccess).armCluster;
      if (!cluster) throw err;
      throw await explainNoAnswer(err, cluster, () => {
        let read = this.stoppedReads.get(access);
        if (!read) {
          read = isClusterStopped(this.aksClient, cluster, this.log);
          this.stoppedReads.set(access, read);
        }
        return read;
      });
    }
  }
}
