/**
 * The rows of the access inventory: how a cluster × registry pair can pull (a role assignment, an
 * acrbot pull secret, an acrbot grant whose assignment is gone), the acrbot request behind each,
 * and the states they are in. Chat (`access`, `check`) and the tab render these same types.
 * Types only; what fills them is inventory-cells.ts.
 */
import type { ClusterInfo, RegistryInfo } from './azure-model';
import type { DriftReason } from './drift-reason';
import type { SecretCredentialKind } from './plan';
import type { ScopeLevel } from './scope-level';

/**
 * State of one way of pulling, or of a cell:
 * - `active`: works now, no end within 7 days (or no end at all);
 * - `expiring`: works now, ends within 7 days;
 * - `expired`: acrbot access whose time ran out;
 * - `revoked`: acrbot access taken back (by a person or at expiry by the sweeper);
 * - `drifted`: acrbot access removed or changed outside acrbot;
 * - `unverified`: a live acrbot grant on a cluster whose pulling identity acrbot cannot determine,
 *   so whether the role assignment still exists for it, and gives pull, cannot be told.
 */
export type AccessState = 'active' | 'expiring' | 'expired' | 'revoked' | 'drifted' | 'unverified';

/** A request's own state: `unverified` is about a cluster's identity, never a request's record. */
export type RequestAccessState = Exclude<AccessState, 'unverified'>;

/** A cluster as the inventory names it. */
export type InventoryCluster = Pick<ClusterInfo, 'id' | 'name' | 'subscriptionId' | 'resourceGroup'>;

/** A registry as the inventory names it. */
export type InventoryRegistry = Pick<
  RegistryInfo,
  | 'id'
  | 'name'
  | 'subscriptionId'
  | 'resourceGroup'
  | 'loginServer'
  | 'roleAssignmentMode'
  | 'network'
  | 'provisioningState'
  | 'location'
  | 'dataEndpointEnabled'
>;

/** The identity a cluster pulls with (PRODUCT facts: kubelet identity, or the cluster's service principal). */
export interface InventoryIdentity {
  kind: 'kubelet' | 'servicePrincipal';
  objectId: string;
  appId?: string;
  description: string;
}

/** The acrbot request behind a way of pulling: the store's record is the proof (G15). */
export interface AcrbotRequestRef {
  requestId: string;
  requesterName: string;
  requesterId: string;
  /** Who approved it; absent for break-glass, which nobody approved ({@link startedAsBreakGlassBy}). */
  approvedBy?: string;
  approvedAt?: string;
  /** A break-glass grant: its requester ran it at once, without approval. */
  startedAsBreakGlassBy?: string;
  /**
   * A live grant's grant time, at the latest (listing-lag.ts `grantedBy`), while Azure's listing
   * may not show its role assignment yet (less than LISTING_LAG_GRACE_MS ago); absent after, and
   * on every other request. Not its approval: a break-glass grant has none, and a run may start
   * long after one.
   */
  grantedAt?: string;
  /** When the access ends; undefined = no end. */
  expiresAt?: string;
  /**
   * A pull secret whose credential expires before its access term ends (or a permanent one's):
   * this, also `expiresAt`, is when pulls with it stop; acrbot does not renew the credential.
   */
  credentialExpiresAt?: string;
  /** Why there is no end: `permanent` (--for permanent) or `beforeTimeBoxing` (granted before durations existed). */
  noExpiry?: 'permanent' | 'beforeTimeBoxing';
  state: RequestAccessState;
  revokedAt?: string;
  revokedBy?: string;
  driftDetectedAt?: string;
  /** Why, when recorded (absent on requests marked before reasons were). */
  driftReason?: DriftReason;
  /**
   * With state `drifted` only: where its term stands. A drifted grant is still `succeeded`, and
   * acrbot ends it at its end all the same, deleting its role assignment if that is still there
   * (the lifecycle counts it among the assignment's holders until then): an assignment still in
   * Azure is held by it, and ends with it ({@link termRuns}), unless another grant made that
   * assignment again since its drift ({@link lostToRemake}).
   */
  termState?: TermState;
  /** Set once a revocation began deleting (it still pulls until the retry finishes). */
  revokingSince?: string;
  /**
   * A live grant (not drifted, not being revoked) whose cluster the drift check read gone
   * (`access.clusterGoneAt`, cluster-gone.ts): it gives nothing, and `access` badges it so.
   */
  clusterGoneAt?: string;
  /**
   * A revoked grant whose revocation met the registry gone from its id and scheduled acrbot's
   * watch (flows/orphan-watch.ts; recorded as `access.orphanWatchUntil`), while that watch runs:
   * until when it would delete the role assignment Azure kept there, should it be found still there.
   */
  watchedUntil?: string;
  /**
   * Set when the request was made for another cluster that pulls with the same identity (one
   * user-assigned kubelet identity can serve several clusters): that cluster's name.
   */
  clusterName?: string;
}

/** Where a term ending at `end` (undefined: no end) stands at `now`. */
export type TermState = 'active' | 'expiring' | 'expired';

/** Who made a role assignment, as far as acrbot can tell: see {@link RoleAssignmentPath.origin}. */
export type RoleAssignmentOrigin = 'acrbot' | 'acrbotNamed' | 'outside';

/** A role assignment of the cluster's identity that covers the registry and whose role carries pull. */
export interface RoleAssignmentPath {
  kind: 'roleAssignment';
  assignmentId: string;
  roleGuid: string;
  roleName: string;
  scope: string;
  scopeLevel: ScopeLevel;
  /** Group through which the identity holds it (assignedTo is transitive), when not direct. */
  viaGroupId?: string;
  /** True when the assignment has an ABAC condition (e.g. only some repositories). */
  conditional: boolean;
  /** False when the registry's mode ignores the role (AcrPull on an ABAC-mode registry). */
  honoured: boolean;
  /**
   * `acrbot` when a request in the store created it; `acrbotNamed` when no record refers to it
   * but its name is the one acrbot derives for its scope, principal and role
   * ({@link namedAsAcrbotNames}: a store switched or restored leaves acrbot's grants so); else
   * `outside`. Only `acrbot` is proof (G15): nothing acts on `acrbotNamed`, which anyone could
   * make, and it is shown, revoked and ended exactly as `outside` is, only named differently.
   */
  origin: RoleAssignmentOrigin;
  /** The acrbot requests of this cluster behind it (several when grants overlap). */
  requests: AcrbotRequestRef[];
  /**
   * acrbot requests made for other clusters that pull with the same identity, behind the same
   * assignment: this cluster pulls through their grant, and loses it when they end. Kept apart
   * from `requests`, which name this cell's own requests only (the tab keys rows by them).
   */
  sharedRequests?: AcrbotRequestRef[];
  /**
   * acrbot requests behind the assignment whose access ended, left out of `requests` and
   * `sharedRequests` while a live one holds it: the assignment's name is deterministic, so every
   * re-grant of the role to the identity makes the same one, and the ended grants would otherwise
   * read as holding it (and grow its line without bound): cards say only how many. Their ids, so
   * that a reader of one tenant counts only their own (tenant-boundary.ts). Absent when none was
   * left out. On an assignment of origin `acrbotNamed`: the revoked grants that recorded its id
   * but whose access ended before Azure made it ({@link madeAfterAccessEnded}), the one that
   * ended last last, named by {@link acrbotNamedText} (kept here so the tenant boundary leaves
   * out another tenant's).
   */
  endedRequestIds?: string[];
  /** When Azure made it (`createdOn`), with `endedRequestIds` on an `acrbotNamed` assignment only. */
  createdOn?: string;
  /**
   * With origin `outside` only: what Azure's listing says of when and by whom it was made
   * (`properties.createdOn`, `properties.createdBy`, an object id), each when ARM gave a usable
   * one (outside-grant.ts). Azure's word, unverified: shown as user text, never acted on.
   */
  madeOutside?: OutsideGrantFacts;
  state: AccessState;
}

/** When and by whom Azure says a role assignment made outside acrbot was made. */
export interface OutsideGrantFacts {
  /** ISO 8601, as ARM gave it. */
  on?: string;
  /** An object id (user, service principal, managed identity), as ARM gave it, cleaned of control characters. */
  by?: string;
}

/** An acrbot pull secret in one namespace of the cluster. */
export interface PullSecretPath {
  kind: 'pullSecret';
  namespace: string;
  secretName: string;
  credentialKind: SecretCredentialKind;
  /**
   * Service accounts of the namespace whose `imagePullSecrets` list it, by acrbot's records: pods
   * running as them use it without referencing it.
   */
  serviceAccounts?: string[];
  request: AcrbotRequestRef;
  state: AccessState;
}

/**
 * An acrbot grant whose role assignment is no longer in Azure (revoked, expired or drifted), or
 * a live one acrbot cannot look for (`unverified`: the cluster's identity is unknown).
 */
export interface EndedGrantPath {
  kind: 'endedGrant';
  assignmentId: string;
  roleName: string;
  scope: string;
  request: AcrbotRequestRef;
  state: AccessState;
  /** With state `unverified`: why the cluster's identity could not be determined. */
  unverifiedBecause?: string;
}

/** One way a cluster pulls (or pulled) from a registry. */
export type PullPath = RoleAssignmentPath | PullSecretPath | EndedGrantPath;

/** A cluster × registry pair with every way of pulling. */
export interface AccessCell {
  cluster: InventoryCluster;
  registry: InventoryRegistry;
  paths: PullPath[];
  /** The best live state, else the most telling ended one (drifted, expired, revoked). */
  state: AccessState;
  /** The cluster's nodes (or a namespace through a secret) can pull now. */
  canPull: boolean;
  /** Latest end of the live ways of pulling; undefined when one of them has no end, or none is live. */
  expiresAt?: string;
  /**
   * Set when no network reaches the registry (`check`'s words, registry-reach.ts): its ways of
   * pulling do not count, and `canPull` is false.
   */
  unreachable?: string;
  /**
   * Anonymous pull is on and the registry can be reached: the cluster pulls without any of its
   * paths (`check`'s words), and `canPull` is true.
   */
  anonymousPull?: string;
  /**
   * Set when the network lets the cluster in only on a condition acrbot cannot see (an allowed
   * outbound IP or subnet, a private endpoint; `check`'s warning, registry-reach.ts): `canPull`
   * then holds only if that does.
   */
  networkCondition?: string;
  /**
   * Set when the registry's admin user is on (`check`'s sentence, registry-reach.ts): its password
   * pulls whatever the cell's paths say. Network facts like the three above: left off ended access.
   */
  adminUser?: string;
}
