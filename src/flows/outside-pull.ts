/**
 * At a grant's end (its notice, and the revoke confirmation before it): the role assignments
 * acrbot did not make through which the cluster can still pull from the registry (an AcrPull on
 * the registry's resource group from Terraform or Azure Policy, a custom role with pull). acrbot
 * deletes only its own assignment, so without this the requester and the approvers read "revoked"
 * while the cluster keeps pulling, as `check` would show them. The same read of the registry
 * that gives its mode says whether anonymous pull or the admin user lets pulls in whatever roles
 * say (`check` reports both), said with them.
 */
import type { RoleAssignmentInfo } from '../domain/azure-model';
import type { OutsideWays, RegistryOpen } from '../domain/audit-end-words';
import { namedAsAcrbotNames } from '../domain/access-inventory';
import { registryReach } from '../domain/registry-reach';
import type { GrantPlan } from '../domain/plan';
import type { AccessRequest } from '../domain/request';
import type { RoleAssignmentMode } from '../domain/roles';
import type { LifecycleDeps } from './access-lifecycle-deps';
import { type PlanningReads, pullingAssignmentsAt } from './grant-planner';
import { untilAborted } from './late-listings';
import { RoleDefinitions } from './role-definitions';

/**
 * One {@link RoleDefinitions} per port, so built-in roles are read once per process here too
 * (as the planner reads them), and an end costs the registry's read and the listing alone.
 */
const definitionsOf = new WeakMap<object, RoleDefinitions>();

/**
 * The assignments not made by acrbot through which the grant's identity can still pull from its
 * registry (`pulls`), and what the registry itself lets in (`open`: anonymous pull, the admin
 * user, from the registry's read in {@link modeNow}; absent when neither is on, or the registry
 * was not read): one listing of
 * the identity's pull-carrying assignments there, judged as planning and
 * `check` judge them ({@link pullingAssignmentsAt}), through the lifecycle's `pullReads` (none:
 * nothing is said), in the registry's mode as read now ({@link modeNow}). One with a condition
 * (an ABAC repository limit) is listed too, `conditioned`: `check` counts it as pulling some
 * repositories. `except`: one the caller already names (a grant that met its assignment in place
 * says it stays). Undefined for a secret, and when the listing failed: logged, never thrown, since
 * it must not hold up an end (and the revoke card must not change on a passing failure); nothing
 * extra is then said (see docs/lifecycle.md). `signal` (an end's listing awaited in the background,
 * access-end-notice.ts): once it aborts, no further read starts and none is waited for, and the
 * promise rejects with its reason instead (the caller leaves the end to its net: said later, not
 * unsaid).
 */
export async function outsidePulls(
  deps: Pick<LifecycleDeps, 'settings' | 'log'>,
  request: AccessRequest,
  except?: (a: RoleAssignmentInfo) => boolean,
  signal?: AbortSignal,
): Promise<OutsideWays | undefined> {
  if (request.plan.kind !== 'grant') return undefined;
  const plan = request.plan;
  const reads = deps.settings.pullReads;
  if (!reads) return undefined;
  let definitions = definitionsOf.get(reads);
  if (!definitions) {
    definitions = new RoleDefinitions((s, guid) => reads.getRoleDefinition(s, guid));
    definitionsOf.set(reads, definitions);
  }
  try {
    const now = await modeNow(deps, request, plan, signal);
    const registry = { ...plan.registry, roleAssignmentMode: now.mode };
    // The role definitions' reads (after the listing) go through the shared cache, unbounded:
    // the whole judgement is raced with the signal, so it is not waited for past it either.
    const { pulling, limited } = await untilAborted(signal, () =>
      pullingAssignmentsAt(boundedBy(reads, signal), definitions, registry, plan.identity.objectId, {
        limited: true,
      }),
    );
    const identity = plan.identity.objectId.toLowerCase();
    const listed = [
      ...pulling.map((p) => ({ ...p, conditioned: false })),
      ...limited.map((p) => ({ ...p, conditioned: true })),
    ];
    // One under the name acrbot would give it (for this grant or another of the same identity)
    // is acrbot's: its records hold it. Any other name was given outside acrbot.
    const pulls = listed
      .filter(({ assignment }) => !namedAsAcrbotNames(assignment) && !except?.(assignment))
      .map(({ assignment, roleName, conditioned }) => ({
        role: roleName,
        scope: assignment.scope,
        ...(assignment.principalId.toLowerCase() !== identity && { group: assignment.principalId }),
        ...(conditioned && { conditioned }),
      }));
    return { pulls, ...(now.open && { open: now.open }) };
  } catch (err) {
    if (signal?.aborted) throw err;
    deps.log.warn(
      { err, requestId: request.id, registryId: plan.registry.id },
      'listing what else lets the cluster pull failed; the end is told without it',
    );
    return undefined;
  }
}

/** `reads`, each call starting only while `signal` has not aborted and waited for only until it does. */
function boundedBy(reads: PlanningReads, signal: AbortSignal | undefined): PlanningReads {
  if (!signal) return reads;
  return {
    listAssignedToAt: (scope, objectId) => untilAborted(signal, () => reads.listAssignedToAt(scope, objectId)),
    getRoleDefinition: (scope, guid) => untilAborted(signal, () => reads.getRoleDefinition(scope, guid)),
  };
}

/**
 * The registry's role assignment mode, as `check` judges it, and what it lets in whatever roles
 * say (`open`, from the same read: {@link registryReach}'s anonymous pull and admin user, only
 * when something can reach it; absent when neither is on or it was not read): read now
 * (`registryReads`), since a
 * registry switched to ABAC since the plan honours Container Registry Repository Reader and no
 * longer AcrPull. When it cannot be read (no reader wired, a failed read, not found), the plan's
 * mode, flipped when drift recorded the switch (`modeChanged`: the registry's mode no longer
 * honours the plan's role, and there are two modes). `signal`: as {@link outsidePulls}'s; once it
 * aborts, the read is not waited for and its reason is thrown.
 */
async function modeNow(
  deps: Pick<LifecycleDeps, 'settings' | 'log'>,
  request: AccessRequest,
  plan: GrantPlan,
  signal?: AbortSignal,
): Promise<{ mode: RoleAssignmentMode; open?: RegistryOpen }> {
  const registry = plan.registry;
  const read = deps.settings.registryReads;
  if (read) {
    try {
      const now = await untilAborted(signal, () =>
        read.getRegistry(registry.subscriptionId, registry.resourceGroup, registry.name),
      );
      // Its id too: a registry of that name made again elsewhere is not the one the plan recorded.
      if (now && now.id.toLowerCase() === registry.id.toLowerCase()) {
        const reach = registryReach(now, now.network);
        const open: RegistryOpen = {
          ...(reach.anonymous && { anonymous: true }),
          // Its password pulls only once something can reach the registry, as `check` says.
          ...(reach.adminUserText && !reach.unreachable && { adminUser: true }),
        };
        return { mode: now.roleAssignmentMode, ...(Object.keys(open).length > 0 && { open }) };
      }
    } catch (err) {
      if (signal?.aborted) throw err;
      deps.log.warn(
        { err, requestId: request.id, registryId: registry.id },
        "reading the registry's mode at the end failed; what else lets the cluster pull is judged in the plan's",
      );
    }
  }
  const planned: RoleAssignmentMode =
    registry.roleAssignmentMode === 'AbacRepositoryPermissions'
      ? 'AbacRepositoryPermissions'
      : 'LegacyRegistryPermissions';
  if (request.access?.driftReason !== 'modeChanged') return { mode: planned };
  return {
    mode: planned === 'AbacRepositoryPermissions' ? 'LegacyRegistryPermissions' : 'AbacRepositoryPermissions',
  };
}
