/** Plans: exactly what acrbot will do once a request is approved. */
import type { ClusterInfo, RegistryInfo, RoleAssignmentInfo } from './azure-model';
import { startClusterCommand } from './kube-no-answer';
import type { PullRole } from './roles';
import { registryReach } from './registry-reach';
import { roleDefinitionGuid, sameResourceId } from './resource-id';
import type { TypedAs } from './typed-names';

/** A reference to a resource, with the names users recognise. */
export interface ResourceSummary {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  /** Azure tags read when planning; the approval policy matches on them. */
  tags?: Record<string, string>;
}

/** The identity that will be granted. */
export interface PlannedIdentity {
  kind: 'kubelet' | 'servicePrincipal';
  objectId: string;
  /** Present for service-principal clusters. */
  appId?: string;
  description: string;
}

/** A grant: one role assignment on the registry. */
export interface GrantPlan {
  kind: 'grant';
  cluster: ResourceSummary;
  registry: PlannedRegistry;
  identity: PlannedIdentity;
  role: PullRole;
  /** Always the registry resource id: never a resource group or subscription (G9). */
  scope: string;
  /** Deterministic role assignment name: UUIDv5(scope|principal|role). */
  roleAssignmentName: string;
  /** The Azure operations, in words, for the plan card. */
  operations: string[];
  /**
   * Other clusters that pull with the same identity, as found when planned: the assignment gives
   * them pull too, so the card names them and the policy must select one rule for all of them
   * (request-creation.ts). Absent when none was found and every allowed subscription was listed,
   * and on plans stored before it was recorded.
   */
  sharedWith?: SharedIdentity;
  /** How the requester named the cluster and registry: see {@link PlannedAsTyped}. */
  typed?: PlannedAsTyped;
  /**
   * Set when, as planned, ARM said the cluster is stopped (`powerState.code` Stopped): the
   * sentence ({@link clusterStoppedWhenPlanned}) the card shows, as `check` says it. The role is
   * granted all the same (it needs nothing of the cluster), but no pod runs to pull with it
   * until the cluster is started. Absent on a running cluster, and on plans stored before it
   * was recorded.
   */
  clusterStopped?: string;
}

/**
 * What a grant's card says of a cluster ARM reports stopped when planned (undefined when it is
 * not, or ARM gave no power state): its pods pull nothing until it is started, with the one
 * command that starts it (kube-no-answer.ts), in its subscription.
 */
export function clusterStoppedWhenPlanned(
  cluster: Pick<ClusterInfo, 'name' | 'subscriptionId' | 'resourceGroup' | 'powerState'>,
): string | undefined {
  if (cluster.powerState !== 'Stopped') return undefined;
  return `Cluster ${cluster.name} is stopped (its power state is Stopped): its pods cannot pull until it is started (${startClusterCommand(cluster)}). The role is granted all the same.`;
}

/**
 * The resource id of the role assignment `plan` creates: its deterministic name at its scope.
 * Known before the PUT, so a resumed run, revocation, the orphan watch and operators' hand
 * deletions all name the same assignment.
 */
export function plannedAssignmentId(plan: GrantPlan): string {
  return `${plan.scope}/providers/Microsoft.Authorization/roleAssignments/${plan.roleAssignmentName}`;
}

/**
 * Whether `a` is the planned role for the planned identity at exactly the planned scope, whatever
 * its name and condition: Azure keeps one assignment per role, principal and scope, so it is the
 * one the grant's PUT would meet. A trailing slash on the scope Azure shows is dropped (the plan's
 * scope, a resource id, has none).
 */
export function isPlannedTuple(plan: GrantPlan): (a: RoleAssignmentInfo) => boolean {
  const principalId = plan.identity.objectId.toLowerCase();
  const role = plan.role.id.toLowerCase();
  return (a) =>
    a.principalId.toLowerCase() === principalId &&
    sameResourceId(a.scope.replace(/\/+$/, ''), plan.scope) &&
    roleDefinitionGuid(a.roleDefinitionId) === role;
}

/** The most sharing clusters a plan records (policy facts included); beyond, only a count. */
export const SHARING_CLUSTERS_RECORDED = 20;

/** Who else pulls with a grant's identity (one user-assigned kubelet identity, one service principal). */
export interface SharedIdentity {
  /** At most {@link SHARING_CLUSTERS_RECORDED} other clusters, with the tags the policy matches. */
  clusters: ResourceSummary[];
  /** How many more share it than are recorded. */
  more: number;
  /** Allowed subscriptions whose clusters could not be listed: whether any there shares it is unknown. */
  unchecked: string[];
}

/** Credential kind for the secret flow. */
export type SecretCredentialKind = 'token' | 'sp';

/** A pull secret: a credential plus a Kubernetes secret. */
export interface SecretPlan {
  kind: 'secret';
  cluster: ResourceSummary & { aadEnabled: boolean };
  registry: PlannedRegistry;
  credentialKind: SecretCredentialKind;
  /** Token name (token kind) or application display name (sp kind). */
  credentialName: string;
  /** Repositories the token may pull; empty = all (the built-in _repositories_pull scope map). */
  repositories: string[];
  namespace: string;
  secretName: string;
  serviceAccount?: string;
  /** ISO time when the credential stops working. */
  expiresAt: string;
  /** Role for the sp kind (AcrPull or Repository Reader). */
  role?: PullRole;
  /**
   * The acrbot request whose secret this one replaces, as the planner found it in acrbot's records
   * and the card showed the approver; null when it replaces none. The run refuses to replace any
   * other (G15). Absent on plans stored before it was recorded, or when the records could not say:
   * then the run replaces no other request's secret.
   */
  replaces?: PlannedReplacement | null;
  /**
   * The access holding the secret this plan replaces ({@link replaces}), when acrbot's records
   * said at planning that it was live and could be extended instead: the request `extend` names,
   * its requester's object id and when the access ends. The card tells that requester, when they
   * are the one asking again, that they hold it already (request-view.ts). Absent otherwise, and
   * on plans stored before it was recorded.
   */
  replacesHeld?: HeldReplacedAccess;
  operations: string[];
  /** How the requester named the cluster and registry: see {@link PlannedAsTyped}. */
  typed?: PlannedAsTyped;
  /**
   * Set when, as planned, the cluster said the namespace (or the service account) is missing or
   * being deleted: the sentence, with the time of that read, the card shows while the request
   * waits for a decision. A hint only (G15): it may be made before approval, and the run checks
   * again. Absent when the check found nothing wrong, could not tell, or was not made (plans
   * stored before it was recorded).
   */
  targetCheck?: string;
}

/**
 * How the requester named the plan's cluster and registry (names.ts `kind`: a bare name,
 * `group/name`, the resource id), which resolved to exactly these when it was planned, so the
 * commands its cards and messages suggest name them the same way (typed-names.ts `typedPair`)
 * rather than by resource id. The form only, not the text typed: it is spelled again from the
 * recorded names, so no user text is kept or shown, and what the parser accepted names the same
 * resource whatever the letter case. Absent on plans stored before it was recorded: their hints
 * write the ids. Copied into an extension's plan: the form resolved then, and a namesake made
 * since makes the resolver list the ids rather than pick one.
 */
export type PlannedAsTyped = Required<TypedAs>;

/** What a secret plan replaces: the earlier request, and the uid of the secret acrbot wrote for it. */
export interface PlannedReplacement {
  requestId: string;
  /** `metadata.uid` acrbot recorded when it wrote that secret (absent for requests recorded before uids). */
  uid?: string;
}

/** See {@link SecretPlan.replacesHeld}. */
export interface HeldReplacedAccess {
  /** The request whose access holds the secret (an original, never an extension: `extend` names it). */
  requestId: string;
  /** Entra object id of its requester. */
  requesterObjectId: string;
  /** ISO time its access ends (its term, or its credential's expiry when sooner). */
  until: string;
}

/** Any plan. */
export type Plan = GrantPlan | SecretPlan;

/** The registry as both plans record it (what the card shows and the runner re-reads). */
export type PlannedRegistry = ResourceSummary & {
  loginServer: string;
  roleAssignmentMode: string;
  /**
   * Set when, as planned, no network reaches the registry (`check`'s sentence, registry-reach.ts):
   * the access asked for would not let anything pull until that changes, which the approver and
   * the requester are told.
   */
  unreachable?: string;
  /**
   * Set when, as planned, the network lets the cluster in only on a condition acrbot cannot see
   * (an allowed outbound IP or subnet, a private endpoint): `check`'s warning, registry-reach.ts.
   * The access pulls only if that holds, which the approver and the requester are told. Absent
   * on plans stored before it was recorded (they show as they did).
   */
  networkCondition?: string;
  /**
   * Set when, as planned, anonymous pull is enabled and something can reach the registry:
   * `check`'s sentence (registry-reach.ts `anonymousText`). Anything that reaches the registry
   * pulls without a role, so the access asked for may add nothing; the approver and the requester
   * are told. Absent on plans stored before it was recorded (they show as they did).
   */
  anonymousPull?: string;
  /**
   * Set when, as planned, ARM reported the registry's admin user enabled: `check`'s sentence
   * (registry-reach.ts `adminUserText`): its password pulls whatever acrbot grants. Absent on
   * plans stored before it was recorded.
   */
  adminUser?: string;
};

/**
 * The cluster as a plan records it: grant and secret plans share this (the secret plan adds
 * `aadEnabled`, which decides how the runner authenticates to the API server). Tags only when
 * Azure had any, so plans of untagged resources stay as they were.
 */
export function plannedCluster(cluster: ClusterInfo): ResourceSummary {
  return {
    id: cluster.id,
    name: cluster.name,
    subscriptionId: cluster.subscriptionId,
    resourceGroup: cluster.resourceGroup,
    ...(cluster.tags && { tags: cluster.tags }),
  };
}

/** The registry as a plan records it (same for grant and secret plans). */
export function plannedRegistry(registry: RegistryInfo): PlannedRegistry {
  const reach = registryReach(registry, registry.network);
  return {
    id: registry.id,
    name: registry.name,
    subscriptionId: registry.subscriptionId,
    resourceGroup: registry.resourceGroup,
    loginServer: registry.loginServer,
    roleAssignmentMode: registry.roleAssignmentMode,
    ...(registry.tags && { tags: registry.tags }),
    ...(reach.unreachable && reach.finding && { unreachable: reach.finding.text }),
    ...(reach.condition && { networkCondition: reach.condition }),
    // Unreachable, anonymous pull lets nothing in: the network's fact says so already.
    ...(reach.anonymous && reach.anonymousText && { anonymousPull: reach.anonymousText }),
    ...(reach.adminUserText && { adminUser: reach.adminUserText }),
  };
}
