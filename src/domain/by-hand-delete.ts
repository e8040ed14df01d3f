/**
 * What an operator deletes by hand to end a request's access at once while acrbot's own delete
 * keeps failing, and the Azure CLI command that does it: named from acrbot's own records (the
 * role assignment its grant created, the credential its secret's outcome recorded), never from
 * what Azure or a cluster shows (G15). Shared by the approvers' reports that advise it (a failing
 * revocation, the orphan watch), so the command is written once. Pure.
 */
import { plannedAssignmentId } from './plan';
import type { AccessRequest } from './request';
import { decodeCredentialRef } from './secret-credential';

/** `az role assignment delete --ids ID`: deletes one role assignment by its resource id. */
export function roleAssignmentDeleteCommand(id: string): string {
  return `az role assignment delete --ids ${id}`;
}

/** What to delete by hand, in words ("the role assignment acrbot made"), and the command. */
export interface ByHandDelete {
  what: string;
  command: string;
}

/**
 * What ends `request`'s access when deleted by hand: a grant's role assignment (the id its run
 * recorded, else the plan's, which names it the same way), a secret's ACR token or its service
 * principal's application (the credential its outcome recorded). Undefined when acrbot recorded
 * no credential for a secret: nothing it may name.
 */
export function byHandDelete(request: Pick<AccessRequest, 'plan' | 'created' | 'outcome'>): ByHandDelete | undefined {
  const plan = request.plan;
  if (plan.kind === 'grant') {
    const recorded = request.created?.find((c) => c.kind === 'roleAssignment')?.id;
    return {
      what: 'the role assignment acrbot made',
      command: roleAssignmentDeleteCommand(recorded ?? plannedAssignmentId(plan)),
    };
  }
  const ref = decodeCredentialRef(request.outcome?.credentialRef);
  if (!ref) return undefined;
  if (ref.kind === 'token')
    return {
      what: `ACR token ${ref.tokenName} on registry ${ref.registry}`,
      command: `az acr token delete --subscription ${ref.subscriptionId} --registry ${ref.registry} --name ${ref.tokenName} --yes`,
    };
  const id = ref.applicationId || ref.appId;
  return id
    ? { what: `the application of service principal ${ref.appId}`, command: `az ad app delete --id ${id}` }
    : undefined;
}
