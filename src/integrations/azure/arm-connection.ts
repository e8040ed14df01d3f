/**
 * How acrbot reaches ARM: endpoint, credential and (sandbox only) the emulator's CA. The
 * Azure SDK's bearer-token policy refuses plain http, so emulators serve TLS and the CA is
 * passed as `tlsOptions.ca` (or trusted process-wide through NODE_EXTRA_CA_CERTS).
 */
import type { TokenCredential } from '@azure/core-auth';

/** Connection settings shared by all ARM clients. */
export interface ArmConnection {
  /** e.g. https://management.azure.com or the sandbox emulator. */
  endpoint: string;
  credential: TokenCredential;
  /** PEM of a CA to trust for this endpoint only (sandbox). */
  caPem?: string;
}

/** Client options the modular (TypeSpec) SDKs take. */
export function modularClientOptions(connection: ArmConnection): { endpoint: string; tlsOptions?: { ca: string } } {
  return { endpoint: connection.endpoint, ...(connection.caPem ? { tlsOptions: { ca: connection.caPem } } : {}) };
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
