/**
 * The end of a secret request's credential (an ACR token and its scope map, or an Entra
 * application and its role assignment), rebuilt from the request's own records (G15) and deleted
 * once: a retry deletes nothing by that name again. Audited with what was deleted and what was gone.
 */
import type { AccessRequest, Actor } from '../domain/request';
import { credentialOf, credentialRefProblem, recordedTokenCreation } from '../domain/secret-ownership';
import { type CredentialRef, sameTokenCreation } from '../domain/secret-credential';
import { credentialTargetIds, roleAssignmentId } from '../domain/credential-target-ids';
import { type LifecycleDeps, recordAccessEvent } from './access-lifecycle-deps';
import { leftAssignmentDetail } from './credential-cleanup';
import type { CredentialDeletion, CredentialPart } from './credential-deletion';
import { deleteCredential } from './credential-deletion';
import { attemptMarkKey, credentialMarkNames, refusedDelete } from './deletion-mark';
import { checkOwnToken, foreignTokenWords, logForeignToken, tellForeignToken } from './foreign-token';
import { leaseStop } from './lease-guard';
import { failureRequestIds } from './failure-request-ids';
import { applicationLeft, type LeftBehind, leftBehind, scopeMapLeft } from './revocation-left';
import { deletedByEarlierAttempts, refusedEntry } from './earlier-deletions';

/**
 * Deletes the credential this request created, rebuilt from its own store records (G15). A
 * later request that replaced the secret already retired it; deleting an absent one is a
 * no-op, audited `absent` (not `deleted`: acrbot deleted nothing). Once acrbot's audit says it
 * deleted it or found it absent, a retry deletes nothing by that name again: an object made
 * since under the same name is not the one acrbot's records vouch for. Just before the DELETE of
 * the credential itself, a keyed `deleting` mark: an attempt cut short between that DELETE and its
 * entry leaves it, and the retry records `alreadyDeleted` and deletes nothing by the name again
 * (a DELETE that failed is recorded `failed`, and the next attempt looks again). A token is
 * deleted only when Azure dates it as the request's outcome recorded acrbot's own: one deleted
 * and made again under its name (by a person, a script) is left for an operator, `notOurs`.
 * `checkLeases` (the revocation's access and job leases) runs right before the deletion begins
 * (a `--kind sp` credential's role assignment DELETE comes first) and again after the mark, right
 * before the DELETE of the credential itself: nothing fences those DELETEs, and a run frozen past
 * its leases while another instance took its revocation over writes nothing more. Its throw sends
 * nothing; a mark written stands, as for an attempt stopped at that point.
 * Returns what this attempt, or an earlier one, left of the credential ({@link CredentialNotDeleted}),
 * or found gone already (`absent`); undefined when acrbot deleted it (this attempt or an earlier
 * one). The cluster step's report and audit entries say so (secret-revocation.ts), never that
 * acrbot deleted what it did not.
 */
export async function revokeCredential(
  deps: LifecycleDeps,
  request: AccessRequest,
  by: Actor,
  checkLeases?: () => Promise<void>,
): Promise<CredentialNotDeleted | undefined> {
  const ref = credentialOf(request);
  const problem = keptCredentialReason(request);
  if (!ref || problem) {
    await recordAccessEvent(deps, request, by, {
      action: 'access.revoke.credential',
      outcome: 'kept',
      detail: problem,
    });
    return 'kept';
  }
  const targetIds = credentialTargetIds(ref);
  const before = (await deps.audit.forRequest(request.id)).filter((e) => e.action === 'access.revoke.credential');
  // What earlier attempts deleted before a DELETE of theirs was refused (their `failed` entries'
  // facts, or the detail of one written before facts were kept).
  const earlier = deletedByEarlierAttempts(ref, before);
  const deletedBefore = before.some((e) => e.outcome === 'deleted');
  // 'unconfirmed': an earlier attempt ended it for acrbot's records and told the approvers.
  // 'notOurs': an earlier attempt found another token under the name and left it for an operator.
  const notOursBefore = before.some((e) => e.outcome === 'notOurs');
  const unconfirmedBefore = before.some((e) => e.outcome === 'unconfirmed');
  const recordedBefore =
    deletedBefore || notOursBefore || unconfirmedBefore || before.some((e) => e.outcome === 'absent');
  // Keyed by the request, the credential and how many of its DELETEs failed before (deletion-mark.ts).
  const mark = attemptMarkKey(DELETING, request.id, credentialMarkNames(ref), before);
  // When Azure made acrbot's token, by the outcome's record (G15). Records of releases before it
  // was kept have none: their token is told by its name (and, on a retry, by the mark), as then.
  const created = recordedTokenCreation(request, ref);
  // An earlier attempt marked it, then stopped before its entry (a crash, an append that failed):
  // it may have sent its DELETE, or stopped just before sending it. Its mark (acrbot's own record,
  // G15) and what is there now tell which (earlierDeleteStands). Releases before the mark wrote
  // none: as before then.
  const markedAt = recordedBefore ? undefined : before.find((e) => e.idempotencyKey === mark)?.ts;
  const stands =
    markedAt === undefined ? undefined : await earlierDeleteStands(deps, request, ref, { markedAt, created });
  const cutShort = stands !== undefined;
  if (recordedBefore || stands?.deleteAgain === false) {
    await recordAccessEvent(deps, request, by, {
      action: 'access.revoke.credential',
      outcome: recordedBefore && !deletedBefore ? 'absent' : 'alreadyDeleted',
      targetIds,
      detail: deletedBefore
        ? 'deleted by an earlier attempt of this revocation; nothing deleted again'
        : stands
          ? `${DELETED_CUT_SHORT}${stands.madeSince}`
          : notOursBefore
            ? "not there when an earlier attempt of this revocation looked (the token under its name was not acrbot's, left for an operator); nothing deleted"
            : 'not there when an earlier attempt of this revocation looked; nothing deleted',
    });
    // What the earlier attempt left is still all there is: none of it deleted since.
    if (deletedBefore || stands) return undefined;
    return notOursBefore ? 'notOurs' : unconfirmedBefore ? 'unconfirmed' : 'absent';
  }
  // A token under the name that Azure dates otherwise than acrbot's record is not the one acrbot
  // made (deleted and made again since): neither it nor the scope map it may use is deleted. A
  // retry that found the mark has read it already (earlierDeleteStands).
  const checks = { tokens: deps.ports.tokens, log: deps.log };
  const { tokenRead: checked, left: foreign } = cutShort ? {} : await checkOwnToken(checks, request.id, ref, created);
  if (foreign) {
    // Logged by the check; told to the approvers once here.
    await tellForeignToken(deps.messenger, request, ref, foreign.found, created);
    await recordAccessEvent(deps, request, by, {
      action: 'access.revoke.credential',
      outcome: 'notOurs',
      targetIds,
      detail: foreign.detail,
    });
    return 'notOurs';
  }
  // What this attempt dealt with so far, for the entry of a DELETE refused after it and for
  // what the approvers are told is left (deleteFailed, leftAfter).
  const sofar: DealtWith[] = [];
  // The deletion reads the token before its DELETE: given the read just checked, it deletes the
  // token whose date was checked, and ARM is asked once.
  await checkLeases?.();
  const deletion = await deleteCredential(deps.ports, ref, {
    ...(checked && { tokenRead: checked }),
    deleted: (step) => void sofar.push(step),
    beforeDelete: async () => {
      await recordAccessEvent(deps, request, by, {
        action: 'access.revoke.credential',
        outcome: 'deleting',
        targetIds,
        detail: 'deleting it; the next access.revoke.credential entry says what the deletion found',
        idempotencyKey: mark,
      });
      // After the mark, right before the DELETE, as revokeGrant checks them.
      await checkLeases?.();
    },
    // The DELETE was refused: the mark stands for nothing deleted, and the next attempt looks
    // again under a mark of its own. One whose answer may be lost (5xx, 408, 429, no answer: it
    // may have gone through) keeps the mark, as does one not recorded (the audit log failing too):
    // the next attempt then reads what is under the name (earlierDeleteStands). What this attempt
    // deleted before it (a `--kind sp` credential's role assignment, a token before its scope map)
    // is said in the entry (its ids in the entry's facts too), with its DELETE's request ids, and
    // the refused DELETE's own request id: the next attempt finds those gone, and its entry says
    // who deleted them.
    deleteFailed: async (err, failed) => {
      if (!refusedDelete(err)) return;
      const deleted = sofar.filter((step) => step.deleted);
      const correlationIds = [...deleted.flatMap((step) => step.requestIds), ...failureRequestIds(err)];
      await recordAccessEvent(deps, request, by, {
        action: 'access.revoke.credential',
        outcome: 'failed',
        targetIds,
        ...refusedEntry(ref, deleted, failed),
        ...(correlationIds.length && { correlationIds }),
        idempotencyKey: `${mark}:failed`,
      }).catch((auditErr: unknown) =>
        deps.log.warn({ err: auditErr, requestId: request.id }, 'a failed credential DELETE could not be audited'),
      );
    },
  }).catch((err: unknown) => {
    // What ends the access is gone already: the approvers are told what is left, not the credential.
    const left = leftAfter(ref, sofar, earlier);
    // A lease check's stop says nothing about the deletion: the run no longer holds it.
    throw left && leaseStop(err) === undefined ? leftBehind(err, left) : err;
  });
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
  // Sent again after a mark (its earlier attempt may have stopped before its DELETE) and found
  // nothing: that attempt's DELETE went through.
  const goneByEarlier =
    cutShort && !deletion.deleted.length && !deletion.registryUnconfirmed && !deletion.registryNote && !left.length;
  const outcome = deletion.deleted.length
    ? 'deleted'
    : deletion.registryUnconfirmed
      ? 'unconfirmed'
      : goneByEarlier
        ? 'alreadyDeleted'
        : 'absent';
  await recordAccessEvent(deps, request, by, {
    action: 'access.revoke.credential',
    outcome,
    // An application recorded by its uniqueName alone is named by the object id it was found under.
    targetIds: deletion.applicationId ? credentialTargetIds(ref, deletion.applicationId) : targetIds,
    detail: goneByEarlier ? DELETED_CUT_SHORT : revokedCredentialDetail(ref, deletion, left.length > 0, earlier),
    correlationIds: deletion.requestIds,
  });
  // Its registry is nowhere acrbot can see, its name taken (or not to be asked about): ended for
  // acrbot's records, and the approvers told once what acrbot cannot confirm and what to do.
  if (deletion.registryUnconfirmed)
    await deps.messenger.reportToApprovers(
      request,
      `The revocation of ${request.id} ended unconfirmed for its token. ${deletion.registryUnconfirmed}`,
    );
  return outcome === 'unconfirmed' || outcome === 'absent' ? outcome : undefined;
}

/**
 * What {@link revokeCredential} did not delete, which the cluster step's report and entries say
 * rather than that acrbot deleted it: `kept`, no usable record of it ({@link keptCredentialReason});
 * `notOurs`, the token under its name is not the one acrbot made (G15), left for an operator;
 * `unconfirmed`, its token's registry is nowhere acrbot can see, so nothing was deleted and the
 * approvers were told what to check; `absent`, it was gone already (audited `absent`), so acrbot
 * deleted nothing, and it no longer signs in.
 */
export type CredentialNotDeleted = 'absent' | 'kept' | 'notOurs' | 'unconfirmed';

/**
 * Why {@link revokeCredential} keeps `request`'s credential rather than delete it: no usable
 * record of it (none recorded, or one its request's records do not vouch for, G15). Undefined
 * when it is recorded, and deleted. Read by the cluster step's report too (secret-revocation.ts),
 * which then never says acrbot deleted it.
 */
export function keptCredentialReason(request: AccessRequest): string | undefined {
  const ref = credentialOf(request);
  return ref ? credentialRefProblem(ref, request) : 'no credential is recorded for this request';
}

/**
 * The detail of a revocation's `access.revoke.credential` entry: what the deletion of `ref`
 * deleted and what it did not find (a rotation retired it, or someone deleted it). A token's
 * absence is said "deleted already" (its registry is at its recorded id); a `--kind sp`
 * credential's says where acrbot looked, no more.
 * `leftAssignment`: a role assignment under the recorded name was not acrbot's and stays.
 */
function revokedCredentialDetail(
  ref: CredentialRef,
  deletion: CredentialDeletion,
  leftAssignment: boolean,
  earlier: ReadonlySet<string>,
): string {
  const gone = 'not found: deleted already';
  if (ref.kind === 'token') {
    const map = ref.scopeMapName;
    // The registry is not at its recorded id: deleted, or moved without the token (one moved with
    // the token fails the deletion instead, for an operator).
    if (deletion.registryNote)
      return `token${map ? ' and scope map' : ''} not found: ${deletion.registryNote}; nothing deleted`;
    if (!deletion.found)
      return deletion.deleted.length
        ? `scope map (the token was ${earlier.has(ref.tokenName) ? BY_EARLIER_ATTEMPT : gone})`
        : `token${map ? ' and scope map' : ''} ${gone}; nothing deleted`;
    if (!map) return 'token';
    return deletion.deleted.includes(`scope map ${map}`) ? 'token and scope map' : `token (its scope map was ${gone})`;
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
        : earlier.has(ref.roleAssignment.name)
          ? ` (its role assignment was ${BY_EARLIER_ATTEMPT})`
          : ` (its role assignment was ${noAssignment})`;
  if (deletion.found) return `application${assignment}`;
  if (deletion.deleted.length) return `role assignment (the application was ${noApplication})`;
  if (leftAssignment) return `application ${noApplication}; nothing deleted${assignment}`;
  return `application ${noApplication}${ref.roleAssignment ? `, its role assignment ${noAssignment}` : ''}; nothing deleted`;
}

/** What an earlier attempt deleted before one of its DELETEs was refused, as the entry after it says. */
const BY_EARLIER_ATTEMPT = 'deleted by an earlier attempt of this revocation';

/** One thing a deletion dealt with ({@link deleteCredential}'s `deleted`). */
type DealtWith = CredentialPart & { deleted: boolean; requestIds: string[] };

/**
 * What is left when a deletion of `ref` fails after what ends the access is gone, as the
 * approvers' report names it ({@link LeftBehind}); undefined when the access itself is still
 * there (nothing deleted yet: the report names the credential). A token gone from its registry
 * (deleted now or before, or not found) leaves its scope map; a `--kind sp` credential whose
 * role assignment this attempt or an earlier one deleted leaves its application.
 */
function leftAfter(
  ref: CredentialRef,
  sofar: readonly DealtWith[],
  earlier: ReadonlySet<string>,
): LeftBehind | undefined {
  if (ref.kind === 'token') return sofar.some((step) => step.part === 'token') ? scopeMapLeft(ref) : undefined;
  const assignment = ref.roleAssignment?.name;
  if (!assignment) return undefined;
  const gone = earlier.has(assignment) || sofar.some((step) => step.part === 'role assignment' && step.deleted);
  return gone ? applicationLeft(ref, ref.applicationId) : undefined;
}

/** The prefix of the key of a revocation's `deleting` mark (deletion-mark.ts `attemptMarkKey`). */
const DELETING = 'access.revoke.credential.deleting';

/**
 * The detail of the `alreadyDeleted` step of a retry that found the mark of an earlier attempt
 * and no entry saying what that attempt's deletion found.
 */
const DELETED_CUT_SHORT =
  'deleted by an earlier attempt of this revocation whose record was cut short (it had begun deleting it); nothing deleted again';

/**
 * Whether the DELETE an earlier attempt marked at `markedAt` stands, for a retry that found the
 * mark and no entry of what came of it. The mark is written just before the DELETE is sent, so
 * the attempt may have stopped between the two, its credential still live: then this attempt
 * deletes it (`deleteAgain`), as the revocation must end the access. Read again:
 * - a `--kind sp` credential: its application's object id is acrbot's alone and never reused, so
 *   the deletion is simply sent again by its recorded ids (a 404 then says the earlier one went
 *   through);
 * - a token: under its name, the one Azure dates as the outcome recorded acrbot's (`created`) is
 *   acrbot's, never deleted: sent again; one dated otherwise was made since under the name, which
 *   acrbot's records do not vouch for (G15): left in place, logged, told to the approvers once,
 *   and said in the entry (`madeSince`). A record without the date (written before it was kept):
 *   a token Azure dates before the mark is taken for acrbot's, one dated from the mark on for
 *   one made since, as before. None: sent again too, for its scope map (whose DELETE comes after
 *   the token's and may have failed) and the registry's whereabouts.
 * A read that fails throws: the revocation's job retries it rather than guess.
 */
async function earlierDeleteStands(
  deps: LifecycleDeps,
  request: AccessRequest,
  ref: CredentialRef,
  { markedAt, created }: { markedAt: string; created: string | undefined },
): Promise<{ deleteAgain: boolean; madeSince: string }> {
  if (ref.kind !== 'token') return { deleteAgain: true, madeSince: '' };
  const registry = { subscriptionId: ref.subscriptionId, resourceGroup: ref.resourceGroup, name: ref.registry };
  const found = await deps.ports.tokens.getToken(registry, ref.tokenName);
  // None: sent again all the same, to finish what that attempt may not have reached (its scope
  // map's DELETE, the registry's whereabouts); a token not found then says its DELETE went through.
  if (!found) return { deleteAgain: true, madeSince: '' };
  if (created !== undefined) {
    if (sameTokenCreation(created, found.creationDate)) return { deleteAgain: true, madeSince: '' };
  } else {
    const createdAt = found.creationDate ? Date.parse(found.creationDate) : NaN;
    if (createdAt < Date.parse(markedAt)) return { deleteAgain: true, madeSince: '' };
  }
  // Dated otherwise than recorded, or (no record) after the mark: made since. Undated (the API
  // leaves the date optional): which it is cannot be told, and acrbot's records vouch for
  // neither; said so.
  logForeignToken(deps.log, request.id, ref, found, created);
  await tellForeignToken(deps.messenger, request, ref, found, created);
  return {
    deleteAgain: false,
    madeSince: `; ${foreignTokenWords(ref, found, created)}: left in place for an operator`,
  };
}
