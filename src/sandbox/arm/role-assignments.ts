/**
 * Role assignments (CONTRACTS §3): the stored record, its wire shape and the `$filter` semantics
 * of listForScope.
 */
import { HttpError } from '../http-util';
import { isAtOrAbove } from './arm-ids';

/** Stored role assignment. */
export interface RoleAssignmentRecord {
  /** `<scope>/providers/Microsoft.Authorization/roleAssignments/<name>`. */
  id: string;
  /** The GUID name. */
  name: string;
  /** Scope as given by the creator (slashes normalised). */
  scope: string;
  /** Subscription-qualified role definition id. */
  roleDefinitionId: string;
  principalId: string;
  principalType: string;
  description: string | null;
  condition: string | null;
  conditionVersion: string | null;
  createdOn: string;
  updatedOn: string;
  createdBy: string | null;
  updatedBy: string | null;
}

/** The role assignment as ARM returns it. */
export function roleAssignmentToWire(ra: RoleAssignmentRecord): Record<string, unknown> {
  return {
    properties: {
      roleDefinitionId: ra.roleDefinitionId,
      principalId: ra.principalId,
      principalType: ra.principalType,
      scope: ra.scope,
      condition: ra.condition,
      conditionVersion: ra.conditionVersion,
      createdOn: ra.createdOn,
      updatedOn: ra.updatedOn,
      createdBy: ra.createdBy,
      updatedBy: ra.updatedBy,
      delegatedManagedIdentityResourceId: null,
      description: ra.description,
    },
    id: ra.id,
    type: 'Microsoft.Authorization/roleAssignments',
    name: ra.name,
  };
}

/** A parsed listForScope `$filter`. */
export interface RoleAssignmentFilter {
  atScope: boolean;
  principalId?: string;
  /** `assignedTo('<oid>')`: the principal or any group it belongs to. */
  assignedTo?: string;
}

/**
 * Parses the filters ARM supports on role assignment lists (2022-04-01): `atScope()`,
 * `principalId eq '<oid>'`, `assignedTo('<oid>')`, and `atScope() and assignedTo('<oid>')`.
 * `principalId eq` cannot be combined with anything (ARM refuses it); any other filter is a
 * 400 `UnsupportedQuery` with ARM's own message (docs/access-inventory.md).
 */
export function parseRoleAssignmentFilter(filter: string | null): RoleAssignmentFilter {
  const out: RoleAssignmentFilter = { atScope: false };
  if (!filter || filter.trim() === '') return out;
  const unsupported = () =>
    new HttpError(
      400,
      'UnsupportedQuery',
      `The filter '${filter}' is not supported. Supported filters are either 'atScope()' or 'principalId eq '{value}' or assignedTo('{value}')'.`,
    );
  const clauses = filter.trim().split(/\s+and\s+/i);
  for (const clause of clauses) {
    const c = clause.trim();
    let m: RegExpExecArray | null;
    if (/^atScope\(\s*\)$/i.test(c) && !out.atScope) out.atScope = true;
    else if ((m = /^principalId\s+eq\s+'([^']+)'$/i.exec(c)) && clauses.length === 1)
      out.principalId = m[1]!.toLowerCase();
    else if ((m = /^assignedTo\(\s*'([^']+)'\s*\)$/i.exec(c)) && !out.assignedTo) out.assignedTo = m[1]!.toLowerCase();
    else throw unsupported();
  }
  return out;
}

/**
 * Whether `ra` belongs in a listForScope answer at `scope`:
 * - `atScope()`: assignments at or above the scope;
 * - otherwise: at, above or below the scope (the principal filters narrow that further).
 * `groupsOf` returns the groups a principal belongs to, transitively (for `assignedTo`).
 */
export function matchesFilter(
  ra: RoleAssignmentRecord,
  scope: string,
  f: RoleAssignmentFilter,
  groupsOf: (id: string) => Set<string>,
): boolean {
  const above = isAtOrAbove(ra.scope, scope);
  if (f.atScope ? !above : !(above || isAtOrAbove(scope, ra.scope))) return false;
  const principal = ra.principalId.toLowerCase();
  if (f.principalId && principal !== f.principalId) return false;
  if (f.assignedTo && principal !== f.assignedTo && !groupsOf(f.assignedTo).has(principal)) return false;
  return true;
}
