/**
 * Role assignments named as acrbot names its grants (identifiers.ts) but that no record of
 * acrbot's proves it made (G15): how to tell one, and how chat and the tab name it. The name is
 * a hint, never proof, so nothing acts on it.
 */
import type { RoleAssignmentInfo } from './azure-model';
import { roleAssignmentName } from './identifiers';
import type { RoleAssignmentPath } from './inventory-rows';
import { roleDefinitionGuid } from './resource-id';

const lower = (s: string) => s.toLowerCase();

/**
 * How chat and the tab name an assignment of origin `acrbotNamed`: a hint that acrbot made it,
 * never proof, so acrbot leaves it alone and says where the operator reads what to do.
 */
export const ACRBOT_NAMED_TEXT =
  'named as acrbot names its grants, but this store has no record of it (a store switched or restored?); acrbot will not change it — see operations.md';

/**
 * How chat and the tab name an assignment of origin `acrbotNamed` ({@link ACRBOT_NAMED_TEXT}),
 * or, when it sits at the id of acrbot grants of its reader's that ended before Azure made it
 * ({@link RoleAssignmentPath.endedRequestIds}, {@link madeAfterAccessEnded}), what it is then:
 * the store does record acrbot's grant there, so no store was switched or restored; someone made
 * the assignment again since. Names the grant that ended last (the ids come in that order).
 */
export function acrbotNamedText(path: Pick<RoleAssignmentPath, 'endedRequestIds' | 'createdOn'>): string {
  const ended = path.endedRequestIds ?? [];
  if (!ended.length || !path.createdOn) return ACRBOT_NAMED_TEXT;
  const earlier = ended.length - 1;
  // As pull-diagnosis.ts shortTime (which imports this module): `2027-01-04 10:00 UTC`.
  const when = `${path.createdOn.slice(0, 16).replace('T', ' ')} UTC`;
  const more = earlier ? ` (and ${earlier} earlier one${earlier === 1 ? '' : 's'})` : '';
  return `made again under acrbot's name after acrbot's grant ${ended[ended.length - 1]}${more} ended (Azure dates it ${when}); not acrbot's — acrbot will not change it`;
}

/**
 * Whether `a`'s name is the one acrbot gives the grant of its role to its principal at its
 * scope ({@link roleAssignmentName}). A hint only: the name is a UUIDv5 of public inputs in a
 * fixed namespace, so anyone can make an assignment under it (recorded-assignment.ts). A trailing
 * slash on the scope Azure shows is dropped, as {@link scopeLevelOf} drops it: acrbot derives its
 * names from resource ids, which have none.
 */
export function namedAsAcrbotNames(
  a: Pick<RoleAssignmentInfo, 'name' | 'scope' | 'principalId' | 'roleDefinitionId'>,
): boolean {
  const scope = a.scope.replace(/\/+$/, '');
  return roleAssignmentName(scope, a.principalId, roleDefinitionGuid(a.roleDefinitionId)) === lower(a.name);
}
