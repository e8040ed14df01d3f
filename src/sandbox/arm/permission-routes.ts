/**
 * `{scope}/providers/Microsoft.Authorization/permissions`: the caller's effective rights at a
 * resource group or resource, read from the same table that enforcement uses. At a resource
 * group they are the caller's assignments at the subscription and the group. A caller with none
 * there gets an empty list, as at a resource: the call reads the caller's own rights, and no
 * documented answer says Azure refuses it (an assumption; acrbot reads permissions at a
 * registry's scope only).
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
        const group = `/subscriptions/${ctx.params['sub']}/resourceGroups/${ctx.params['rg']}`;
        ctx.state.requireResourceGroup(ctx.params['sub']!, ctx.params['rg']!);
        return answer(ctx, group);
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
