/**
 * Finishes credential clean-ups that failed earlier (G14): a failed secret request whose
 * credential could not be deleted keeps the reference in its outcome; each start of the bot
 * tries again and records the result. Only references the request's own `created` records
 * vouch for are deleted (G15).
 */
import type { AuditEvent } from '../domain/audit-chain';
import type { AuditLog, Clock, RequestStore } from '../domain/ports';
import { VersionConflictError } from '../domain/ports';
import { transition, type AccessRequest } from '../domain/request';
import { type CredentialRef, decodeCredentialRef } from '../domain/secret-credential';
import { credentialRefProblem } from '../domain/secret-ownership';
import type { Logger } from '../observability/logger';
import { deleteCredential, type SecretRunnerPorts } from './secret-runner';

/** Parses the stored list of pending references. */
function pendingRefs(text: string | undefined): CredentialRef[] {
  if (!text) return [];
  try {
    const parsed = JSON.parse(text) as unknown;
    return (Array.isArray(parsed) ? parsed : [parsed])
      .map((r) => decodeCredentialRef(JSON.stringify(r)))
      .filter((r): r is CredentialRef => r !== undefined);
  } catch {
    return [];
  }
}

/** The `credential.cleanup` audit entry of a retried clean-up. */
function cleanupEntry(request: AccessRequest, outcome: 'refused' | 'deleted', detail: string): AuditEvent {
  return {
    actor: { objectId: 'acrbot', name: 'acrbot' },
    tenantId: request.tenantId,
    action: 'credential.cleanup',
    requestId: request.id,
    targetIds: [request.plan.registry.id],
    outcome,
    detail,
  };
}

/** Retries pending credential clean-ups; returns how many requests were cleaned. */
export async function retryPendingCleanups(
  store: RequestStore,
  audit: AuditLog,
  ports: SecretRunnerPorts,
  clock: Clock,
  log: Logger,
): Promise<number> {
  let cleaned = 0;
  for (const request of await store.listByState(['failed'], 1000)) {
    if (request.outcome?.cleanup !== 'pending') continue;
    // Only references that the request's own records vouch for are acted on (G15): the stored
    // outcome could have been written by an older version, or tampered with.
    const refs = pendingRefs(request.outcome.credentialRef);
    const refused = refs
      .map((ref) => ({ ref, problem: credentialRefProblem(ref, request) }))
      .filter((r) => r.problem !== undefined);
    if (refused.length) {
      log.error(
        { requestId: request.id, problems: refused.map((r) => r.problem) },
        'credential clean-up refused: reference not recorded as created by this request',
      );
      await audit
        .append(cleanupEntry(request, 'refused', refused.map((r) => r.problem).join('; ')))
        .catch((err: unknown) => log.error({ err, requestId: request.id }, 'audit of a refused clean-up failed'));
      continue;
    }
    try {
      for (const ref of refs.reverse()) await deleteCredential(ports, ref);
      await audit.append(cleanupEntry(request, 'deleted', 'retried after an earlier failure'));
      await store.update(transition(request, { type: 'cleanedUp', at: clock.now() }));
      cleaned++;
    } catch (err) {
      if (err instanceof VersionConflictError) continue;
      log.warn({ requestId: request.id, err }, 'credential clean-up still failing; will retry at next start');
    }
  }
  return cleaned;
}
