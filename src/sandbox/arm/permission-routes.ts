/**
 * `{scope}/providers/Microsoft.Authorization/permissions`: the caller's effective rights at a
 * resource group or resource, read from the same table that enforcement uses.
 */
import { normalizeScope } from './arm-ids';
import { ok, type ArmRequestContext, type ArmRoute } from './arm-route';

/** Permission routes. The resource-group form is listed first so it gets its own operation name. */
export function permissionRoutes(): ArmRoute[] {
  return [
    {
      method: 'GET',
      pattern: 'subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Authorization/permissions',
      operation: 'permissions.listForResourceGroup',
      handle: (ctx) => {
        ctx.state.requireResourceGroup(ctx.params['sub']!, ctx.params['rg']!);
        return answer(ctx, `/subscriptions/${ctx.params['sub']}/resourceGroups/${ctx.params['rg']}`);
      },
    },
    {
      method: 'GET',
      pattern: '{*scope}/providers/Microsoft.Authorization/permissions',
      operation: 'permissions.listForResource',
      handle: (ctx) => {
        const scope = normalizeScope(ctx.params['scope'] ?? '');
        ctx.state.requireScopeExists(scope);
        return answer(ctx, scope);
      },
    },
  ];
}

function answer(ctx: ArmRequestContext, scope: string) {
  return ok({ value: ctx.state.access.permissionsAt(scope) });
}
