/**
 * The end of a secret request's credential (an ACR token and its scope map, or an Entra
 * application and its role assignment), rebuilt from the request's own records (G15) and deleted
 * once: a retry deletes nothing by that name again. Audited with what was deleted and what was gone.
 */
import type { AccessRequest, Actor } from '../domain/request';
import { credentialOf, credentialRefProblem } from '../domain/secret-ownership';
import type { CredentialRef } from '../domain/secret-credential';
import { credentialTargetIds, roleAssignmentId } from '../domain/credential-target-ids';
import { type LifecycleDeps, recordAccessEvent } from './access-lifecycle-deps';
import { leftAssignmentDetail } from './credential-cleanup';
import type { CredentialDeletion } from './credential-deletion';
import { deleteCredential } from './credential-deletion';

/**
 * Deletes the credential this request created, rebuilt from its own store records (G15). A
 * later request that replaced the secret already retired it; deleting an absent one is a
 * no-op, audited `absent` (not `deleted`: acrbot deleted nothing). Once acrbot's audit says it
 * deleted it or found it absent, a retry deletes nothing by that name again: an object made
 * since under the same name is not the one acrbot's records vouch for.
 */
export async function revokeCredential(deps: LifecycleDeps, request: AccessRequest, by: Actor): Promise<void> {
  const ref = credentialOf(request);
  const problem = ref ? credentialRefProblem(ref, request) : 'no credential is recorded for this request';
  if (!ref || problem) {
    await recordAccessEvent(deps, request, by, {
      action: 'access.revoke.credential',
      outcome: 'kept',
      detail: problem,
    });
    return;
  }
  const targetIds = credentialTargetIds(ref);
  const before = (await deps.audit.forRequest(request.id)).filter((e) => e.action === 'access.revoke.credential');
  const deletedBefore = before.some((e) => e.outcome === 'deleted');
  // 'unconfirmed': an earlier attempt ended it for acrbot's records and told the approvers.
  if (deletedBefore || before.some((e) => e.outcome === 'absent' || e.outcome === 'unconfirmed')) {
    await recordAccessEvent(deps, request, by, {
      action: 'access.revoke.credential',
      outcome: deletedBefore ? 'alreadyDeleted' : 'absent',
      targetIds,
      detail: deletedBefore
        ? 'deleted by an earlier attempt of this revocation; nothing deleted again'
        : 'not there when an earlier attempt of this revocation looked; nothing deleted',
    });
    return;
  }
  const deletion = await deleteCredential(deps.ports, ref);
  // A role assignment under the recorded name that is not the one acrbot made (another role or
  // scope, G15): left in place, and said so for an operator, as the clean-up job says it.
  const scope = ref.kind === 'sp' ? ref.roleAssignment?.scope : undefined;
  const left = scope ? deletion.notOurs.map((name) => ({ name, scope })) : [];
  for (const { name, scope } of left) {
    deps.log.warn(
      { requestId: request.id, roleAssignment: name },
      'role assignment under the recorded name is not the one acrbot made; left in place for an operator',
    );
    await recordAccessEvent(deps, request, by, {
      action: 'access.revoke.credential',
      outcome: 'refused',
      targetIds: [roleAssignmentId(scope, name)],
      detail: leftAssignmentDetail({ name, scope }),
    });
  }
  // Only what this call deleted is called deleted: a credential a rotation retired already (or
  // that someone deleted) is absent, and the revocation goes on, as the clean-ups record it. The
  // DELETEs' request ids (a 404's too) tie the entry to Azure's Activity Log and Entra's audit log.
  await recordAccessEvent(deps, request, by, {
    action: 'access.revoke.credential',
    outcome: deletion.deleted.length ? 'deleted' : deletion.registryUnconfirmed ? 'unconfirmed' : 'absent',
    // An application recorded by its uniqueName alone is named by the object id it was found under.
    targetIds: deletion.applicationId ? credentialTargetIds(ref, deletion.applicationId) : targetIds,
    detail: revokedCredentialDetail(ref, deletion, left.length > 0),
    correlationIds: deletion.requestIds,
  });
  // Its registry is nowhere acrbot can see, its name taken (or not to be asked about): ended for
  // acrbot's records, and the approvers told once what acrbot cannot confirm and what to do.
  if (deletion.registryUnconfirmed)
    await deps.messenger.reportToApprovers(
      request,
      `The revocation of ${request.id} ended unconfirmed for its token. ${deletion.registryUnconfirmed}`,
    );
}

/**
 * The detail of a revocation's `access.revoke.credential` entry: what the deletion of `ref`
 * deleted and what it did not find (a rotation retired it, or someone deleted it). A token's
 * absence is said "deleted already" (its registry is at its recorded id); a `--kind sp`
 * credential's says where acrbot looked, no more.
 * `leftAssignment`: a role assignment under the recorded name was not acrbot's and stays.
 */
function revokedCredentialDetail(ref: CredentialRef, deletion: CredentialDeletion, leftAssignment: boolean): string {
  const gone = 'not found: deleted already';
  if (ref.kind === 'token') {
    const map = ref.scopeMapName;
    // The registry is not at its recorded id: deleted, or moved without the token (one moved with
    // the token fails the deletion instead, for an operator).
    if (deletion.registryNote)
      return `token${map ? ' and scope map' : ''} not found: ${deletion.registryNote}; nothing deleted`;
    if (!deletion.found)
      return deletion.deleted.length
        ? `scope map (the token was ${gone})`
        : `token${map ? ' and scope map' : ''} ${gone}; nothing deleted`;
    if (!map) return 'token';
    return deletion.deleted.includes(map) ? 'token and scope map' : `token (its scope map was ${gone})`;
  }
  // Only what acrbot saw is said: Graph had no application under its id (live or deleted), ARM
  // listed no assignment of its service principal under the recorded name. Who removed them,
  // and when, acrbot does not know (an application deleted by hand takes its service principal
  // along, but its role assignment stays in Azure until deleted).
  const noApplication = 'not in Microsoft Graph (live or deleted)';
  const noAssignment = 'not found on the registry';
  const assignment = !ref.roleAssignment
    ? ''
    : leftAssignment
      ? ' (its role assignment left in place: not the one acrbot made)'
      : deletion.deleted.includes(ref.roleAssignment.name)
        ? ' (and its role assignment)'
        : ` (its role assignment was ${noAssignment})`;
  if (deletion.found) return `application${assignment}`;
  if (deletion.deleted.length) return `role assignment (the application was ${noApplication})`;
  if (leftAssignment) return `application ${noApplication}; nothing deleted${assignment}`;
  return `application ${noApplication}${ref.roleAssignment ? `, its role assignment ${noAssignment}` : ''}; nothing deleted`;
}
