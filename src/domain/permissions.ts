/** Evaluates Azure RBAC `actions`/`notActions` lists (as returned by Microsoft.Authorization/permissions). */

/** One permission block. */
export interface PermissionSet {
  actions: string[];
  notActions: string[];
}

function matches(pattern: string, action: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );
  return regex.test(action);
}

/** True when some block allows `action` and that block does not exclude it. */
export function isActionAllowed(permissions: readonly PermissionSet[], action: string): boolean {
  return permissions.some(
    (p) => p.actions.some((a) => matches(a, action)) && !p.notActions.some((n) => matches(n, action)),
  );
}
