/**
 * The access inventory: what a cluster can pull and why, which clusters can pull from a
 * registry, a user's own access, and the clusters × registries matrix of the tab. It gathers
 * facts through the ports (ARM role assignments and role definitions, clusters, registries,
 * Graph for service-principal clusters and group membership, the request store) and joins them
 * with the pure `buildCells` of `src/domain/inventory-cells.ts`, so chat and the tab show the
 * same answer.
 *
 * ARM cost (S = allowed subscriptions, R = distinct roles among the relevant assignments,
 * G = group-held pull assignments, C = clusters), every list followed through its pages; R counts
 * only the roles of assignments that cover a registry looked at, each read at such a registry:
 * - {@link AccessInventory.forCluster}: cluster lookup (≤ S lists) + S registry lists +
 *   S `assignedTo()` lists (a subscription that refuses its list: one on each of its registries
 *   instead) + R role definition GETs.
 * - {@link AccessInventory.forRegistry}: registry lookup (≤ S lists) + S cluster lists + 1
 *   at-or-above assignment list on the registry itself (where the deployment gives acrbot
 *   Reader) + R GETs + ≤ ⌈G/20⌉ × C Graph membership checks (one `checkMemberGroups` per
 *   identity and 20 groups); from the store, the registry's requests (by registry, as `check`).
 * - {@link AccessInventory.matrix}: S cluster lists + S registry lists + S subscription-wide
 *   assignment lists (a subscription that refuses its list: one at-or-above list on each of its
 *   registries instead) + R GETs + ≤ ⌈G/20⌉ × C membership checks — never one call per cell.
 * - {@link AccessInventory.forUser}: the store only (no Azure call).
 * - {@link AccessInventory.check}: both lookups (≤ 2S lists) + 1 `assignedTo()` list on the
 *   registry itself + R GETs; from the store, the
 *   registry's requests from any cluster (a cluster sharing the identity shares its grants);
 *   with live pull secrets, 1 cluster credentials read + at most 20 Kubernetes reads.
 * R counts only roles not read before: built-in role definitions are cached per process; custom
 * roles are read on every call (they may change). Graph's calls in a listing (service-principal
 * lookups, once per app id, and membership checks) run at most 8 at a time.
 */
import type { ClusterInfo, RegistryInfo, RoleAssignmentInfo, RoleDefinitionInfo } from '../domain/azure-model';
import { mapAtMost } from '../domain/bounded-map';
import {
  anonymousPullRegistries,
  buildCells,
  findDrift,
  gaveAccess,
  requestRef,
  scopeLevelOf,
  type AccessMatrix,
  type ClusterAccessReport,
  type DriftFinding,
  type InventoryCluster,
  type InventoryIdentity,
  type InventoryRegistry,
  type RegistryAccessReport,
  type UserAccessReport,
} from '../domain/access-inventory';
import { isUserFacing, ResourceGoneError } from '../domain/errors';
import { cellsShown, ofTenant, showsTenant } from '../domain/tenant-boundary';
import { choosePullIdentity } from '../domain/identity';
import { parseClusterRef, parseRegistryRef } from '../domain/names';
import {
  CloudApiError,
  type AzureResourceReader,
  type Clock,
  type DirectoryPort,
  type ListOrder,
  type RequestStore,
  type RoleAssignmentListing,
} from '../domain/ports';
import { diagnosePull, listedSecrets, type PullDiagnosis } from '../domain/pull-diagnosis';
import { roleCarriesPullInAnyMode } from '../domain/pull-permission';
import type { AccessRequest, Actor, RequestState } from '../domain/request';
import type { Logger } from '../observability/logger';
import { roleDefinitionGuid } from '../domain/resource-id';
import { type TypedAs, uniqueName } from '../domain/typed-names';
import { azureLookupIds, armCode } from './azure-failure-text';
import { servicePrincipalUnreadableMessage } from './grant-planner';
import type { ResourceResolver } from './resource-resolver';
import { definitionScopes, RoleDefinitions } from './role-definitions';
import { secretsInCluster, type SecretInspector } from './secrets-in-cluster';

/**
 * Most requests read from the store per inventory call. `access REGISTRY`, `check` and `revoke`'s
 * look at a pair read the registry's requests (the store's index by registry); `access CLUSTER`
 * and the matrix, for which the store has no index, read everyone's requests that gave access
 * (succeeded, revoked) and filter them; this bound keeps one call's memory and time in check. Live access is read first
 * and ended access only with what is left (see {@link readAccessRequests}).
 */
export const INVENTORY_REQUEST_LIMIT = 10_000;

/** Requests that gave access, and what was left unread when the bound was reached. */
export interface AccessRecords {
  requests: AccessRequest[];
  /** A sentence for the user when the records were read only in part. */
  incomplete?: string;
}

/**
 * Reads the requests that gave access from one of the store's listings, every live one
 * (succeeded) before any ended one (revoked), within `limit` in all. Why ended ones at all: they
 * are the ways of pulling that ended (revoked, expired), which `access` and the matrix show, and
 * they keep acrbot's name on a role assignment whose request ended. They are never purged, so
 * read together with live ones oldest first they would crowd out the newest live grants: their
 * role assignments would read "granted outside acrbot" with no end, no Revoke or Extend, and their
 * pull secrets would be missing. Ended ones are read newest first, so the most recent ends are
 * shown, not a year-old first few thousand. When a bound is reached, `incomplete` says what may
 * be missing.
 */
export async function readAccessRequests(
  list: RequestListing,
  limit: number = INVENTORY_REQUEST_LIMIT,
  /** Whether the reader is shown role assignments labelled from these records (not `forUser`). */
  labelsAssignments = true,
): Promise<AccessRecords> {
  const live = await list(['succeeded'], limit);
  if (live.length >= limit)
    return {
      requests: live.filter(gaveAccess),
      incomplete: `acrbot read only the oldest ${limit} of its live requests: newer grants may be shown as granted outside acrbot, or as named by acrbot with no record (with no end), newer pull secrets are missing, and ended access is not shown.`,
    };
  const room = limit - live.length;
  // Newest first: ended access only accumulates, and the oldest `room` of a year's history would
  // show year-old ends and never yesterday's.
  const ended = await list(['revoked'], room, 'newestFirst');
  return {
    requests: [...live, ...ended].filter(gaveAccess),
    ...(ended.length >= room && {
      incomplete: `acrbot read only the newest ${room} of its ended requests: access that ended longer ago (revoked, expired) may be missing${labelsAssignments ? ENDED_CUT_LABELS : ''}. Live access is complete.`,
    }),
  };
}

/**
 * What an ended grant left unread does to a role assignment made again at its name (G15): with
 * no record of that grant, it reads as one this store never knew, not as made again after it ended.
 */
const ENDED_CUT_LABELS =
  ', and a role assignment at the name of such a grant may be said to have no record in this store when it was made again after that grant ended';

/** One of the store's request listings (by state, by registry, by requester), as {@link readAccessRequests} reads it. */
export type RequestListing = (states: RequestState[], limit: number, order?: ListOrder) => Promise<AccessRequest[]>;

/**
 * `list` kept to the requests of `tenantId`, its `limit` counted over them: the store cannot
 * filter by tenant, so it is asked for twice as many each time until that many of the tenant's
 * are found or the store has no more. Counted before filtering, a user's requests in another
 * tenant (the same object id: a guest's home tenant) would use up the bound and leave fewer of
 * their own shown than they hold, with a note that the read was cut short.
 */
function ofTenantOnly(list: RequestListing, tenantId: string): RequestListing {
  return async (states, limit, order) => {
    for (let asked = limit; ; asked *= 2) {
      const read = await list(states, asked, order);
      const kept = read.filter((r) => ofTenant(r, tenantId));
      if (kept.length >= limit || read.length < asked) return kept.slice(0, limit);
    }
  };
}

/** The ports the inventory reads. */
export interface AccessInventoryPorts {
  azure: AzureResourceReader;
  roleAssignments: RoleAssignmentListing;
  directory: DirectoryPort;
  requests: RequestStore;
  clock: Clock;
  /**
   * The cluster side of pull secrets, read-only: `check` looks in the cluster for the secrets the
   * records name (secrets-in-cluster.ts). Without it they are said from the records alone.
   */
  kubernetes?: SecretInspector;
  /**
   * Where a read cut short by {@link INVENTORY_REQUEST_LIMIT} is logged (once per process), and a
   * failed Graph lookup of a cluster's service principal (other than a refusal), once per lookup.
   */
  log?: Pick<Logger, 'warn'>;
}

/**
 * `forCluster` also returns the drift it saw, so the caller can record it (see DriftDetector,
 * which confirms it as its sweep looks): all four reasons, the cells already showing them; and
 * how the asker named the cluster, which resolved to it, for the card's commands (typed-names.ts).
 */
/**
 * A role assignment under acrbot's name that no record of this store proves acrbot's
 * ({@link AccessInventory.acrbotNamedOnPair}): its name, and, when it was made again after acrbot's
 * grants there ended, those grants (the one that ended last last) and when Azure made it.
 */
export interface AcrbotNamedAssignment {
  name: string;
  endedRequestIds?: string[];
  createdOn?: string;
}

export type ClusterAccessResult = ClusterAccessReport & { drift: DriftFinding[]; typedAs: TypedAs };

/** Answers "who can pull what, and why". Read-only: it never writes to Azure or the store. */
export class AccessInventory {
  /** Role definitions, the built-in ones read once per process. */
  private readonly definitions = new RoleDefinitions((s, guid) =>
    this.ports.roleAssignments.getRoleDefinition(s, guid),
  );

  /** Set once a cut-short read was logged: every call after it would say the same. */
  private cutLogged = false;

  constructor(
    private readonly ports: AccessInventoryPorts,
    private readonly resolver: ResourceResolver,
    private readonly subscriptionIds: readonly string[],
    /** Most requests one call reads (tests use a small one). */
    private readonly requestLimit: number = INVENTORY_REQUEST_LIMIT,
  ) {}

  /**
   * `access CLUSTER`: every registry the cluster can pull from (or could, through acrbot), and
   * why. For someone of `tenantId`, another tenant's requests are shown as in {@link check}.
   */
  async forCluster(clusterText: string, tenantId?: string): Promise<ClusterAccessResult> {
    const clusterRef = parseClusterRef(clusterText);
    const cluster = await this.resolver.resolveCluster(clusterRef);
    // As typed, since it resolved to this cluster: commands the answer suggests name it so.
    const typedAs: TypedAs = { cluster: clusterRef.kind };
    const now = this.ports.clock.now();
    const [resolved, registries, records] = await Promise.all([
      this.identityOf(cluster, undefined, typedAs.cluster),
      this.allRegistries(),
      this.accessRequests(),
    ]);
    const { incomplete } = records;
    const requests = records.requests.filter((r) => forClusterOrItsIdentity(r, cluster, resolved.identity));
    const identityId = resolved.identity?.objectId;
    const assignments = identityId
      ? await listedInEach(
          this.subscriptionIds,
          (s) => this.ports.roleAssignments.listAssignedTo(s, identityId),
          // Refused at subscription scope, where the deployment gives acrbot nothing: on each
          // registry of that subscription instead, where it has Reader.
          (s) => onEachRegistry(registries, s, (id) => this.ports.roleAssignments.listAssignedToAt(id, identityId)),
        )
      : [];
    const roles = await this.roleDefinitions(assignments, registries);
    const assignmentsByIdentity = new Map<string, RoleAssignmentInfo[]>();
    if (resolved.identity) assignmentsByIdentity.set(resolved.identity.objectId.toLowerCase(), assignments);
    // As the sweeper finds it, against the cluster and registries just read (the caller records it).
    const drift = findDrift(identityId, assignments, requests, { cluster, registries });
    const cells = buildCells({
      clusters: [{ cluster: toCluster(cluster), identity: resolved.identity, identityProblem: resolved.problem }],
      registries: registries.map(toRegistry),
      assignmentsByIdentity,
      roles,
      requests,
      drift,
      now,
    });
    const anonymous = anonymousPullRegistries(registries.map(toRegistry));
    return {
      cluster: toCluster(cluster),
      identity: resolved.identity,
      identityProblem: resolved.problem,
      // The drift above is judged on every request; only what the reader is shown is narrowed.
      cells: tenantId === undefined ? cells : cellsShown(cells, showsTenant(requests, tenantId)),
      ...(anonymous.length && { anonymousRegistries: anonymous }),
      ...(incomplete && { incomplete }),
      generatedAt: now.toISOString(),
      drift,
      typedAs,
    };
  }

  /**
   * `access REGISTRY`: the clusters (in the allowed subscriptions) that can pull from it. For
   * someone of `tenantId`, another tenant's requests are shown as in {@link check}.
   */
  async forRegistry(registryText: string, tenantId?: string): Promise<RegistryAccessReport> {
    const registry = await this.resolver.resolveRegistry(parseRegistryRef(registryText));
    const now = this.ports.clock.now();
    const [clusters, { requests, incomplete }, assignments] = await Promise.all([
      this.allClusters(),
      // Indexed by registry, as `check` reads it: the registry's own history, not everyone's
      // cut at the bound (which left out its older ended grants, and so named a role assignment
      // made again at one's name as having no record here).
      this.read((states, limit, order) => this.ports.requests.listByRegistry(registry.id, states, limit, order)),
      // Every assignment at the registry or above it (only those can cover it), read on the
      // registry, where the deployment gives acrbot Reader (docs/deploy.md).
      listedInEach([registry.subscriptionId], () => this.ports.roleAssignments.listAtOrAbove(registry.id)),
    ]);
    const gathered = await this.gather(clusters, [registry], assignments);
    const cells = buildCells({ ...gathered, registries: [toRegistry(registry)], requests, now });
    return {
      registry: toRegistry(registry),
      cells: tenantId === undefined ? cells : cellsShown(cells, showsTenant(requests, tenantId)),
      unresolvedClusters: gathered.unresolved,
      ...(incomplete && { incomplete }),
      generatedAt: now.toISOString(),
    };
  }

  /** The tab's matrix over every cluster and registry in the allowed subscriptions. */
  async matrix(): Promise<AccessMatrix> {
    const now = this.ports.clock.now();
    const registriesRead = this.allRegistries();
    const [clusters, registries, { requests, incomplete }, assignments] = await Promise.all([
      this.allClusters(),
      registriesRead,
      this.accessRequests(),
      listedInEach(
        this.subscriptionIds,
        (s) => this.ports.roleAssignments.listInSubscription(s),
        // Refused at subscription scope, where the deployment gives acrbot nothing: on each
        // registry of that subscription instead (at or above it), where it has Reader.
        async (s) => onEachRegistry(await registriesRead, s, (id) => this.ports.roleAssignments.listAtOrAbove(id)),
      ),
    ]);
    const gathered = await this.gather(clusters, registries, assignments);
    return {
      clusters: clusters.map(toCluster),
      registries: registries.map(toRegistry),
      cells: buildCells({ ...gathered, registries: registries.map(toRegistry), requests, now }),
      unresolvedClusters: gathered.unresolved,
      ...(incomplete && { incomplete }),
      generatedAt: now.toISOString(),
    };
  }

  /**
   * `access` alone: the user's own requests that gave access (active, ending, ended), newest first.
   * Asked by someone of `tenantId`, those made in that tenant only (tenant-boundary.ts), as the
   * open requests beside them: an object id in another tenant's request (a guest's home tenant)
   * is not the asker there.
   */
  async forUser(user: Actor, tenantId?: string): Promise<UserAccessReport> {
    const now = this.ports.clock.now();
    // Indexed by requester: one user's requests, not everyone's filtered.
    const byRequester: RequestListing = (states, limit, order) =>
      this.ports.requests.listByRequester(user.objectId, states, limit, order);
    const { requests: mine, incomplete } = await this.read(
      tenantId === undefined ? byRequester : ofTenantOnly(byRequester, tenantId),
      false,
    );
    return {
      user: { objectId: user.objectId, name: user.name },
      entries: mine
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
        .map((r) => ({
          kind: r.plan.kind,
          cluster: planCluster(r),
          registry: planRegistry(r),
          namespace: r.plan.kind === 'secret' ? r.plan.namespace : undefined,
          secretName: r.plan.kind === 'secret' ? r.plan.secretName : undefined,
          roleName: r.plan.kind === 'grant' ? r.plan.role.name : undefined,
          request: requestRef(r, now),
        })),
      ...(incomplete && { incomplete }),
      generatedAt: now.toISOString(),
    };
  }

  /**
   * `check CLUSTER REGISTRY`: a diagnosis like `az aks check-acr`, without running a pod. Asked by
   * someone of `tenantId` (anyone may ask), another tenant's requests are shown as the tab's
   * matrix shows them (tenant-boundary.ts `cellsShown`): a role assignment held only for them
   * reads "by acrbot, for a request of another tenant", with no id, requester, approver or end,
   * and their pull secrets and ended grants are left out. Without it (operators' tools, tests),
   * every request is shown. `askedBy`: the asker's object id, so that only a request's requester
   * is told to extend it (pull-diagnosis.ts); `askerOfOtherTenant`: the asker is of another tenant
   * than acrbot's own (own-tenant.ts), whose extensions are refused, so nobody is told to extend.
   */
  async check(
    clusterText: string,
    registryText: string,
    tenantId?: string,
    askedBy?: string,
    askerOfOtherTenant = false,
  ): Promise<PullDiagnosis & { drift: DriftFinding[] }> {
    const clusterRef = parseClusterRef(clusterText);
    const registryRef = parseRegistryRef(registryText);
    const [cluster, registry] = await Promise.all([
      this.resolver.resolveCluster(clusterRef),
      this.resolver.resolveRegistry(registryRef),
    ]);
    const now = this.ports.clock.now();
    // The registry's requests from any cluster: another cluster's grant to the same identity is
    // this cluster's way of pulling too, and ends when that grant does.
    // As typed, since they resolved to these: the commands the answer suggests name them so.
    const typedAs: TypedAs = { cluster: clusterRef.kind, registry: registryRef.kind };
    const [resolved, records] = await Promise.all([
      this.identityOf(cluster, undefined, typedAs.cluster),
      this.read((states, limit, order) => this.ports.requests.listByRegistry(registry.id, states, limit, order)),
    ]);
    const { incomplete } = records;
    const requests = records.requests.filter((r) => forClusterOrItsIdentity(r, cluster, resolved.identity));
    // On the registry itself (at, above or below it): every assignment that can give this
    // identity pull there, read where the deployment gives acrbot Reader (docs/deploy.md).
    const identityId = resolved.identity?.objectId;
    const assignments = identityId
      ? await listedInEach([registry.subscriptionId], () =>
          this.ports.roleAssignments.listAssignedToAt(registry.id, identityId),
        )
      : [];
    const roles = await this.roleDefinitions(assignments, [registry]);
    // Assignments covering the registry whose role definition could not be read (404: deleted, or
    // not visible where it was read): they are not counted, and the diagnosis must not say the
    // identity has no pull role as if it knew.
    const unreadRoles = assignments.flatMap((a) => {
      const scopeLevel = scopeLevelOf(a.scope, registry, a.listedIn);
      return scopeLevel && !roles.has(roleDefinitionGuid(a.roleDefinitionId))
        ? [{ assignmentId: a.id, roleDefinitionId: a.roleDefinitionId, scopeLevel }]
        : [];
    });
    // As the sweeper finds it, against the cluster and registry just read (the caller records it).
    const drift = findDrift(identityId, assignments, requests, { cluster, registries: [registry] });
    const cells = buildCells({
      clusters: [{ cluster: toCluster(cluster), identity: resolved.identity, identityProblem: resolved.problem }],
      registries: [toRegistry(registry)],
      assignmentsByIdentity: new Map(
        resolved.identity ? [[resolved.identity.objectId.toLowerCase(), assignments]] : [],
      ),
      roles,
      requests,
      drift,
      now,
    });
    // The drift above is judged on every request (the caller records it, as the sweeper would);
    // only what the reader is shown is narrowed. The requests read carry their tenant.
    const [cell] = tenantId === undefined ? cells : cellsShown(cells, showsTenant(records.requests, tenantId));
    // Only the secrets the answer names: the records alone would name one deleted outside acrbot as in use.
    const seen = await secretsInCluster(
      this.ports.kubernetes,
      cluster,
      listedSecrets(cell),
      records.requests,
      this.ports.log,
    );
    const diagnosis = diagnosePull({
      cluster: toCluster(cluster),
      registry: toRegistry(registry),
      network: registry.network,
      identity: resolved.identity,
      identityProblem: resolved.problem,
      cell,
      ...(unreadRoles.length && { unreadRoles }),
      ...(seen && { secretsInCluster: seen }),
      typedAs,
      ...(askedBy !== undefined && { askedBy }),
      ...(askerOfOtherTenant && { askerOfOtherTenant }),
      ...(cluster.outboundType && { outboundType: cluster.outboundType }),
      ...(cluster.powerState && { powerState: cluster.powerState }),
      now,
    });
    return {
      ...diagnosis,
      // A role's origin and end come from these records: the reader must know they are partial.
      findings: incomplete
        ? [...diagnosis.findings, { topic: 'role', level: 'warn', text: incomplete }]
        : diagnosis.findings,
      drift,
    };
  }

  /**
   * The role assignments on the pair of `clusterId` and `registryId` whose origin is
   * `acrbotNamed`: named as acrbot names its grants, but no record of this store refers to them
   * (a store switched or restored), or made again under that name after acrbot's grants there
   * ended (`endedRequestIds` and `createdOn`, as `check` names them: acrbotNamedText). For
   * `revoke CLUSTER REGISTRY`, which finds nothing of its own to revoke there and says why it
   * leaves them alone (G15: the name is a hint, never proof). Asked by someone of `tenantId`, only
   * that tenant's ended grants are named (tenant-boundary.ts `cellsShown`, as in {@link check}).
   * Read as {@link check} reads the pair: one `assignedTo()` list on the registry + R GETs.
   */
  async acrbotNamedOnPair(clusterId: string, registryId: string, tenantId?: string): Promise<AcrbotNamedAssignment[]> {
    const [cluster, registry] = await Promise.all([
      this.resolver.resolveCluster(parseClusterRef(clusterId)),
      this.resolver.resolveRegistry(parseRegistryRef(registryId)),
    ]);
    const [resolved, records] = await Promise.all([
      this.identityOf(cluster),
      this.read((states, limit, order) => this.ports.requests.listByRegistry(registry.id, states, limit, order)),
    ]);
    const identity = resolved.identity;
    if (!identity) return [];
    const assignments = await listedInEach([registry.subscriptionId], () =>
      this.ports.roleAssignments.listAssignedToAt(registry.id, identity.objectId),
    );
    const cells = buildCells({
      clusters: [{ cluster: toCluster(cluster), identity }],
      registries: [toRegistry(registry)],
      assignmentsByIdentity: new Map([[identity.objectId.toLowerCase(), assignments]]),
      roles: await this.roleDefinitions(assignments, [registry]),
      requests: records.requests.filter((r) => forClusterOrItsIdentity(r, cluster, identity)),
      now: this.ports.clock.now(),
    });
    const shown = tenantId === undefined ? cells : cellsShown(cells, showsTenant(records.requests, tenantId));
    return shown.flatMap((c) =>
      c.paths.flatMap((p) =>
        p.kind === 'roleAssignment' && p.origin === 'acrbotNamed'
          ? [
              {
                name: p.assignmentId.split('/').pop()!,
                ...(p.endedRequestIds?.length &&
                  p.createdOn && { endedRequestIds: p.endedRequestIds, createdOn: p.createdOn }),
              },
            ]
          : [],
      ),
    );
  }

  // ---- gathering ---------------------------------------------------------------------------

  /**
   * Everyone's requests that gave access, read once per call: the cluster's and the matrix's ways
   * of pulling can be any registry's (no index by cluster), so they are cut at the bound tenant-wide.
   */
  private accessRequests(): Promise<AccessRecords> {
    return this.read((states, limit, order) => this.ports.requests.listByState(states, limit, order));
  }

  /** {@link readAccessRequests} within this inventory's bound; a cut-short read is logged once. */
  private async read(list: RequestListing, labelsAssignments = true): Promise<AccessRecords> {
    const read = await readAccessRequests(list, this.requestLimit, labelsAssignments);
    if (read.incomplete && !this.cutLogged) {
      this.cutLogged = true;
      this.ports.log?.warn(
        { limit: this.requestLimit },
        `access inventory read cut short: ${read.incomplete} (logged once per process)`,
      );
    }
    return read;
  }

  private async allClusters(): Promise<ClusterInfo[]> {
    return (await Promise.all(this.subscriptionIds.map((s) => this.ports.azure.listClusters(s)))).flat();
  }

  private async allRegistries(): Promise<RegistryInfo[]> {
    return (await Promise.all(this.subscriptionIds.map((s) => this.ports.azure.listRegistries(s)))).flat();
  }

  /**
   * The identity a cluster pulls with; a problem sentence instead when it has none usable, or when
   * Graph's lookup of its service principal failed (refused without `Application.Read.All`, a 5xx
   * or throttling past the client's retries): that cluster is then listed as unresolved and the
   * others are still shown, instead of one cluster's lookup failing the whole listing.
   */
  async identityOf(
    cluster: ClusterInfo,
    /** Lookups already under way in this build, by lower-cased app id: each app is asked once. */
    lookups?: Map<string, Promise<string | undefined>>,
    /** How a command may name the cluster (typed-names.ts), for the problem sentence's command. */
    clusterAs?: TypedAs['cluster'],
  ): Promise<{ identity?: InventoryIdentity; problem?: string }> {
    try {
      const chosen = choosePullIdentity(cluster);
      if (chosen.kind === 'kubelet')
        return { identity: { kind: 'kubelet', objectId: chosen.objectId, description: chosen.description } };
      let objectId: string | undefined;
      try {
        objectId = await this.servicePrincipalObjectId(chosen.appId, lookups);
      } catch (err) {
        return this.lookupFailed(err, cluster, chosen.appId, clusterAs);
      }
      if (!objectId)
        return {
          problem: `Cluster ${cluster.name} uses service principal ${chosen.appId}, which Microsoft Graph does not know; it cannot pull through role assignments.`,
        };
      return { identity: { kind: 'servicePrincipal', objectId, appId: chosen.appId, description: chosen.description } };
    } catch (err) {
      if (isUserFacing(err)) return { problem: err.message };
      throw err;
    }
  }

  /** Graph's object id of `appId`, through `lookups` when given (its failure shared as well). */
  private servicePrincipalObjectId(
    appId: string,
    lookups?: Map<string, Promise<string | undefined>>,
  ): Promise<string | undefined> {
    if (!lookups) return this.ports.directory.servicePrincipalObjectId(appId);
    const key = appId.toLowerCase();
    let lookup = lookups.get(key);
    if (!lookup) lookups.set(key, (lookup = this.ports.directory.servicePrincipalObjectId(appId)));
    return lookup;
  }

  /**
   * Of `groupIds` (lower-cased), those `objectId` is a transitive member of: in one batched call per
   * 20 groups.
   */
  private async memberGroups(objectId: string, groupIds: readonly string[]): Promise<Set<string>> {
    const found = await this.ports.directory.memberGroupsAmong(objectId, groupIds);
    return new Set(found.map((id) => id.toLowerCase()));
  }

  /**
   * A failed Graph lookup of `cluster`'s service principal as its problem sentence. A refusal (403)
   * names the permission to grant; anything else is logged here (the sentence has only its ids)
   * and is said to be worth asking again. Not a Graph failure: thrown on (unexpected).
   */
  private lookupFailed(
    err: unknown,
    cluster: ClusterInfo,
    appId: string,
    clusterAs: TypedAs['cluster'],
  ): { problem: string } {
    if (!(err instanceof CloudApiError)) throw err;
    if (err.statusCode === 403)
      return { problem: servicePrincipalUnreadableMessage(cluster, appId, err.code, clusterAs) };
    this.ports.log?.warn(
      { err, cluster: cluster.name },
      'Microsoft Graph lookup of a cluster service principal failed; the cluster is shown unresolved',
    );
    const status = err.statusCode ? `, HTTP ${err.statusCode}` : '';
    return {
      problem: `acrbot could not look up service principal ${appId} of cluster ${cluster.name} in Microsoft Graph (${armCode(err.code)}${status}), so whether it can pull is not known; ask again in a few minutes. The platform team can look the failure up with ${azureLookupIds(err)}.`,
    };
  }

  /**
   * From a subscription-wide listing: each cluster's identity and the assignments that apply to
   * it — direct ones, and group-held ones whose role carries pull when Graph says the identity
   * is a (transitive) member: one batched check per identity (20 groups a call), and Graph's
   * lookups of service-principal clusters once per app id, at most {@link GRAPH_IN_FLIGHT} of
   * either at a time, so a large tab does not spend the app's Graph budget in one burst.
   */
  private async gather(
    /** Every cluster of the allowed subscriptions, from listings that all answered. */
    clusters: ClusterInfo[],
    /** The registries looked at: each role is read at one its assignment covers. */
    registries: readonly RegistryInfo[],
    assignments: RoleAssignmentInfo[],
  ): Promise<{
    clusters: { cluster: InventoryCluster; identity?: InventoryIdentity; identityProblem?: string }[];
    assignmentsByIdentity: Map<string, RoleAssignmentInfo[]>;
    roles: Map<string, RoleDefinitionInfo>;
    unresolved: { cluster: InventoryCluster; problem: string }[];
  }> {
    const lookups = new Map<string, Promise<string | undefined>>();
    // Nobody typed these: a problem sentence's command names a cluster bare only when no other
    // cluster of this listing (every allowed subscription's, or none) has its name (typed-names.ts).
    const identities = await mapAtMost(clusters, GRAPH_IN_FLIGHT, (c) =>
      this.identityOf(c, lookups, uniqueName(c, clusters)),
    );
    const ids = new Set(identities.flatMap((i) => (i.identity ? [i.identity.objectId.toLowerCase()] : [])));
    const groupHeld = assignments.filter((a) => a.principalType === 'Group');
    const relevant = assignments.filter((a) => ids.has(a.principalId.toLowerCase()) || a.principalType === 'Group');
    const roles = await this.roleDefinitions(relevant, registries);
    const pullGroups = groupHeld.filter((a) => {
      const role = roles.get(roleDefinitionGuid(a.roleDefinitionId));
      return role !== undefined && roleCarriesPullInAnyMode(role);
    });
    const assignmentsByIdentity = new Map<string, RoleAssignmentInfo[]>();
    for (const a of relevant) {
      const key = a.principalId.toLowerCase();
      if (ids.has(key)) assignmentsByIdentity.set(key, [...(assignmentsByIdentity.get(key) ?? []), a]);
    }
    const groupIds = [...new Set(pullGroups.map((a) => a.principalId.toLowerCase()))];
    // Usually there are no pull groups at all, and then Graph is not asked.
    const memberships = groupIds.length
      ? await mapAtMost([...ids], GRAPH_IN_FLIGHT, async (id) => ({
          id,
          groups: await this.memberGroups(id, groupIds),
        }))
      : [];
    for (const { id, groups } of memberships)
      for (const groupId of groupIds) {
        if (!groups.has(groupId)) continue;
        const held = pullGroups.filter((a) => a.principalId.toLowerCase() === groupId);
        assignmentsByIdentity.set(id, [...(assignmentsByIdentity.get(id) ?? []), ...held]);
      }
    return {
      clusters: clusters.map((c, i) => ({
        cluster: toCluster(c),
        identity: identities[i].identity,
        identityProblem: identities[i].problem,
      })),
      assignmentsByIdentity,
      roles,
      unresolved: clusters.flatMap((c, i) =>
        identities[i].problem ? [{ cluster: toCluster(c), problem: identities[i].problem! }] : [],
      ),
    };
  }

  /**
   * The role definitions of those `assignments` that cover one of `registries` (see
   * {@link RoleDefinitions}: built-in ones cached, custom ones re-read); only their roles decide
   * who pulls (`buildCells`). Each is read first at a registry its assignment covers
   * ({@link definitionScopes}): the deployment gives acrbot Reader on registries and clusters
   * only (docs/deploy.md), so `roleDefinitions/read` at a resource group or subscription above
   * one answers 403, while a role assignable there is known at the registry. Then where the
   * assignment is (a custom role assignable only at a resource group is 404 at its subscription),
   * then the registry's subscription (beneath a management group that was listed in it, where
   * ARM knows that group's custom roles). An assignment covering none of them (say on the
   * cluster's node resource group) is not read at all: where it is, acrbot may not read, and it
   * gives no pull from these registries.
   */
  roleDefinitions(
    assignments: readonly RoleAssignmentInfo[],
    registries: readonly Pick<RegistryInfo, 'id' | 'subscriptionId' | 'resourceGroup'>[],
  ): Promise<Map<string, RoleDefinitionInfo>> {
    const coveredBy = new Map<RoleAssignmentInfo, Pick<RegistryInfo, 'id' | 'subscriptionId'>>();
    for (const a of assignments) {
      const registry = registries.find((r) => scopeLevelOf(a.scope, r, a.listedIn) !== undefined);
      if (registry) coveredBy.set(a, registry);
    }
    return this.definitions.of([...coveredBy.keys()], (a) => {
      const registry = coveredBy.get(a)!;
      return definitionScopes(a, subscriptionOf(a) ?? registry.subscriptionId, registry.id);
    });
  }
}

/**
 * Graph calls one listing has in flight at most (service-principal lookups, membership checks):
 * Graph's throttling budget is the app's in the tenant, shared with everyone's grants.
 */
const GRAPH_IN_FLIGHT = 8;

function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * A request for `cluster`, or a grant for another cluster to the identity `cluster` pulls with
 * (several clusters can share one user-assigned kubelet identity, and so its role assignments).
 */
function forClusterOrItsIdentity(r: AccessRequest, cluster: ClusterInfo, identity?: InventoryIdentity): boolean {
  if (sameId(r.plan.cluster.id, cluster.id)) return true;
  return identity !== undefined && r.plan.kind === 'grant' && sameId(r.plan.identity.objectId, identity.objectId);
}

function subscriptionOf(a: RoleAssignmentInfo): string | undefined {
  return /^\/subscriptions\/([^/]+)/i.exec(a.scope)?.[1];
}

/**
 * The assignments of each subscription's listing, once each (one above the subscriptions is
 * listed in each of them), with the subscriptions that listed it (`listedIn`, see
 * {@link scopeLevelOf}).
 */
async function listedInEach(
  subscriptionIds: readonly string[],
  list: (subscriptionId: string) => Promise<RoleAssignmentInfo[]>,
  /** Asked instead when the subscription's listing is refused (403). */
  whenRefused?: (subscriptionId: string) => Promise<RoleAssignmentInfo[]>,
): Promise<RoleAssignmentInfo[]> {
  const listOne = async (s: string) => {
    try {
      return await list(s);
    } catch (err) {
      if (!whenRefused || (err as { statusCode?: unknown }).statusCode !== 403) throw err;
      return whenRefused(s);
    }
  };
  const listings = await Promise.all(subscriptionIds.map(async (s) => ({ s, found: await listOne(s) })));
  const byId = new Map<string, RoleAssignmentInfo>();
  for (const { s, found } of listings)
    for (const a of found) {
      const key = a.id.toLowerCase();
      const known = byId.get(key);
      if (known) known.listedIn = [...(known.listedIn ?? []), s];
      else byId.set(key, { ...a, listedIn: [s] });
    }
  return [...byId.values()];
}

/**
 * `list` on each registry of `subscriptionId`, merged (one assignment above several registries is
 * listed once). A registry deleted meanwhile holds nothing.
 */
async function onEachRegistry(
  registries: readonly RegistryInfo[],
  subscriptionId: string,
  list: (registryId: string) => Promise<RoleAssignmentInfo[]>,
): Promise<RoleAssignmentInfo[]> {
  const inSubscription = registries.filter((r) => sameId(r.subscriptionId, subscriptionId));
  const lists = await Promise.all(
    inSubscription.map((r) =>
      list(r.id).catch((err: unknown) => {
        if (err instanceof ResourceGoneError) return [];
        throw err;
      }),
    ),
  );
  const byId = new Map<string, RoleAssignmentInfo>();
  for (const a of lists.flat()) byId.set(a.id.toLowerCase(), a);
  return [...byId.values()];
}

/** The inventory's view of a cluster. */
export function toCluster(c: ClusterInfo): InventoryCluster {
  return { id: c.id, name: c.name, subscriptionId: c.subscriptionId, resourceGroup: c.resourceGroup };
}

/** The inventory's view of a registry. */
export function toRegistry(r: RegistryInfo): InventoryRegistry {
  return {
    id: r.id,
    name: r.name,
    subscriptionId: r.subscriptionId,
    resourceGroup: r.resourceGroup,
    loginServer: r.loginServer,
    roleAssignmentMode: r.roleAssignmentMode,
    // Whether anything can reach it, and anonymous pull: `access` must say what `check` says.
    ...(r.network && { network: r.network }),
    // A registry being deleted: `check` says so (pull-diagnosis.ts).
    ...(r.provisioningState && { provisioningState: r.provisioningState }),
    // Names its data endpoint where a private endpoint is the way in (registry-reach.ts).
    ...(r.location && { location: r.location }),
    // Where its layers come from, which a firewall on the cluster's egress must allow (pull-diagnosis.ts).
    ...(r.dataEndpointEnabled !== undefined && { dataEndpointEnabled: r.dataEndpointEnabled }),
  };
}

function planCluster(r: AccessRequest): InventoryCluster {
  const c = r.plan.cluster;
  return { id: c.id, name: c.name, subscriptionId: c.subscriptionId, resourceGroup: c.resourceGroup };
}

function planRegistry(r: AccessRequest): InventoryRegistry {
  const g = r.plan.registry;
  return {
    id: g.id,
    name: g.name,
    subscriptionId: g.subscriptionId,
    resourceGroup: g.resourceGroup,
    loginServer: g.loginServer,
    roleAssignmentMode:
      g.roleAssignmentMode === 'AbacRepositoryPermissions' ? g.roleAssignmentMode : 'LegacyRegistryPermissions',
  };
}
