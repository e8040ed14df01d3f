/**
 * The ids an audit entry about a credential acrbot made names, from the request's own records
 * (G15: never from what a listing calls it): a token's ARM id (and its scope map's), an
 * application's object id (when none is recorded, `foundApplicationId`, the one it was found
 * under by its recorded uniqueName, else that name) and its role assignment's ARM id. Named so by
 * a revocation's `access.revoke.credential` and a clean-up's `credential.cleanup` alike.
 */
import type { CredentialRef } from './secret-credential';
import { registryResourceId } from './typed-names';

/** The ids of `ref`'s objects, as the entries about it name them. */
export function credentialTargetIds(ref: CredentialRef, foundApplicationId?: string): string[] {
  if (ref.kind === 'token') {
    const registry = registryResourceId({
      subscriptionId: ref.subscriptionId,
      resourceGroup: ref.resourceGroup,
      name: ref.registry,
    });
    return [
      `${registry}/tokens/${ref.tokenName}`,
      ...(ref.scopeMapName ? [`${registry}/scopeMaps/${ref.scopeMapName}`] : []),
    ];
  }
  const assignment = ref.roleAssignment;
  return [
    ref.applicationId || foundApplicationId || (ref.uniqueName ?? ''),
    ...(assignment ? [roleAssignmentId(assignment.scope, assignment.name)] : []),
  ];
}

/** The ARM id of the role assignment `name` acrbot recorded making on `scope`. */
export function roleAssignmentId(scope: string, name: string): string {
  return `${scope.replace(/\/+$/, '')}/providers/Microsoft.Authorization/roleAssignments/${name}`;
}
