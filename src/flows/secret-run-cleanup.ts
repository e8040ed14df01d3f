/**
 * Deletes what a secret run created when the run fails, or the credential a rotation replaced:
 * each reference checked against its request's records first (G15), newest first, under the
 * lease. What cannot be deleted yet is left `pending`, audited, for the request's clean-up job
 * (credential-cleanup.ts), which deletes it later (G14).
 */
import { isUserFacing } from '../domain/errors';
import { CloudApiError, LeaseLostError, LeaseMarginError } from '../domain/ports';
import type { AccessRequest } from '../domain/request';
import type { CredentialRef } from '../domain/secret-credential';
import { credentialRefProblem } from '../domain/secret-ownership';
import { credentialTargetIds, roleAssignmentId } from '../domain/credential-target-ids';
import { leftAssignmentDetail, refusalKey } from './credential-cleanup';
import { deleteCredential, WRITE_IN_PROGRESS } from './credential-deletion';
import { checkOwnToken, leftTokenKey, recordedCreationOf } from './foreign-token';
import type { RunContext } from './executor';
import type { SecretRunnerPorts } from './secret-runner';

/**
 * Deletes credentials (newest first); 'pending' (audited, retried by the request's clean-up
 * job) if a deletion failed, a token or scope map is still being written in Azure (a create
 * past its deadline: deleting it now could be overtaken by the create landing after it), or
 * something was not found that may still appear: an application known only by its name
 * (Graph may not show it yet), or what a create Azure did not answer names (`unanswered`).
 * Each reference is checked against `owner`'s records first (G15). A token under its recorded
 * name that Azure dates otherwise than acrbot recorded is left in place, audited `notOurs`.
 */
export async function cleanUpCredentials(
  ports: SecretRunnerPorts,
  refs: CredentialRef[],
  ctx: RunContext,
  owner?: AccessRequest,
  unanswered: ReadonlySet<CredentialRef> = new Set(),
  /**
   * Counts the credentials found and deleted (none: nothing had been created), and collects the
   * role assignments left in place as not acrbot's.
   */
  found: CleanupFindings = { deleted: 0 },
): Promise<'deleted' | 'pending'> {
  let pending = false;
  for (const ref of [...refs].reverse()) {
    if (owner) {
      const problem = credentialRefProblem(ref, owner);
      if (problem) {
        ctx.log.error({ ownerRequestId: owner.id, problem }, "credential not deleted: not recorded as acrbot's");
        pending = true;
        continue;
      }
    }
    const targetIds = credentialTargetIds(ref);
    try {
      // A run that was taken over stops before deleting: the new holder resumes with these very
      // credentials (and a delete is no store write, so no fencing would stop it). A check the
      // store failed with too little of the lease left (LeaseMarginError) does not delete either:
      // nobody else holds the run, so the credential stays 'pending', recorded for the clean-up
      // job (G14). Inside the try for that, and as defence in depth: check() throws only
      // LeaseLostError (lease-guard.ts), but any other error of it is taken the same way instead
      // of escaping with nothing recorded.
      await ctx.checkLease?.();
      // A token under the name that Azure dates otherwise than acrbot recorded (the reference's
      // own date, once the create answered, else the owner's outcome) is not the one acrbot made
      // (G15): neither it nor the scope map it may use is deleted, as the revocation leaves it.
      // The read is the deletion's: ARM is asked once.
      const created = recordedCreationOf(ref, owner);
      const checks = { tokens: ports.tokens, log: ctx.log };
      const { tokenRead, left: foreign } = await checkOwnToken(checks, ctx.requestId, ref, created);
      if (foreign) {
        const { detail } = foreign;
        // Keyed as the clean-up job keys it: whoever finds the token first records it once.
        await ctx.audit({
          action: 'credential.cleanup',
          outcome: 'notOurs',
          targetIds,
          detail,
          idempotencyKey: leftTokenKey(ctx.requestId, detail),
        });
        if (ref.kind === 'token') found.keptTokens = [...(found.keptTokens ?? []), ref.tokenName];
        continue;
      }
      const {
        found: there,
        deleted,
        notFound,
        notOurs,
        registryNote,
        requestIds,
        applicationId,
      } = await deleteCredential(ports, ref, tokenRead && { tokenRead });
      if (deleted.length) found.deleted++;
      // A role assignment under the recorded name that is not acrbot's: left, for an operator.
      if (notOurs.length && ref.kind === 'sp' && ref.roleAssignment) {
        await auditLeftAssignment(notOurs, ref.roleAssignment.scope, ctx);
        found.left = [...(found.left ?? []), ...notOurs.map((name) => ({ name, scope: ref.roleAssignment!.scope }))];
      }
      // Not found is final only for a token or scope map whose creates Azure answered (made,
      // or refused). Otherwise "absent" is decided by the later retry.
      const undecided = !there && (ref.kind === 'sp' || unanswered.has(ref));
      pending ||= undecided;
      await ctx.audit({
        action: 'credential.cleanup',
        outcome: undecided ? 'pending' : deleted.length ? 'deleted' : 'absent',
        // An application recorded by its uniqueName alone is named by the object id it was found under.
        targetIds: applicationId ? credentialTargetIds(ref, applicationId) : targetIds,
        // The DELETEs' request ids, for Azure's Activity Log and Entra's audit log.
        correlationIds: requestIds,
        ...(undecided
          ? {
              detail:
                ref.kind === 'sp'
                  ? 'not found under its recorded name yet; looked for again later'
                  : `${notFound.join(', ')} not found yet after a create Azure did not confirm; looked for again later`,
            }
          : notFound.length
            ? { detail: `${notFound.join(', ')} not found: ${registryNote ?? 'never created, or deleted already'}` }
            : {}),
      });
    } catch (err) {
      // The run is another instance's now (the lease was taken over, or it expired): it stops
      // here, and whoever resumes the run records the rest. Not so for a LeaseMarginError.
      if (err instanceof LeaseLostError && !(err instanceof LeaseMarginError)) throw err;
      pending = true;
      if (isStillBeingWritten(err))
        ctx.log.warn({ err }, 'the credential is still being written in Azure; its clean-up is retried later');
      else ctx.log.error({ err }, 'credential clean-up failed; recorded for retry');
      await ctx
        .audit({
          action: 'credential.cleanup',
          outcome: 'pending',
          targetIds,
          detail: pendingCleanupDetail(err),
        })
        .catch((auditErr: unknown) => ctx.log.error({ err: auditErr }, 'audit of a pending clean-up failed'));
    }
  }
  return pending ? 'pending' : 'deleted';
}

/** What {@link cleanUpCredentials} found besides its answer. */
export interface CleanupFindings {
  /** Credentials found and deleted. */
  deleted: number;
  /** Role assignments under a recorded name that are not acrbot's, left in place. */
  left?: { name: string; scope: string }[];
  /**
   * Tokens under a recorded name that Azure dates otherwise than acrbot recorded (not the one
   * acrbot made), left in place with the scope map they may use: their names.
   */
  keptTokens?: string[];
}

/**
 * Audits role assignments found under a name acrbot recorded that are not the one it made
 * (another role or scope): left in place, refused (G15). The detail is the clean-up job's
 * (credential-cleanup.ts NOT_OURS_DETAIL), whose later runs read such entries back.
 */
export async function auditLeftAssignment(names: readonly string[], scope: string, ctx: RunContext): Promise<void> {
  for (const name of names) {
    ctx.log.warn(
      { roleAssignment: name, scope },
      'role assignment under the recorded name is not the one acrbot made; left in place for an operator',
    );
    const detail = leftAssignmentDetail({ name, scope });
    // Keyed as the request's clean-up job keys it: a resumed run and the job that both find the
    // assignment record the refusal once.
    await ctx.audit({
      action: 'credential.cleanup',
      outcome: 'refused',
      targetIds: [roleAssignmentId(scope, name)],
      detail,
      idempotencyKey: refusalKey(ctx.requestId, detail),
    });
  }
}

/**
 * The audit detail of a clean-up left pending by `err`: Azure's error code, why it was not
 * deleted when the lease store could not be reached (a reader would otherwise see only "error"
 * and look for an Azure fault), else `error`. Never the error's message, which may quote more
 * than an audit entry should hold.
 */
function pendingCleanupDetail(err: unknown): string {
  if (err instanceof CloudApiError) return err.code;
  // acrbot's own reason (a registry moved with the token): its code, the report has the sentence.
  if (isUserFacing(err)) return err.code;
  if (err instanceof LeaseMarginError)
    return 'not deleted: the lease store could not be reached to confirm this run still held its lease; left for the clean-up job';
  return 'error';
}

/**
 * A write on the credential still running in Azure: its provisioning state is not final yet, or
 * ARM refused the DELETE 409 (another operation holds the resource). Retried later, not an error.
 */
function isStillBeingWritten(err: unknown): boolean {
  return err instanceof CloudApiError && (err.code === WRITE_IN_PROGRESS || err.statusCode === 409);
}
