/**
 * The Kubernetes API server's `Audit-Id`: the id of a request in the cluster's audit log, sent
 * back on every answer. A deletion's audit entry carries it (as ARM's `x-ms-request-id` and
 * Graph's `request-id` are carried), so an operator finds the call in the cluster's own log.
 */

/**
 * The `Audit-Id` header of `answer`: a call's `HttpInfo` (a `…WithHttpInfo` method's answer), or
 * the `ApiException` of a refusal, both of which keep the answer's headers by lower-case name.
 * Undefined when there is none (an API server that sends none, or a call that got no answer).
 */
export function auditIdOf(answer: unknown): string | undefined {
  const headers = (answer as { headers?: unknown } | undefined)?.headers;
  if (!headers || typeof headers !== 'object') return undefined;
  const id = Object.hasOwn(headers, 'audit-id') ? (headers as Record<string, unknown>)['audit-id'] : undefined;
  return typeof id === 'string' && id ? id : undefined;
}
