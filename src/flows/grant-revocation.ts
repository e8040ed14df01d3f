/**
 * The end of a grant in Azure: its role assignment deleted only when no other active grant holds
 * it and acrbot's records say acrbot made it, and it is still there as acrbot made it (G15, G17);
 * every outcome audited.
 */
import { ORPHAN_WATCH_DAYS, ORPHAN_WATCH_MS } from '../domain/access-inventory';
import { ResourceGoneError } from '../domain/errors';
import { VersionConflictError } from '../domain/ports';
import type { RoleAssignmentInfo } from '../domain/azure-model';
import { type GrantPlan, plannedAssignmentId } from '../domain/plan';
import type { AccessRequest, Actor } from '../domain/request';
import { type LifecycleDeps, recordAccessEvent } from './access-lifecycle-deps';
import { acrbotCreatedAssignment, type Holders, otherHolders, whyKept } from './role-assignment-holders';
import { ASSIGNMENT_NOT_FOUND, scheduleOrphanWatch } from './orphan-watch';
import { attemptMarkKey, markedBefore, refusedDelete } from './deletion-mark';
import { failureRequestIds } from './failure-request-ids';

/**
 * Deletes the role assignment `request` made, after the checks (G15, G17): kept while another
 * active grant holds it; left alone unless acrbot's records say acrbot made it and it is still
 * there with that name, principal, role and scope; `absent` when the registry itself is gone,
 * as its listing or its DELETE answers (nothing on its scope can be deleted now), with a watch
 * scheduled that deletes the assignment if a registry is at that id again
 * ({@link scheduleOrphanWatch}) and recorded on the request (`access.orphanWatchUntil`).
 * `context.why` is said in the `deleted` audit entry. Just before its DELETE, a keyed `deleting`
 * mark: a retry after an attempt cut short between the DELETE and its `deleted` entry finds no
 * assignment and the mark, and records `alreadyDeleted`, not `absent` (which the end's words
 * would call removed outside acrbot). `context.beforeDelete` runs right
 * before the DELETE, after every read and the mark: the caller checks the leases it holds there
 * (the access lease, a job's), since nothing fences an ARM DELETE, and a run frozen past its
 * lease (a GC pause, a stopped VM) while another instance finished this revocation and granted
 * the same pair again would otherwise delete the newer grant's assignment, which has the same
 * name. Throwing there sends nothing; the mark stands, as for an attempt stopped at that point.
 * Resolves to {@link GrantRevoked}: the request as stored now, and the holders read.
 */
export async function revokeGrant(
  deps: LifecycleDeps,
  request: AccessRequest,
  plan: GrantPlan,
  by: Actor,
  extensions: readonly AccessRequest[],
  context: { why?: string; beforeDelete?: () => Promise<void> } = {},
): Promise<GrantRevoked> {
  const target = plannedAssignmentId(plan);
  const others = await otherHolders(deps, request, plan, new Set(extensions.map((e) => e.id)));
  if (others.holders.length || !others.complete) {
    await recordAccessEvent(deps, request, by, {
      action: 'access.revoke.roleAssignment',
      outcome: 'kept',
      targetIds: [target],
      detail: whyKept(others, plan, request.tenantId),
    });
    return { request, others };
  }
  if (!(await acrbotCreatedAssignment(deps, request, plan))) {
    await recordAccessEvent(deps, request, by, {
      action: 'access.revoke.roleAssignment',
      outcome: 'notOurs',
      targetIds: [target],
      detail: 'the assignment existed before acrbot; left in place',
    });
    return { request, others };
  }
  // Only the assignment acrbot created: same name, principal, role and scope (G15).
  let current: RoleAssignmentInfo[];
  try {
    current = await deps.ports.roleAssignments.listForPrincipal(plan.scope, plan.identity.objectId);
  } catch (err) {
    // A deleted registry: the assignment was on its scope, there is nothing left to pull from,
    // and nothing on that scope can be listed or deleted any more; retrying would fail (and be
    // reported) for ever. A refusal or a hiccup is not this, and is retried. A registry created
    // again under the same id answers the listing, and the checks below run as usual. Deleted
    // may also answer 403 (acrbot's rights went with it): the adapter reads the registry and
    // says gone on its 404, or that it cannot tell (retried, reported) when that is refused too.
    if (!(err instanceof ResourceGoneError)) throw err;
    return { request: await recordScopeGone(deps, request, by, [target], err), others };
  }
  const match = current.find(
    (a) =>
      a.name.toLowerCase() === plan.roleAssignmentName.toLowerCase() &&
      a.scope.toLowerCase() === plan.scope.toLowerCase() &&
      a.principalId.toLowerCase() === plan.identity.objectId.toLowerCase() &&
      a.roleDefinitionId.toLowerCase().endsWith(`/${plan.role.id.toLowerCase()}`),
  );
  // Keyed by how many of its DELETEs failed before too: a mark a failed DELETE voided (its
  // `failed` entry) is not read as a deletion by the attempts after it.
  const trail = (await deps.audit.forRequest(request.id)).filter((e) => e.action === 'access.revoke.roleAssignment');
  const mark = attemptMarkKey(DELETING, request.id, [target], trail);
  if (!match) {
    // An earlier attempt marked it and sent its DELETE, then stopped before its entry (a crash,
    // an append that failed): that attempt deleted it (recordNothingThere).
    await recordNothingThere(deps, request, by, [target], markedBefore(trail, mark));
    return { request, others };
  }
  // Marked before the DELETE (keyed by the request and the assignment: once however many
  // attempts send it), so a retry after a DELETE whose entry below was never written knows acrbot
  // deleted it. A DELETE refused is recorded `failed` (voiding the mark): a person may remove the
  // assignment by hand before the retry, which must then not say acrbot deleted it.
  await recordAccessEvent(deps, request, by, {
    action: 'access.revoke.roleAssignment',
    outcome: 'deleting',
    targetIds: [match.id],
    detail: 'deleting it; the next access.revoke.roleAssignment entry says what the DELETE did',
    idempotencyKey: mark,
  });
  await context.beforeDelete?.();
  const deletion = await deps.ports.roleAssignments
    .delete({ scope: plan.scope, name: plan.roleAssignmentName, subscriptionId: plan.registry.subscriptionId })
    .catch(async (err: unknown) => {
      // Only a refusal says nothing was deleted: a DELETE whose answer may be lost (5xx, 408, 429,
      // no answer) may have gone through, so its mark stands for the next attempt to read.
      if (!refusedDelete(err)) throw err;
      // The refused DELETE's request id, which finds the refusal in Azure's Activity Log.
      const refusalIds = failureRequestIds(err);
      await recordAccessEvent(deps, request, by, {
        action: 'access.revoke.roleAssignment',
        outcome: 'failed',
        targetIds: [match.id],
        detail: 'its DELETE was refused: nothing deleted; the next attempt of this revocation looks again',
        ...(refusalIds.length && { correlationIds: refusalIds }),
        idempotencyKey: `${mark}:failed`,
      }).catch((auditErr: unknown) =>
        // Not recorded, the mark stands: a retry that finds the assignment deletes it all the same.
        deps.log.warn({ err: auditErr, requestId: request.id }, 'a failed role assignment DELETE could not be audited'),
      );
      throw err;
    });
  // The DELETE's request id (its 404's too), for Azure's Activity Log.
  const correlationIds = deletion.requestId ? [deletion.requestId] : [];
  // Answered "nothing there": gone meanwhile (the registry deleted, the assignment removed by
  // hand), recorded as when the listing found so, never as a deletion acrbot made.
  if (deletion.gone)
    return { request: await recordScopeGone(deps, request, by, [match.id], deletion.gone, correlationIds), others };
  // An earlier attempt's mark means its DELETE may have gone through with its answer lost, and a
  // listing that lags behind the delete still showed it: acrbot's deletion, not one outside it.
  if (deletion.absent) {
    await recordNothingThere(deps, request, by, [match.id], markedBefore(trail, mark), correlationIds);
    return { request, others };
  }
  await recordAccessEvent(deps, request, by, {
    action: 'access.revoke.roleAssignment',
    outcome: 'deleted',
    targetIds: [match.id],
    correlationIds,
    detail:
      [context.why, extensions.length ? `its extension ${extensions.map((e) => e.id).join(', ')} ends with it` : '']
        .filter(Boolean)
        .join('; ') || undefined,
  });
  return { request, others };
}

/** The `absent` entry's detail when the assignment alone is not there (its scope is). */

/**
 * The entry for an assignment not there (not listed, or its DELETE answered 404): `alreadyDeleted`
 * when an earlier attempt of this revocation had marked it and sent its DELETE (`cutShort`: that
 * attempt deleted it, and its mark, acrbot's own record, says so; not "removed outside acrbot"),
 * else `absent` (none found, a trail of a release before the mark, or a DELETE that failed and
 * someone removed it by hand since).
 */
function recordNothingThere(
  deps: Parameters<typeof recordAccessEvent>[0],
  request: AccessRequest,
  by: Actor,
  targetIds: string[],
  cutShort: boolean,
  correlationIds?: string[],
): Promise<unknown> {
  return recordAccessEvent(deps, request, by, {
    action: 'access.revoke.roleAssignment',
    outcome: cutShort ? 'alreadyDeleted' : 'absent',
    targetIds,
    ...(correlationIds && { correlationIds }),
    detail: cutShort
      ? 'deleted by an earlier attempt of this revocation whose record was cut short (it had begun deleting it; not found since); nothing deleted again'
      : ASSIGNMENT_NOT_FOUND,
  });
}

/**
 * Records a revocation whose registry is gone (its listing or its DELETE answered so): `absent`,
 * with the orphan watch scheduled and marked on the request, which it resolves to as stored now.
 */
async function recordScopeGone(
  deps: LifecycleDeps,
  request: AccessRequest,
  by: Actor,
  targetIds: string[],
  gone: ResourceGoneError,
  correlationIds?: string[],
): Promise<AccessRequest> {
  // Azure keeps the assignment at that id, and it grants pull again once a registry is there
  // again (made again under the same name, or moved back): watched for that, daily, and
  // deleted then (orphan-watch.ts). Written before the entry: a failed write is retried whole.
  await scheduleOrphanWatch(deps, request.id);
  const watched = await markWatched(deps, request);
  await recordAccessEvent(deps, watched, by, {
    action: 'access.revoke.roleAssignment',
    outcome: 'absent',
    targetIds,
    ...(correlationIds && { correlationIds }),
    // Not at its recorded id may also be moved: Azure does not move a role assignment made on
    // a resource with it (it is left orphaned at the old scope), so it grants nothing either way.
    detail: `${gone.subject} no longer exists (Azure answered ${gone.azureCode}) at its recorded id: deleted, or moved to another resource group or subscription. The role assignment was on that scope, and Azure does not move a role assignment with its resource, so it grants nothing on it now; nothing deleted. It would grant pull again if a registry were at that id again (made again under the same name, or moved back): acrbot looks daily for ${ORPHAN_WATCH_DAYS} days and deletes it then`,
  });
  return watched;
}

/** The prefix of the key of a grant revocation's `deleting` mark (deletion-mark.ts). */
const DELETING = 'access.revoke.roleAssignment.deleting';

/** What {@link revokeGrant} resolves to. */
export interface GrantRevoked {
  /** The request as stored now: the caller's next conditional write (marking it revoked) starts from it. */
  request: AccessRequest;
  /**
   * The other active grants on the assignment, as read before any step: why it was kept, when it
   * was, so the end's notice says so without listing them again (access-end-notice.ts).
   */
  others: Holders;
}

/**
 * Records on `request` that its orphan watch was scheduled, with the watch's last day (as
 * {@link scheduleOrphanWatch} sets it): what `check` and the access cards read to say acrbot is
 * removing an assignment still there, and only then. A conditional write; a retried revocation
 * (which re-read the request and scheduled the watch again, its window starting again) writes it
 * again with that window.
 */
async function markWatched(deps: LifecycleDeps, request: AccessRequest): Promise<AccessRequest> {
  const now = deps.clock.now();
  const next: AccessRequest = {
    ...request,
    version: request.version + 1,
    updatedAt: now.toISOString(),
    access: { ...request.access, orphanWatchUntil: new Date(now.getTime() + ORPHAN_WATCH_MS).toISOString() },
  };
  try {
    await deps.store.update(next);
  } catch (err) {
    if (err instanceof VersionConflictError)
      throw new Error(`request ${request.id} changed during revocation; retrying`, { cause: err });
    throw err;
  }
  return next;
}
