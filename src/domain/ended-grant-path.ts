/**
 * acrbot grants no role assignment Azure lists is behind: revoked, expired or drifted, or live on
 * a cluster whose pulling identity is unknown (so its assignment could not be looked for).
 */
import { createdAssignmentId } from './created-assignment';
import type { AcrbotRequestRef, EndedGrantPath, InventoryIdentity } from './inventory-rows';
import { LIVE } from './pull-path-term';
import type { AccessRequest } from './request';

const lower = (s: string) => s.toLowerCase();

/**
 * The pair's grants (`grantRequests`) that no role assignment Azure lists holds (`held` names
 * those behind one), as ended grants: revoked, expired or drifted, or `unverified` while live on a
 * cluster whose identity is unknown (`unknownIdentity` says why). A grant made for an identity the
 * cluster no longer pulls with is left out unless it drifted for that reason.
 */
export function endedGrantPaths(
  grantRequests: readonly AccessRequest[],
  held: ReadonlySet<string>,
  identity: InventoryIdentity | undefined,
  refOf: (r: AccessRequest) => AcrbotRequestRef,
  unknownIdentity: string | undefined,
): EndedGrantPath[] {
  const paths: EndedGrantPath[] = [];
  for (const r of grantRequests) {
    const id = createdAssignmentId(r);
    if (!id || held.has(r.id)) continue;
    const ref = refOf(r);
    // Granted to an identity the cluster no longer uses: not this cluster's way of pulling any
    // more, and not listed, unless it drifted for that very reason (seen now, or recorded): the
    // reader learns why the grant stopped serving.
    if (
      identity &&
      r.plan.kind === 'grant' &&
      lower(r.plan.identity.objectId) !== lower(identity.objectId) &&
      !(ref.state === 'drifted' && ref.driftReason === 'identityChanged')
    )
      continue;
    const plan = r.plan as Extract<AccessRequest['plan'], { kind: 'grant' }>;
    const live = LIVE.includes(ref.state);
    paths.push({
      kind: 'endedGrant',
      assignmentId: id,
      roleName: plan.role.name,
      scope: plan.scope,
      request: ref,
      // Still "succeeded" in the store but gone from Azure: drifted, even before the sweeper
      // records it. Without the cluster's identity its assignments were never looked at: whether
      // it pulls cannot be told, and it must not be counted as pulling.
      state: !live ? ref.state : identity ? 'drifted' : 'unverified',
      ...(live && !identity && { unverifiedBecause: unknownIdentity }),
    });
  }
  return paths;
}
