/**
 * The lease on one piece of granted access (a role assignment, or a pull secret in a cluster):
 * a revocation holds it from its look for requests being granted the same access until the
 * request is marked revoked (AccessLifecycle.revoke). An extension's run holds it while it
 * checks that its original still has access, and a grant's run takes it before its PUT. So a
 * run sees either a revocation that is done (the original revoked: the extension fails,
 * `extend.notActive`; the assignment gone: the PUT creates it again) or one that has not begun:
 * that one finds the run's request executing and waits for it, or succeeded and ends it too, or
 * keeps the assignment for it (G17). Without the lease, a run could find the original active, or
 * the assignment present, just before the revocation deleted it.
 */
import { UserFacingError } from '../domain/errors';
import type { GrantPlan, SecretPlan } from '../domain/plan';
import type { Lease, LeaseStore, RequestStore } from '../domain/ports';
import type { AccessRequest } from '../domain/request';
import { realSleep, type Sleep } from './assign-role';

/** How long a revocation holds the lease at most before another may take it over (it crashed). */
export const ACCESS_LEASE_TTL_MS = 60_000;

/** How long a run waits for a revocation of the same access (past the lease's TTL). */
const CHECK_WAIT_MS = 75_000;

/** Where an extension's run takes the access lease: the lease store and this instance. */
export interface AccessLeases {
  store: LeaseStore;
  owner: string;
  /** Waits between tries (real time by default). */
  sleep?: Sleep;
}

/**
 * The lease key of the access a plan grants: the role assignment, or the secret (extensions and
 * later requests writing the same secret share it).
 */
export function accessLeaseKey(plan: GrantPlan | SecretPlan): string {
  return plan.kind === 'grant'
    ? `assignment:${plan.roleAssignmentName}`
    : `secret:${plan.cluster.id.toLowerCase()}|${plan.namespace}|${plan.secretName}`;
}

/** What the lease guards, for messages: `role assignment <name>` or `secret <ns>/<name> in <cluster>`. */
export function accessLeaseSubject(plan: GrantPlan | SecretPlan): string {
  return plan.kind === 'grant'
    ? `role assignment ${plan.roleAssignmentName}`
    : `secret ${plan.namespace}/${plan.secretName} in cluster ${plan.cluster.name}`;
}

/** The original of an extension, still holding its access; a user-facing refusal otherwise. */
export async function activeOriginal(store: RequestStore, originalId: string): Promise<AccessRequest> {
  const original = await store.get(originalId);
  if (!original || original.state !== 'succeeded')
    throw new UserFacingError(
      'extend.notActive',
      `Request ${originalId} no longer has active access, so there is nothing to extend; ask for a new request instead.`,
    );
  return original;
}

/**
 * {@link activeOriginal} under the access lease: waits while a revocation of the same access
 * holds it (see {@link underAccessLease}).
 */
export async function activeOriginalUnderLease(
  leases: AccessLeases,
  store: RequestStore,
  extension: AccessRequest,
): Promise<AccessRequest> {
  const originalId = extension.extendsRequestId!;
  return underAccessLease(
    leases,
    extension,
    () => activeOriginal(store, originalId),
    `A revocation of the access ${originalId} grants is still running, so it cannot be extended now; ask again once it is done.`,
  );
}

/**
 * Waits until no revocation of the access `request` grants is running, then lets the lease go:
 * a grant's PUT after this either finds the assignment before any revocation has looked at who
 * is being granted (that one then finds this request executing and waits), or after a
 * revocation is done (the assignment is gone, and the PUT creates it again). Never "already
 * assigned" by an assignment a revocation is about to delete.
 */
export async function noRevocationRunning(leases: AccessLeases, request: AccessRequest): Promise<void> {
  await underAccessLease(
    leases,
    request,
    async () => undefined,
    `A revocation of the same role assignment is still running, so request ${request.id} did not grant it; ask again once it is done.`,
  );
}

/**
 * Runs `check` holding the access lease of `request`'s plan: waits (with backoff) while a
 * revocation holds it, and gives up with `busyMessage` (`access.revocationRunning`), having run
 * nothing, when it outlasts its lease.
 */
async function underAccessLease<T>(
  leases: AccessLeases,
  request: AccessRequest,
  check: () => Promise<T>,
  busyMessage: string,
): Promise<T> {
  const key = accessLeaseKey(request.plan);
  const owner = `${leases.owner}|${request.id}`;
  const sleep = leases.sleep ?? realSleep;
  let lease: Lease | undefined;
  for (let waitedMs = 0, delayMs = 50; ; waitedMs += delayMs, delayMs = Math.min(delayMs * 2, 1_000)) {
    lease = await leases.store.acquire(key, owner, ACCESS_LEASE_TTL_MS);
    if (lease) break;
    if (waitedMs >= CHECK_WAIT_MS) throw new UserFacingError('access.revocationRunning', busyMessage);
    await sleep(delayMs);
  }
  try {
    return await check();
  } finally {
    await leases.store.release(lease);
  }
}
