/**
 * Whether a role assignment Azure shows is the one acrbot recorded making (G15). Its names are
 * deterministic UUIDv5s (identifiers.ts), so anyone who knows the inputs can create an assignment
 * under such a name for another principal or role: the name alone never says "acrbot's", and
 * nothing is deleted by it alone.
 */
import type { RoleAssignmentInfo } from './azure-model';
import { roleAssignmentName } from './identifiers';
import { roleDefinitionGuid, sameResourceId } from './resource-id';

/** What acrbot recorded of an assignment it made: its name, scope, principal and role. */
export interface RecordedAssignment {
  name: string;
  scope: string;
  principalId: string;
  roleDefinitionGuid: string;
}

/** True when `a` has the recorded name, scope, principal and role (compared as ARM does, case-insensitively). */
export function isRecordedAssignment(a: RoleAssignmentInfo, recorded: RecordedAssignment): boolean {
  return (
    a.name.toLowerCase() === recorded.name.toLowerCase() &&
    sameResourceId(a.scope, recorded.scope) &&
    a.principalId.toLowerCase() === recorded.principalId.toLowerCase() &&
    roleDefinitionGuid(a.roleDefinitionId) === recorded.roleDefinitionGuid.toLowerCase()
  );
}

/**
 * The recorded assignment named `name` on `scope` for `principalId`, when acrbot made that name
 * with {@link roleAssignmentName} and recorded the name only: the role it was made for is the one
 * the name was derived from. `a`'s role is taken as the recorded one only when the name derives
 * from it (with the scope and principal), so an assignment of another role under the name, or
 * of another principal or scope, is not the recorded one.
 */
export function recordedByDerivedName(
  a: RoleAssignmentInfo,
  recorded: Omit<RecordedAssignment, 'roleDefinitionGuid'>,
): boolean {
  const role = roleDefinitionGuid(a.roleDefinitionId);
  return (
    roleAssignmentName(recorded.scope, recorded.principalId, role) === recorded.name.toLowerCase() &&
    isRecordedAssignment(a, { ...recorded, roleDefinitionGuid: role })
  );
}
