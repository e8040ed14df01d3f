/**
 * Role definitions for judging whether role assignments carry pull (src/domain/pull-permission.ts),
 * shared by the access inventory (`access`, `check`, the tab) and grant planning. A custom role
 * exists in ARM only at and below its assignable scopes, so each is read beneath one of its
 * assignments, at the registry being judged when the caller names it (where acrbot has Reader),
 * else where the assignment is (a role assignable only at a resource group is 404 at its
 * subscription), one GET per distinct role, with the subscription as the fallback.
 */
import type { RoleAssignmentInfo, RoleDefinitionInfo } from '../domain/azure-model';
import { roleDefinitionGuid, scopeCovers } from '../domain/resource-id';

/** Reads one role definition at an ARM scope; undefined when ARM does not know it there. */
export type ReadRoleDefinition = (scope: string, roleDefinitionGuid: string) => Promise<RoleDefinitionInfo | undefined>;

/**
 * Where an assignment's role definition is visible, in the order to read it:
 * - `readableAt`, when given and the assignment applies there (its scope is at or above it): a
 *   scope beneath the assignment where acrbot's identity may read, the registry being judged.
 *   The deployment gives acrbot Reader on the resource groups of its registries and clusters
 *   (docs/deploy.md; deployments before that, on the resources only), so `roleDefinitions/read`
 *   at a registry's subscription (or, for those, its resource group) answers 403; and a
 *   role assignable at a scope is known at every scope below it (built-in roles everywhere;
 *   a custom role "at and below" its assignableScopes, learn.microsoft.com "Azure custom roles").
 *   An assignment from a management group listed on the registry applies there too;
 * - the assignment's own scope when it lies in a subscription (the subscription, a resource
 *   group, a resource): the role was assignable there, so ARM knows it there, whatever its
 *   assignable scopes;
 * - then `/subscriptions/{subscriptionId}`: for an assignment above any subscription (a
 *   management group, read beneath it rather than where acrbot has no rights), and for a scope
 *   ARM no longer finds (a resource group deleted since the listing).
 */
export function definitionScopes(
  assignment: RoleAssignmentInfo,
  subscriptionId: string | undefined,
  readableAt?: string,
): string[] {
  const own = assignment.scope.replace(/\/+$/, '');
  const scopes: string[] = [];
  const add = (scope: string): void => {
    if (!scopes.some((s) => s.toLowerCase() === scope.toLowerCase())) scopes.push(scope);
  };
  const beneath = readableAt?.replace(/\/+$/, '');
  if (beneath && (appliesAbove(own) || scopeCovers(own, beneath))) add(beneath);
  if (/^\/subscriptions\/[^/]+/i.test(own)) add(own);
  if (subscriptionId) add(`/subscriptions/${subscriptionId}`);
  return scopes;
}

/** A scope above every subscription (the root, a management group): it covers whatever listed it. */
function appliesAbove(scope: string): boolean {
  return scope === '' || /^\/providers\/Microsoft\.Management\/managementGroups\//i.test(scope);
}

/**
 * The role definitions of a set of assignments, one GET per distinct role not cached (a second
 * only when the first scope did not know it). Built-in roles are cached by id for the life of
 * the object (Microsoft changes them rarely, and only by adding actions; they are the same at
 * every scope); custom roles are read again on every call, since anyone may edit them.
 */
export class RoleDefinitions {
  private readonly builtIn = new Map<string, RoleDefinitionInfo>();

  constructor(private readonly read: ReadRoleDefinition) {}

  /**
   * By lowercase GUID; `scopesOf` says where to read an assignment's role, in order (see
   * {@link definitionScopes}); the first assignment of each role decides. Missing roles are left out.
   */
  async of(
    assignments: readonly RoleAssignmentInfo[],
    scopesOf: (assignment: RoleAssignmentInfo) => readonly string[],
  ): Promise<Map<string, RoleDefinitionInfo>> {
    const wanted = new Map<string, readonly string[]>();
    for (const a of assignments) {
      const guid = roleDefinitionGuid(a.roleDefinitionId);
      if (!wanted.has(guid)) wanted.set(guid, scopesOf(a));
    }
    const out = new Map<string, RoleDefinitionInfo>();
    await Promise.all(
      [...wanted].map(async ([guid, scopes]) => {
        const role = this.builtIn.get(guid) ?? (await this.firstFound(guid, scopes));
        if (!role) return;
        if (role.roleType === 'BuiltInRole') this.builtIn.set(guid, role);
        out.set(guid, role);
      }),
    );
    return out;
  }

  /**
   * Tries each scope in turn: a role ARM knows at the first costs one GET. A 403 at a scope
   * before the last is "not readable here", and the next is tried: acrbot's identity holds Reader
   * on registries and clusters, not on their resource groups, so an assignment's group may refuse
   * the read that its subscription answers. When no scope knows the role, the most specific
   * scope's answer stands, since the scopes go from the most telling to the least: a 404 there
   * (the role is not at the registry, or the registry or group is gone) leaves the role out even
   * when the scopes above refuse, since acrbot could read there and ARM said "not found", while a
   * 403 there is thrown even when a scope above says 404 (a role assignable only at a group is
   * 404 at its subscription, which says nothing of the group acrbot could not read).
   */
  private async firstFound(guid: string, scopes: readonly string[]): Promise<RoleDefinitionInfo | undefined> {
    let mostSpecific: { refused: unknown } | 'not found' | undefined;
    for (const scope of scopes) {
      try {
        const role = await this.read(scope, guid);
        if (role) return role;
        mostSpecific ??= 'not found';
      } catch (err) {
        if ((err as { statusCode?: unknown }).statusCode !== 403) throw err;
        mostSpecific ??= { refused: err };
      }
    }
    if (mostSpecific && mostSpecific !== 'not found') throw mostSpecific.refused;
    return undefined;
  }
}
