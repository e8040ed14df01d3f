/**
 * The inventory's join: Azure's role assignments and acrbot's records, gathered by the flow
 * (src/flows/access-inventory.ts), joined into cluster × registry cells. Pure, so chat and the tab
 * see exactly the same answer.
 */
import type { RoleAssignmentInfo, RoleDefinitionInfo } from './azure-model';
import { cellOf } from './access-cell';
import { requestRef } from './acrbot-request-ref';
import { createdAssignmentId } from './created-assignment';
import type { DriftFinding } from './drift-finding';
import type { DriftReason } from './drift-reason';
import { endedGrantPaths } from './ended-grant-path';
import type {
  AccessCell,
  AcrbotRequestRef,
  InventoryCluster,
  InventoryIdentity,
  InventoryRegistry,
  PullPath,
  TermState,
} from './inventory-rows';
import { isLiveRef } from './pull-path-term';
import { pullSecretPaths } from './pull-secret-path';
import type { AccessRequest } from './request';
import { assignmentPath } from './role-assignment-path';

const lower = (s: string) => s.toLowerCase();

/** Everything the pure join needs, gathered by the flow. */
export interface InventoryFacts {
  /**
   * Each cluster with the identity it pulls with; undefined when it could not be determined, and
   * then `identityProblem` says why.
   */
  clusters: { cluster: InventoryCluster; identity?: InventoryIdentity; identityProblem?: string }[];
  registries: InventoryRegistry[];
  /** Role assignments that apply to each identity (lowercase object id), direct or through groups. */
  assignmentsByIdentity: Map<string, RoleAssignmentInfo[]>;
  /** Role definitions by lowercase GUID; an assignment whose role is missing here is not counted. */
  roles: Map<string, RoleDefinitionInfo>;
  /** acrbot requests that gave access (see {@link gaveAccess}). */
  requests: AccessRequest[];
  /**
   * Drift seen while gathering these facts ({@link findDrift}) and not yet recorded: its live
   * requests show as drifted, with the reason, as they will once recorded.
   */
  drift?: readonly DriftFinding[];
  now: Date;
}

/**
 * Joins Azure's role assignments with acrbot's records into cells, one per cluster × registry
 * pair that has at least one way of pulling (live or ended). O(assignments + requests) per
 * cluster and registry pair touched; no I/O.
 */
export function buildCells(facts: InventoryFacts): AccessCell[] {
  const { now } = facts;
  const drifted = new Map((facts.drift ?? []).map((f) => [f.requestId, f.kind]));
  const ref = (r: AccessRequest) => driftedRef(requestRef(r, now), drifted.get(r.id));
  const registriesById = new Map(facts.registries.map((r) => [lower(r.id), r]));
  const requestsByPair = new Map<string, AccessRequest[]>();
  for (const r of facts.requests) {
    const key = `${lower(r.plan.cluster.id)}|${lower(r.plan.registry.id)}`;
    requestsByPair.set(key, [...(requestsByPair.get(key) ?? []), r]);
  }
  // Grants by the assignment acrbot's records say they created, from any cluster: a kubelet
  // identity several clusters share holds one assignment for all of them (G15: the record proves it).
  const grantsByAssignment = new Map<string, AccessRequest[]>();
  for (const r of facts.requests) {
    const id = createdAssignmentId(r);
    if (id) grantsByAssignment.set(lower(id), [...(grantsByAssignment.get(lower(id)) ?? []), r]);
  }
  const cells: AccessCell[] = [];
  for (const { cluster, identity, identityProblem } of facts.clusters) {
    const assignments = identity ? (facts.assignmentsByIdentity.get(lower(identity.objectId)) ?? []) : [];
    // Another cluster's grant to this very identity, behind an assignment this identity holds.
    const sharedGrants = (assignmentId: string) =>
      (grantsByAssignment.get(lower(assignmentId)) ?? []).filter(
        (r) =>
          r.plan.kind === 'grant' &&
          lower(r.plan.cluster.id) !== lower(cluster.id) &&
          identity !== undefined &&
          lower(r.plan.identity.objectId) === lower(identity.objectId),
      );
    for (const registry of registriesById.values()) {
      const requests = requestsByPair.get(`${lower(cluster.id)}|${lower(registry.id)}`) ?? [];
      const unknownIdentity = identity ? undefined : (identityProblem ?? 'its pull identity could not be determined');
      const paths = pathsFor(
        registry,
        identity,
        assignments,
        requests,
        sharedGrants,
        facts.roles,
        ref,
        unknownIdentity,
      );
      if (paths.length) cells.push(cellOf(cluster, registry, paths));
    }
  }
  return cells;
}

function pathsFor(
  registry: InventoryRegistry,
  identity: InventoryIdentity | undefined,
  assignments: RoleAssignmentInfo[],
  requests: AccessRequest[],
  sharedGrants: (assignmentId: string) => AccessRequest[],
  roles: Map<string, RoleDefinitionInfo>,
  refOf: (r: AccessRequest) => AcrbotRequestRef,
  unknownIdentity: string | undefined,
): PullPath[] {
  const paths: PullPath[] = [];
  const grantRequests = requests.filter((r) => r.plan.kind === 'grant');
  // Requests shown behind an assignment Azure lists; any other grant is shown as ended (or drifted).
  const held = new Set<string>();
  for (const a of assignments) {
    const judged = assignmentPath(a, registry, identity, grantRequests, sharedGrants(a.id), roles, refOf);
    if (!judged) continue;
    paths.push(judged.path);
    for (const id of judged.heldIds) held.add(id);
  }
  paths.push(...endedGrantPaths(grantRequests, held, identity, refOf, unknownIdentity));
  paths.push(...pullSecretPaths(requests, refOf));
  return paths;
}

/**
 * A live request's reference once drift was seen (`reason`) but not yet recorded: drifted, with
 * the reason, as {@link requestRef} reads it once recorded (the time comes with the record).
 */
function driftedRef(ref: AcrbotRequestRef, reason: DriftReason | undefined): AcrbotRequestRef {
  if (!reason || !isLiveRef(ref) || ref.revokingSince) return ref;
  return { ...ref, state: 'drifted', driftReason: reason, termState: ref.state as TermState };
}
