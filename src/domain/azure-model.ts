/** What acrbot knows about the Azure resources it works on, independent of any SDK. */
import type { RoleAssignmentMode } from './roles';

/** How the cluster authenticates to Azure, as read from the AKS resource. */
export interface ClusterIdentityFacts {
  /** `identity.type`: SystemAssigned, UserAssigned, None, or undefined (no identity block). */
  identityType?: string;
  /** `servicePrincipalProfile.clientId`: the literal `msi` on managed-identity clusters, else an app id. */
  servicePrincipalClientId?: string;
  /** `identityProfile.kubeletidentity.objectId`, when present. */
  kubeletObjectId?: string;
  /** `identity.principalId`: the control plane. Never the assignee; kept to show it is not used. */
  controlPlanePrincipalId?: string;
}

/** An AKS cluster. */
export interface ClusterInfo {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location?: string;
  identity: ClusterIdentityFacts;
  /** Entra ID (AAD) integration: credentials are exec/kubelogin stanzas. */
  aadEnabled: boolean;
  /**
   * `disableLocalAccounts` is true: no static credential exists. Otherwise the "cluster user"
   * credential acrbot would read is an admin certificate (local accounts), so the secret flow
   * refuses such clusters unless allowed (`ACRBOT_ALLOW_LOCAL_ACCOUNT_CLUSTERS`).
   */
  localAccountsDisabled?: boolean;
  /**
   * `powerState.code`: whether the control plane runs. A stopped cluster's API server answers
   * nothing, so no pull secret can be written there (a grant, on the kubelet identity, needs no
   * API server). `unknown` for a code acrbot does not know; absent when Azure did not report it.
   */
  powerState?: ClusterPowerState;
  /**
   * `networkProfile.outboundType`, as ARM spells it (`loadBalancer`, `managedNATGateway`,
   * `userAssignedNATGateway`, `userDefinedRouting`, `none`, `block`): how the nodes' traffic leaves
   * the cluster, so how they reach a registry's public endpoint (pull-diagnosis.ts). Absent when
   * Azure did not report it.
   */
  outboundType?: string;
  /**
   * `apiServerAccessProfile.enablePrivateCluster` (or a `privateFQDN`): the API server has only a
   * private address, reachable from the cluster's network, so acrbot writes secrets there only
   * when it runs where it can reach that address.
   */
  privateCluster?: boolean;
  /** Azure tags (policy `match.clusterTags`); names as Azure returns them. */
  tags?: Record<string, string>;
}

/** An AKS cluster's power state as acrbot reads it: AKS's two codes, or one it does not know. */
export type ClusterPowerState = 'Running' | 'Stopped' | 'unknown';

/** A container registry. */
export interface RegistryInfo {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  /** From Azure, never built from the name. */
  loginServer: string;
  roleAssignmentMode: RoleAssignmentMode;
  /** Its Azure region (`location`), when ARM gave it: names its data endpoint (registry-reach.ts). */
  location?: string;
  /**
   * `dataEndpointEnabled`: dedicated data endpoints (Premium, off unless turned on) serve its
   * layers at LABEL.REGION.data.azurecr.io; when off they come from Azure Storage
   * (`*.blob.core.windows.net`). Names what a firewall must allow (pull-diagnosis.ts). Absent when
   * ARM did not say.
   */
  dataEndpointEnabled?: boolean;
  /** Azure tags (policy `match.registryTags`). */
  tags?: Record<string, string>;
  /** Network and anonymous-pull settings (for `check`); absent when Azure did not report them. */
  network?: RegistryNetwork;
  /**
   * `provisioningState`: where ARM is with the registry's last control-plane operation. `Deleting`:
   * ARM is deleting it, and every role assignment or token made on it now goes with it, so no
   * access is planned or written there. `unknown` for a state acrbot does not know; absent when
   * Azure did not report it.
   */
  provisioningState?: RegistryProvisioningState;
  /**
   * `sku.name` as ARM answered it (Basic, Standard, Premium): what ACR's limits of tokens and scope
   * maps are read against ({@link registryTokenLimit}). Absent when ARM gave none.
   */
  sku?: string;
}

/** A registry's provisioning state as acrbot reads it: ACR's six states, or one it does not know. */
export type RegistryProvisioningState =
  'Creating' | 'Updating' | 'Deleting' | 'Succeeded' | 'Failed' | 'Canceled' | 'unknown';

/** How a registry can be reached, as ARM reports it (CONTRACTS §2.1). */
export interface RegistryNetwork {
  /** `publicNetworkAccess`: Enabled or Disabled. */
  publicNetworkAccess?: string;
  /** `networkRuleSet.defaultAction` (Premium): Allow, or Deny with IP rules. */
  defaultAction?: string;
  /** Number of `networkRuleSet.ipRules`. */
  ipRuleCount: number;
  /**
   * Number of `networkRuleSet.virtualNetworkRules` (service-endpoint subnets let in past a Deny),
   * when the API version answered them; absent counts as none.
   */
  vnetRuleCount?: number;
  /** Approved private endpoint connections. */
  privateEndpoints: number;
  anonymousPullEnabled: boolean;
  /**
   * `adminUserEnabled`: the registry's admin user is on, so anything holding its password pulls,
   * whatever roles say. Absent when ARM's answer did not carry it.
   */
  adminUserEnabled?: boolean;
}

/** A role assignment as read from Azure. */
export interface RoleAssignmentInfo {
  id: string;
  name: string;
  scope: string;
  roleDefinitionId: string;
  principalId: string;
  /** User, Group, ServicePrincipal…; a Group means the pull identity holds it through membership. */
  principalType?: string;
  /** ABAC condition (e.g. limited to some repositories); undefined when none. */
  condition?: string;
  /**
   * `properties.createdOn`: when Azure made it (ISO 8601), when the answer carried it. Its name is
   * deterministic, so an assignment at the id acrbot once used may be someone else's made later
   * (G15): one made after acrbot's access ended is not acrbot's (orphan-watch.ts, grant-planner.ts).
   */
  createdOn?: string;
  /**
   * `properties.createdBy`: the object id of who made it, when the answer carried one (ARM gives
   * null for some). Azure's word, not verified: shown as user text, never acted on.
   */
  createdBy?: string;
  /**
   * The subscriptions whose listing returned it (set by the inventory). An assignment at a
   * management group or the root is listed in each subscription under it, and which those are
   * is known only from where it was listed: it covers registries in these subscriptions only.
   */
  listedIn?: string[];
}

/** One permission block of a role definition. */
export interface RolePermissions {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

/** A role definition with its permissions (built-in or custom). */
export interface RoleDefinitionInfo {
  /** Lowercase GUID. */
  guid: string;
  roleName: string;
  /** BuiltInRole or CustomRole. */
  roleType: string;
  permissions: RolePermissions[];
}

/**
 * ACR's limits per registry, by SKU, of repository-scoped tokens and of scope maps (each, the
 * built-in scope maps not counted): Azure refuses a create beyond them with 409 QuotaExceeded.
 * Fixed by the SKU (learn.microsoft.com/azure/container-registry/container-registry-skus); only
 * a higher SKU raises them.
 */
export const REGISTRY_TOKEN_LIMITS: Readonly<Record<'Basic' | 'Standard' | 'Premium', number>> = {
  Basic: 100,
  Standard: 500,
  Premium: 50_000,
};

/** The limit of tokens (and of scope maps) of a registry of SKU `sku` (any case); undefined for one acrbot does not know. */
export function registryTokenLimit(sku: string | undefined): number | undefined {
  const known = Object.keys(REGISTRY_TOKEN_LIMITS).find((k) => k.toLowerCase() === sku?.toLowerCase());
  return known === undefined ? undefined : REGISTRY_TOKEN_LIMITS[known as keyof typeof REGISTRY_TOKEN_LIMITS];
}
