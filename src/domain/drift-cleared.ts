/**
 * A drift mark that comes off: the grant's assignment stayed as acrbot made it and the change
 * outside acrbot that stopped it giving pull was undone (the cluster pulls as the granted identity
 * again, the registry's mode honours the granted role again). Only `identityChanged` and
 * `modeChanged` (drift-reason.ts): a `deleted` or `changed` assignment is the owner's removal and
 * stands (G15), whatever comes after. Positive evidence only: a cluster that reports no pull
 * identity, or a registry mode acrbot does not know, keeps the mark. Pure.
 */
import type { ClusterInfo, RegistryInfo } from './azure-model';
import type { DriftReason } from './drift-reason';
import { pullsAs } from './identity';
import type { AccessRequest } from './request';
import { rolesThatGrantPull, type RoleAssignmentMode } from './roles';

/** The drift reasons whose mark comes off once the change is undone: the assignment stayed intact. */
export const CLEARABLE_DRIFT: ReadonlySet<DriftReason> = new Set<DriftReason>(['identityChanged', 'modeChanged']);

const MODES: readonly RoleAssignmentMode[] = ['LegacyRegistryPermissions', 'AbacRepositoryPermissions'];

/** Whether `request` carries a drift mark that may come off ({@link CLEARABLE_DRIFT}). */
export function hasClearableDrift(request: AccessRequest): boolean {
  const { driftDetectedAt, driftReason } = request.access ?? {};
  return !!driftDetectedAt && !!driftReason && CLEARABLE_DRIFT.has(driftReason);
}

/**
 * Whether `request`'s grant gives its cluster pull again, as `cluster` and `registry` read now:
 * the cluster pulls as the identity it granted, and the registry's mode is one acrbot knows and
 * honours its role. Its assignment being intact is the caller's to have read.
 */
export function pullsAgain(request: AccessRequest, cluster: ClusterInfo, registry: RegistryInfo): boolean {
  const plan = request.plan;
  if (plan.kind !== 'grant') return false;
  // A service principal grant recorded without its app id cannot be compared: not evidence.
  if (!pullsAs(cluster, plan.identity)) return false;
  const mode = registry.roleAssignmentMode;
  return MODES.includes(mode) && rolesThatGrantPull(mode).includes(plan.role.id.toLowerCase());
}
