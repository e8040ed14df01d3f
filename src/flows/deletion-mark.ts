/**
 * The keyed mark acrbot appends to a request's audit trail just before it sends a DELETE whose
 * own entry is written only once the DELETE answered: a clean-up's `credential.cleanup.started`,
 * a revocation's `deleting` step (credential and role assignment). A run cut short between the
 * DELETE and its entry (a crash, a kill, an audit append that fails) leaves the mark, and its
 * retry, which then finds nothing (or something made since under the name), reads it as "deleted
 * by that earlier attempt", not "absent". The mark is acrbot's own record (G15): what a retry reads
 * back from Azure under the name never stands in for it.
 */
import { createHash } from 'node:crypto';
import type { AuditEvent } from '../domain/audit-chain';
import { httpStatusOf, isRefusalStatus } from '../domain/azure-answer-class';
import { causesOf } from '../domain/error-causes';
import type { CredentialRef } from '../domain/secret-credential';

/**
 * The idempotency key of request `requestId`'s mark `prefix` for the object `names` name: the same
 * at every attempt, so however many attempts send the DELETE, the mark is in the audit log once.
 * The names are hashed for the key's length limit (an assignment id alone is long).
 */
export function deletionMarkKey(prefix: string, requestId: string, names: readonly string[]): string {
  const id = createHash('sha256').update(names.join('/').toLowerCase()).digest('hex').slice(0, 32);
  return `${prefix}:${requestId}:${id}`;
}

/**
 * The key of one attempt's mark ({@link deletionMarkKey}), keyed too by how many DELETEs of the
 * object failed before it (the `failed` entries of `before`, its trail): a mark a failed DELETE
 * voided is not read as a deletion by the attempts after it.
 */
export function attemptMarkKey(
  prefix: string,
  requestId: string,
  names: readonly string[],
  before: readonly Pick<AuditEvent, 'outcome'>[],
): string {
  const failed = before.filter((e) => e.outcome === 'failed').length;
  return deletionMarkKey(prefix, requestId, failed ? [...names, String(failed)] : names);
}

/**
 * What names a credential in its reference, stable across attempts (read from the same stored
 * records): the parts of a mark's key ({@link deletionMarkKey}).
 */
export function credentialMarkNames(ref: CredentialRef): string[] {
  return ref.kind === 'token'
    ? ['token', ref.subscriptionId, ref.resourceGroup, ref.registry, ref.tokenName]
    : ['sp', ref.applicationId, ref.uniqueName ?? ''];
}

/** True when `entries` (read before this attempt deleted anything) hold the mark keyed `key`. */
export function markedBefore(entries: readonly Pick<AuditEvent, 'idempotencyKey'>[], key: string): boolean {
  return entries.some((e) => e.idempotencyKey === key);
}

/**
 * Whether a DELETE that threw `err` was refused, so nothing was deleted and its mark stands for
 * nothing: the first HTTP status down its causes is a refusal (a 4xx other than 408 and 429;
 * domain/azure-answer-class.ts), or, for several failures at once (an AggregateError), each is.
 * Anything else may have gone through and keeps the mark: a 5xx, 408 or 429, no answer, a
 * failure acrbot cannot classify (no status at all), and an application's DELETE Graph took
 * whose permanent delete is not visible yet (`PermanentDeletePending`). Only a refusal voids the
 * mark (a `failed` entry); after the others the next attempt reads the mark and what is there.
 *
 * Not `passingFailure` (outage-report-failure.ts): that one answers "is this an outage", and
 * leaves a failure it cannot classify to its own report, which here would void the mark.
 */
export function refusedDelete(err: unknown): boolean {
  const causes = [...causesOf(err)];
  // Graph took the application's DELETE; only its permanent delete is not visible yet.
  if (causes.some((e) => (e as { code?: unknown }).code === 'PermanentDeletePending')) return false;
  for (const e of causes) {
    if (e instanceof AggregateError && e.errors.length) return e.errors.every(refusedDelete);
    const status = httpStatusOf(e);
    if (status !== undefined) return isRefusalStatus(status);
  }
  return false;
}
