/**
 * Which role assignment acrbot's records say a grant created, and so which requests ever gave
 * access: the store's record is the proof (G15) the inventory and drift detection build on.
 */
import { plannedAssignmentId } from './plan';
import type { AccessRequest } from './request';

/** The role assignment id acrbot's grant request created (from the store's records), if any. */
export function createdAssignmentId(request: AccessRequest): string | undefined {
  if (request.plan.kind !== 'grant') return undefined;
  // RoleAssignmentExists: acrbot created nothing; the assignment is someone else's. Checked
  // before the record: the runner records the deterministic id before its PUT (crash recovery),
  // and a 409 means the access exists under another name, so that id never existed in Azure.
  if (request.outcome?.alreadyPresent) return undefined;
  const recorded = request.created?.find((c) => c.kind === 'roleAssignment');
  if (recorded) return recorded.id;
  const fromOutcome = request.outcome?.createdIds?.find((id) => /\/roleAssignments\//i.test(id));
  if (fromOutcome) return fromOutcome;
  // Requests granted before `created` existed: the deterministic name in the stored plan.
  if (request.state === 'succeeded' || request.state === 'revoked') return plannedAssignmentId(request.plan);
  return undefined;
}

/** Whether a request ever gave access (the only ones the inventory shows). */
export function gaveAccess(request: AccessRequest): boolean {
  // An extension moves the original's end (or rotates its secret): the original carries the access.
  if (request.extendsRequestId) return false;
  if (request.state === 'revoked') return true;
  if (request.state !== 'succeeded') return false;
  return request.plan.kind === 'secret' || createdAssignmentId(request) !== undefined;
}
