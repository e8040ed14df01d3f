/** Step "azure ports": the ARM, Graph and Kubernetes adapters behind the flows' ports (and the secret runner's). */
import type { SecretRunnerPorts } from '../flows/secret-runner';
import type { RegistryPullProbe } from '../domain/ports';
import { AcrPullProbe } from '../integrations/azure/acr-pull-probe';
import { ArmRegistryTokens } from '../integrations/azure/arm-registry-tokens';
import { ArmRoleAssignments } from '../integrations/azure/arm-role-assignments';
import { ArmResourceReader } from '../integrations/azure/azure-resource-reader';
import { GraphClient } from '../integrations/graph/graph-client';
import { GraphDirectory } from '../integrations/graph/graph-directory';
import { GraphServicePrincipals } from '../integrations/graph/graph-service-principals';
import { KubePullSecrets } from '../integrations/kubernetes/kube-pull-secrets';
import type { AzureAccess } from './azure-access';
import type { Stores } from './stores';
import type { Logger } from '../observability/logger';

/** The Azure-facing adapters. */
export interface AzurePorts {
  reader: ArmResourceReader;
  roleAssignments: ArmRoleAssignments;
  directory: GraphDirectory;
  secrets: SecretRunnerPorts;
  /** Asks a registry whether a new `--kind sp` credential pulls yet; none where no registry can be asked. */
  pullProbe?: RegistryPullProbe;
}

/** Builds the adapters (no I/O yet: clients connect on first use). */
export function createAzurePorts(
  access: AzureAccess,
  stores: Stores,
  options: {
    graphReplicationDelaysMs?: number[];
    kubeCallTimeoutMs?: number;
    log: Logger;
    /** The subscriptions acrbot is configured for: where a registry gone from its recorded id is looked for. */
    subscriptionIds?: readonly string[];
  },
): AzurePorts {
  const reader = new ArmResourceReader(access.arm);
  const roleAssignments = new ArmRoleAssignments(access.arm);
  const graph = new GraphClient({
    endpoint: access.graphEndpoint,
    credential: access.credential,
    caPem: access.caPem,
    agent: access.agent,
    tracing: access.arm.tracing,
  });
  const directory = new GraphDirectory(graph, options.log);
  const secrets: SecretRunnerPorts = {
    tokens: new ArmRegistryTokens(reader, { subscriptionIds: options.subscriptionIds }),
    servicePrincipals: new GraphServicePrincipals(
      graph,
      options.graphReplicationDelaysMs,
      undefined,
      access.ownObjectId,
      options.log,
    ),
    roleAssignments,
    kubernetes: new KubePullSecrets(
      (s) => reader.aksClient(s),
      access.credential,
      options.kubeCallTimeoutMs,
      undefined, // throttleWaitMs: its default, KUBE_THROTTLE_MAX_WAIT_MS
      undefined, // idleSocketMs: its default, KUBE_IDLE_SOCKET_MS
      options.log,
    ),
    // The secret runner checks acrbot's own records before replacing or deleting (G15).
    requests: stores.requests,
  };
  const dataPlane = access.registryDataPlane;
  const pullProbe =
    dataPlane === false
      ? undefined
      : new AcrPullProbe({
          ...(dataPlane === undefined ? {} : { baseUrl: () => dataPlane }),
          agent: access.agent,
          log: options.log,
        });
  return { reader, roleAssignments, directory, secrets, ...(pullProbe ? { pullProbe } : {}) };
}
