/**
 * Judging one role assignment Azure lists for a cluster's identity against one registry: whether
 * it covers the registry and carries pull, which acrbot grants its records prove made it (G15),
 * which of those hold it now, and its state.
 */
import type { RoleAssignmentInfo, RoleDefinitionInfo } from './azure-model';
import { namedAsAcrbotNames } from './acrbot-named';
import { createdAssignmentId } from './created-assignment';
import type {
  AccessState,
  AcrbotRequestRef,
  InventoryIdentity,
  InventoryRegistry,
  RoleAssignmentOrigin,
  RoleAssignmentPath,
} from './inventory-rows';
import { lostToRemake } from './made-again-since-drift';
import { madeAfterAccessEnded } from './made-after-access-ended';
import { outsideGrantFacts } from './outside-grant';
import { termOf, termRuns } from './pull-path-term';
import { roleCarriesPull } from './pull-permission';
import type { AccessRequest } from './request';
import { roleDefinitionGuid } from './resource-id';
import { scopeLevelOf } from './scope-level';

const lower = (s: string) => s.toLowerCase();

/**
 * One role assignment Azure lists for the cluster's identity (directly or through a group), judged
 * against `registry`: undefined when its scope does not cover the registry, its role is not in
 * `roles`, or the role carries no pull. `grantRequests` are the pair's grants, `sharedGrants` the
 * grants of other clusters to the same identity recorded at its id. `heldIds` names the pair's
 * grants behind it, held or left out as ended ({@link holdingRefs}): they are not shown again as
 * ended grants.
 */
export function assignmentPath(
  a: RoleAssignmentInfo,
  registry: InventoryRegistry,
  identity: InventoryIdentity | undefined,
  grantRequests: readonly AccessRequest[],
  sharedGrants: readonly AccessRequest[],
  roles: Map<string, RoleDefinitionInfo>,
  refOf: (r: AccessRequest) => AcrbotRequestRef,
): { path: RoleAssignmentPath; heldIds: string[] } | undefined {
  const scopeLevel = scopeLevelOf(a.scope, registry, a.listedIn);
  if (!scopeLevel) return undefined;
  const role = roles.get(roleDefinitionGuid(a.roleDefinitionId));
  if (!role) return undefined;
  const legacy = roleCarriesPull(role, 'LegacyRegistryPermissions');
  const abac = roleCarriesPull(role, 'AbacRepositoryPermissions');
  if (!legacy && !abac) return undefined;
  const honoured = registry.roleAssignmentMode === 'AbacRepositoryPermissions' ? abac : legacy;
  const recorded = grantRequests.filter((r) => recordsMade(r, a));
  const recordedShared = sharedGrants.filter((r) => recordsMade(r, a));
  // A grant whose own assignment was removed outside acrbot does not hold the one another grant
  // made again since (the lifecycle's rule, made-again-since-drift.ts): it is not behind this
  // one, and is shown as drifted, as before that grant came.
  const succeeded = [...recorded, ...recordedShared].filter((r) => r.state === 'succeeded');
  const holds = (r: AccessRequest) => !lostToRemake(r, succeeded);
  const mine = recorded.filter(holds);
  const behind = holdingRefs(
    mine.map(refOf),
    recordedShared.filter(holds).map((r) => ({ ...sharedRef(refOf(r)), clusterName: r.plan.cluster.name })),
  );
  const { own: refs, shared, ended } = behind;
  const origin: RoleAssignmentOrigin =
    refs.length || shared.length ? 'acrbot' : namedAsAcrbotNames(a) ? 'acrbotNamed' : 'outside';
  // Under acrbot's name, with no record proving it: made again since the grants at its id ended?
  const endedBefore = origin === 'acrbotNamed' ? endedBeforeMade(a, [...grantRequests, ...sharedGrants]) : [];
  // Made outside acrbot: Azure's record of when and by whom is the only answer to "how did they get it?".
  const madeOutside = origin === 'outside' ? outsideGrantFacts(a) : undefined;
  return {
    heldIds: mine.map((r) => r.id),
    path: {
      kind: 'roleAssignment',
      assignmentId: a.id,
      roleGuid: role.guid,
      roleName: role.roleName,
      scope: a.scope,
      scopeLevel,
      viaGroupId: identity && lower(a.principalId) !== lower(identity.objectId) ? a.principalId : undefined,
      conditional: Boolean(a.condition),
      honoured,
      // Only a record proves acrbot made it (G15); its name alone is a hint, shown as one.
      origin,
      requests: refs,
      ...(shared.length && { sharedRequests: shared }),
      ...(ended.length && { endedRequestIds: ended }),
      ...(endedBefore.length && a.createdOn && { endedRequestIds: endedBefore, createdOn: a.createdOn }),
      ...(madeOutside && { madeOutside }),
      state: assignmentState([...refs, ...shared]),
    },
  };
}

/**
 * Another cluster's grant as this cluster sees it, behind an assignment its identity holds: by
 * its term. Its drift is about its own cluster (which pulls as another identity now, say), while
 * the assignment, still in Azure, gives this one pull until that grant's end, when acrbot deletes
 * it: `check` must say "it ends with the grant for cluster X", not "no end date".
 */
function sharedRef(ref: AcrbotRequestRef): AcrbotRequestRef {
  if (ref.state !== 'drifted' || !ref.termState) return ref;
  const { driftDetectedAt: _seen, driftReason: _why, termState, ...rest } = ref;
  return { ...rest, state: termState };
}

/**
 * Whether `r`'s records say it made `a`, the assignment Azure lists now (G15): the id it recorded
 * is `a`'s, and, once it was revoked, Azure did not make `a` after its access ended
 * ({@link madeAfterAccessEnded}, the orphan watch's rule): the name is deterministic, so one made
 * since at that id is someone else's, and is shown as any assignment no record proves. A grant
 * still `succeeded` is not judged by the time, even while its revocation runs: that revocation
 * deletes what is at its id without asking when Azure made it (grant-revocation.ts), and the
 * answer must say what acrbot will do.
 */
function recordsMade(r: AccessRequest, a: RoleAssignmentInfo): boolean {
  if (lower(createdAssignmentId(r) ?? '') !== lower(a.id)) return false;
  return r.state !== 'revoked' || !madeAfterAccessEnded(a, r);
}

/**
 * The revoked grants among `grants` that recorded `a`'s id but whose access ended before Azure
 * made it ({@link recordsMade} refuses them): their ids, the one that ended last last.
 */
function endedBeforeMade(a: RoleAssignmentInfo, grants: readonly AccessRequest[]): string[] {
  const endOf = (r: AccessRequest) => r.access?.revokingSince ?? r.access?.revokedAt ?? '';
  return grants
    .filter(
      (r) => r.state === 'revoked' && lower(createdAssignmentId(r) ?? '') === lower(a.id) && madeAfterAccessEnded(a, r),
    )
    .sort((x, y) => endOf(x).localeCompare(endOf(y)))
    .map((r) => r.id)
    .filter((id, i, ids) => ids.indexOf(id) === i);
}

/**
 * The requests behind one existing assignment that hold it: while any one's term runs (live, or
 * drifted before its end: {@link termRuns}) or is being revoked (which still holds it until the
 * deletion finishes), only those, and how many ended ones were left out. With none holding it,
 * all of them: the assignment is still there after every one ended (acrbot is removing it,
 * {@link overdueEnd}), and which ran out and when is what the reader needs.
 */
function holdingRefs(
  own: AcrbotRequestRef[],
  shared: AcrbotRequestRef[],
): { own: AcrbotRequestRef[]; shared: AcrbotRequestRef[]; ended: string[] } {
  const holds = (r: AcrbotRequestRef) => termRuns(r) || Boolean(r.revokingSince);
  if (![...own, ...shared].some(holds)) return { own, shared, ended: [] };
  return {
    own: own.filter(holds),
    shared: shared.filter(holds),
    ended: [...own, ...shared].filter((r) => !holds(r)).map((r) => r.requestId),
  };
}

/**
 * An existing assignment works now; its acrbot requests say until when, by their terms (a drifted
 * one's too: acrbot deletes the assignment at its end). When they all ran out and acrbot has not
 * removed it yet (the sweeper's window, or a revocation that keeps failing), it is `expired`: it
 * still gives pull, but not for long (see {@link overdueEnd}).
 */
function assignmentState(refs: AcrbotRequestRef[]): AccessState {
  const live = refs.filter(termRuns);
  if (refs.length && live.length === 0 && refs.some((r) => termOf(r) === 'expired')) return 'expired';
  if (refs.length === 0 || live.length === 0) return 'active';
  return live.some((r) => termOf(r) === 'active') ? 'active' : 'expiring';
}
