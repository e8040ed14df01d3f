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
}

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
      provisioningState: 'Succeeded',
      adminUserEnabled: r.adminUserEnabled,
      publicNetworkAccess: 'Enabled',
      anonymousPullEnabled: false,
      dataEndpointEnabled: false,
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

/** Registry name rule (CONTRACTS §2.2). */
export function isValidRegistryName(name: string): boolean {
  return /^[a-zA-Z0-9]{5,50}$/.test(name);
}
