/**
 * Routes of `{scope}/providers/Microsoft.Authorization/roleDefinitions` (api-version 2022-04-01):
 * get one definition with its permissions, and list them with the `$filter`s ARM documents
 * (`roleName eq '…'`, `type eq 'BuiltInRole'|'CustomRole'`). See docs/access-inventory.md for
 * what the emulator follows where CONTRACTS is silent.
 */
import { HttpError } from '../http-util';
import { normalizeScope, parseScope } from './arm-ids';
import { ok, type ArmRequestContext, type ArmRoute } from './arm-route';
import { page } from './paging';
import { assignableAt, roleDefinitionToWire, type RoleDefinitionRecord } from './role-definitions';

const BASE = '{*scope}/providers/Microsoft.Authorization/roleDefinitions';
const READ = 'Microsoft.Authorization/roleDefinitions/read';

/** Role definition routes. */
export function roleDefinitionRoutes(): ArmRoute[] {
  return [
    {
      method: 'GET',
      pattern: `${BASE}/{id}`,
      operation: 'roleDefinitions.get',
      action: READ,
      handle: (ctx) => {
        const scope = scopeOf(ctx);
        ctx.state.requireScopeExists(scope);
        const def = ctx.state.getRoleDefinition(ctx.params['id']!);
        if (!def || !assignableAt(def, scope)) throw roleDefinitionDoesNotExist(ctx.params['id']!);
        return ok(roleDefinitionToWire(def, parseScope(scope).subscriptionId));
      },
    },
    {
      method: 'GET',
      pattern: BASE,
      operation: 'roleDefinitions.list',
      action: READ,
      handle: (ctx) => {
        const scope = scopeOf(ctx);
        ctx.state.requireScopeExists(scope);
        const keep = parseRoleDefinitionFilter(ctx.query.get('$filter'));
        const defs = ctx.state.listRoleDefinitions().filter((d) => assignableAt(d, scope) && keep(d));
        const sub = parseScope(scope).subscriptionId;
        return ok(page(ctx, defs, (d) => roleDefinitionToWire(d, sub)));
      },
    },
  ];
}

function scopeOf(ctx: ArmRequestContext): string {
  return normalizeScope(ctx.params['scope'] ?? '');
}

/** 404 as ARM words it for an unknown role definition id. */
export function roleDefinitionDoesNotExist(id: string): HttpError {
  return new HttpError(
    404,
    'RoleDefinitionDoesNotExist',
    `The specified role definition with ID '${id}' does not exist.`,
  );
}

/** `roleName eq '<name>'` and/or `type eq 'BuiltInRole'|'CustomRole'`, joined with `and`; anything else is a 400. */
export function parseRoleDefinitionFilter(filter: string | null): (d: RoleDefinitionRecord) => boolean {
  if (!filter || filter.trim() === '') return () => true;
  const tests: ((d: RoleDefinitionRecord) => boolean)[] = [];
  for (const clause of filter.trim().split(/\s+and\s+/i)) {
    let m: RegExpExecArray | null;
    if ((m = /^roleName\s+eq\s+'([^']*)'$/i.exec(clause.trim()))) {
      const name = m[1]!.toLowerCase();
      tests.push((d) => d.roleName.toLowerCase() === name);
    } else if ((m = /^type\s+eq\s+'(BuiltInRole|CustomRole)'$/i.exec(clause.trim()))) {
      const type = m[1]!.toLowerCase();
      tests.push((d) => d.type.toLowerCase() === type);
    } else {
      throw new HttpError(
        400,
        'UnsupportedQuery',
        `The filter '${filter}' is not supported. Supported filters are 'roleName eq '{value}'' and 'type eq 'BuiltInRole|CustomRole''.`,
      );
    }
  }
  return (d) => tests.every((t) => t(d));
}
