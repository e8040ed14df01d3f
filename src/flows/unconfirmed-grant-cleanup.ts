/**
 * A grant that failed after a PUT whose answer was lost (`azure.writeUnconfirmed`): Azure may have
 * made the role assignment, so its `access.expire` job deletes it under the revocation's checks.
 */
import type { GrantPlan } from '../domain/plan';
import { ACRBOT_ACTOR, type AccessRequest } from '../domain/request';
import type { LifecycleDeps } from './access-lifecycle-deps';
import { revokeGrant } from './grant-revocation';
import { UNCONFIRMED_GRANT } from './grant-runner';
import { checkBoth, holdAccessLease, refuseWhileGranting } from './revocation-guards';
import type { JobRun } from './scheduler';

/**
 * A grant that failed after a PUT whose answer was lost and could not be confirmed
 * (`azure.writeUnconfirmed`, GrantRunner), whose records name the assignment it PUT: Azure may
 * have made it, and its `access.expire` job deletes it (under the revocation's checks).
 */
export function isUnconfirmedGrant(request: AccessRequest): boolean {
  if (request.state !== 'failed' || request.plan.kind !== 'grant') return false;
  const name = request.plan.roleAssignmentName;
  return (
    request.outcome?.errorCode === UNCONFIRMED_GRANT &&
    (request.created ?? []).some((c) => c.kind === 'roleAssignment' && c.name === name)
  );
}

/**
 * The `access.expire` job of a grant that failed with `azure.writeUnconfirmed` (GrantRunner):
 * the PUT's answer was lost and reading the assignment back did not find it, or failed, so
 * Azure may have made it. The request's `created` records its deterministic name (written
 * before the PUT, G15), and the revocation's checks decide, under the same access lease: a
 * request being granted the same assignment defers it; another active grant holding it keeps
 * it; an assignment with that name, principal, role and scope is deleted; none is audited
 * `absent`. The request stays `failed` (it granted nothing, and its requester was told so);
 * no card changes. Throws when a step failed, so the job is retried and reported (G17). The
 * access lease and `run` (the job's lease) are checked again right before the DELETE: nothing
 * fences it, and a run frozen past them could delete a newer grant's assignment of the same name.
 */
export async function cleanUpUnconfirmedGrant(
  deps: LifecycleDeps,
  request: AccessRequest,
  run?: JobRun,
): Promise<void> {
  const plan = request.plan as GrantPlan;
  const guard = await holdAccessLease(deps, request);
  try {
    const current = (await deps.store.get(request.id)) ?? request;
    if (!isUnconfirmedGrant(current)) return;
    await refuseWhileGranting(deps, current, [], ACRBOT_ACTOR, true);
    await guard?.check();
    await revokeGrant(deps, current, plan, ACRBOT_ACTOR, [], {
      why: "the grant failed after Azure's answer to its PUT was lost; Azure had made the assignment",
      beforeDelete: checkBoth(guard, run),
    });
  } finally {
    await guard?.stop();
  }
}
