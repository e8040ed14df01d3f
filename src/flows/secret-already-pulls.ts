/**
 * Whether a planned pull secret's cluster already pulls from its registry through its kubelet
 * identity ({@link AlreadyPulls}): the pair's live acrbot grants for that identity, confirmed by
 * one ARM list of its pull assignments on the registry, and an assignment there that no acrbot
 * record holds (made outside acrbot). The secret planner reads it alongside its plan.
 */
import { namedAsAcrbotNames } from '../domain/acrbot-named';
import type { ClusterInfo, RegistryInfo, RoleAssignmentInfo } from '../domain/azure-model';
import type { RoleAssignmentPort } from '../domain/ports';
import { type AccessRequest, isBeingRevoked } from '../domain/request';
import type { Logger } from '../observability/logger';
import { isActive } from './access-term';
import { directPullAssignments } from './grant-planner';
import { settleWithin } from './settle-within';

/**
 * What already let a planned secret's cluster pull from its registry when it was planned, with
 * its kubelet identity (`SecretPlanner.planRequest`): the pair's live acrbot grants, and the id
 * of an assignment that no acrbot record holds (made outside acrbot). Empty when none did, or
 * the cluster has no kubelet identity.
 */
export interface AlreadyPulls {
  grants: AccessRequest[];
  outside?: string;
}

/** A managed-identity cluster's kubelet identity (its object id), the one that pulls images; none otherwise. */
export function kubeletObjectIdOf(cluster: ClusterInfo): string | undefined {
  const type = cluster.identity.identityType?.toLowerCase();
  return type === 'systemassigned' || type === 'userassigned' ? cluster.identity.kubeletObjectId : undefined;
}

/**
 * The kubelet identity's pull assignments on the registry, at or above it (one ARM list:
 * grant-planner.ts `directPullAssignments`, no role definition read), or undefined when the
 * read fails: a hint, so the plan goes on without it (logged at debug). Never rejects.
 */
export function pullingAssignments(
  roleAssignments: RoleAssignmentPort,
  registry: Pick<RegistryInfo, 'id' | 'roleAssignmentMode'>,
  objectId: string,
  log?: Partial<Pick<Logger, 'debug'>>,
): Promise<RoleAssignmentInfo[] | undefined> {
  return Promise.resolve()
    .then(() => directPullAssignments(roleAssignments, registry.id, objectId, registry.roleAssignmentMode))
    .then(
      (found) => found.pulling,
      (err: unknown) => {
        log?.debug?.(
          { err, registryId: registry.id },
          "reading whether a pull secret's cluster already pulls failed; planned without saying so",
        );
        return undefined;
      },
    );
}

/**
 * {@link AlreadyPulls} for a plan (`kubelet`: its cluster's kubelet identity, none without one),
 * from the pair's succeeded requests (`listed`) and the ARM list (`reading`) when it answered
 * within `waitMs` ({@link alreadyPullsFrom}). Never rejects.
 */
export async function alreadyPulls(
  kubelet: string | undefined,
  listed: readonly AccessRequest[],
  reading: Promise<RoleAssignmentInfo[] | undefined>,
  waitMs: number,
  now: Date,
): Promise<AlreadyPulls> {
  if (!kubelet) return { grants: [] };
  const got = await settleWithin(reading, waitMs);
  return alreadyPullsFrom(kubelet, listed, got.late ? undefined : got.value, now);
}

/**
 * Pure: {@link AlreadyPulls} from the pair's succeeded requests (`listed`) and the kubelet
 * identity's pulling assignments (`pulling`; undefined when the list failed or came late).
 *
 * The grants are the live ones for that identity: active, not being revoked, not marked drifted
 * (their end is the one they were given); with the list, only those whose assignment it shows.
 *
 * An assignment is acrbot's when any grant of the pair the store lists holds it (its record names
 * it, whatever that grant's state: G15, acrbot's records decide). One held only by a grant that
 * is not live (drifted, past its end, being revoked) is neither a live grant nor outside: its
 * revocation removes it, or the drift mark says what became of it, so the card says nothing of
 * it. `outside` is the first pulling assignment no record of the pair holds and that is not
 * named as acrbot names its grants (acrbot-named.ts): one so named may be an acrbot grant of
 * another cluster with the same kubelet identity, or one a revoked grant left behind, which the
 * pair's records cannot tell from a store switched; a name is a hint, so it is said to be neither
 * acrbot's nor made outside acrbot, and is not recorded.
 */
export function alreadyPullsFrom(
  kubelet: string,
  listed: readonly AccessRequest[],
  pulling: readonly RoleAssignmentInfo[] | undefined,
  now: Date,
): AlreadyPulls {
  const grantsOfPair = listed.filter((r) => r.plan.kind === 'grant');
  const live = grantsOfPair.filter(
    (r) =>
      r.plan.kind === 'grant' &&
      r.plan.identity.objectId.toLowerCase() === kubelet.toLowerCase() &&
      isActive(r, now) &&
      !isBeingRevoked(r) &&
      !r.access?.driftDetectedAt,
  );
  if (!pulling) return { grants: live };
  const shown = new Set(pulling.map((a) => a.name.toLowerCase()));
  const grants = live.filter((r) => shown.has(assignmentNameOf(r)));
  const recorded = new Set(grantsOfPair.map(assignmentNameOf));
  const outside = pulling.find((a) => !recorded.has(a.name.toLowerCase()) && !namedAsAcrbotNames(a));
  return { grants, ...(outside && { outside: outside.id }) };
}

/** The name of the role assignment a grant's record says it holds, lower case ('' for a secret). */
function assignmentNameOf(r: AccessRequest): string {
  return r.plan.kind === 'grant' ? r.plan.roleAssignmentName.toLowerCase() : '';
}
