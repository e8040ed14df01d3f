/**
 * The ports: what the flows need from the outside world. Integrations implement them
 * (Azure SDKs, Graph, SQLite); tests may use fakes with the same semantics.
 */
import type { AuditEntry, AuditEvent, ChainVerdict } from './audit-chain';
import type { ClusterInfo, RegistryInfo, RoleAssignmentInfo, RoleDefinitionInfo } from './azure-model';
import type { ResourceGoneError } from './errors';
import type { ApplicationHoldings } from './application-holders';
import type { AccessRequest, RequestState } from './request';
import type { SecretValue } from './secret-value';

/** Reads clusters and registries in one subscription. */
export interface AzureResourceReader {
  getCluster(subscriptionId: string, resourceGroup: string, name: string): Promise<ClusterInfo | undefined>;
  listClusters(subscriptionId: string): Promise<ClusterInfo[]>;
  getRegistry(subscriptionId: string, resourceGroup: string, name: string): Promise<RegistryInfo | undefined>;
  listRegistries(subscriptionId: string): Promise<RegistryInfo[]>;
}

/**
 * An ACR token's `status` as ARM answers it: only an `enabled` token's passwords sign in.
 * Undefined where an answer did not say (ACR always does; some test doubles do not).
 */
export type RegistryTokenStatus = 'enabled' | 'disabled' | (string & {});

/** Result of an Azure write. */
export interface WriteResult {
  id: string;
  /** `x-ms-request-id` of the write. */
  requestId?: string;
}

/**
 * Result of a delete: the request id of its answer (of the 404 too, when it was gone already),
 * which the deletion's audit entry carries, so it is found in the service's own log: ARM's
 * `x-ms-request-id` (Azure's Activity Log), Graph's `request-id` (Entra's audit log), a
 * Kubernetes API server's `Audit-Id` (the cluster's audit log).
 */
export interface DeleteResult {
  requestId?: string;
}

/**
 * Result of a role assignment's DELETE: as {@link DeleteResult}, and whether ARM answered that
 * nothing was there, so the caller does not record a deletion acrbot did not make (G17).
 */
export interface RoleAssignmentDeleteResult extends DeleteResult {
  /** ARM answered 404 (or 403 with its registry gone behind it): nothing was deleted. */
  absent?: true;
  /**
   * With `absent`, when the scope itself is gone (its registry deleted or moved): Azure keeps the
   * assignment at that id, and it would grant pull again if a registry were there again.
   */
  gone?: ResourceGoneError;
}

/** Role assignments on a scope. */
export interface RoleAssignmentPort {
  /** Assignments of `principalId` at or above `scope`. */
  listForPrincipal(scope: string, principalId: string): Promise<RoleAssignmentInfo[]>;
  /** PUT with a deterministic name and principalType ServicePrincipal. Throws {@link CloudApiError}. */
  create(input: {
    scope: string;
    name: string;
    roleDefinitionGuid: string;
    principalId: string;
    subscriptionId: string;
  }): Promise<WriteResult>;
  /** Whether the bot's own identity may write role assignments on `scope`. */
  canAssignRoles(scope: string): Promise<boolean>;
  /**
   * Deletes an assignment by name; a missing one, or a gone scope, is not an error: `absent` says
   * so, and its answer's request id is still given.
   */
  delete(input: { scope: string; name: string; subscriptionId: string }): Promise<RoleAssignmentDeleteResult>;
  /**
   * Whether a registry or cluster answers at `scope` (one GET of it, cheaper than a listing):
   * false on 404 (deleted, or moved away). Throws on any other failure (a refusal, a hiccup).
   */
  scopeExists(scope: string): Promise<boolean>;
}

/**
 * Reading role assignments and role definitions across a subscription, for the access
 * inventory (`access`, `check`, the tab, drift). Read-only.
 */
export interface RoleAssignmentListing {
  /**
   * `$filter=assignedTo('{objectId}')` at subscription scope: the principal's assignments at any
   * scope in the subscription, including those held through (transitive) group membership.
   */
  listAssignedTo(subscriptionId: string, objectId: string): Promise<RoleAssignmentInfo[]>;
  /**
   * `$filter=assignedTo('{objectId}')` on one resource (a registry): the principal's assignments
   * at, above or below it, through groups too. Read on the resource itself, where the deployment
   * gives acrbot Reader (docs/deploy.md); throws ResourceGoneError when the resource is gone.
   */
  listAssignedToAt(scope: string, objectId: string): Promise<RoleAssignmentInfo[]>;
  /**
   * `$filter=atScope()` on one resource (a registry): every assignment at it or above it (its
   * group, subscription, management groups), whoever holds it. Read on the resource itself;
   * throws ResourceGoneError when it is gone.
   */
  listAtOrAbove(scope: string): Promise<RoleAssignmentInfo[]>;
  /** Every role assignment in the subscription (no filter), all pages. */
  listInSubscription(subscriptionId: string): Promise<RoleAssignmentInfo[]>;
  /**
   * A role definition with its permissions, read at `scope` (a subscription, resource group or
   * resource id); undefined when ARM does not know it there (404). A custom role exists only at
   * and below its assignable scopes: one assignable at a resource group is 404 at its
   * subscription, so read it where it is assigned (src/flows/role-definitions.ts).
   */
  getRoleDefinition(scope: string, roleDefinitionGuid: string): Promise<RoleDefinitionInfo | undefined>;
}

/** Microsoft Graph lookups. */
export interface DirectoryPort {
  /** Object id of the service principal for an app id, or undefined. */
  servicePrincipalObjectId(appId: string): Promise<string | undefined>;
  /**
   * Of `groupIds`, those the object is a transitive member of (lower-cased), asked in as few calls
   * as the directory allows (Graph: 20 groups a call): who may decide, at every click, and the
   * inventory's identity × group checks (one group's membership: ask with that group alone).
   */
  memberGroupsAmong(objectId: string, groupIds: readonly string[]): Promise<string[]>;
  /**
   * Object ids of up to `atMost` of the group's transitive members that are users (people: no
   * service principals, devices or the nested groups themselves), in the directory's order; fewer
   * only when the group holds fewer. A group that does not exist, or an id that is no object id,
   * holds nobody (`[]`). Asked when a request is made, to know whether anyone other than its
   * requester could approve or review it; who may decide is still asked at the click (G5).
   */
  groupUserIds(groupId: string, atMost: number): Promise<string[]>;
  /**
   * Of `userIds`, the object ids of the users whose account is enabled: an id of nobody (a user
   * deleted since the policy named them, an id that is no object id) or of a disabled account is
   * left out, as {@link groupUserIds} leaves them out. Asked when a request is made, for a rule's
   * named approvers, to the same end; who may decide is still asked at the click (G5).
   */
  enabledUserIds(userIds: readonly string[]): Promise<string[]>;
  /**
   * As {@link enabledUserIds}, in the same one read, with each enabled user's display name as the
   * directory gives it (user text, chosen by its owner: cleaned and made inert where shown;
   * absent when the directory gives none). Asked right before an approval nudge, which mentions
   * its approvers by name (views/nudge-view.ts), and in place of {@link enabledUserIds} when a
   * normal request is made, the read kept a few minutes for the mention beside its card
   * (flows/approver-groups-cache.ts).
   */
  enabledUsers(userIds: readonly string[]): Promise<EnabledUser[]>;
}

/** A user whose account is enabled, as {@link DirectoryPort.enabledUsers} answers it. */
export interface EnabledUser {
  /** Object id, lower-cased. */
  id: string;
  /** Display name as the directory gives it, uncleaned; absent when it gives none. */
  displayName?: string;
}

/**
 * A failed call to ARM or Microsoft Graph (a read or a write) that the flows understand by
 * its service error code, never by message text; `requestId` is the service's request id.
 * `correlationRequestId` is ARM's `x-ms-correlation-request-id`: the id the Activity Log is
 * searched by, which ties ARM's record of a request to the resource provider's; `requestId`
 * names one answer. Both are own fields, so a logged error shows them.
 */
export class CloudApiError extends Error {
  constructor(
    readonly code: string,
    readonly statusCode: number | undefined,
    message: string,
    readonly requestId?: string,
    readonly correlationRequestId?: string,
  ) {
    super(message);
    this.name = 'CloudApiError';
  }
}

/**
 * @deprecated The old name of {@link CloudApiError}, kept only so branches opened before the
 * rename (issues #11–#16) still compile when they merge; remove once none uses it.
 */
export const AzureWriteError = CloudApiError;
/** @deprecated See the value of the same name. */
export type AzureWriteError = CloudApiError;

/** Thrown by a conditional write whose expected version no longer matches (someone else won). */
export class VersionConflictError extends Error {
  constructor(readonly requestId: string) {
    super(`request ${requestId} was changed by someone else`);
    this.name = 'VersionConflictError';
  }
}

/** Where a copy of a request's card was posted, so every copy can be updated. */
export interface CardCopy {
  requestId: string;
  /** The bot layer's conversation reference (opaque JSON to the domain). */
  conversation: unknown;
  activityId: string;
  role: 'requester' | 'approver' | 'audit';
}

/**
 * The order a request listing is read and cut at its limit in: by creation time (then id),
 * oldest first (the default: live requests, which a sweep must reach in turn) or newest first.
 */
export type ListOrder = 'oldestFirst' | 'newestFirst';

/** Requests with conditional writes (G8). */
export interface RequestStore {
  /** Creates; fails if the id exists. */
  create(request: AccessRequest): Promise<void>;
  get(id: string): Promise<AccessRequest | undefined>;
  /**
   * The request as stored when its version is above `version`, else undefined (also when it is
   * not stored), without reading the document when it is not: a card update's check for a state
   * newer than the one it was given (src/bot/card-copy-updates.ts `newestOf`), which on one instance almost
   * never finds one. Optional: a store without it is read with {@link get}.
   */
  getNewer?(id: string, version: number): Promise<AccessRequest | undefined>;
  /** Writes `next` only if the stored version is `next.version - 1`; else throws {@link VersionConflictError}. */
  update(next: AccessRequest): Promise<void>;
  /**
   * Requests in the given states, at most `limit`, in `order` of creation (default oldest
   * first). Ended states (revoked, failed, expired…) only accumulate: a sweep or a listing of
   * them that must see recent requests reads them `newestFirst`, or the oldest `limit` of a
   * year's history would be all it ever sees. Indexed by state and creation time in every store,
   * so either order costs what it returns, not the states' history.
   */
  listByState(states: RequestState[], limit?: number, order?: ListOrder): Promise<AccessRequest[]>;
  /**
   * Requests on one cluster and registry (ids compared case-insensitively, as `toLowerCase`
   * folds them: letters outside ASCII too, which resource group names may hold) in the given
   * states: overlapping grants and `revoke CLUSTER REGISTRY` (G17). Indexed; at most `limit`, in
   * `order` of creation (default oldest first, as {@link listByState}): a new request's look at
   * the pair's recent rejections and revocations reads those ended states `newestFirst`. On Azure
   * Tables `newestFirst` reads the keys of every one of the pair's requests in those states (as
   * {@link listByRequester} does) and only the newest `limit` in full.
   */
  listByTarget(
    clusterId: string,
    registryId: string,
    states: RequestState[],
    limit?: number,
    order?: ListOrder,
  ): Promise<AccessRequest[]>;
  /**
   * False only when no request on the cluster and registry (as {@link listByTarget} matches them)
   * in `states` has a drift recorded (`access.driftDetectedAt`), told without reading their
   * documents: a new grant's look for drifted grants on its pair (request-gate.ts
   * `driftedOnPair`), which on most pairs finds none, then reads nothing. True may be said of
   * none (an id the store cannot seek exactly). Optional: a store without it is listed.
   */
  anyDriftOnTarget?(clusterId: string, registryId: string, states: RequestState[]): Promise<boolean>;
  /**
   * Requests on one registry from any cluster (id compared as by {@link listByTarget}) in the given
   * states, oldest first: those that may share a role assignment on it (one user-assigned
   * kubelet identity can serve several clusters, G17). On Azure Tables it reads the keys of every
   * request ever made on the registry: revocations, and the overlap check of a new grant on an
   * existing assignment, only. At most `limit`, in `order` of creation (as {@link listByState}).
   */
  listByRegistry(
    registryId: string,
    states: RequestState[],
    limit?: number,
    order?: ListOrder,
  ): Promise<AccessRequest[]>;
  /**
   * One requester's requests (object id compared case-insensitively) in the given states, at most
   * `limit`, in `order` of creation (default oldest first, as {@link listByState}): the per-user
   * pending cap on every new request (G16) and a user's own access, whose ended states are read
   * `newestFirst` (an automation account's year of history would otherwise be all it shows).
   * Indexed by requester, so its cost follows that user's requests, not everyone's. On Azure
   * Tables `newestFirst` reads the keys of every one of that user's requests in those states (the
   * index sorts oldest first) and only the newest `limit` in full.
   */
  listByRequester(
    requesterId: string,
    states: RequestState[],
    limit?: number,
    order?: ListOrder,
  ): Promise<AccessRequest[]>;
  /**
   * How many requests {@link listByRequester} would find, counting no further than `atMost`
   * (the per-user cap): reads the index only, no request documents.
   */
  countByRequester(requesterId: string, states: RequestState[], atMost: number): Promise<number>;
  addCardCopy(copy: CardCopy): Promise<void>;
  listCardCopies(requestId: string): Promise<CardCopy[]>;
  /** Probe for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The append-only audit log (G11). */
export interface AuditLog {
  /**
   * Appends and returns the stored entry; throws if the entry could not be made durable. With
   * an {@link AuditEvent.idempotencyKey} already in the log it appends nothing and returns the
   * entry stored under that key (checked atomically with the append, across instances); it
   * throws if the store names an entry for the key that does not carry it (a tampered index).
   */
  append(event: AuditEvent): Promise<AuditEntry>;
  latest(limit: number): Promise<AuditEntry[]>;
  forRequest(requestId: string): Promise<AuditEntry[]>;
  verify(): Promise<ChainVerdict>;
  /** The stored entry at `seq` (checking the store against published anchors). */
  entryAt(seq: number): Promise<AuditEntry | undefined>;
}

/** Time, injectable so tests can move it. */
export interface Clock {
  now(): Date;
}

/** A registry token as {@link RegistryTokenPort.getToken} reads it (never its passwords). */
export interface RegistryTokenRead {
  id: string;
  scopeMapId?: string;
  provisioningState?: string;
  status?: RegistryTokenStatus;
  /** When Azure made it (ISO 8601): tells acrbot's token from one made since under its name. */
  creationDate?: string;
}

/**
 * What a registry holds of what ACR limits per SKU ({@link RegistryTokenPort.countTokens}): its
 * tokens, its own scope maps (the built-in ones not counted, as ACR does not count them) and its
 * SKU's name as ARM answered it (`sku.name`), absent when it gave none. A count equal to the
 * count's `stopAt` means at least that many (its listing stopped there).
 */
export interface RegistryTokenCount {
  tokens: number;
  scopeMaps: number;
  sku?: string;
}

/** ACR repository-scoped tokens (secret flow, kind `token`). */
export interface RegistryTokenPort {
  /**
   * Counts the registry's tokens and scope maps (page by page of ARM's listings) and reads its
   * SKU, for the plan-time check against ACR's limits: uses `registry.sku` when given, else reads
   * it. Read-only; rejects as a read does. Optional: without it no plan is checked.
   * - `stopAt`: given the SKU once known (undefined when ARM gave none), the count at which a
   *   listing stops (undefined: none; counted to its end): nothing beyond the limit tells more
   *   than "full". A listing that reaches it is counted as exactly `stopAt`, meaning at least that
   *   many; below it, every page is counted.
   * - `abortSignal`: once it aborts, no further page or read is asked for, and the count rejects
   *   with its reason (the caller stopped waiting for it).
   */
  countTokens?(
    registry: { subscriptionId: string; resourceGroup: string; name: string; sku?: string },
    options?: { stopAt?: (sku: string | undefined) => number | undefined; abortSignal?: AbortSignal },
  ): Promise<RegistryTokenCount>;
  /** Scope map id for the given repositories (created if needed), or the built-in `_repositories_pull` when none. */
  scopeMapFor(
    registry: { id: string; subscriptionId: string; resourceGroup: string; name: string },
    scopeMapName: string,
    repositories: string[],
  ): Promise<{ id: string; created: boolean; requestId?: string }>;
  /**
   * The token of that name on the registry, or undefined when there is none (404). Read before
   * creating: a token acrbot's store does not record must never be replaced or deleted (G15).
   * Read before deleting too: `provisioningState` (ARM's `Creating`, `Updating`, `Deleting`,
   * `Succeeded`, `Failed`, `Canceled`) says whether a write on it is still running. A resumed
   * run reads its own token's `status` too: one disabled outside acrbot is not re-enabled.
   */
  getToken(
    registry: { subscriptionId: string; resourceGroup: string; name: string },
    tokenName: string,
  ): Promise<RegistryTokenRead | undefined>;
  /** The scope map of that name, or undefined when there is none (404). Same use as {@link getToken}. */
  getScopeMap(
    registry: { subscriptionId: string; resourceGroup: string; name: string },
    scopeMapName: string,
  ): Promise<{ id: string; provisioningState?: string } | undefined>;
  /**
   * PUT the token, asking for `enabled` (replacing one of the same name: callers check
   * {@link getToken} first). `status` is what Azure made of it: an Azure Policy with a Modify
   * effect (the built-in "Configure container registries to disable repository scoped access
   * token") turns the request into a `disabled` token and answers success all the same.
   * `creationDate`: when Azure made it (ISO 8601), as {@link RegistryTokenRead} has it; a PUT on
   * a token that is there already keeps that token's date.
   */
  createToken(
    registry: { subscriptionId: string; resourceGroup: string; name: string },
    tokenName: string,
    scopeMapId: string,
  ): Promise<WriteResult & { status?: RegistryTokenStatus; creationDate?: string }>;
  /** generateCredentials for password1 with an expiry; the password is returned once. */
  generatePassword(
    registry: { subscriptionId: string; resourceGroup: string; name: string },
    tokenId: string,
    expiresAt: string,
  ): Promise<{ username: string; password: import('./secret-value').SecretValue; requestId?: string }>;
  /**
   * DELETE the token; a 404 is success (gone already). ARM refuses it 409 while another
   * operation (a create still running) holds the token: thrown, like any other failure.
   */
  deleteToken(
    registry: { subscriptionId: string; resourceGroup: string; name: string },
    tokenName: string,
  ): Promise<DeleteResult>;
  /** DELETE the scope map; as {@link deleteToken}. */
  deleteScopeMap(
    registry: { subscriptionId: string; resourceGroup: string; name: string },
    scopeMapName: string,
  ): Promise<DeleteResult>;
}

/**
 * What a registry's data plane answers a credential asking to pull: `pulls` (its token grants
 * `pull`), `denied` (the credential signs in but is granted no pull: its role has not reached the
 * data plane yet), `unauthorized` (the credential is not known yet: a new password Entra has not
 * replicated, or, in ACR, a principal with no role applied yet), `unreachable` (no answer that
 * says either: the registry's network rules keep acrbot's host out, a timeout, an answer that
 * cannot be read). Read-only: asking changes nothing.
 */
export type PullProbeAnswer = 'pulls' | 'denied' | 'unauthorized' | 'unreachable';

/** Asks a registry whether a credential can pull from it (the `--kind sp` rotation's check). */
export interface RegistryPullProbe {
  /** Never throws: a failure to ask is `unreachable`. The password is sent to the registry only. */
  canPull(
    registry: { loginServer: string },
    credential: { username: string; password: SecretValue },
    signal?: AbortSignal,
  ): Promise<PullProbeAnswer>;
}

/**
 * Who holds an application: its owners, the key ids of its credentials (never the secrets), its
 * federated identity credentials, and its service principal's (application-holders.ts).
 */
export type ApplicationInspection = ApplicationHoldings;

/** Entra applications and service principals (secret flow, kind `sp`). */
export interface ServicePrincipalPort {
  /**
   * Creates the application with this `uniqueName`, or finds the one that already has it (a run
   * resumed after a crash), without any lookup by name (Graph upsert, CONTRACTS §7a).
   * `created` is false when it already existed.
   */
  upsertApplication(
    uniqueName: string,
    displayName: string,
  ): Promise<{ id: string; appId: string; created: boolean; requestId?: string }>;
  /**
   * The application with this `uniqueName`, if it exists (no create): how a clean-up finds an
   * application whose creation acrbot recorded by name before its id could be recorded.
   */
  findApplication(uniqueName: string): Promise<{ id: string; appId: string } | undefined>;
  /**
   * Who holds an application, to check nobody else does (G15): its owners, password and
   * certificate key ids and federated identity credentials; with `servicePrincipalId`, that
   * service principal's own owners, passwords and certificates too.
   */
  inspectApplication(applicationId: string, servicePrincipalId?: string): Promise<ApplicationInspection>;
  /** acrbot's own service principal object id: the only owner an application of its own may have. */
  ownServicePrincipalId(): Promise<string>;
  /** The service principal of an app id, if it exists. */
  findServicePrincipal(appId: string): Promise<{ id: string } | undefined>;
  /** Retries while a new application is not yet replicated. */
  createServicePrincipal(appId: string): Promise<{ id: string; requestId?: string }>;
  /** `displayName` is the marker acrbot recorded before the call (a run killed mid-call recognises its own password). */
  addPassword(
    applicationId: string,
    endDateTime: string,
    displayName: string,
  ): Promise<{ keyId: string; secret: import('./secret-value').SecretValue; requestId?: string }>;
  /**
   * Removes one password of an application (Graph `removePassword`): the passwords an earlier
   * attempt of a resumed run added, once the secret holds the new one. Throws on any refusal,
   * an unknown key id included.
   */
  removePassword(applicationId: string, keyId: string): Promise<{ requestId?: string }>;
  /**
   * Deletes the application (object id) permanently: deleted, then purged from the directory's
   * deleted items, so neither it nor its password can be restored in the 30 days Entra keeps a
   * deleted application; its service principal is purged from deleted items too, when they show
   * it (otherwise Entra removes it after those 30 days). An application found only in deleted
   * items (an earlier try deleted it, its purge failed) is purged, and that is success.
   * Throws {@link CloudApiError} with `statusCode` 404 (the port's not-found) when it is neither
   * live nor in deleted items. A purge that still does not find the just-deleted application
   * after the replication retries throws `PermanentDeletePending` with no status (not "absent":
   * it can still be restored); any other refusal, an id that is not a directory id included,
   * throws a CloudApiError too. Resolves Graph's `request-id` of the DELETE (of its 404, when an
   * earlier try deleted it) and of the permanent delete, the ids Entra's audit log is searched by.
   */
  deleteApplication(applicationId: string): Promise<{ requestId?: string; purgeRequestId?: string }>;
}

/** Where a cluster's API server is and how to authenticate to it; opaque to the flows. */
export interface ClusterAccess {
  readonly clusterName: string;
}

/** What {@link PullSecretPort.write} writes. */
export interface PullSecretWrite {
  namespace: string;
  secretName: string;
  dockerConfigJson: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  serviceAccount?: string;
  /** Replace only the secret still at this version (else create). */
  replaceResourceVersion?: string;
  /**
   * With `replaceResourceVersion`: the `metadata.uid` of the object the caller decided to replace
   * (as its check read it). The replace names it, so another object under the name is never
   * written; and a secret someone touched since (a newer version) is still replaced when it is
   * this object with {@link replaceRequestIdLabel} unchanged.
   */
  replaceUid?: string;
  /**
   * With `replaceResourceVersion`: the `acrbot.io/request-id` label value the caller decided on
   * (the request whose records vouched for the secret, G15). A secret touched since whose label
   * says otherwise (another request's write, which keeps the uid) is someone else's change.
   */
  replaceRequestIdLabel?: string;
  /**
   * With `replaceResourceVersion`: the fingerprint of the data the caller's check read
   * (`ExistingSecret.dataFingerprint`). A secret touched since is still replaced only while it
   * holds that data: one whose data someone replaced in place (a GitOps sync keeps the uid and
   * acrbot's label) is someone else's change.
   */
  replaceFingerprint?: string;
  /**
   * With `replaceResourceVersion`: the labels, annotations, finalizers and ownerReferences of the
   * object at that version, as the caller's check read them (never its data). The first replace
   * is built from them, keeping what others added, without reading the secret again; a 409 (the
   * secret touched since) reads it afresh. Without them (a caller that kept none) the write reads
   * the secret first.
   */
  replaceMetadata?: import('./secret-ownership').SecretMetadataSeen;
}

/** Outcome of writing the pull secret. */
export interface SecretWriteResult {
  action: 'created' | 'replaced';
  serviceAccountPatched: boolean;
  /** The secret's uid as the API server answered the write: which object acrbot wrote (G15). */
  uid?: string;
  /** `metadata.uid` of the service account as acrbot read it to link the secret: which object holds the entry. */
  serviceAccountUid?: string;
  /** The link's patch got no clear answer and reading the account back failed: the entry may be there. */
  serviceAccountLinkUnknown?: boolean;
}

/**
 * What {@link PullSecretPort.write} answers: the secret is written; adding it to the service
 * account may still have failed (`serviceAccountFailure`, explained for the user, with its cause).
 */
export interface PullSecretWriteOutcome extends SecretWriteResult {
  serviceAccountFailure?: Error;
}

/** The Kubernetes side of the secret flow. */
export interface PullSecretPort {
  /** Credentials for the cluster's API server (listClusterUserCredential; Entra token on AAD clusters). */
  access(cluster: {
    id: string;
    subscriptionId: string;
    resourceGroup: string;
    name: string;
    aadEnabled: boolean;
  }): Promise<ClusterAccess>;
  /**
   * Checks before any credential exists: namespace present, service account present. Returns
   * what the cluster says about a secret of that name (hints only: the flow decides from its
   * own records whether it may replace it, G15). With a service account: whether its
   * `imagePullSecrets` already names the secret (`serviceAccountLinked`; a hint as well).
   */
  precheck(
    access: ClusterAccess,
    input: { namespace: string; secretName: string; serviceAccount?: string },
  ): Promise<{ existing?: import('./secret-ownership').ExistingSecret; serviceAccountLinked?: boolean }>;
  /**
   * Creates the secret (never over one that exists), or, when `replaceResourceVersion` is given,
   * replaces it: the secret still at that version, or, touched by someone since, still the same
   * object (`replaceUid`) with acrbot's request-id label as the caller checked it
   * (`replaceRequestIdLabel`), which is then replaced at its new version (a few times at most).
   * A replace keeps the labels, annotations, finalizers and owner references others put on the object (not
   * `kubectl.kubernetes.io/last-applied-configuration`, which may hold the old credential), and
   * writes acrbot's own. A secret swapped, relabelled or made again since the check is never
   * overwritten. Then links the secret to the service account.
   */
  write(access: ClusterAccess, input: PullSecretWrite): Promise<PullSecretWriteOutcome>;
  /**
   * Revocation (G17): deletes the secret only if it is still the object acrbot wrote for
   * `requestId`, then removes it from the service account's `imagePullSecrets`. With
   * `writtenUid` (the uid the store recorded when acrbot wrote it) that is the object with that
   * uid, whatever its labels say, still holding the data acrbot wrote (`writtenFingerprints`,
   * where recorded); without it (requests written before uids were recorded) the
   * managed-by and request-id labels must still name the request. Deleted with a uid and
   * resourceVersion precondition. A secret that is gone, foreign, or now written for another
   * request is left alone and said so. Once the secret is deleted, its entry is removed from the
   * `imagePullSecrets` of each of `serviceAccounts`: those acrbot's records say acrbot added (an
   * entry that was there before is not acrbot's to remove, G15).
   */
  remove(access: ClusterAccess, input: PullSecretRemoval): Promise<SecretRemoveResult>;
  /**
   * Read-only, for `check`: what the cluster holds of a pull secret acrbot's records name (one
   * read of the secret, one of each of `serviceAccounts`), never its data, only its fingerprint.
   * Fails as the other calls do (explained for the user); a secret or service account that is
   * not there is an answer, not a failure. Optional: ports without it leave the records unchecked.
   */
  inspect?(access: ClusterAccess, input: PullSecretInspection): Promise<PullSecretSeen>;
}

/** What {@link PullSecretPort.inspect} reads. */
export interface PullSecretInspection {
  namespace: string;
  secretName: string;
  /** Service accounts whose `imagePullSecrets` acrbot's records say list the secret. */
  serviceAccounts: readonly string[];
}

/** What {@link PullSecretPort.inspect} found (never the secret's data). */
export interface PullSecretSeen {
  /** The secret: missing (`absent`) or there, with its uid and data fingerprint. */
  secret: { state: 'absent' } | { state: 'present'; uid?: string; dataFingerprint?: string; deleting?: boolean };
  /** Per service account asked about: its list names the secret, does not, or the account is gone. */
  serviceAccounts: Record<string, 'listed' | 'noEntry' | 'absent'>;
}

/** What {@link PullSecretPort.remove} deletes, and what it checks first. */
export interface PullSecretRemoval {
  namespace: string;
  secretName: string;
  /** Service accounts whose `imagePullSecrets` entry acrbot added (acrbot's records). */
  serviceAccounts: readonly string[];
  /** The request acrbot's store says wrote the secret. */
  requestId: string;
  /** The uid acrbot recorded when it wrote the secret; undefined for requests recorded before uids were kept. */
  writtenUid?: string;
  /**
   * The fingerprints (`secretDataFingerprint`) of the data acrbot recorded writing: the secret is
   * deleted only while it holds one of them. Another (a GitOps sync put its own data into the
   * object acrbot made) is `notOurs` with `contentsReplaced`. Undefined or empty for records made
   * before fingerprints were kept: the uid and labels decide, as before.
   */
  writtenFingerprints?: readonly string[];
  /**
   * The uid acrbot recorded for each of `serviceAccounts` it linked: an account with another
   * uid was made again since, and its entries are its makers' (none recorded: by name, as before).
   */
  serviceAccountUids?: Readonly<Record<string, string>>;
  /**
   * Runs right before each service account PATCH, after that account was read: the caller checks
   * the leases it holds there. Nothing fences the PATCH, and the entry goes by the secret's name,
   * which a newer request for that name adds again: a revocation frozen past its leases while
   * another instance finished it and the newer request was written would take the newer entry
   * out. A throw sends no PATCH (to that account or any after it) and ends the removal: answered,
   * not thrown, as {@link SecretRemoveResult.stopped}, with what was done before it.
   */
  beforePatch?: () => Promise<void>;
}

/** Outcome of removing a pull secret. */
export interface SecretRemoveResult extends DeleteResult {
  secret: 'deleted' | 'absent' | 'notOurs';
  /**
   * The `Audit-Id` of the secret's DELETE (of its 404 too), from {@link DeleteResult}; none when
   * no DELETE was sent (found absent, not acrbot's, or being deleted already).
   */
  requestId?: string;
  /** The request the secret now belongs to, when it was replaced by a later acrbot request. */
  ownerRequestId?: string;
  /** `notOurs` because it is the object acrbot wrote with other data in it than acrbot recorded writing. */
  contentsReplaced?: boolean;
  /** The service accounts whose entry was removed (an entry already gone is not listed). */
  serviceAccountsPatched: string[];
  /** The `Audit-Id` of the PATCH that took the entry out, by service account patched (own keys only). */
  serviceAccountRequestIds?: Record<string, string>;
  /** The service accounts that no longer exist: no entry to take out. */
  serviceAccountsAbsent: string[];
  /** The service accounts whose `imagePullSecrets` no longer named the secret (someone took the entry out). */
  serviceAccountsNoEntry?: string[];
  /** Why the first service account that could not be patched failed (the others were still tried): retry. */
  serviceAccountFailure?: Error;
  /** That service account. */
  failedServiceAccount?: string;
  /** Service accounts made again since acrbot linked the secret (another uid): their entry was left. */
  serviceAccountsNotOurs?: string[];
  /**
   * Set when {@link PullSecretRemoval.beforePatch} threw (`cause`: its error): no PATCH was sent
   * from then on, and the rest of this result is what was done before it, the secret's DELETE
   * with its `Audit-Id` included. The caller records that, then stops with `cause`: a retry finds
   * the secret gone and could no longer record its deletion.
   */
  stopped?: { cause: unknown };
}

// ---------------------------------------------------------------------------------------------
// Coordination ports shared by scale-out, lifecycle, policy, limits and the tab. Every store
// (memory, SQLite, Azure Tables) implements all of them; one contract suite tests them.
// ---------------------------------------------------------------------------------------------

/** A claim on one piece of work (an execution, a scheduled job) by one instance until `expiresAt`. */
export interface Lease {
  key: string;
  /** Instance id of the holder. */
  owner: string;
  expiresAt: string;
  /** Increases on every take-over; writes made under a lease check it (fencing). */
  fence: number;
}

/**
 * Thrown when a lease is no longer this holder's: another instance took it over (its expiry
 * passed), it was released, or its expiry passed before a renewal, even if nobody took it: another
 * instance may have read it free meanwhile ({@link LeaseStore.holder}) and acted on that, so a
 * holder that stalled past it must stop as one that was taken over.
 */
export class LeaseLostError extends Error {
  constructor(readonly key: string) {
    super(`lease ${key} is no longer held by this instance`);
    this.name = 'LeaseLostError';
  }
}

/**
 * A lease check refused, the lease still this instance's: the store failed its renewal and too
 * little of the lease is left for the write the check gates (lease-guard.ts SAFE_FRACTION), the
 * store's error its `cause`. Nobody else may hold the lease before it expires. A
 * {@link LeaseLostError}, so every caller that stops before a write on a lost lease stops on this
 * too; one that would read a lost lease as "another instance took the run over, it records the
 * rest" must not read this so (the secret runner's clean-up records its credentials as pending).
 */
export class LeaseMarginError extends LeaseLostError {
  constructor(key: string, cause: unknown) {
    super(key);
    this.name = 'LeaseMarginError';
    this.message = `lease ${key} was not renewed (the store failed) and has too little time left to write under`;
    this.cause = cause;
  }
}

/**
 * A lease lost because it expired while the store failed every renewal (the last error its
 * `cause`), not because a stall outlasted it or another instance took it. Like
 * {@link LeaseMarginError} it is the store failing, so the scheduler backs off and reports it
 * rather than retrying at every sweep.
 */
export class LeaseStoreFailedError extends LeaseLostError {
  constructor(key: string, cause: unknown) {
    super(key);
    this.name = 'LeaseStoreFailedError';
    this.cause = cause;
  }
}

/** Leases in the store: another instance takes over only after `expiresAt` (ACRBOT_LEASE_TTL). */
export interface LeaseStore {
  /** Takes the lease when nobody holds it or the holder's lease expired; undefined when held by another. */
  acquire(key: string, owner: string, ttlMs: number): Promise<Lease | undefined>;
  /**
   * Extends a held lease; throws {@link LeaseLostError} when the fence or owner no longer match,
   * or when its expiry has passed (by the store's clock), even if nobody took it since: another
   * instance may have read it free meanwhile ({@link LeaseStore.holder}) and acted on that, so a lapsed
   * lease is never renewed.
   */
  renew(lease: Lease, ttlMs: number): Promise<Lease>;
  /** Releases a held lease (no-op when already lost). */
  release(lease: Lease): Promise<void>;
  /** Who holds the lease now, read fresh from the store; undefined when it is free or expired. */
  holder(key: string): Promise<Lease | undefined>;
}

/** Kinds of persisted background work. */
export type JobKind =
  | 'request.expire' // a pending request's approval window ends
  | 'access.expire' // a granted access (grant or secret) ends: revoke
  | 'access.remind' // tell the requester before expiry
  | 'approval.remind' // nudge approvers (policy remindAfter)
  | 'approval.escalate' // escalate (policy escalateAfter)
  | 'approval.announce' // the approvers' card of a request, if its announcement did not post it
  | 'breakglass.review' // unreviewed break-glass grant: report again
  | 'cleanup.credential' // retry deleting a credential acrbot created (G14)
  | 'access.orphanWatch' // a revoked grant's assignment left at a gone registry's id: deleted if it is back
  | 'drift.check'
  | 'audit.anchor'
  | 'audit.retry'
  | 'store.purge' // expired dialogs and forgotten redelivery sightings
  | 'access.reopened'; // tell one requester refused during the pause of new access that it was lifted

/** One persisted job; run by exactly one instance under the lease `job:<id>`. */
export interface ScheduledJob {
  /** Deterministic (e.g. `access.expire:R-123`), so scheduling twice is idempotent. */
  id: string;
  kind: JobKind;
  dueAt: string;
  requestId?: string;
  /** Small JSON payload; never a secret. */
  payload?: Record<string, unknown>;
  /** Failed attempts so far (for backoff and reporting). */
  attempts: number;
  lastError?: string;
  /**
   * Whether the last failure was passing (the service did not answer, or answered 5xx, 408 or
   * 429: `passingFailure`, flows/outage-report-failure.ts) rather than a refusal (a 403, a lock)
   * or anything else; set with `lastError` by the scheduler. Only a passing failure's job is
   * brought forward once its dependency is back (scheduler-recovery.ts). Absent (a job never
   * failed, or stored before the field existed) reads as not passing.
   */
  lastFailurePassing?: boolean;
  /**
   * The store's revision of the job: new on every write, never the same twice for one id (not
   * even after a delete and a re-create), so "still at this revision" means "unchanged since it
   * was read". Set by the store (a `put` ignores it); every job read from a store has one (`''`
   * for a job stored before revisions existed).
   */
  revision?: string;
}

/**
 * The persisted schedule: survives restarts; due jobs are found in O(due), not O(all). The
 * conditional writes compare the revision atomically with the write, in the store, so a job
 * written by another instance after it was read is never overwritten or deleted by them.
 */
export interface ScheduleStore {
  /** Inserts or replaces the job with this id, whatever is stored, under a new revision. */
  put(job: ScheduledJob): Promise<void>;
  /**
   * Replaces the job (under a new revision) only while it is still at `revision`, i.e. neither
   * written nor deleted since it was read; never creates one. False, with nothing written, when
   * it changed.
   */
  putIfUnchanged(job: ScheduledJob, revision: string): Promise<boolean>;
  /**
   * Creates the job (under a new revision) only while none has this id; never replaces one (a
   * removed job counts as none). False, with nothing written, when one exists: e.g. a revoke
   * written after a reader found the job missing stays as it is.
   */
  putIfAbsent(job: ScheduledJob): Promise<boolean>;
  get(id: string): Promise<ScheduledJob | undefined>;
  /** Jobs with `dueAt <= now`, earliest first, at most `limit`. */
  due(now: Date, limit: number): Promise<ScheduledJob[]>;
  forRequest(requestId: string): Promise<ScheduledJob[]>;
  /**
   * Jobs whose id starts with `prefix` (exactly: no character of it is a wildcard), at most
   * `limit`, in the order of their keys (ids of letters, digits and `-_.:` in code-unit order in
   * every store). A range read of the key, so its cost follows the jobs found, not the schedule:
   * e.g. every `breakglass.review:` job (a review still owed) without reading other jobs.
   */
  withIdPrefix(prefix: string, limit: number): Promise<ScheduledJob[]>;
  /** Deletes (no-op when absent). */
  delete(id: string): Promise<void>;
  /**
   * Deletes the job only while it is still at `revision`. False, with nothing deleted, when it
   * was written since or is gone.
   */
  deleteIfUnchanged(id: string, revision: string): Promise<boolean>;
}

/**
 * The operators' pause of new access: while it is in force no request is filed or approved
 * (revocations, scheduled ends and reviews go on). One record for every instance.
 */
export interface AccessPause {
  /** When it was paused (ISO 8601). */
  since: string;
  /** Who paused it. */
  by: { objectId: string; name: string };
  /** Why, as typed (single line, checked like a request's reason). */
  reason: string;
  /**
   * Who last corrected the reason, and when (ISO 8601): a second `pause REASON…` amends the pause
   * in force rather than starting another; `since` and `by` stay those of the pause.
   */
  amended?: { by: { objectId: string; name: string }; at: string };
}

/** Which pause: when and by whom (what a confirmation card carries, and what an undo names). */
export type PauseIdentity = { since: string; by: { objectId: string } };

/** The answer to putting a pause in force: the pause in force afterwards, and whether it is this one. */
export interface PauseOutcome {
  applied: boolean;
  pause: AccessPause;
  /** Set when the pause in force had its reason amended (its reason before): `applied` is false then. */
  amendedFrom?: string;
}

/** Where the pause is kept: read fresh on every check, so a pause on one instance holds on all. */
export interface PauseStore {
  /** The pause in force, or undefined when new access is open. */
  current(): Promise<AccessPause | undefined>;
  /** Puts `pause` in force unless one already is (an insert that fails when the record exists). */
  pause(pause: AccessPause): Promise<PauseOutcome>;
  /**
   * Lifts the pause in force, only if it is `expected` when that is given; answers the pause
   * lifted, or undefined when none was (none in force, or another one than `expected`).
   */
  resume(expected?: PauseIdentity): Promise<AccessPause | undefined>;
  /**
   * Replaces the pause in force with `next` (the same pause, its reason or `amended` changed) only
   * while the record is exactly `expected` (samePauseRecord: same identity, reason and amendment);
   * answers `next`, or undefined with nothing written when the pause was lifted or changed since.
   */
  amend(expected: AccessPause, next: AccessPause): Promise<AccessPause | undefined>;
}

/** Short-lived conversation state of a dialog, owned by one user in one conversation. */
export interface DialogRecord {
  /** `${conversationId}|${userObjectId}`. */
  key: string;
  state: Record<string, unknown>;
  expiresAt: string;
}

/** Dialog state with a TTL (ACRBOT_DIALOG_TTL); expired records are invisible and purged. */
export interface DialogStore {
  get(key: string, now: Date): Promise<DialogRecord | undefined>;
  put(record: DialogRecord): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Deletes records expired at `now` and returns how many; the work is proportional to what
   * expired (an expiry index), never a scan of every record.
   */
  purgeExpired(now: Date): Promise<number>;
}

/** Abuse limits and redelivery (G16). */
export interface AbuseLedger {
  /**
   * Records an inbound activity id; false when it was seen before (Teams redelivery), so the
   * caller creates nothing. Each entry expires by the `ttlMs` it was recorded with, never by
   * another caller's shorter one.
   */
  firstSighting(activityId: string, now: Date, ttlMs: number): Promise<boolean>;
  /**
   * Forgets one sighting, so the same id is new again: an attempt that failed before it made
   * anything (a store error while checking the limits) must not make a redelivery "already
   * received". Forgetting an id not seen is no error.
   */
  forgetSighting(activityId: string): Promise<void>;
  /** Counts one event for `key` in the fixed window containing `now` and returns the count in that window. */
  hit(key: string, now: Date, windowMs: number): Promise<number>;
  /**
   * Deletes the sightings whose own ttl (the one each was recorded with) has run out by `now`
   * and returns how many: a sighting kept for days outlives the purges of a day's memory.
   * Proportional to what is deleted (an expiry index), never a scan of every sighting.
   */
  forgetExpiredSightings(now: Date): Promise<number>;
}
