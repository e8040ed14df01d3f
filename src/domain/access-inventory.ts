/**
 * The access inventory's data: which clusters can pull from which registries, by which ways
 * (role assignments made by acrbot or outside it, acrbot's pull secrets), and in which state.
 * Chat (`access`, `check`) and the tab render these same types; the join below is pure so both
 * see exactly the same answer. The I/O lives in `src/flows/access-inventory.ts`.
 */
import type { ClusterInfo, RegistryInfo, RoleAssignmentInfo, RoleDefinitionInfo } from './azure-model';
import { modeName, pullIdentityChange, registryModeChange, type DriftReason } from './drift-reason';
import { type GrantPlan, plannedAssignmentId, type SecretCredentialKind } from './plan';
import { roleCarriesPull } from './pull-permission';
import { registryReach } from './registry-reach';
import { roleAssignmentName } from './identifiers';
import { lostToRemake } from './made-again-since-drift';
import { madeAfterAccessEnded } from './made-after-access-ended';
import { isBeingRevoked, type AccessRequest } from './request';
import { acrbotServiceAccountEntries } from './secret-ownership';
import { roleDefinitionGuid, scopeCovers } from './resource-id';

/** A way of pulling is "expiring" when it ends within this window (issue #15: 7 days). */
export const EXPIRING_WITHIN_MS = 7 * 24 * 60 * 60 * 1000;

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

/** Who made a role assignment, as far as acrbot can tell: see {@link RoleAssignmentPath.origin}. */
export type RoleAssignmentOrigin = 'acrbot' | 'acrbotNamed' | 'outside';

/**
 * How chat and the tab name an assignment of origin `acrbotNamed`: a hint that acrbot made it,
 * never proof, so acrbot leaves it alone and says where the operator reads what to do.
 */
export const ACRBOT_NAMED_TEXT =
  'named as acrbot names its grants, but this store has no record of it (a store switched or restored?); acrbot will not change it — see operations.md';

/**
 * How chat and the tab name an assignment of origin `acrbotNamed` ({@link ACRBOT_NAMED_TEXT}),
 * or, when it sits at the id of acrbot grants of its reader's that ended before Azure made it
 * ({@link RoleAssignmentPath.endedRequestIds}, {@link madeAfterAccessEnded}), what it is then:
 * the store does record acrbot's grant there, so no store was switched or restored; someone made
 * the assignment again since. Names the grant that ended last (the ids come in that order).
 */
export function acrbotNamedText(path: Pick<RoleAssignmentPath, 'endedRequestIds' | 'createdOn'>): string {
  const ended = path.endedRequestIds ?? [];
  if (!ended.length || !path.createdOn) return ACRBOT_NAMED_TEXT;
  const earlier = ended.length - 1;
  // As pull-diagnosis.ts shortTime (which imports this module): `2027-01-04 10:00 UTC`.
  const when = `${path.createdOn.slice(0, 16).replace('T', ' ')} UTC`;
  const more = earlier ? ` (and ${earlier} earlier one${earlier === 1 ? '' : 's'})` : '';
  return `made again under acrbot's name after acrbot's grant ${ended[ended.length - 1]}${more} ended (Azure dates it ${when}); not acrbot's — acrbot will not change it`;
}

/**
 * Whether `a`'s name is the one acrbot gives the grant of its role to its principal at its
 * scope ({@link roleAssignmentName}). A hint only: the name is a UUIDv5 of public inputs in a
 * fixed namespace, so anyone can make an assignment under it (recorded-assignment.ts). A trailing
 * slash on the scope Azure shows is dropped, as {@link scopeLevelOf} drops it: acrbot derives its
 * names from resource ids, which have none.
 */
export function namedAsAcrbotNames(
  a: Pick<RoleAssignmentInfo, 'name' | 'scope' | 'principalId' | 'roleDefinitionId'>,
): boolean {
  const scope = a.scope.replace(/\/+$/, '');
  return roleAssignmentName(scope, a.principalId, roleDefinitionGuid(a.roleDefinitionId)) === lower(a.name);
}

/** Where a role assignment sits relative to the registry. */
export type ScopeLevel = 'registry' | 'resourceGroup' | 'subscription' | 'managementGroup';

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
  state: AccessState;
}

/** Every acrbot request behind a role assignment: this cluster's, then those of clusters sharing its identity. */
export function requestsBehind(path: RoleAssignmentPath): AcrbotRequestRef[] {
  return [...path.requests, ...(path.sharedRequests ?? [])];
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
}

/** `access CLUSTER`. */
export interface ClusterAccessReport {
  cluster: InventoryCluster;
  identity?: InventoryIdentity;
  /** Why the identity could not be determined (then only pull secrets are listed). */
  identityProblem?: string;
  cells: AccessCell[];
  /**
   * Registries that allow anonymous pull and can be reached ({@link anonymousPullRegistries}):
   * the cluster can pull from them without any way of pulling of its own.
   */
  anonymousRegistries?: InventoryRegistry[];
  /** Set when acrbot's records were read only in part: what is missing (`readAccessRequests`, flows/access-inventory.ts). */
  incomplete?: string;
  generatedAt: string;
}

/** `access REGISTRY`. */
export interface RegistryAccessReport {
  registry: InventoryRegistry;
  cells: AccessCell[];
  /** Clusters whose identity could not be determined (they may still pull; not counted). */
  unresolvedClusters: { cluster: InventoryCluster; problem: string }[];
  /** Set when acrbot's records were read only in part: what is missing. */
  incomplete?: string;
  generatedAt: string;
}

/** One of a user's own requests that gave access. */
export interface UserAccessEntry {
  kind: 'grant' | 'secret';
  cluster: InventoryCluster;
  registry: InventoryRegistry;
  /** Secret flow: where the secret lives. */
  namespace?: string;
  secretName?: string;
  roleName?: string;
  request: AcrbotRequestRef;
}

/** `access` alone. */
export interface UserAccessReport {
  user: { objectId: string; name: string };
  entries: UserAccessEntry[];
  /** Set when acrbot's records were read only in part: what is missing. */
  incomplete?: string;
  generatedAt: string;
}

/** The tab's matrix: every cluster × registry pair in the allowed subscriptions that has a way of pulling. */
export interface AccessMatrix {
  clusters: InventoryCluster[];
  registries: InventoryRegistry[];
  /** Only pairs with at least one path (the rest cannot pull). */
  cells: AccessCell[];
  unresolvedClusters: { cluster: InventoryCluster; problem: string }[];
  /** Set when acrbot's records were read only in part: what is missing. */
  incomplete?: string;
  generatedAt: string;
}

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

// ---------------------------------------------------------------------------------------------

const lower = (s: string) => s.toLowerCase();

/** The role assignment id acrbot's grant request created (from the store's records), if any. */
export function createdAssignmentId(request: AccessRequest): string | undefined {
  if (request.plan.kind !== 'grant') return undefined;
  // RoleAssignmentExists: acrbot created nothing; the assignment is someone else's. Checked
  // before the record: the runner records the deterministic id before its PUT (crash recovery),
  // and a 409 means the access exists under another name, so that id never existed in Azure.
  if (request.outcome?.alreadyPresent) return undefined;
  const recorded = request.created?.find((c) => c.kind === 'roleAssignment');
  if (recorded) return recorded.id;
  const fromOutcome = request.outcome?.createdIds?.find((id) => /\/roleAssignments\//i.test(id));
  if (fromOutcome) return fromOutcome;
  // Requests granted before `created` existed: the deterministic name in the stored plan.
  if (request.state === 'succeeded' || request.state === 'revoked') return plannedAssignmentId(request.plan);
  return undefined;
}

/** Whether a request ever gave access (the only ones the inventory shows). */
export function gaveAccess(request: AccessRequest): boolean {
  // An extension moves the original's end (or rotates its secret): the original carries the access.
  if (request.extendsRequestId) return false;
  if (request.state === 'revoked') return true;
  if (request.state !== 'succeeded') return false;
  return request.plan.kind === 'secret' || createdAssignmentId(request) !== undefined;
}

/** Where a term ending at `end` (undefined: no end) stands at `now`. */
export type TermState = 'active' | 'expiring' | 'expired';

function termStateAt(end: string | undefined, now: Date): TermState {
  if (end === undefined) return 'active';
  const left = Date.parse(end) - now.getTime();
  return left <= 0 ? 'expired' : left <= EXPIRING_WITHIN_MS ? 'expiring' : 'active';
}

/** The access state of a request that gave access, at `now`. */
export function requestAccessState(request: AccessRequest, now: Date): RequestAccessState {
  const end = accessEnd(request);
  if (request.state === 'revoked') {
    // Revoked by nobody at or after the end = the sweeper revoked it at expiry.
    const atExpiry =
      !request.access?.revokedBy &&
      end !== undefined &&
      Date.parse(request.access?.revokedAt ?? request.updatedAt) >= Date.parse(end);
    return atExpiry ? 'expired' : 'revoked';
  }
  if (request.access?.driftDetectedAt) return 'drifted';
  return termStateAt(end, now);
}

/**
 * When a request's access ends; undefined = no end. A pull secret's ends when its term does or
 * when its credential expires, whichever comes first: the credential's lifetime is capped
 * (ACRBOT_SECRET_MAX_EXPIRY), nothing renews it, and pulls with the secret stop then.
 */
export function accessEnd(request: AccessRequest): string | undefined {
  const term = termEnd(request);
  const credential = credentialEnd(request);
  if (credential === undefined) return term;
  return term === undefined || Date.parse(credential) < Date.parse(term) ? credential : term;
}

/**
 * A pull secret whose credential expired while its access term runs on (or is permanent): the
 * request is still `succeeded` and pulls with the secret fail. Its requester may still extend
 * it (the extension rotates a new credential into the secret) or revoke it (the secret goes).
 */
export function credentialLapsed(request: AccessRequest, now: Date): boolean {
  if (request.state !== 'succeeded' || request.access?.revokingSince || request.extendsRequestId) return false;
  const credential = credentialEnd(request);
  if (credential === undefined || Date.parse(credential) > now.getTime()) return false;
  const term = termEnd(request);
  return term === undefined ? Boolean(request.access?.permanent) : Date.parse(term) > now.getTime();
}

/** The end of the access term; undefined when permanent or granted before time-boxing. */
function termEnd(request: AccessRequest): string | undefined {
  if (request.access?.permanent) return undefined;
  return request.access?.expiresAt;
}

/**
 * When a pull secret's live credential expires, when acrbot's records say so; undefined for a
 * grant, or when it is not known.
 */
export function credentialEnd(request: AccessRequest): string | undefined {
  if (request.plan.kind !== 'secret') return undefined;
  // An extension rotated it: the new credential's expiry, recorded when the end moved.
  if (request.access?.credentialExpiresAt) return request.access.credentialExpiresAt;
  // Never extended: the runner made the credential with the plan's expiry (also before time-boxing).
  if (!request.access?.extendedBy?.length) return request.plan.expiresAt;
  // Extended before the rotated credential's expiry was recorded: the plan's names a deleted
  // credential, and showing that date would call live access expired. Not known, so not capped.
  return undefined;
}

/** The reference cards and the tab show for a request. */
export function requestRef(request: AccessRequest, now: Date): AcrbotRequestRef {
  const end = accessEnd(request);
  const state = requestAccessState(request, now);
  const approved = request.decision?.approved ? request.decision : undefined;
  // Its decision is its requester's own, made only so it ran at once: nobody approved it.
  const breakGlass = Boolean(request.policy?.breakGlass);
  return {
    requestId: request.id,
    requesterName: request.requester.name,
    requesterId: request.requester.objectId,
    ...(breakGlass
      ? { startedAsBreakGlassBy: approved?.by.name }
      : { approvedBy: approved?.by.name, approvedAt: approved?.at }),
    expiresAt: end,
    // The end is the credential's, not the term's: the views say why pulls stop then.
    ...(end !== undefined && end !== termEnd(request) && { credentialExpiresAt: end }),
    noExpiry: end !== undefined ? undefined : request.access?.permanent ? 'permanent' : 'beforeTimeBoxing',
    state,
    ...(state === 'drifted' && { termState: termStateAt(end, now) }),
    revokedAt: request.access?.revokedAt,
    revokedBy: request.access?.revokedBy?.name,
    driftDetectedAt: request.access?.driftDetectedAt,
    ...(request.access?.driftReason && { driftReason: request.access.driftReason }),
    ...(isBeingRevoked(request) && { revokingSince: request.access.revokingSince }),
    ...watchOf(request, now),
  };
}

/**
 * How long acrbot watches, after a revocation that met its registry gone from the recorded id,
 * for a registry there again, to delete the role assignment Azure kept at that id (G17).
 */
export const ORPHAN_WATCH_DAYS = 90;

/** {@link ORPHAN_WATCH_DAYS} in milliseconds. */
export const ORPHAN_WATCH_MS = ORPHAN_WATCH_DAYS * 24 * 60 * 60 * 1000;

/**
 * A revoked grant's {@link AcrbotRequestRef.watchedUntil}, while its watch's window runs: only
 * when its revocation recorded that it scheduled one (`access.orphanWatchUntil`). Not from
 * `revokedAt`: a grant revoked normally whose assignment Azure still lists (a listing that lags,
 * or one kept for another holder) has no watch, and saying one removes it would be a promise
 * nobody keeps.
 */
function watchOf(request: AccessRequest, now: Date): { watchedUntil?: string } {
  const until = request.access?.orphanWatchUntil;
  if (request.state !== 'revoked' || request.plan.kind !== 'grant' || !until) return {};
  return Date.parse(until) > now.getTime() ? { watchedUntil: until } : {};
}

/**
 * Where `scope` sits relative to `registryId`; undefined when it does not cover the registry.
 * A management-group or root scope covers it only when the assignment was listed in the
 * registry's subscription (`listedIn`, when known): other subscriptions may sit under another
 * management group.
 */
export function scopeLevelOf(
  scope: string,
  registry: Pick<InventoryRegistry, 'id' | 'subscriptionId' | 'resourceGroup'>,
  listedIn?: readonly string[],
): ScopeLevel | undefined {
  const s = lower(scope).replace(/\/+$/, '');
  if (s === '' || s === '/' || s.startsWith('/providers/microsoft.management/managementgroups/'))
    return !listedIn || listedIn.some((sub) => lower(sub) === lower(registry.subscriptionId))
      ? 'managementGroup'
      : undefined;
  if (!scopeCovers(s, registry.id)) return undefined;
  if (s === lower(registry.id)) return 'registry';
  if (s === lower(`/subscriptions/${registry.subscriptionId}`)) return 'subscription';
  if (s === lower(`/subscriptions/${registry.subscriptionId}/resourceGroups/${registry.resourceGroup}`))
    return 'resourceGroup';
  return undefined;
}

const LIVE: readonly AccessState[] = ['active', 'expiring'];

/** A request whose access is live (active or expiring) as the inventory sees it. */
export function isLiveRef(ref: AcrbotRequestRef): boolean {
  return LIVE.includes(ref.state);
}

/**
 * A request whose term still runs: live, or drifted before its end. Behind a role assignment
 * still in Azure, either holds it until that end, when acrbot deletes it (holdersOf in
 * role-assignment-holders.ts counts every `succeeded` grant whose term runs as a holder, drifted
 * or not, as here), except a grant whose own assignment was removed or changed outside acrbot
 * and another grant made again since ({@link lostToRemake}): the join leaves that one out of the
 * assignment's requests before this is asked, as the lifecycle leaves it out of the holders.
 */
export function termRuns(ref: AcrbotRequestRef): boolean {
  return isLiveRef(ref) || (ref.state === 'drifted' && ref.termState !== undefined && LIVE.includes(ref.termState));
}

/** Where a request's term stands: its state, or a drifted one's {@link AcrbotRequestRef.termState}. */
function termOf(ref: AcrbotRequestRef): AccessState {
  return ref.state === 'drifted' && ref.termState ? ref.termState : ref.state;
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

// Unverified first: it may still pull, and nobody can tell; then what changed outside acrbot.
const ENDED_ORDER: readonly AccessState[] = ['unverified', 'drifted', 'expired', 'revoked'];

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
    const scopeLevel = scopeLevelOf(a.scope, registry, a.listedIn);
    if (!scopeLevel) continue;
    const role = roles.get(roleDefinitionGuid(a.roleDefinitionId));
    if (!role) continue;
    const legacy = roleCarriesPull(role, 'LegacyRegistryPermissions');
    const abac = roleCarriesPull(role, 'AbacRepositoryPermissions');
    if (!legacy && !abac) continue;
    const honoured = registry.roleAssignmentMode === 'AbacRepositoryPermissions' ? abac : legacy;
    const recorded = grantRequests.filter((r) => recordsMade(r, a));
    const recordedShared = sharedGrants(a.id).filter((r) => recordsMade(r, a));
    // A grant whose own assignment was removed outside acrbot does not hold the one another grant
    // made again since (the lifecycle's rule, made-again-since-drift.ts): it is not behind this
    // one, and is shown as drifted, as before that grant came.
    const succeeded = [...recorded, ...recordedShared].filter((r) => r.state === 'succeeded');
    const holds = (r: AccessRequest) => !lostToRemake(r, succeeded);
    const mine = recorded.filter(holds);
    for (const r of mine) held.add(r.id);
    const behind = holdingRefs(
      mine.map(refOf),
      recordedShared.filter(holds).map((r) => ({ ...sharedRef(refOf(r)), clusterName: r.plan.cluster.name })),
    );
    const { own: refs, shared, ended } = behind;
    const origin: RoleAssignmentOrigin =
      refs.length || shared.length ? 'acrbot' : namedAsAcrbotNames(a) ? 'acrbotNamed' : 'outside';
    // Under acrbot's name, with no record proving it: made again since the grants at its id ended?
    const endedBefore = origin === 'acrbotNamed' ? endedBeforeMade(a, [...grantRequests, ...sharedGrants(a.id)]) : [];
    paths.push({
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
      state: assignmentState([...refs, ...shared]),
    });
  }
  for (const r of grantRequests) {
    const id = createdAssignmentId(r);
    if (!id || held.has(r.id)) continue;
    const ref = refOf(r);
    // Granted to an identity the cluster no longer uses: not this cluster's way of pulling any
    // more, and not listed, unless it drifted for that very reason (seen now, or recorded): the
    // reader learns why the grant stopped serving.
    if (
      identity &&
      r.plan.kind === 'grant' &&
      lower(r.plan.identity.objectId) !== lower(identity.objectId) &&
      !(ref.state === 'drifted' && ref.driftReason === 'identityChanged')
    )
      continue;
    const plan = r.plan as Extract<AccessRequest['plan'], { kind: 'grant' }>;
    const live = LIVE.includes(ref.state);
    paths.push({
      kind: 'endedGrant',
      assignmentId: id,
      roleName: plan.role.name,
      scope: plan.scope,
      request: ref,
      // Still "succeeded" in the store but gone from Azure: drifted, even before the sweeper
      // records it. Without the cluster's identity its assignments were never looked at: whether
      // it pulls cannot be told, and it must not be counted as pulling.
      state: !live ? ref.state : identity ? 'drifted' : 'unverified',
      ...(live && !identity && { unverifiedBecause: unknownIdentity }),
    });
  }
  for (const r of requests) {
    if (r.plan.kind !== 'secret') continue;
    const ref = refOf(r);
    paths.push({
      kind: 'pullSecret',
      namespace: r.plan.namespace,
      secretName: r.plan.secretName,
      credentialKind: r.plan.credentialKind,
      ...(serviceAccountsOf(r).length && { serviceAccounts: serviceAccountsOf(r) }),
      request: ref,
      state: ref.state,
    });
  }
  return paths;
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
 * The service accounts a pull secret is listed on, by acrbot's records: the plan's (the run
 * linked it, or found it listed) and those whose entry acrbot added.
 */
function serviceAccountsOf(request: AccessRequest): string[] {
  if (request.plan.kind !== 'secret' || !request.outcome?.secret) return [];
  const planned = request.plan.serviceAccount ? [request.plan.serviceAccount] : [];
  return [...new Set([...planned, ...acrbotServiceAccountEntries(request)])];
}

/**
 * A live request's reference once drift was seen (`reason`) but not yet recorded: drifted, with
 * the reason, as {@link requestRef} reads it once recorded (the time comes with the record).
 */
function driftedRef(ref: AcrbotRequestRef, reason: DriftReason | undefined): AcrbotRequestRef {
  if (!reason || !isLiveRef(ref) || ref.revokingSince) return ref;
  return { ...ref, state: 'drifted', driftReason: reason, termState: ref.state as TermState };
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

/**
 * When an acrbot-only assignment's access ended, if it did and the assignment is still there:
 * none of its requests' terms runs and at least one ran out, drifted or not (the latest end is
 * returned). acrbot is removing it; until then it still gives pull. Undefined for any other
 * assignment.
 */
export function overdueEnd(path: RoleAssignmentPath): string | undefined {
  if (path.origin !== 'acrbot') return undefined;
  const refs = requestsBehind(path);
  if (refs.some(termRuns)) return undefined;
  const ends = refs.filter((r) => termOf(r) === 'expired' && r.expiresAt).map((r) => r.expiresAt!);
  return ends.length ? ends.sort()[ends.length - 1] : undefined;
}

/**
 * Who removes an acrbot assignment whose access ended ({@link overdueEnd}), undefined for any
 * other: `endJob` while one of its requests has not been revoked yet (its end job, or a
 * revocation under way, deletes it); `watch` when all were revoked and the latest within the
 * orphan watch's window (it deletes it at its next daily look, `until` the window's end); else
 * `nobody`: every revocation is done and nothing acrbot runs will delete it.
 */
export function overdueRemoval(
  path: RoleAssignmentPath,
): { by: 'endJob' } | { by: 'watch'; until: string } | { by: 'nobody' } | undefined {
  if (overdueEnd(path) === undefined) return undefined;
  const refs = requestsBehind(path);
  if (refs.some((r) => r.revokingSince || !r.revokedAt)) return { by: 'endJob' };
  const until = refs.flatMap((r) => (r.watchedUntil ? [r.watchedUntil] : [])).sort();
  return until.length ? { by: 'watch', until: until[until.length - 1] } : { by: 'nobody' };
}

/**
 * A way of pulling that gives pull now, network permitting: live, or an honoured assignment
 * acrbot has yet to remove.
 */
export function pullsNow(p: PullPath): boolean {
  if (p.kind === 'roleAssignment') return p.honoured && (LIVE.includes(p.state) || overdueEnd(p) !== undefined);
  return LIVE.includes(p.state);
}

/**
 * A cell judged from its ways of pulling (state, whether it pulls, until when), the registry's
 * network read as `check` reads it; tenant-boundary.ts judges a cell again after leaving out what
 * its reader may not see.
 */
export function cellOf(cluster: InventoryCluster, registry: InventoryRegistry, paths: PullPath[]): AccessCell {
  // As `check` reads the network (registry-reach.ts): nothing counts when nothing reaches the
  // registry, and anonymous pull lets the cluster pull without any of its paths.
  const reach = registryReach(registry, registry.network);
  const unreachable = reach.unreachable ? { unreachable: reach.finding!.text } : {};
  // Anonymous pull or a way of pulling: either way through the network's condition.
  const anonymous = reach.anonymous ? { anonymousPull: reach.anonymousText! } : {};
  const condition = reach.condition ? { networkCondition: reach.condition } : {};
  const live = paths.filter((p) => LIVE.includes(p.state) && (p.kind !== 'roleAssignment' || p.honoured));
  if (live.length) {
    const ends = live.map((p) => pathEnd(p));
    const unbounded = ends.some((e) => e === undefined);
    const latest = unbounded ? undefined : ends.reduce<string | undefined>((m, e) => (!m || e! > m ? e : m), undefined);
    return {
      cluster,
      registry,
      paths,
      state: live.some((p) => p.state === 'active') ? 'active' : 'expiring',
      canPull: !reach.unreachable,
      expiresAt: latest,
      ...unreachable,
      ...anonymous,
      ...condition,
    };
  }
  // Only assignments whose acrbot access ran out still give pull: expired, with when it ended.
  const overdue = paths.flatMap((p) => (p.kind === 'roleAssignment' && pullsNow(p) ? [overdueEnd(p)!] : []));
  if (overdue.length)
    return {
      cluster,
      registry,
      paths,
      state: 'expired',
      canPull: !reach.unreachable,
      expiresAt: overdue.sort()[overdue.length - 1],
      ...unreachable,
      ...anonymous,
      ...condition,
    };
  const ended = ENDED_ORDER.find((s) => paths.some((p) => p.state === s));
  // Only unhonoured assignments left: nothing works, and nothing ended either.
  return {
    cluster,
    registry,
    paths,
    state: ended ?? 'revoked',
    canPull: reach.anonymous,
    ...unreachable,
    ...anonymous,
    ...condition,
  };
}

/** Registries any cluster that reaches them can pull from: anonymous pull on, and reachable. */
export function anonymousPullRegistries(registries: readonly InventoryRegistry[]): InventoryRegistry[] {
  return registries.filter((r) => registryReach(r, r.network).anonymous);
}

/**
 * When a live path ends; undefined = no end. By default an assignment ends with the last term
 * among its requests' ({@link termRuns}: a drifted one's end deletes it too).
 */
export function pathEnd(path: PullPath, counts: (ref: AcrbotRequestRef) => boolean = termRuns): string | undefined {
  if (path.kind === 'roleAssignment') {
    if (path.origin !== 'acrbot') return undefined;
    const live = requestsBehind(path).filter(counts);
    if (live.length === 0 || live.some((r) => r.expiresAt === undefined)) return undefined;
    return live.map((r) => r.expiresAt!).sort()[live.length - 1];
  }
  return path.request.expiresAt;
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
