/**
 * G15 against drift: a grant whose role assignment its owner removed or replaced outside acrbot
 * (`az aks update --detach-acr`) does not hold the assignment another grant made again since
 * under the same deterministic name. The one rule the lifecycle (who holds an assignment at a
 * grant's end, role-assignment-holders.ts) and the access inventory (`access`, `check`, the tab:
 * until when pull lasts, and behind which grants) both judge it by, so what the inventory says
 * is what acrbot will do. Pure.
 */
import type { DriftReason } from './drift-reason';
import type { AccessRequest } from './request';

/**
 * Drift reasons that leave the assignment as acrbot made it (drift-reason.ts): the grant's claim
 * on it stands. Any other (`deleted`, `changed`, or a drift recorded before reasons were) means
 * its owner removed or replaced it outside acrbot.
 */
const ASSIGNMENT_INTACT: ReadonlySet<DriftReason> = new Set(['identityChanged', 'modeChanged']);

/**
 * Whether `request`'s own assignment was removed or changed outside acrbot: a drift is recorded
 * (`access.driftDetectedAt`) and its reason is not one of {@link ASSIGNMENT_INTACT}. A drift
 * recorded before reasons were counts as removed: drift was then only an assignment deleted or
 * changed. The one reading of it for the lifecycle ({@link lostToRemake}) and a new grant's
 * approvers (`driftedOnPair`, request-gate.ts), so the grants they are told of are those it
 * treats as lost.
 */
export function assignmentRemovedByDrift(request: AccessRequest): boolean {
  const { driftDetectedAt, driftReason } = request.access ?? {};
  return !!driftDetectedAt && !(driftReason && ASSIGNMENT_INTACT.has(driftReason));
}

/**
 * Whether `request`'s own assignment was removed or changed outside acrbot (drift) and another
 * grant of `same` (the `succeeded` grants on that name, as the lifecycle lists them) made it
 * again since: its record of the PUT (`created`, written just before it) is no older than the
 * drift. The owner's removal stands for `request` (acrbot did not re-create it, G15); the
 * assignment there now is the later grant's, approved after it, and ends with that grant's term,
 * not `request`'s. Such a drift is recorded only once the sweep's listing found the assignment
 * gone, so a PUT recorded at or after it came after that listing.
 */
export function lostToRemake(request: AccessRequest, same: readonly AccessRequest[]): boolean {
  if (!assignmentRemovedByDrift(request)) return false;
  const since = Date.parse(request.access!.driftDetectedAt!);
  const name = request.plan.kind === 'grant' ? request.plan.roleAssignmentName.toLowerCase() : undefined;
  return same.some(
    (other) =>
      other.id !== request.id &&
      !other.outcome?.alreadyPresent &&
      (other.created ?? []).some(
        (c) => c.kind === 'roleAssignment' && c.name?.toLowerCase() === name && Date.parse(c.recordedAt) >= since,
      ),
  );
}
