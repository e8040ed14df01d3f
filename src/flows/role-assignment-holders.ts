/**
 * Who holds a role assignment at the end of a grant (G15, G17): the active acrbot grants on it
 * (overlapping grants keep it until the last one ends), whether acrbot made it at all, and the
 * words that say why it is kept.
 */
import { lostToRemake } from '../domain/made-again-since-drift';
import type { GrantPlan } from '../domain/plan';
import type { AccessRequest } from '../domain/request';
import { ANOTHER_TENANTS_REQUEST, byTenant } from '../domain/tenant-boundary';
import type { LifecycleDeps } from './access-lifecycle-deps';
import { isActive } from './access-term';

/** How many of a registry's active requests are read to find who holds a role assignment. */
const HOLDERS_LISTED = 1000;

/** Active grants holding a role assignment; `complete` false when the listing may have left one out. */
export interface Holders {
  holders: AccessRequest[];
  complete: boolean;
}

/** {@link Holders}, and the grants on the assignment that are ending. */
export interface AssignmentHolders extends Holders {
  /**
   * Grants on the assignment whose term has passed and whose revocation is due or under way (a
   * failing delete retries): acrbot's records still name the assignment, though nobody holds it.
   */
  ending: AccessRequest[];
}

/** {@link AssignmentHolders}, and the grants on the assignment that are about to make it or are making it. */
export interface AssignmentClaims extends AssignmentHolders {
  /**
   * Grants on the assignment that are approved or running: a run's PUT makes it (under the same
   * deterministic name, so the same id an ended grant of the pair once created), and the grant
   * holds it once it succeeds. Nobody holds it yet, but it is not left behind.
   */
  granting: AccessRequest[];
}

/** How many request ids a preview line or an audit detail names before "and N others". */
const IDS_NAMED = 3;

/**
 * A few request ids and a count of the rest ("R-A, R-B, R-C and 37 others"): a line per grant on
 * a shared assignment that named every other holder would grow with the square of the grants.
 */
export function someIds(ids: readonly string[]): string {
  if (ids.length <= IDS_NAMED + 1) return ids.join(', ');
  const rest = ids.length - IDS_NAMED;
  return `${ids.slice(0, IDS_NAMED).join(', ')} and ${rest} others`;
}

/**
 * Why a role assignment is kept: who still holds it, or that acrbot cannot rule it out. Said in
 * the revoked request's tenant (`tenantId`: its preview, and its audit entry, which `audit R-…`
 * and the tab's history show there), so a holder of another tenant is named as
 * {@link ANOTHER_TENANTS_REQUEST}, never by id (tenant-boundary.ts). It keeps the assignment all
 * the same.
 */
export function whyKept({ holders, complete }: Holders, plan: GrantPlan, tenantId: string): string {
  if (holders.length) return `still used by ${holdersNamed(holders, tenantId)}`;
  return complete
    ? ''
    : `registry ${plan.registry.name} has ${HOLDERS_LISTED} or more active acrbot requests, so acrbot cannot rule out another holder; left in place`;
}

/** {@link someIds} of the holders of `tenantId`, then, for any of another tenant's, {@link ANOTHER_TENANTS_REQUEST}. */
function holdersNamed(holders: readonly AccessRequest[], tenantId: string): string {
  const { own, elsewhere } = byTenant(holders, tenantId);
  if (!elsewhere.length) return someIds(own.map((h) => h.id));
  if (!own.length) return ANOTHER_TENANTS_REQUEST;
  // "R-A, R-B, R-C and 37 others, and …": the comma keeps the count with the ids it counts.
  return `${someIds(own.map((h) => h.id))}${own.length > IDS_NAMED + 1 ? ',' : ''} and ${ANOTHER_TENANTS_REQUEST}`;
}

/**
 * Active acrbot grants holding the role assignment `plan` names, from any cluster: one kubelet
 * identity can serve several clusters, and the assignment is the identity's (its name comes
 * from scope, principal and role). A new grant may overlap them (G17), and those whose term has
 * passed while their revocation has yet to finish (`ending`). A drifted grant still holds it
 * (its end deletes it), unless its own was removed or changed outside acrbot and another grant
 * has made it again since ({@link lostToRemake}, made-again-since-drift.ts: the inventory's rule too).
 */
export async function holdersOf(deps: LifecycleDeps, plan: GrantPlan): Promise<AssignmentHolders> {
  const now = deps.clock.now();
  const listed = await deps.store.listByRegistry(plan.registry.id, ['succeeded'], HOLDERS_LISTED);
  const same = listed.filter((r) => r.plan.kind === 'grant' && r.plan.roleAssignmentName === plan.roleAssignmentName);
  return {
    holders: same.filter((r) => isActive(r, now) && !lostToRemake(r, same)),
    ending: same.filter((r) => !isActive(r, now) && !r.outcome?.alreadyPresent),
    // A full listing may have left a holder out: then nobody can say the assignment is unused.
    complete: listed.length < HOLDERS_LISTED,
  };
}

/**
 * acrbot grants of the role assignment `plan` names that are approved or running (one read of
 * those states, as the orphan watch's look for a grant under way does): see
 * {@link AssignmentClaims.granting}. `complete` false when the listing may have left one out.
 */
export async function grantingOf(
  deps: Pick<LifecycleDeps, 'store'>,
  plan: GrantPlan,
): Promise<{ granting: AccessRequest[]; complete: boolean }> {
  const listed = await deps.store.listByRegistry(plan.registry.id, ['approved', 'executing'], HOLDERS_LISTED);
  return {
    granting: listed.filter((r) => r.plan.kind === 'grant' && r.plan.roleAssignmentName === plan.roleAssignmentName),
    complete: listed.length < HOLDERS_LISTED,
  };
}

/**
 * Revoked acrbot grants of the role assignment `plan` names whose orphan watch is still scheduled
 * (`watchJobId`: orphan-watch.ts, passed in because that module reads this one): their
 * revocation met the registry gone, and the watch deletes the assignment at its next look once a
 * registry is at that id again, unless an active grant holds it then. So the assignment is ending
 * as surely as one whose revocation retries, and a new grant of it must be a request (which the
 * watch then finds holding it), not "access already exists". Newest first: a watch lasts
 * ORPHAN_WATCH_DAYS from its revocation, so the grants it watches are the registry's latest.
 */
export async function watchedEnded(
  deps: Pick<LifecycleDeps, 'store' | 'jobs'>,
  plan: GrantPlan,
  watchJobId: (requestId: string) => string,
): Promise<AccessRequest[]> {
  const revoked = await deps.store.listByRegistry(plan.registry.id, ['revoked'], HOLDERS_LISTED, 'newestFirst');
  const same = revoked.filter((r) => r.plan.kind === 'grant' && r.plan.roleAssignmentName === plan.roleAssignmentName);
  const watched = await Promise.all(same.map(async (r) => (await deps.jobs.get(watchJobId(r.id))) !== undefined));
  return same.filter((_, i) => watched[i]);
}

/**
 * Other active acrbot grants on the same role assignment (overlap: they keep it), but not the
 * extensions ending with this request (`ending`).
 */
export async function otherHolders(
  deps: LifecycleDeps,
  request: AccessRequest,
  plan: GrantPlan,
  ending: ReadonlySet<string> = new Set(),
): Promise<Holders> {
  const { holders, complete } = await holdersOf(deps, plan);
  return { holders: holders.filter((r) => r.id !== request.id && !ending.has(r.id)), complete };
}

/**
 * Whether an acrbot request created this role assignment (G15): this request's own record,
 * or an earlier acrbot request on the same assignment that created it (a later overlapping
 * request found it present and created nothing).
 */
export async function acrbotCreatedAssignment(
  deps: LifecycleDeps,
  request: AccessRequest,
  plan: GrantPlan,
): Promise<boolean> {
  // RoleAssignmentExists (`alreadyPresent`) created nothing, though the run recorded the
  // deterministic name before its PUT: the access exists under another name.
  const created = (r: AccessRequest) =>
    r.plan.kind === 'grant' &&
    r.plan.roleAssignmentName === plan.roleAssignmentName &&
    !r.outcome?.alreadyPresent &&
    ((r.created ?? []).some((c) => c.kind === 'roleAssignment' && c.name === plan.roleAssignmentName) ||
      (r.outcome !== undefined && (r.outcome.createdIds?.length ?? 0) > 0));
  if (created(request)) return true;
  // An extension created nothing (its original's assignment was there): the request it extends
  // says who made it, read directly rather than looked for in a registry's history, which is
  // read oldest first and only so far.
  let link = request;
  for (let hops = 0; link.extendsRequestId && hops < 10; hops++) {
    const extended = await deps.store.get(link.extendsRequestId);
    if (!extended) break;
    if (created(extended)) return true;
    link = extended;
  }
  const history = await deps.store.listByRegistry(plan.registry.id, ['succeeded', 'revoked'], 1000);
  return history.some(created);
}
