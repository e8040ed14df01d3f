/**
 * The lease on one piece of granted access (a role assignment, or a pull secret in a cluster):
 * a revocation holds it from its look for requests being granted the same access until the
 * request is marked revoked (AccessLifecycle.revoke). A run that is about to rely on the access
 * still being there (an extension checking that its original is active, a grant about to PUT an
 * assignment that may already exist) first waits until no revocation holds it, its request
 * already `executing`. So the run comes either after a revocation is done (the original revoked:
 * the extension fails, `extend.notActive`; the assignment gone: the PUT creates it again) or
 * before one has looked: that one finds the run's request executing and waits for it, or
 * succeeded and ends it too, or keeps the assignment for it (G17). Without the wait, a run could
 * find the original active, or the assignment present, just before a revocation deleted it.
 *
 * Waiting is a read of the lease (`holder`), not a take of it: the order of the run's state
 * write, the read and its own check is what makes it safe, and a read costs no write per grant.
 */
import { formatUtc } from '../domain/access-term';
import { driftedExtensionRefusal } from '../domain/drifted-access';
import { UserFacingError } from '../domain/errors';
import { EXTEND_NOT_ACTIVE } from '../domain/new-request-codes';
import type { GrantPlan, SecretPlan } from '../domain/plan';
import type { LeaseStore, RequestStore } from '../domain/ports';
import type { AccessRequest } from '../domain/request';
import { realSleep, type Sleep } from './assign-role';

/** How long a revocation holds the lease at most before another may take it over (it crashed). */
export const ACCESS_LEASE_TTL_MS = 60_000;

/** How long a run waits for a revocation of the same access (past the lease's TTL). */
const CHECK_WAIT_MS = 75_000;

/** Where a run looks for the access lease, and how it waits. */
export interface AccessLeases {
  store: LeaseStore;
  /** Waits between looks (real time by default). */
  sleep?: Sleep;
}

/**
 * The lease key of the access a plan grants: the role assignment, or the secret (an extension
 * writes the same secret and shares it).
 */
export function accessLeaseKey(plan: GrantPlan | SecretPlan): string {
  return plan.kind === 'grant'
    ? `assignment:${plan.roleAssignmentName}`
    : `secret:${plan.cluster.id.toLowerCase()}|${plan.namespace}|${plan.secretName}`;
}

/**
 * The lease a run of `requestId` holds while it is under way (the Executor's `exec:<requestId>`):
 * free while a run that stopped waits to be resumed. A revocation someone asked for reads it to
 * tell such a run from one under way (AccessLifecycle).
 */
export function executionLeaseKey(requestId: string): string {
  return `exec:${requestId}`;
}

/** What the lease guards, for messages: `role assignment <name>` or `secret <ns>/<name> in <cluster>`. */
export function accessLeaseSubject(plan: GrantPlan | SecretPlan): string {
  return plan.kind === 'grant'
    ? `role assignment ${plan.roleAssignmentName}`
    : `secret ${plan.namespace}/${plan.secretName} in cluster ${plan.cluster.name}`;
}

/**
 * When `original`'s term had passed by `at` (its end, else undefined). Its end job may not have
 * run yet (the next sweep, a failing attempt's backoff), but from its end on it no longer holds
 * the access: another grant's revocation no longer counts it as a holder of the role assignment
 * they share (AccessLifecycle.holdersOf) and may already have deleted it. An extension approved
 * after that would say "Extended" of an assignment nobody re-creates (G17).
 */
export function termEndedBy(original: AccessRequest, at: Date): string | undefined {
  const end = original.access?.expiresAt;
  if (!end || original.access?.permanent) return undefined;
  return Date.parse(end) <= at.getTime() ? end : undefined;
}

/** Why an extension's original no longer holds the access it would extend (see {@link originalAccessGone}). */
export type AccessGone =
  | { why: 'inactive' | 'revoking'; original?: AccessRequest }
  | { why: 'ended'; original: AccessRequest; endedAt: string }
  | { why: 'drifted'; original: AccessRequest; refusal: UserFacingError };

/**
 * Why the access an extension would extend is no longer there to extend, its original as read
 * (undefined: not found): gone or no longer active, being revoked, past its end at `at`
 * ({@link termEndedBy}), or no longer giving pull (drift, with its refusal); undefined while it
 * holds its access. Approval, approval nudges and an extension's expiry judge by it through
 * originalUnapprovable (extension-unapprovable.ts), an extension's run by {@link activeOriginal}.
 */
export function originalAccessGone(original: AccessRequest | undefined, at: Date): AccessGone | undefined {
  if (original?.state !== 'succeeded') return { why: 'inactive', original };
  if (original.access?.revokingSince) return { why: 'revoking', original };
  const endedAt = termEndedBy(original, at);
  if (endedAt) return { why: 'ended', original, endedAt };
  // Its assignment no longer gives pull: "Extended" would be false.
  const refusal = driftedExtensionRefusal(original);
  return refusal ? { why: 'drifted', original, refusal } : undefined;
}

/**
 * The original of an extension, still holding its access ({@link originalAccessGone}); a
 * user-facing refusal otherwise. The term is judged at the extension's approval: an original
 * whose term had passed by then is refused; one whose term passes after the approval is not:
 * from its approval on, the extension defers every revocation of the same access, so the access
 * is still there, and it keeps it until its own end (never early). Drift is judged now (one
 * approved before the drift was seen is refused too).
 */
async function activeOriginal(store: RequestStore, extension: AccessRequest): Promise<AccessRequest> {
  const originalId = extension.extendsRequestId!;
  // Not approved (a test's run, a legacy row): the term is not held against it.
  const approvedAt = extension.decision?.approved ? new Date(extension.decision.at) : new Date(0);
  const original = await store.get(originalId);
  const gone = originalAccessGone(original, approvedAt);
  if (!gone) return original!;
  switch (gone.why) {
    case 'revoking':
      throw new UserFacingError(
        EXTEND_NOT_ACTIVE,
        `Request ${originalId} is being revoked, so there is nothing to extend; ask for a new request instead.`,
      );
    case 'inactive':
      throw new UserFacingError(
        EXTEND_NOT_ACTIVE,
        `Request ${originalId} no longer has active access, so there is nothing to extend; ask for a new request instead.`,
      );
    case 'ended':
      throw new UserFacingError(
        EXTEND_NOT_ACTIVE,
        `The access of ${originalId} ended at ${formatUtc(gone.endedAt)}, before its extension ${extension.id} was approved, so there is nothing to extend; ask for a new request instead.`,
      );
    case 'drifted':
      throw gone.refusal;
  }
}

/**
 * {@link activeOriginal}, read once no revocation of the same access is running (see
 * {@link noRevocationRunning}).
 */
export async function activeOriginalOnceNoRevocation(
  leases: AccessLeases,
  store: RequestStore,
  extension: AccessRequest,
): Promise<AccessRequest> {
  const originalId = extension.extendsRequestId!;
  await noRevocationRunning(
    leases,
    extension,
    `A revocation of the access ${originalId} grants is still running, so it cannot be extended now; ask again once it is done.`,
  );
  return activeOriginal(store, extension);
}

/**
 * Waits (with backoff) until no revocation holds the access lease of `request`'s plan; the
 * request must already be `executing`. Gives up with `busyMessage` (`access.revocationRunning`)
 * when the lease stays held for longer than a revocation should take (one revocation after
 * another, or a holder that keeps renewing it). A lease whose holder stopped renewing it reads as
 * free once it expired; the revocation's `revokingSince` mark still stops an extension then.
 */
export async function noRevocationRunning(
  leases: AccessLeases,
  request: AccessRequest,
  busyMessage = `A revocation of the same role assignment is still running, so request ${request.id} did not grant it; ask again once it is done.`,
): Promise<void> {
  const key = accessLeaseKey(request.plan);
  const sleep = leases.sleep ?? realSleep;
  for (let waitedMs = 0, delayMs = 50; ; waitedMs += delayMs, delayMs = Math.min(delayMs * 2, 1_000)) {
    if (!(await leases.store.holder(key))) return;
    if (waitedMs >= CHECK_WAIT_MS) throw new UserFacingError('access.revocationRunning', busyMessage);
    await sleep(delayMs);
  }
}
