/**
 * Container registries and their wire shape (CONTRACTS §2.1). Each registry owns its scope maps
 * and tokens (see `scope-maps.ts`, `tokens.ts`).
 */
import { PROVIDERS, resourceId } from './arm-ids';
import { systemScopeMaps, type ScopeMapRecord } from './scope-maps';
import type { TokenRecord } from './tokens';

/** Seed description of a registry. */
export interface RegistrySpec {
  subscriptionId: string;
  resourceGroup: string;
  /** 5–50 letters and digits. */
  name: string;
  location?: string;
  sku?: 'Basic' | 'Standard' | 'Premium';
  /** Defaults to `<lowercase name>.azurecr.io`. Always stored lowercase, as Azure returns it. */
  loginServer?: string;
  roleAssignmentMode?: 'LegacyRegistryPermissions' | 'AbacRepositoryPermissions';
  adminUserEnabled?: boolean;
  /** Azure resource tags (`tags` on the wire). */
  tags?: Record<string, string>;
  /** `publicNetworkAccess`; default Enabled. */
  publicNetworkAccess?: 'Enabled' | 'Disabled';
  /** Premium firewall: `networkRuleSet.defaultAction` and allowed IP ranges; default Allow, none. */
  networkRuleSet?: { defaultAction: 'Allow' | 'Deny'; ipRules?: string[] };
  /** Names of approved private endpoints. */
  privateEndpoints?: string[];
  anonymousPullEnabled?: boolean;
  /** `dataEndpointEnabled` (dedicated data endpoints, Premium); default false, as in Azure. */
  dataEndpointEnabled?: boolean;
  /**
   * `provisioningState`; default Succeeded. `Deleting` shows a registry ARM is deleting: still
   * answered by GET and the listings until the delete finishes (a test alters a seeded one with
   * {@link setRegistryProvisioningState}).
   */
  provisioningState?: RegistryProvisioningState;
}

/** ACR's `ProvisioningState` values (Microsoft.ContainerRegistry registries). */
export type RegistryProvisioningState = 'Creating' | 'Updating' | 'Deleting' | 'Succeeded' | 'Failed' | 'Canceled';

/** Stored registry. Child maps are keyed by lowercase name. */
export interface RegistryRecord {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  sku: 'Basic' | 'Standard' | 'Premium';
  loginServer: string;
  roleAssignmentMode: 'LegacyRegistryPermissions' | 'AbacRepositoryPermissions';
  adminUserEnabled: boolean;
  publicNetworkAccess: 'Enabled' | 'Disabled';
  networkRuleSet: { defaultAction: 'Allow' | 'Deny'; ipRules: string[] };
  privateEndpoints: string[];
  anonymousPullEnabled: boolean;
  dataEndpointEnabled: boolean;
  provisioningState: RegistryProvisioningState;
  creationDate: string;
  tags?: Record<string, string>;
  scopeMaps: Map<string, ScopeMapRecord>;
  tokens: Map<string, TokenRecord>;
}

/** Fills defaults and adds the system scope maps every registry has. */
export function registryRecord(spec: RegistrySpec): RegistryRecord {
  const id = resourceId(spec.subscriptionId, spec.resourceGroup, PROVIDERS.registries, spec.name);
  const creationDate = new Date().toISOString();
  const scopeMaps = new Map<string, ScopeMapRecord>();
  for (const sm of systemScopeMaps(id, creationDate)) scopeMaps.set(sm.name.toLowerCase(), sm);
  return {
    id,
    subscriptionId: spec.subscriptionId,
    resourceGroup: spec.resourceGroup,
    name: spec.name,
    location: spec.location ?? 'westeurope',
    sku: spec.sku ?? 'Premium',
    loginServer: (spec.loginServer ?? `${spec.name}.azurecr.io`).toLowerCase(),
    roleAssignmentMode: spec.roleAssignmentMode ?? 'LegacyRegistryPermissions',
    adminUserEnabled: spec.adminUserEnabled ?? false,
    publicNetworkAccess: spec.publicNetworkAccess ?? 'Enabled',
    networkRuleSet: {
      defaultAction: spec.networkRuleSet?.defaultAction ?? 'Allow',
      ipRules: spec.networkRuleSet?.ipRules ?? [],
    },
    privateEndpoints: spec.privateEndpoints ?? [],
    anonymousPullEnabled: spec.anonymousPullEnabled ?? false,
    dataEndpointEnabled: spec.dataEndpointEnabled ?? false,
    provisioningState: spec.provisioningState ?? 'Succeeded',
    creationDate,
    ...(spec.tags && { tags: { ...spec.tags } }),
    scopeMaps,
    tokens: new Map(),
  };
}

/** The registry as GET returns it. */
export function registryToWire(r: RegistryRecord): Record<string, unknown> {
  return {
    id: r.id,
    name: r.name,
    type: PROVIDERS.registries,
    location: r.location,
    sku: { name: r.sku, tier: r.sku },
    ...(r.tags && Object.keys(r.tags).length > 0 && { tags: { ...r.tags } }),
    properties: {
      loginServer: r.loginServer,
      creationDate: r.creationDate,
      provisioningState: r.provisioningState,
      adminUserEnabled: r.adminUserEnabled,
      publicNetworkAccess: r.publicNetworkAccess,
      anonymousPullEnabled: r.anonymousPullEnabled,
      // Premium only, as in Azure (2025-11-01: `ipRules` of `{ action: 'Allow', value }`).
      ...(r.sku === 'Premium'
        ? {
            networkRuleSet: {
              defaultAction: r.networkRuleSet.defaultAction,
              ipRules: r.networkRuleSet.ipRules.map((value) => ({ action: 'Allow', value })),
            },
          }
        : {}),
      privateEndpointConnections: r.privateEndpoints.map((name) => ({
        id: `${r.id}/privateEndpointConnections/${name}`,
        name,
        type: 'Microsoft.ContainerRegistry/registries/privateEndpointConnections',
        properties: {
          privateEndpoint: {
            id: `/subscriptions/${r.subscriptionId}/resourceGroups/${r.resourceGroup}/providers/Microsoft.Network/privateEndpoints/${name}`,
          },
          privateLinkServiceConnectionState: {
            status: 'Approved',
            description: 'Auto-approved',
            actionsRequired: 'None',
          },
          provisioningState: 'Succeeded',
        },
      })),
      dataEndpointEnabled: r.dataEndpointEnabled,
      // One per region the registry is in (replicas are not emulated), named after the login server.
      dataEndpointHostNames: r.dataEndpointEnabled
        ? [`${r.loginServer.split('.')[0]}.${r.location}.data.azurecr.io`]
        : [],
      networkRuleBypassOptions: 'AzureServices',
      zoneRedundancy: 'Disabled',
      roleAssignmentMode: r.roleAssignmentMode,
      policies: {
        quarantinePolicy: { status: 'disabled' },
        trustPolicy: { type: 'Notary', status: 'disabled' },
        retentionPolicy: { days: 7, status: 'disabled' },
        exportPolicy: { status: 'enabled' },
        azureADAuthenticationAsArmPolicy: { status: 'enabled' },
      },
      encryption: { status: 'disabled' },
    },
  };
}

/**
 * Sets a registry's provisioning state at once: `Deleting` as ARM reports a registry whose delete
 * has begun (a test altering a seeded registry; `ArmState.removeRegistry` finishes it).
 */
export function setRegistryProvisioningState(r: RegistryRecord, state: RegistryProvisioningState): RegistryRecord {
  r.provisioningState = state;
  return r;
}

/** Registry name rule (CONTRACTS §2.2). */
export function isValidRegistryName(name: string): boolean {
  return /^[a-zA-Z0-9]{5,50}$/.test(name);
}
