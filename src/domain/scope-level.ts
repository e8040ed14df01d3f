/**
 * Where a role assignment's scope sits relative to a registry, if it covers it at all: the
 * inventory counts only assignments that cover the registry, and cards name the level.
 */
import type { InventoryRegistry } from './inventory-rows';
import { scopeCovers } from './resource-id';

const lower = (s: string) => s.toLowerCase();

/** Where a role assignment sits relative to the registry. */
export type ScopeLevel = 'registry' | 'resourceGroup' | 'subscription' | 'managementGroup';

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
