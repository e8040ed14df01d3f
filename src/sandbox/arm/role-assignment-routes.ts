/**
 * Routes of `{scope}/providers/Microsoft.Authorization/roleAssignments` (CONTRACTS §3): create
 * with ARM's idempotency and conflict rules, get, delete and listForScope with `$filter`,
 * `nextLink` paging and the caller's read rights (what lies below the listed scope shows only
 * where the caller may read it).
 */
import { HttpError } from '../http-util';
import { isAtOrAbove, isGuid, normalizeScope, parseScope } from './arm-ids';
import {
  invalidPrincipalId,
  invalidRequestContent,
  invalidRoleDefinitionId,
  principalNotFound,
  roleAssignmentExists,
  roleAssignmentUpdateNotPermitted,
} from './arm-errors';
import { ok, type ArmRequestContext, type ArmRoute } from './arm-route';
import { page } from './paging';
import { assertBelowRoleAssignmentLimit } from './role-assignment-rules';
import {
  matchesFilter,
  parseRoleAssignmentFilter,
  roleAssignmentToWire,
  type RoleAssignmentRecord,
} from './role-assignments';
import { qualifiedRoleDefinitionId, roleDefinitionGuid } from './role-definitions';
import type { ArmState } from './state';

const BASE = '{*scope}/providers/Microsoft.Authorization/roleAssignments';
const READ = 'Microsoft.Authorization/roleAssignments/read';
const PRINCIPAL_TYPES = ['User', 'Group', 'ServicePrincipal', 'ForeignGroup', 'Device'];

/** Role assignment routes. */
export function roleAssignmentRoutes(): ArmRoute[] {
  return [
    { method: 'PUT', pattern: `${BASE}/{name}`, operation: 'roleAssignments.create', handle: create },
    {
      method: 'GET',
      pattern: `${BASE}/{name}`,
      operation: 'roleAssignments.get',
      action: READ,
      handle: (ctx) => {
        const ra = findAtScope(ctx);
        if (!ra)
          throw new HttpError(
            404,
            'RoleAssignmentNotFound',
            `The role assignment '${ctx.params['name']}' is not found.`,
          );
        return ok(roleAssignmentToWire(ra));
      },
    },
    {
      method: 'DELETE',
      pattern: `${BASE}/{name}`,
      operation: 'roleAssignments.delete',
      action: 'Microsoft.Authorization/roleAssignments/delete',
      handle: (ctx) => {
        const ra = findAtScope(ctx);
        if (!ra) return { status: 204 };
        ctx.state.roleAssignments.delete(ra.name);
        return ok(roleAssignmentToWire(ra));
      },
    },
    {
      method: 'GET',
      pattern: BASE,
      operation: 'roleAssignments.listForScope',
      action: READ,
      handle: (ctx) => {
        const scope = scopeOf(ctx);
        const filter = parseRoleAssignmentFilter(ctx.query.get('$filter'));
        // A listing under a missing subscription, resource group or registry/cluster is ARM's 404.
        ctx.state.requireScopeExists(scope);
        const groupsOf = (id: string) => ctx.state.directory.transitiveGroupIds(id);
        // Start from the narrowest index, then apply the exact filter semantics.
        const store = ctx.state.roleAssignments;
        const candidates = filter.assignedTo
          ? [filter.assignedTo, ...groupsOf(filter.assignedTo)].flatMap((p) => store.forPrincipal(p))
          : filter.atScope
            ? store.atOrAbove(scope)
            : filter.principalId
              ? store.forPrincipal(filter.principalId)
              : store.values();
        const items = candidates
          .filter((ra) => matchesFilter(ra, scope, filter, groupsOf))
          .filter((ra) => mayRead(ctx, scope, ra));
        return ok(page(ctx, items, roleAssignmentToWire));
      },
    },
  ];
}

/**
 * Whether a listing at `listScope` shows `ra`. The listing itself needs `roleAssignments/read` at
 * `listScope` (the route's `action`; 403 without it, as CONTRACTS §3 and the REST reference
 * say). What applies there (at or above it) comes with that right; an assignment below it shows
 * only where the caller may also read at the assignment's own scope. A wide listing thus answers
 * with what the caller may read rather than refusing for the parts it may not, as users report
 * of ARM (200 with fewer or no items: Azure/azure-sdk-for-python#22873,
 * MicrosoftDocs/azure-docs#66312); the exact rule is not documented.
 */
function mayRead(ctx: ArmRequestContext, listScope: string, ra: RoleAssignmentRecord): boolean {
  return isAtOrAbove(ra.scope, listScope) || !ctx.state.access.isDenied(ra.scope, READ);
}

function scopeOf(ctx: ArmRequestContext): string {
  return normalizeScope(ctx.params['scope'] ?? '');
}

/** The assignment with this name, only if it lives at exactly this scope. */
function findAtScope(ctx: ArmRequestContext): RoleAssignmentRecord | undefined {
  const ra = ctx.state.roleAssignments.get(ctx.params['name']!.toLowerCase());
  return ra && ra.scope.toLowerCase() === scopeOf(ctx).toLowerCase() ? ra : undefined;
}

/**
 * PUT: 201 on create, 200 for a re-PUT of the same scope/role/principal (which replaces the
 * description and condition); 409 when the same scope/role/principal exists under another name;
 * 400 when the name, principal id or role definition id is malformed, a name is reused for
 * something else, the principal is unknown, or the role does not exist, or a new one would pass
 * the subscription's limit of them (RoleAssignmentLimitExceeded); 403 when the caller may not
 * write assignments here.
 */
function create(ctx: ArmRequestContext) {
  const { state } = ctx;
  const scope = scopeOf(ctx);
  const name = ctx.params['name']!;
  const id = `${scope === '/' ? '' : scope}/providers/Microsoft.Authorization/roleAssignments/${name}`;
  // Checked here rather than through `action` because ARM names the assignment id as the scope.
  if (state.access.isDenied(scope, 'Microsoft.Authorization/roleAssignments/write')) {
    throw state.refuse(scope, 'Microsoft.Authorization/roleAssignments/write', id);
  }
  if (!isGuid(name))
    throw new HttpError(
      400,
      'InvalidRoleAssignmentId',
      `The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`,
    );
  state.requireScopeExists(scope);

  const props = (ctx.body as { properties?: Record<string, unknown> } | undefined)?.properties;
  if (!props) throw invalidRequestContent("'properties' is required.");
  const { roleDefinitionId, principalId, principalType } = props;
  if (typeof roleDefinitionId !== 'string' || typeof principalId !== 'string')
    throw invalidRequestContent("'roleDefinitionId' and 'principalId' are required.");
  // Malformed ids are refused as such; a well-formed principal that is missing is the
  // PrincipalNotFound below, which callers retry (replication), so the two must not blur.
  if (!isGuid(principalId)) throw invalidPrincipalId(principalId);
  const roleGuid = roleDefinitionGuid(roleDefinitionId);
  if (!roleGuid) throw invalidRoleDefinitionId(roleDefinitionId);
  if (!state.hasRoleDefinition(roleGuid)) {
    throw new HttpError(
      400,
      'RoleDefinitionDoesNotExist',
      `The specified role definition with ID '${roleGuid}' does not exist.`,
    );
  }
  if (principalType !== undefined && (typeof principalType !== 'string' || !PRINCIPAL_TYPES.includes(principalType))) {
    throw invalidRequestContent(`'principalType' must be one of ${PRINCIPAL_TYPES.join(', ')}.`);
  }
  const kind = state.directory.principalKind(principalId);
  if (!kind) throw principalNotFound(principalId, state.tenantId);
  if (principalType !== undefined && principalType !== kind) {
    throw new HttpError(
      400,
      'UnmatchedPrincipalType',
      `The PrincipalId '${principalId.replace(/-/g, '')}' has type '${kind}' , which is different from specified PrincipalType '${principalType}'.`,
    );
  }

  const qualifiedRole = qualifiedRoleDefinitionId(parseScope(scope).subscriptionId, roleGuid);
  const sameName = state.roleAssignments.get(name);
  if (sameName) {
    const identical =
      sameName.scope.toLowerCase() === scope.toLowerCase() &&
      sameName.principalId.toLowerCase() === principalId.toLowerCase() &&
      roleDefinitionGuid(sameName.roleDefinitionId) === roleGuid;
    if (!identical) throw roleAssignmentUpdateNotPermitted();
    updateMutable(sameName, props, state);
    return ok(roleAssignmentToWire(sameName));
  }
  const duplicate = state.roleAssignments.findSame(scope, roleGuid, principalId);
  if (duplicate) throw roleAssignmentExists(duplicate.name);
  // Only a new assignment counts against the subscription's limit (role-assignment-rules.ts):
  // a re-PUT of an existing one above replaces it.
  assertBelowRoleAssignmentLimit(state, scope);

  const now = state.clock.now().toISOString();
  const record: RoleAssignmentRecord = {
    id,
    name,
    scope,
    roleDefinitionId: qualifiedRole,
    principalId,
    principalType: typeof principalType === 'string' ? principalType : kind,
    description: typeof props['description'] === 'string' ? props['description'] : null,
    condition: typeof props['condition'] === 'string' ? props['condition'] : null,
    conditionVersion: typeof props['conditionVersion'] === 'string' ? props['conditionVersion'] : null,
    createdOn: now,
    updatedOn: now,
    createdBy: null,
    updatedBy: state.callerObjectId,
  };
  state.roleAssignments.set(record);
  return { status: 201, body: roleAssignmentToWire(record) };
}

/**
 * A re-PUT under the same name and identity (scope, role, principal) replaces what ARM lets
 * change: description and condition (how `az role assignment update` edits them). PUT replaces,
 * so an omitted one becomes null. `updatedOn`/`updatedBy` move only when something changed.
 */
function updateMutable(
  ra: RoleAssignmentRecord,
  props: Record<string, unknown>,
  state: Pick<ArmState, 'callerObjectId' | 'clock'>,
): void {
  const text = (key: string) => (typeof props[key] === 'string' ? (props[key] as string) : null);
  const next = {
    description: text('description'),
    condition: text('condition'),
    conditionVersion: text('conditionVersion'),
  };
  if (
    next.description === ra.description &&
    next.condition === ra.condition &&
    next.conditionVersion === ra.conditionVersion
  )
    return;
  Object.assign(ra, next, { updatedOn: state.clock.now().toISOString(), updatedBy: state.callerObjectId });
}
