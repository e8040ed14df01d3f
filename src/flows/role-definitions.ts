/**
 * Role definitions for judging whether role assignments carry pull (src/domain/pull-permission.ts),
 * shared by the access inventory (`access`, `check`, the tab) and grant planning.
 */
import type { RoleAssignmentInfo, RoleDefinitionInfo } from '../domain/azure-model';
import { roleDefinitionGuid } from '../domain/resource-id';

/** Reads one role definition; undefined when it does not exist. */
export type ReadRoleDefinition = (
  subscriptionId: string,
  roleDefinitionGuid: string,
) => Promise<RoleDefinitionInfo | undefined>;

/**
 * The role definitions of a set of assignments, one GET per distinct role not cached. Built-in
 * roles are cached for the life of the object (Microsoft changes them rarely, and only by adding
 * actions); custom roles are read again on every call, since anyone may edit them.
 */
export class RoleDefinitions {
  private readonly builtIn = new Map<string, RoleDefinitionInfo>();

  constructor(private readonly read: ReadRoleDefinition) {}

  /** By lowercase GUID; `subscriptionOf` says where to read an assignment's role. Missing roles are left out. */
  async of(
    assignments: readonly RoleAssignmentInfo[],
    subscriptionOf: (assignment: RoleAssignmentInfo) => string,
  ): Promise<Map<string, RoleDefinitionInfo>> {
    const wanted = new Map<string, string>();
    for (const a of assignments) {
      const guid = roleDefinitionGuid(a.roleDefinitionId);
      if (!wanted.has(guid)) wanted.set(guid, subscriptionOf(a));
    }
    const out = new Map<string, RoleDefinitionInfo>();
    await Promise.all(
      [...wanted].map(async ([guid, subscriptionId]) => {
        const role = this.builtIn.get(guid) ?? (await this.read(subscriptionId, guid));
        if (!role) return;
        if (role.roleType === 'BuiltInRole') this.builtIn.set(guid, role);
        out.set(guid, role);
      }),
    );
    return out;
  }
}
