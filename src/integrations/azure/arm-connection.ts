/**
 * How acrbot reaches ARM: endpoint, credential and (sandbox only) the emulator's CA. The
 * Azure SDK's bearer-token policy refuses plain http, so emulators serve TLS and the CA is
 * passed as `tlsOptions.ca` (or trusted process-wide through NODE_EXTRA_CA_CERTS).
 */
import type { TokenCredential } from '@azure/core-auth';
import type { HttpClient } from '@azure/core-rest-pipeline';
import { Agent } from 'node:https';
import { MAX_CONNECTIONS_PER_ORIGIN, sendOnPools, sharedHttpClient } from '../http/pooled-http-client';

/** Connection settings shared by all ARM clients. */
export interface ArmConnection {
  /** e.g. https://management.azure.com or the sandbox emulator. */
  endpoint: string;
  credential: TokenCredential;
  /** PEM of a CA to trust for this endpoint only (sandbox). */
  caPem?: string;
  /**
   * One keep-alive agent shared by every client of this endpoint (see {@link keepAliveAgent});
   * it carries the CA when there is one. Without it each SDK client keeps its own unbounded pool.
   */
  agent?: Agent;
  /**
   * false: no telemetry exporter runs, so the SDK pipelines' tracing policy is dropped (see
   * `dropIdlePolicies` in src/integrations/http/idle-policies.ts). Default true: the SDK's
   * pipeline as it is.
   */
  tracing?: boolean;
}

/**
 * A keep-alive HTTPS agent with bounded sockets, trusting `caPem` only when given. Requests that
 * carry it are sent over the pooled client's pools with the same trust (see `sendOnPools`); the
 * agent itself serves what goes to the SDK's Node client.
 */
export function keepAliveAgent(caPem?: string): Agent {
  const agent = new Agent({
    keepAlive: true,
    maxSockets: MAX_CONNECTIONS_PER_ORIGIN,
    maxFreeSockets: MAX_CONNECTIONS_PER_ORIGIN,
    scheduling: 'lifo',
    ...(caPem ? { ca: caPem } : {}),
  });
  sendOnPools(agent, caPem ? { ca: caPem } : {});
  return agent;
}

/**
 * Transport options for any Azure SDK client: the process's pooled HTTP client, and the shared
 * agent (which then also carries the CA: the SDK ignores `tlsOptions` for a request that has an
 * agent), else the CA as `tlsOptions`.
 */
export function transportOptions(connection: { caPem?: string; agent?: Agent }): {
  httpClient: HttpClient;
  agent?: Agent;
  tlsOptions?: { ca: string };
} {
  const httpClient = sharedHttpClient();
  if (connection.agent) return { httpClient, agent: connection.agent };
  return connection.caPem ? { httpClient, tlsOptions: { ca: connection.caPem } } : { httpClient };
}

/** Client options the modular (TypeSpec) SDKs take. */
export function modularClientOptions(connection: ArmConnection): {
  endpoint: string;
  httpClient: HttpClient;
  agent?: Agent;
  tlsOptions?: { ca: string };
} {
  return { endpoint: connection.endpoint, ...transportOptions(connection) };
}

/** A credential that always returns one fixed token: the sandbox's, which only the local emulators accept. */
export function staticTokenCredential(token: string): TokenCredential {
  return { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }) };
}

/** Reads `x-ms-request-id` from an SDK error, if it carries a response. */
export function errorRequestId(err: unknown): string | undefined {
  const headers = (err as { response?: { headers?: { get?(name: string): string | undefined } } }).response?.headers;
  return headers?.get?.('x-ms-request-id') ?? undefined;
}

/** Status and code of an SDK RestError. */
export function restErrorInfo(err: unknown): { statusCode?: number; code?: string } {
  const e = err as { statusCode?: number; code?: string };
  return { statusCode: e.statusCode, code: e.code };
}

/** True for 404 ResourceNotFound / ResourceGroupNotFound. */
export function isNotFound(err: unknown): boolean {
  return restErrorInfo(err).statusCode === 404;
}

/** A GET whose 404 means "there is none": undefined then; any other error is thrown as it is. */
export async function unlessNotFound<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
