/**
 * G15 against Azure's clock: acrbot's role assignment names are deterministic (identifiers.ts),
 * so an assignment at the id an ended grant recorded may be another one, made there since. Azure
 * says when it made each (`createdOn`); one made after the grant's access ended is not that
 * grant's. The one rule the orphan watch, the "already exists" answer (grant-planner.ts
 * `endedGrantsBehind`) and the access inventory (`access`, `check`, the tab) all judge it by.
 */
import type { RoleAssignmentInfo } from './azure-model';
import type { AccessRequest } from './request';

/**
 * How much later than acrbot's recorded end of access Azure may stamp an assignment acrbot made
 * and still count it as acrbot's: Azure's clock and acrbot's host's are not the same clock.
 * Minutes of skew are already a fault; a day is not skew but an assignment made since.
 */
export const CREATED_ON_SKEW_MS = 5 * 60 * 1000;

/**
 * True when `existing` was made after `request`'s access ended, so its grant cannot have made it
 * (G15: the name is deterministic for scope, principal and role, and another acrbot deployment,
 * this one on a switched store, or a person using the same GUID can make one at the same id once
 * acrbot's is gone). The end is the revocation's start (`revokingSince`, kept by its retries), or
 * `revokedAt` on requests revoked before that was recorded: acrbot's PUT came before the grant
 * succeeded, so before either (the grant's completion itself is not recorded as a time). So one
 * made at that id while the grant held access still counts as acrbot's; none can be, short of
 * acrbot's being deleted meanwhile, since Azure keeps one assignment per name. False when either
 * time is missing or unreadable: the records alone then decide, as before Azure's `createdOn`
 * was read (an answer without it, requests revoked without a recorded time).
 */
export function madeAfterAccessEnded(existing: Pick<RoleAssignmentInfo, 'createdOn'>, request: AccessRequest): boolean {
  const created = Date.parse(existing.createdOn ?? '');
  const ended = Date.parse(request.access?.revokingSince ?? request.access?.revokedAt ?? '');
  return created > ended + CREATED_ON_SKEW_MS;
}
