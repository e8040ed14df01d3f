/**
 * ARM's JSON for the resources acrbot reads through {@link ArmRest}, and their mapping to
 * acrbot's model. On the wire a resource's `properties` are nested (the SDK models flatten them);
 * only the fields acrbot uses are typed here. Shapes: CONTRACTS §1.1 (managed clusters), §2.1
 * (registries), §7 (role assignments, permissions), as the Azure REST API specs define them.
 */
import type {
  ClusterInfo,
  ClusterPowerState,
  RegistryInfo,
  RegistryProvisioningState,
  RoleAssignmentInfo,
} from '../../domain/azure-model';
import { parseResourceId } from '../../domain/resource-id';
import type { RoleAssignmentMode } from '../../domain/roles';

/** `Microsoft.ContainerService/managedClusters` as GET returns it (the fields acrbot reads). */
export interface WireManagedCluster {
  id?: string;
  name?: string;
  location?: string;
  tags?: Record<string, string> | null;
  identity?: { type?: string; principalId?: string } | null;
  properties?: {
    servicePrincipalProfile?: { clientId?: string } | null;
    identityProfile?: Record<string, { objectId?: string } | undefined> | null;
    aadProfile?: { managed?: boolean } | null;
    disableLocalAccounts?: boolean | null;
    /** `Running` or `Stopped` (AKS's `Code` enum); typed loosely: read with {@link powerStateFromWire}. */
    powerState?: { code?: unknown } | null;
    apiServerAccessProfile?: { enablePrivateCluster?: unknown } | null;
    privateFQDN?: unknown;
    /** How the nodes' traffic leaves the cluster; typed loosely: only a string is read. */
    networkProfile?: { outboundType?: unknown } | null;
  } | null;
}

/** `Microsoft.ContainerRegistry/registries` as GET returns it (the fields acrbot reads). */
export interface WireRegistry {
  id?: string;
  name?: string;
  location?: string;
  tags?: Record<string, string> | null;
  /** Its SKU; typed loosely: only a non-empty string `name` is read. */
  sku?: { name?: unknown } | null;
  properties?: {
    loginServer?: string;
    /** ACR's `ProvisioningState`; typed loosely: read with {@link registryProvisioningStateFromWire}. */
    provisioningState?: unknown;
    roleAssignmentMode?: string;
    publicNetworkAccess?: string;
    anonymousPullEnabled?: boolean;
    adminUserEnabled?: boolean;
    /** Dedicated data endpoints (Premium; off unless turned on); typed loosely: only a boolean is read. */
    dataEndpointEnabled?: unknown;
    networkRuleSet?: {
      defaultAction?: string;
      ipRules?: unknown[] | null;
      virtualNetworkRules?: unknown[] | null;
    } | null;
    privateEndpointConnections?:
      { properties?: { privateLinkServiceConnectionState?: { status?: string } | null } | null }[] | null;
  } | null;
}

/** `Microsoft.Authorization/roleAssignments` item. */
export interface WireRoleAssignment {
  id?: string;
  name?: string;
  properties?: {
    scope?: string;
    roleDefinitionId?: string;
    principalId?: string;
    principalType?: string;
    condition?: string | null;
    createdOn?: string | null;
    createdBy?: string | null;
  } | null;
}

/** An item of `…/providers/Microsoft.Authorization/permissions`. */
export interface WirePermission {
  actions?: string[] | null;
  notActions?: string[] | null;
}

/** A managed cluster as acrbot's {@link ClusterInfo}. */
export function clusterFromWire(c: WireManagedCluster): ClusterInfo {
  const id = parseResourceId(c.id ?? '');
  const p = c.properties ?? {};
  return {
    id: c.id ?? '',
    name: c.name ?? id?.name ?? '',
    subscriptionId: id?.subscriptionId ?? '',
    resourceGroup: id?.resourceGroup ?? '',
    location: c.location,
    identity: {
      identityType: c.identity?.type,
      servicePrincipalClientId: p.servicePrincipalProfile?.clientId,
      kubeletObjectId: p.identityProfile?.['kubeletidentity']?.objectId,
      controlPlanePrincipalId: c.identity?.principalId,
    },
    aadEnabled: Boolean(p.aadProfile?.managed),
    localAccountsDisabled: p.disableLocalAccounts === true,
    powerState: powerStateFromWire(p.powerState),
    ...(typeof p.networkProfile?.outboundType === 'string' &&
      p.networkProfile.outboundType.trim() !== '' && { outboundType: p.networkProfile.outboundType.trim() }),
    privateCluster:
      p.apiServerAccessProfile?.enablePrivateCluster === true ||
      (typeof p.privateFQDN === 'string' && p.privateFQDN.trim() !== ''),
    tags: c.tags ? { ...c.tags } : undefined,
  };
}

/**
 * `properties.powerState` as acrbot's {@link ClusterPowerState}: AKS's codes in any case, any other
 * value `unknown` (a code added later, a malformed answer), undefined when Azure sent none.
 */
export function powerStateFromWire(state: unknown): ClusterPowerState | undefined {
  if (state === undefined || state === null) return undefined;
  if (typeof state !== 'object') return 'unknown';
  const code = (state as { code?: unknown }).code;
  if (code === undefined || code === null) return undefined;
  const known = typeof code === 'string' ? code.trim().toLowerCase() : undefined;
  return known === 'running' ? 'Running' : known === 'stopped' ? 'Stopped' : 'unknown';
}

/** ACR's provisioning states, by their lowercase spelling. */
const REGISTRY_STATES: ReadonlyMap<string, Exclude<RegistryProvisioningState, 'unknown'>> = new Map(
  (['Creating', 'Updating', 'Deleting', 'Succeeded', 'Failed', 'Canceled'] as const).map((s) => [s.toLowerCase(), s]),
);

/**
 * `properties.provisioningState` of a registry as acrbot's {@link RegistryProvisioningState}: ACR's
 * states in any case, any other value `unknown` (a state added later, a malformed answer),
 * undefined when Azure sent none.
 */
export function registryProvisioningStateFromWire(state: unknown): RegistryProvisioningState | undefined {
  if (state === undefined || state === null) return undefined;
  return (typeof state === 'string' && REGISTRY_STATES.get(state.trim().toLowerCase())) || 'unknown';
}

/** A registry as acrbot's {@link RegistryInfo}. */
export function registryFromWire(r: WireRegistry): RegistryInfo {
  const id = parseResourceId(r.id ?? '');
  const p = r.properties ?? {};
  const provisioningState = registryProvisioningStateFromWire(p.provisioningState);
  return {
    id: r.id ?? '',
    name: r.name ?? id?.name ?? '',
    subscriptionId: id?.subscriptionId ?? '',
    resourceGroup: id?.resourceGroup ?? '',
    loginServer: p.loginServer ?? '',
    roleAssignmentMode: (p.roleAssignmentMode as RoleAssignmentMode | undefined) ?? 'LegacyRegistryPermissions',
    ...(typeof r.location === 'string' && r.location && { location: r.location }),
    // Only what ARM said: a missing field is not "off" (where layers come from, pull-diagnosis.ts).
    ...(typeof p.dataEndpointEnabled === 'boolean' && { dataEndpointEnabled: p.dataEndpointEnabled }),
    tags: r.tags ? { ...r.tags } : undefined,
    network: {
      publicNetworkAccess: p.publicNetworkAccess,
      defaultAction: p.networkRuleSet?.defaultAction,
      ipRuleCount: p.networkRuleSet?.ipRules?.length ?? 0,
      vnetRuleCount: p.networkRuleSet?.virtualNetworkRules?.length ?? 0,
      privateEndpoints: (p.privateEndpointConnections ?? []).filter(
        (pe) => (pe.properties?.privateLinkServiceConnectionState?.status ?? 'Approved') === 'Approved',
      ).length,
      anonymousPullEnabled: Boolean(p.anonymousPullEnabled),
      // Only what ARM said: a missing field is not "disabled".
      ...(typeof p.adminUserEnabled === 'boolean' && { adminUserEnabled: p.adminUserEnabled }),
    },
    ...(provisioningState && { provisioningState }),
    ...(typeof r.sku?.name === 'string' && r.sku.name && { sku: r.sku.name }),
  };
}

/** A role assignment as acrbot's {@link RoleAssignmentInfo}. */
export function roleAssignmentFromWire(a: WireRoleAssignment): RoleAssignmentInfo {
  const p = a.properties ?? {};
  return {
    id: a.id ?? '',
    name: a.name ?? '',
    scope: p.scope ?? '',
    roleDefinitionId: p.roleDefinitionId ?? '',
    principalId: p.principalId ?? '',
    principalType: p.principalType,
    condition: p.condition ?? undefined,
    ...(typeof p.createdOn === 'string' && p.createdOn !== '' && { createdOn: p.createdOn }),
    ...(typeof p.createdBy === 'string' && p.createdBy !== '' && { createdBy: p.createdBy }),
  };
}
