/**
 * Step "azure access": how acrbot reaches ARM and Graph in azure mode (real endpoints, the
 * managed identity or other `DefaultAzureCredential` source). Sandbox mode gets its access from
 * `sandbox-step.ts` instead, so nothing here is loaded against the emulators.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { AppConfig } from '../config/config';
import type { Agent } from 'node:https';
import { type ArmConnection, keepAliveAgent } from '../integrations/azure/arm-connection';
import { sharedAzureCredential } from '../integrations/http/azure-credential';
import { telemetryExporting } from '../observability/telemetry';

/** Endpoints and credential every Azure-facing client is built from. */
export interface AzureAccess {
  credential: TokenCredential;
  arm: ArmConnection;
  /** Graph base URL without `/v1.0`. */
  graphEndpoint: string;
  /** PEM of a CA to trust for ARM and Graph only (the sandbox's own emulators). */
  caPem?: string;
  /** The keep-alive agent every ARM and Graph client shares (bounded sockets per host). */
  agent: Agent;
  /**
   * acrbot's own service principal object id, when known without a token (the sandbox, whose
   * tokens are opaque). Azure mode reads it from the `oid` of acrbot's Graph token instead.
   */
  ownObjectId?: string;
  /**
   * Where the `--kind sp` rotation's pull check asks registries (acr-pull-probe.ts): undefined,
   * each registry's own `https://{loginServer}` (azure mode); a URL, the sandbox's data-plane
   * emulator for every registry; false, nowhere (external emulators: no registry answers, and a
   * credential is never sent to a real `*.azurecr.io` from the sandbox), so the check is skipped.
   */
  registryDataPlane?: string | false;
}

/**
 * Azure mode: real endpoints (or the configured overrides) and the process's one
 * `DefaultAzureCredential` (azure-credential.ts: the Tables stores and anchor blobs share its
 * token cache, and its token requests take the pooled client, proxy and bounded waits included).
 */
export function connectAzure(config: AppConfig): AzureAccess {
  // Never called against the sandbox, which does not need @azure/identity.
  const credential = sharedAzureCredential();
  const agent = keepAliveAgent();
  return {
    credential,
    arm: {
      endpoint: config.armEndpoint ?? 'https://management.azure.com',
      credential,
      agent,
      tracing: telemetryExporting(),
    },
    graphEndpoint: config.graphEndpoint ?? 'https://graph.microsoft.com',
    agent,
  };
}
