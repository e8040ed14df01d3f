/**
 * The lease on one piece of granted access (a role assignment, or a pull secret in a cluster):
 * a revocation holds it from its look for running extensions until the request is marked
 * revoked (AccessLifecycle.revoke), and an extension's run holds it while it checks that its
 * original still has access. So the check sees either the original revoked (the extension fails:
 * `extend.notActive`) or a revocation that has not begun: that one finds the extension executing
 * and waits for it, or succeeded and ends it too (G17). Without the lease, a run could find the
 * original active after the revocation deleted what the extension would keep.
 */
import { UserFacingError } from '../domain/errors';
import type { GrantPlan, SecretPlan } from '../domain/plan';
import type { Lease, LeaseStore, RequestStore } from '../domain/ports';
import type { AccessRequest } from '../domain/request';
import { realSleep, type Sleep } from './assign-role';

/** How long a revocation holds the lease at most before another may take it over (it crashed). */
export const ACCESS_LEASE_TTL_MS = 60_000;

/** How long an extension's check waits for a revocation of the same access (past the lease's TTL). */
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
 * {@link activeOriginal} under the access lease: waits (with backoff) while a revocation of the
 * same access holds it, and gives up with a clear error, having read nothing, when it outlasts
 * its lease.
 */
export async function activeOriginalUnderLease(
  leases: AccessLeases,
  store: RequestStore,
  extension: AccessRequest,
): Promise<AccessRequest> {
  const originalId = extension.extendsRequestId!;
  const key = accessLeaseKey(extension.plan);
  const owner = `${leases.owner}|${extension.id}`;
  const sleep = leases.sleep ?? realSleep;
  let lease: Lease | undefined;
  for (let waitedMs = 0, delayMs = 50; ; waitedMs += delayMs, delayMs = Math.min(delayMs * 2, 1_000)) {
    lease = await leases.store.acquire(key, owner, ACCESS_LEASE_TTL_MS);
    if (lease) break;
    if (waitedMs >= CHECK_WAIT_MS)
      throw new UserFacingError(
        'extend.revocationRunning',
        `A revocation of the access ${originalId} grants is still running, so it cannot be extended now; ask again once it is done.`,
      );
    await sleep(delayMs);
  }
  try {
    return await activeOriginal(store, originalId);
  } finally {
    await leases.store.release(lease);
  }
}
