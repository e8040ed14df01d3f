/**
 * Azure resource ids, parsed and compared the way ARM does: case-insensitively, because real
 * responses mix `resourceGroups` and `resourcegroups`.
 */

/** The parts of a resource id acrbot needs. */
export interface ResourceIdParts {
  subscriptionId: string;
  resourceGroup: string;
  provider: string;
  type: string;
  name: string;
}

const RESOURCE_ID = /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/([^/]+)\/([^/]+)\/([^/]+)$/i;

/** Parses `/subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}`; undefined if it is not one. */
export function parseResourceId(id: string): ResourceIdParts | undefined {
  const m = RESOURCE_ID.exec(id.trim());
  if (!m) return undefined;
  return { subscriptionId: m[1], resourceGroup: m[2], provider: m[3], type: m[4], name: m[5] };
}

/** ARM ids compare case-insensitively. */
export function sameResourceId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** True when `scope` is `target` or one of its ancestors (subscription, resource group). */
export function scopeCovers(scope: string, target: string): boolean {
  const s = scope.toLowerCase().replace(/\/+$/, '');
  const t = target.toLowerCase();
  return t === s || t.startsWith(`${s}/`);
}

/** The trailing GUID of a role definition id (`/subscriptions/…/roleDefinitions/<guid>`). */
export function roleDefinitionGuid(roleDefinitionId: string): string {
  return roleDefinitionId.split('/').pop()!.toLowerCase();
}
