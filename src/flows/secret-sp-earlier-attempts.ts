/**
 * What a resumed `--kind sp` run does with what its earlier attempts left on the application:
 * the passwords they added are removed once the secret holds the new one, and a role assignment
 * they recorded is deleted when the application is refused. Failures are logged and audited,
 * not thrown: the run's own outcome does not hang on them.
 */
import type { RoleAssignmentInfo } from '../domain/azure-model';
import { CloudApiError, LeaseLostError } from '../domain/ports';
import { recordedByDerivedName } from '../domain/recorded-assignment';
import type { RunContext } from './executor';
import type { EarlierPasswords } from './secret-run-credential';
import { roleAssignmentId } from '../domain/credential-target-ids';
import { auditLeftAssignment } from './secret-run-cleanup';
import type { SpCredentialDeps } from './secret-sp-credential';

/**
 * A resumed `--kind sp` run added a password of its own: the ones its earlier attempts added
 * (by their recorded key ids, or the marker recorded before a call whose answer never came)
 * are removed once the secret holds the new one, so the application carries no live password
 * that nothing holds. Only passwords still on the application are removed. A Graph failure is
 * logged and audited, not thrown: the secret works, and those passwords lapse at the
 * credential's end and go with the application when the access ends.
 */
export async function removeEarlierPasswords(
  deps: Pick<SpCredentialDeps, 'ports'>,
  earlier: EarlierPasswords,
  ctx: RunContext,
): Promise<void> {
  const { applicationId } = earlier;
  const ours = (keyId: string, displayName: string | null | undefined) =>
    earlier.keyIds.some((k) => k.toLowerCase() === keyId.toLowerCase()) ||
    (!!displayName && earlier.markers.includes(displayName));
  let stale: string[];
  try {
    const inspection = await deps.ports.servicePrincipals.inspectApplication(applicationId);
    stale = inspection.passwordKeyIds.filter(
      (keyId) =>
        keyId.toLowerCase() !== earlier.currentKeyId.toLowerCase() &&
        ours(keyId, inspection.passwordDisplayNames?.[keyId]),
    );
  } catch (err) {
    ctx.log.error({ err, applicationId }, 'reading the application to remove earlier passwords failed');
    await ctx.audit({
      action: 'graph.write.removePassword',
      outcome: 'failed',
      targetIds: [applicationId],
      detail:
        'the passwords earlier attempts of this request added could not be looked up; they lapse at the credential’s end',
    });
    return;
  }
  for (const keyId of stale) {
    let requestId: string | undefined;
    try {
      ({ requestId } = await deps.ports.servicePrincipals.removePassword(applicationId, keyId));
    } catch (err) {
      ctx.log.error({ err, applicationId, keyId }, 'removing a password an earlier attempt added failed');
      await ctx.audit({
        action: 'graph.write.removePassword',
        outcome: 'failed',
        targetIds: [applicationId],
        detail: `keyId ${keyId}, added by an earlier attempt of this request; it lapses at the credential’s end`,
      });
      continue;
    }
    await ctx.audit({
      action: 'graph.write.removePassword',
      outcome: 'removed',
      targetIds: [applicationId],
      detail: `keyId ${keyId}, added by an earlier attempt of this request`,
      // Graph's request id of the removal, for Entra's audit log.
      ...(requestId && { correlationIds: [requestId] }),
    });
  }
}

/**
 * Deletes a role assignment this request recorded (an earlier attempt's, on an application now
 * refused), under the lease, audited. Its recorded name is a predictable UUIDv5, so only the
 * assignment under that name listed for the service principal (`principalId`) with the scope and
 * role the name was made for is deleted (G15, as credential-deletion.ts's clean-up does); one
 * made again under the name for another role or scope is left in place for an operator, and
 * audited as refused; one whose DELETE is answered 404 (gone since the listing) is audited
 * `absent`. A failure is logged and audited, not thrown: the request fails for the
 * application's sake either way, and its revocation rebuilds nothing from a failed request, so
 * the audit entry is what tells the platform team.
 */
export async function deleteRoleAssignment(
  deps: Pick<SpCredentialDeps, 'ports' | 'retry'>,
  assignment: { scope: string; name: string; subscriptionId: string },
  principalId: string,
  ctx: RunContext,
): Promise<'deleted' | 'absent' | 'left' | 'unconfirmed' | 'failed'> {
  // Named by its ARM id, from the recorded scope and name, as a revocation's entries name it.
  const targetIds = [roleAssignmentId(assignment.scope, assignment.name)];
  try {
    // Not listed is no proof of gone (a listing that lags the create, or a create whose answer
    // was lost): looked at again at the runner's retry delays, as the clean-up looks again
    // later; still not listed, it is said undecided, not absent.
    const delays = [0, ...deps.retry.delaysMs];
    let named: RoleAssignmentInfo | undefined;
    for (const [attempt, delayMs] of delays.entries()) {
      if (attempt > 0) await deps.retry.sleep(delayMs);
      // Inside the try as defence in depth (check() throws only LeaseLostError): any other
      // error of it is logged and audited like a failed delete.
      await ctx.checkLease?.();
      const listed = await deps.ports.roleAssignments.listForPrincipal(assignment.scope, principalId);
      named = listed.find((a) => a.name.toLowerCase() === assignment.name.toLowerCase());
      if (named) break;
    }
    if (!named) {
      ctx.log.error(
        { roleAssignment: assignment.name, scope: assignment.scope, looks: delays.length },
        'the recorded role assignment of a refused application is not listed; not deleted',
      );
      await ctx.audit({
        action: 'credential.cleanup',
        outcome: 'unconfirmed',
        targetIds,
        detail: `not listed for the service principal under its recorded name after ${delays.length} looks: never created, deleted already, or not listed yet; not deleted, for an operator to check`,
      });
      return 'unconfirmed';
    }
    if (!recordedByDerivedName(named, { name: assignment.name, scope: assignment.scope, principalId })) {
      await auditLeftAssignment([assignment.name], assignment.scope, ctx);
      return 'left';
    }
    const { requestId, absent, gone } = await deps.ports.roleAssignments.delete(assignment);
    // The DELETE's x-ms-request-id (its 404's too: gone meanwhile), for Azure's Activity Log.
    // A 404 deleted nothing: said absent, never as a deletion acrbot made.
    await ctx.audit({
      action: 'credential.cleanup',
      outcome: absent ? 'absent' : 'deleted',
      targetIds,
      correlationIds: requestId ? [requestId] : [],
      ...(absent && {
        detail: gone
          ? `${gone.subject} no longer exists (Azure answered ${gone.azureCode}); nothing deleted`
          : 'not there when deleted (Azure answered 404); nothing deleted',
      }),
    });
    return absent ? 'absent' : 'deleted';
  } catch (err) {
    if (err instanceof LeaseLostError) throw err;
    ctx.log.error({ err }, 'deleting the role assignment of a refused application failed');
    await ctx
      .audit({
        action: 'credential.cleanup',
        outcome: 'failed',
        targetIds,
        detail: err instanceof CloudApiError ? err.code : 'error',
      })
      .catch((auditErr: unknown) => ctx.log.error({ err: auditErr }, 'audit of a failed clean-up failed'));
    return 'failed';
  }
}
