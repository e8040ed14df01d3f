/**
 * Why an acrbot grant no longer gives its cluster pull although acrbot did not end it (drift):
 * its role assignment was deleted or changed outside acrbot, or the assignment is intact but no
 * longer serves — the cluster pulls as another identity now, or the registry's role assignment
 * mode no longer honours the granted role. The reason is recorded on the request
 * (`access.driftReason`), is the outcome of its `access.drift` audit entry, and is worded on its
 * cards. acrbot acts on none of them on its own (G15): the new identity, or the role the new mode
 * honours, is granted only by a new request an approver decides. Pure.
 */
import type { ClusterInfo, RegistryInfo } from './azure-model';
import { choosePullIdentity } from './identity';
import type { GrantPlan } from './plan';
import { rolesThatGrantPull, type RoleAssignmentMode } from './roles';

/**
 * - `deleted`: the assignment is gone; `changed`: its role or principal changed, or it gained a
 *   condition (read from the assignment itself).
 * - `identityChanged`: the assignment is intact, but the cluster pulls as another identity now
 *   (`az aks update --assign-kubelet-identity`, `az aks update-credentials
 *   --reset-service-principal`, the cluster re-created under the same name).
 * - `modeChanged`: the assignment is intact, but the registry's role assignment mode now ignores
 *   its role (AcrPull once the registry uses ABAC repository permissions, or the reverse).
 */
export type DriftReason = 'deleted' | 'changed' | 'identityChanged' | 'modeChanged';

const MODES: readonly RoleAssignmentMode[] = ['LegacyRegistryPermissions', 'AbacRepositoryPermissions'];

/**
 * The identity `cluster` pulls with now, in words, when it is not the one `plan` granted;
 * undefined when it is, or when it cannot be told without more reads. Unknowable is not drift:
 * a managed-identity cluster that reports no kubelet identity (mid-update), or a service
 * principal grant recorded without its app id (comparing would need a Graph read).
 */
export function pullIdentityChange(plan: GrantPlan, cluster: ClusterInfo): string | undefined {
  let now: ReturnType<typeof choosePullIdentity>;
  try {
    now = choosePullIdentity(cluster);
  } catch {
    return undefined;
  }
  if (now.kind === 'kubelet')
    return same(now.objectId, plan.identity.objectId) ? undefined : `kubelet identity ${now.objectId}`;
  // A service principal is known on the cluster by its app id only; the plan recorded both.
  if (plan.identity.kind === 'servicePrincipal') {
    if (!plan.identity.appId || same(plan.identity.appId, now.appId)) return undefined;
  }
  return `service principal ${now.appId}`;
}

/**
 * The registry's mode when it no longer honours the role `plan` assigned; undefined while it
 * does, or when ARM reported a mode acrbot does not know (cannot tell).
 */
export function registryModeChange(plan: GrantPlan, registry: RegistryInfo): RoleAssignmentMode | undefined {
  const mode = registry.roleAssignmentMode;
  if (!MODES.includes(mode)) return undefined;
  return rolesThatGrantPull(mode).includes(plan.role.id.toLowerCase()) ? undefined : mode;
}

/** A mode as the portal names it. */
export function modeName(mode: RoleAssignmentMode): string {
  return mode === 'AbacRepositoryPermissions'
    ? '"RBAC Registry + ABAC Repository Permissions"'
    : '"RBAC Registry Permissions"';
}

/**
 * What happened, for cards ("Access: … on <time>"): lowercase, no full stop. A request marked
 * before reasons were recorded reads as before.
 */
export function driftWords(reason: DriftReason | undefined): string {
  switch (reason) {
    case 'identityChanged':
      return 'no longer gives pull: the cluster pulls as another identity now';
    case 'modeChanged':
      return "no longer gives pull: the registry's role assignment mode changed and ignores this role";
    default:
      return 'removed outside acrbot';
  }
}

/** What acrbot did not do about it (G15), after a semicolon: lowercase, no full stop. */
export function driftNotDone(reason: DriftReason | undefined, tense: 'did' | 'does' = 'did'): string {
  switch (reason) {
    case 'identityChanged':
      return `acrbot ${tense} not grant the new identity`;
    case 'modeChanged':
      return `acrbot ${tense} not assign the role the new mode honours`;
    default:
      return `acrbot ${tense} not re-create it`;
  }
}

function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
