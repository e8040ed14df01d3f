/**
 * Finding drift: acrbot grants that no longer give their cluster pull though acrbot did not end
 * them. The sweeper and `access`/`check` both find it here, so both record the same reason and
 * the same words.
 */
import type { ClusterInfo, RegistryInfo, RoleAssignmentInfo } from './azure-model';
import { createdAssignmentId } from './created-assignment';
import { modeName, pullIdentityChange, registryModeChange, type DriftReason } from './drift-reason';
import type { GrantPlan } from './plan';
import type { AccessRequest } from './request';
import { roleDefinitionGuid } from './resource-id';

const lower = (s: string) => s.toLowerCase();

/** An acrbot grant found removed or changed outside acrbot. */
export interface DriftFinding {
  requestId: string;
  assignmentId: string;
  /**
   * `deleted`/`changed` from the assignment; `identityChanged`/`modeChanged` when it is intact but
   * no longer serves (compared with the cluster and registry as read now).
   */
  kind: DriftReason;
  /** Plain description for the audit detail and the card. */
  detail: string;
}

/**
 * What `findDrift` may also compare an intact assignment with: the cluster and registries as
 * read now. Without them it finds only what the assignments themselves show (`deleted`,
 * `changed`), as the sweeper's first pass does.
 */
export interface DriftContext {
  /**
   * The cluster whose `access`/`check` this is: its own grants made for another identity than
   * the one it pulls with now are `identityChanged` (grants of other clusters sharing the
   * identity are not compared: their cluster was not read).
   */
  cluster?: ClusterInfo;
  /** Registries as read now: an intact grant on one whose mode ignores its role is `modeChanged`. */
  registries?: readonly RegistryInfo[];
}

/**
 * acrbot grants that no longer give their cluster pull though acrbot did not end them (drift,
 * src/domain/drift-reason.ts). `assignments` are the current assignments of the identity
 * `identityObjectId` (undefined: not known, so none were listed), `requests` acrbot grants; only
 * live ones (succeeded, no revocation begun, not yet marked) are looked at. A grant to that
 * identity whose assignment is gone is `deleted`, changed `changed`; an intact one that no
 * longer serves, or one made for another identity of `context.cluster`, is found as the sweeper
 * finds it ({@link identityDrift}, {@link modeDrift}): same reason, same words.
 */
export function findDrift(
  identityObjectId: string | undefined,
  assignments: RoleAssignmentInfo[],
  requests: AccessRequest[],
  context: DriftContext = {},
): DriftFinding[] {
  const byId = new Map(assignments.map((a) => [lower(a.id), a]));
  const registries = new Map((context.registries ?? []).map((g) => [lower(g.id), g]));
  // Only the cluster that was read: another cluster sharing the identity may have moved on too,
  // but comparing it needs its own read (the sweeper's, or its own `access`).
  const clusterNow = (r: AccessRequest) =>
    context.cluster && lower(r.plan.cluster.id) === lower(context.cluster.id) ? context.cluster : undefined;
  const out: DriftFinding[] = [];
  for (const r of requests) {
    if (r.state !== 'succeeded' || r.plan.kind !== 'grant' || r.access?.driftDetectedAt) continue;
    // A revocation that began deletes the assignment itself: not drift (the sweeper skips it too).
    if (r.access?.revokingSince) continue;
    const id = createdAssignmentId(r);
    if (!id) continue;
    const cluster = clusterNow(r);
    if (identityObjectId === undefined || lower(r.plan.identity.objectId) !== lower(identityObjectId)) {
      // Made for an identity whose assignments were not listed: whether its assignment is intact
      // is not known here, only that the cluster pulls as another identity now (the record is
      // confirmed on the registry first, where a gone assignment reads `deleted`, as the sweeper has it).
      const moved = cluster && identityDrift(r, cluster);
      if (moved) out.push(moved);
      continue;
    }
    const found = byId.get(lower(id));
    if (!found) {
      out.push({
        requestId: r.id,
        assignmentId: id,
        kind: 'deleted',
        detail: `role assignment ${id.split('/').pop()} (${r.plan.role.name} on ${r.plan.registry.name}) was deleted outside acrbot`,
      });
    } else if (
      roleDefinitionGuid(found.roleDefinitionId) !== lower(r.plan.role.id) ||
      lower(found.principalId) !== lower(r.plan.identity.objectId) ||
      found.condition
    ) {
      out.push({
        requestId: r.id,
        assignmentId: id,
        kind: 'changed',
        detail: `role assignment ${id.split('/').pop()} on ${r.plan.registry.name} was changed outside acrbot${found.condition ? ' (a condition was added)' : ''}`,
      });
    } else {
      // Intact: in the sweeper's order, the identity before the mode.
      const registry = registries.get(lower(r.plan.registry.id));
      const serves = (cluster && identityDrift(r, cluster)) || (registry && modeDrift(r, registry));
      if (serves) out.push(serves);
    }
  }
  return out;
}

/** "role assignment NAME (ROLE on REGISTRY)", as drift findings name it. */
function assignmentWords(plan: GrantPlan, assignmentId: string): string {
  return `role assignment ${assignmentId.split('/').pop()} (${plan.role.name} on ${plan.registry.name})`;
}

/**
 * `identityChanged` when `cluster` (as read now) pulls as another identity than the one
 * `request` granted; undefined when it does not, or when that cannot be told (see
 * {@link pullIdentityChange}: a cluster mid-update reporting no kubelet identity is not drift).
 * The sweeper and `access`/`check` both find it here, so both record the same words.
 */
export function identityDrift(request: AccessRequest, cluster: ClusterInfo): DriftFinding | undefined {
  const assignmentId = createdAssignmentId(request);
  if (request.plan.kind !== 'grant' || !assignmentId) return undefined;
  const plan = request.plan;
  const pullsAs = pullIdentityChange(plan, cluster);
  if (!pullsAs) return undefined;
  return {
    requestId: request.id,
    assignmentId,
    kind: 'identityChanged',
    detail: `cluster ${plan.cluster.name} now pulls as ${pullsAs}, not ${plan.identity.objectId}; ${assignmentWords(plan, assignmentId)} is intact but no longer gives it pull`,
  };
}

/**
 * `modeChanged` when `registry` (as read now) uses a role assignment mode that ignores the role
 * `request` assigned; undefined while it honours it, or when its mode is unknown (cannot tell).
 */
export function modeDrift(request: AccessRequest, registry: RegistryInfo): DriftFinding | undefined {
  const assignmentId = createdAssignmentId(request);
  if (request.plan.kind !== 'grant' || !assignmentId) return undefined;
  const plan = request.plan;
  const mode = registryModeChange(plan, registry);
  if (!mode) return undefined;
  return {
    requestId: request.id,
    assignmentId,
    kind: 'modeChanged',
    detail: `registry ${plan.registry.name} now uses ${modeName(mode)}, which ignores ${plan.role.name}; ${assignmentWords(plan, assignmentId)} is intact but no longer gives pull`,
  };
}
