/**
 * ARM resource ids and scopes. ARM compares ids case-insensitively (real responses mix
 * `resourceGroups` and `resourcegroups`), so every lookup goes through {@link idKey}.
 */

/** Canonical map key for an id or scope: lowercase, single slashes, leading `/`, no trailing `/`. */
export function idKey(id: string): string {
  return normalizeScope(id).toLowerCase();
}

/** Collapses repeated slashes, ensures a leading `/` and drops a trailing one. Keeps case. */
export function normalizeScope(scope: string): string {
  // Already canonical (nearly every call: the emulator stores scopes normalized): as it is. A
  // listing of role assignments checks each against every assignment of the caller, and the
  // split and join below were most of a large tab's cold read (docs/performance.md, round fifty-one).
  if (scope.startsWith('/') && !scope.includes('//') && (scope.length === 1 || !scope.endsWith('/'))) return scope;
  const trimmed = scope
    .split('/')
    .filter((s) => s !== '')
    .join('/');
  return '/' + trimmed;
}

/** True when `ancestor` is `scope` itself or one of its parents (case-insensitive). */
export function isAtOrAbove(ancestor: string, scope: string): boolean {
  const a = idKey(ancestor);
  const s = idKey(scope);
  return a === '/' || a === s || s.startsWith(a + '/');
}

/** The parts of a scope that ARM cares about. */
export interface ParsedScope {
  subscriptionId?: string;
  resourceGroup?: string;
  /** `Microsoft.ContainerRegistry/registries` style type of the top-level resource, if any. */
  resourceType?: string;
  resourceName?: string;
}

/** Parses `/subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}/...` (any case). */
export function parseScope(scope: string): ParsedScope {
  const parts = normalizeScope(scope)
    .split('/')
    .filter((s) => s !== '');
  const out: ParsedScope = {};
  if (parts[0]?.toLowerCase() !== 'subscriptions' || !parts[1]) return out;
  out.subscriptionId = parts[1];
  if (parts[2]?.toLowerCase() !== 'resourcegroups' || !parts[3]) return out;
  out.resourceGroup = parts[3];
  if (parts[4]?.toLowerCase() !== 'providers' || !parts[5] || !parts[6] || !parts[7]) return out;
  out.resourceType = `${parts[5]}/${parts[6]}`;
  out.resourceName = parts[7];
  return out;
}

/** Builds a resource id in ARM's usual casing. */
export function resourceId(subscriptionId: string, resourceGroup: string, provider: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${provider}/${name}`;
}

/** Provider/type strings of the resource families the emulator serves. */
export const PROVIDERS = {
  managedClusters: 'Microsoft.ContainerService/managedClusters',
  registries: 'Microsoft.ContainerRegistry/registries',
} as const;

/** Lowercase, dash-free GUID as ARM prints principal and assignment ids in some messages. */
export function compactGuid(guid: string): string {
  return guid.replace(/-/g, '').toLowerCase();
}

/** True for a canonical GUID (8-4-4-4-12 hex). */
export function isGuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
