/**
 * How acrbot reaches ARM: endpoint, credential and (sandbox only) the emulator's CA. The
 * Azure SDK's bearer-token policy refuses plain http, so emulators serve TLS and the CA is
 * passed as `tlsOptions.ca` (or trusted process-wide through NODE_EXTRA_CA_CERTS).
 */
import type { TokenCredential } from '@azure/core-auth';
import type { HttpClient, PipelinePolicy } from '@azure/core-rest-pipeline';
import { Agent } from 'node:https';
import { CloudApiError } from '../../domain/ports';
import { RetryAfterTooLongError, retryAfterCapPolicy } from '../http/capped-retry';
import type { AnswerTimedHttpClient } from '../http/no-answer-policy';
import { MAX_CONNECTIONS_PER_ORIGIN, sendOnPools, sharedHttpClient } from '../http/pooled-http-client';
import { ARM_MAX_RETRIES, armNoAnswerPolicy } from './arm-no-answer';

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
  /**
   * The HTTP client under every ARM pipeline; default the process's pooled client. Tests pass one
   * with a shorter answer timeout (`answerTimeoutMs`, which the no-answer error then names).
   */
  httpClient?: AnswerTimedHttpClient;
}

/**
 * A keep-alive HTTPS agent with bounded sockets, trusting `caPem` only when given. Requests that
 * carry it are sent over the pooled client's pools with the same trust (see `sendOnPools`),
 * through the outbound proxy when one is configured (the SDK's own proxy policy never replaces an
 * agent a request already has, so the pooled client decides); the agent itself serves what goes
 * to the SDK's Node client without a proxy.
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
export function transportOptions(connection: { caPem?: string; agent?: Agent; httpClient?: HttpClient }): {
  httpClient: HttpClient;
  agent?: Agent;
  tlsOptions?: { ca: string };
} {
  const httpClient = connection.httpClient ?? sharedHttpClient();
  if (connection.agent) return { httpClient, agent: connection.agent };
  return connection.caPem ? { httpClient, tlsOptions: { ca: connection.caPem } } : { httpClient };
}

/** An SDK client's extra pipeline policy and where it goes (core-client's `additionalPolicies`). */
export interface AdditionalPolicy {
  policy: PipelinePolicy;
  position: 'perCall' | 'perRetry';
}

/**
 * The policies every ARM SDK client (and so every {@link ArmRest} on its pipeline) gets, both
 * per retry so they see each send before the SDK's retry policy: the Retry-After cap
 * (capped-retry.ts), since its throttling strategy would wait whatever a 429 or 503 asks, and the
 * bound on sends that get no answer (arm-no-answer.ts), since it would resend those three times.
 */
export function armPolicies(connection: Pick<ArmConnection, 'httpClient'>): AdditionalPolicy[] {
  return [
    { policy: retryAfterCapPolicy({ service: 'ARM', requestIdHeader: 'x-ms-request-id' }), position: 'perRetry' },
    { policy: armNoAnswerPolicy(connection.httpClient?.answerTimeoutMs), position: 'perRetry' },
  ];
}

/**
 * The SDK retry policy's options for every ARM client: its resends, counted together whatever
 * their reason, at {@link ARM_MAX_RETRIES}; those after no answer are bounded lower by
 * {@link armPolicies} (arm-no-answer.ts says why not here).
 */
export function armRetryOptions(): { maxRetries: number } {
  return { maxRetries: ARM_MAX_RETRIES };
}

/** Client options the modular (TypeSpec) SDKs take. */
export function modularClientOptions(connection: ArmConnection): {
  endpoint: string;
  httpClient: HttpClient;
  agent?: Agent;
  tlsOptions?: { ca: string };
  additionalPolicies: AdditionalPolicy[];
  retryOptions: { maxRetries: number };
} {
  return {
    endpoint: connection.endpoint,
    ...transportOptions(connection),
    additionalPolicies: armPolicies(connection),
    retryOptions: armRetryOptions(),
  };
}

/** A credential that always returns one fixed token: the sandbox's, which only the local emulators accept. */
export function staticTokenCredential(token: string): TokenCredential {
  return { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }) };
}

/** Reads `x-ms-request-id` from an SDK error, if it carries a response (or, refused by the Retry-After cap, the id). */
export function errorRequestId(err: unknown): string | undefined {
  if (err instanceof RetryAfterTooLongError) return err.requestId;
  return responseHeader(err, 'x-ms-request-id');
}

/**
 * Reads `x-ms-correlation-request-id` from an SDK error's response: what operators search ARM's
 * Activity Log by. Only this one header is read; the response's other headers stay on the cause.
 */
export function errorCorrelationRequestId(err: unknown): string | undefined {
  return responseHeader(err, 'x-ms-correlation-request-id');
}

/** One header of the response an SDK error (RestError) carries, if any. */
function responseHeader(err: unknown, name: string): string | undefined {
  const headers = (err as { response?: { headers?: { get?(name: string): string | undefined } } } | null)?.response
    ?.headers;
  return headers?.get?.(name) ?? undefined;
}

/** Longest part of ARM's own sentence kept in a {@link CloudApiError}'s message. */
const ARM_MESSAGE_MAX = 300;

/**
 * An ARM write's (or read's) failure as a {@link CloudApiError} with the original as `cause`
 * (ARM's sentence, a quota or an invalid name, reaches the operator's log line) and ARM's own
 * sentence in the message; the request (which carries the bearer token) is never read. A
 * programming error (TypeError, ReferenceError, RangeError) is returned as it is: calling it
 * `CloudApiError('Unknown')` would hide the bug behind an Azure failure. Anything else is a
 * service outcome and is wrapped: a RestError, the Retry-After cap's refusal, and core-lro's plain
 * `Error` for an operation ARM reports as failed (its code is read from its message).
 */
export function armFailure(err: unknown, what: string, requestId?: string): unknown {
  if (err instanceof TypeError || err instanceof ReferenceError || err instanceof RangeError) return err;
  const info = restErrorInfo(err);
  const message = err instanceof Error ? err.message.replace(/\s+/g, ' ').slice(0, ARM_MESSAGE_MAX) : '';
  const lroCode = /^The long-running operation has failed\. ([A-Za-z0-9_.-]+?)\./.exec(message)?.[1];
  const code = info.code ?? lroCode ?? 'Unknown';
  const error = new CloudApiError(
    code,
    info.statusCode,
    message ? `${what} failed: ${message}` : `${what} failed`,
    errorRequestId(err) ?? requestId,
    errorCorrelationRequestId(err),
  );
  // As `new Error(message, { cause })` would have it (CloudApiError's constructor takes no options).
  Object.defineProperty(error, 'cause', { value: err, enumerable: false, writable: true, configurable: true });
  return error;
}

/** Status and code of an SDK RestError. */
export function restErrorInfo(err: unknown): { statusCode?: number; code?: string } {
  const e = err as { statusCode?: number; code?: string };
  return { statusCode: e.statusCode, code: e.code };
}

/**
 * True for any 404: the resource, its resource group or its subscription not found. Only for a
 * read where a subscription ARM cannot find may count as one that holds none (a role definition);
 * the reads of clusters and registries, and a delete, go by {@link isAbsent}.
 */
export function isNotFound(err: unknown): boolean {
  return restErrorInfo(err).statusCode === 404;
}

/**
 * True for a 404 that says the resource itself is not there: ResourceNotFound,
 * ResourceGroupNotFound, ParentResourceNotFound or a child's own code. Not `SubscriptionNotFound`:
 * ARM could not find the subscription (deleted, moved to another tenant, not yet known to its
 * front end), which says nothing of what the subscription holds. A delete, and the read before
 * one, must not take that for "gone already": the credential or assignment may still be there,
 * and acrbot would forget it (G15, G17; the same line as `isResourceGone` in domain/errors.ts).
 * Nor may a read of a cluster or registry take it for "no such resource" (resource-resolver.ts
 * names the subscription instead).
 */
export function isAbsent(err: unknown): boolean {
  const { statusCode, code } = restErrorInfo(err);
  return statusCode === 404 && code !== 'SubscriptionNotFound';
}

/** A GET whose 404 means "there is none" ({@link isNotFound}): undefined then; any other error is thrown as it is. */
export async function unlessNotFound<T>(read: () => Promise<T>): Promise<T | undefined> {
  return unless(isNotFound, read);
}

/** A GET of what a delete may follow: undefined only when {@link isAbsent}; any other error is thrown as it is. */
export async function unlessAbsent<T>(read: () => Promise<T>): Promise<T | undefined> {
  return unless(isAbsent, read);
}

async function unless<T>(none: (err: unknown) => boolean, read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (none(err)) return undefined;
    throw err;
  }
}
