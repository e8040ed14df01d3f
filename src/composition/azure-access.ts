/**
 * Step "azure access": how acrbot reaches ARM and Graph in azure mode (real endpoints, the
 * managed identity or other `DefaultAzureCredential` source). Sandbox mode gets its access from
 * `sandbox-step.ts` instead, so nothing here is loaded against the emulators.
 */
import type { TokenCredential } from '@azure/core-auth';
import type * as Identity from '@azure/identity';
import type { AppConfig } from '../config/config';
import type { Agent } from 'node:https';
import { type ArmConnection, keepAliveAgent } from '../integrations/azure/arm-connection';
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
}

/** Azure mode: real endpoints (or the configured overrides) and `DefaultAzureCredential`. */
export function connectAzure(config: AppConfig): AzureAccess {
  // Loaded only here: @azure/identity is not needed against the sandbox and costs start-up time.
  const { DefaultAzureCredential } = require('@azure/identity') as typeof Identity;
  const credential = new DefaultAzureCredential();
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
