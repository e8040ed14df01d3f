/**
 * Which request's credential a pull secret holds now, by acrbot's records (G15). One answer for
 * the rotation card ("Delete the credential of R-X, which the secret holds now",
 * AccessLifecycle.rotationPlan) and for the run that retires it (readLastFamilyWriter in
 * secret-previous-writer.ts, when the secret carries no label to go by): the card promises what
 * the run does, so both ask here.
 */
import type { SecretPlan } from './plan';
import type { AccessRequest } from './request';
import { replacedByStartedWrite, sameSecretTarget, secretWrittenAt, writtenSecretUid } from './secret-ownership';

/**
 * The request of an access whose credential its secret holds now: of `original` and its
 * `extensions` (those that moved its end; the caller leaves out the one asking), the last to
 * write the secret of `target` that still holds the access (`succeeded`). Undefined when the
 * records cannot say without guessing:
 * - no write recorded with a secret uid, and a holder other than the original: an extension's
 *   write recorded before uids were kept (its time is only its last update, not comparable);
 * - two last writes in the same millisecond that their records do not order ({@link wroteSecretBefore}).
 * An original whose write was recorded before uids, that no extension holds beside, is the writer.
 */
export function lastFamilyWriter(
  original: AccessRequest,
  extensions: readonly AccessRequest[],
  target: SecretPlan,
): AccessRequest | undefined {
  const holders = [original, ...extensions].filter(
    (r) => r.state === 'succeeded' && r.plan.kind === 'secret' && sameSecretTarget(r.plan, target),
  );
  const writers = holders.filter((r) => writtenSecretUid(r) !== undefined);
  if (!writers.length)
    // Only the original's write (recorded before uids) can be meant: no extension holds it.
    return holders.length === 1 && holders[0].id === original.id && !original.extendsRequestId ? original : undefined;
  // The one every other wrote before; a tie the records do not order leaves none.
  const last = writers.filter((r) => writers.every((other) => other === r || wroteSecretBefore(other, r) === true));
  return last.length === 1 ? last[0] : undefined;
}

/**
 * Whether `a` wrote its secret before `b` did, by their records: the times of the writes, and for
 * two in the same millisecond the write that recorded replacing the other's came later (a
 * rotation records whose secret it replaces before it writes). Undefined when nothing says: a
 * guess (the first listed, the greater id) could name a credential the secret no longer holds.
 */
export function wroteSecretBefore(a: AccessRequest, b: AccessRequest): boolean | undefined {
  const [ta, tb] = [Date.parse(secretWrittenAt(a)), Date.parse(secretWrittenAt(b))];
  if (ta !== tb) return ta < tb;
  if (replacedByStartedWrite(b)?.requestId === a.id) return true;
  if (replacedByStartedWrite(a)?.requestId === b.id) return false;
  return undefined;
}
