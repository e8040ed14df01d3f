/**
 * The three read routes every top-level ARM resource type has, in one shape (CONTRACTS §1,
 * §2.1): list in a subscription, list in a resource group (both paged, 404 for a missing
 * subscription or group), and get by name. A listing shows only the resources the caller may
 * read (its `…/read` action at the resource's own scope, from a role there or above): ARM
 * answers a list with what the caller can see rather than refusing for the rest ("List returns
 * only resources you have access to", Azure RBAC; a caller with Reader on one resource group
 * lists that group's resources alone), the way role-assignment listings are filtered here too.
 */
import { ok, type ArmRequestContext, type ArmRoute } from './arm-route';
import { page } from './paging';
import type { ArmState } from './state';

/** What a listing needs of a resource: where it is, and its id (the scope its read is decided at). */
interface ListedResource {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
}

/** What differs between resource types. */
export interface ReadRoutesSpec<R extends ListedResource> {
  /** e.g. `Microsoft.ContainerService/managedClusters`. */
  type: string;
  /** Operation prefix in the request log, e.g. `managedClusters`. */
  operation: string;
  list(state: ArmState): R[];
  require(state: ArmState, subscriptionId: string, resourceGroup: string, name: string): R;
  toWire(record: R): unknown;
}

/** list, listByResourceGroup and get for one resource type. */
export function readRoutes<R extends ListedResource>(spec: ReadRoutesSpec<R>): ArmRoute[] {
  const action = `${spec.type}/read`;
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  const readable = (ctx: ArmRequestContext, r: R) => !ctx.state.access.isDenied(r.id, action);
  return [
    {
      method: 'GET',
      pattern: `subscriptions/{sub}/providers/${spec.type}`,
      operation: `${spec.operation}.list`,
      action,
      handle: (ctx) => {
        const sub = ctx.params['sub']!;
        ctx.state.requireResourceGroup(sub);
        return ok(
          page(
            ctx,
            spec.list(ctx.state).filter((r) => same(r.subscriptionId, sub) && readable(ctx, r)),
            spec.toWire,
          ),
        );
      },
    },
    {
      method: 'GET',
      pattern: `subscriptions/{sub}/resourceGroups/{rg}/providers/${spec.type}`,
      operation: `${spec.operation}.listByResourceGroup`,
      action,
      handle: (ctx) => {
        const { sub, rg } = ctx.params as { sub: string; rg: string };
        ctx.state.requireResourceGroup(sub, rg);
        const inGroup = (r: R) => same(r.subscriptionId, sub) && same(r.resourceGroup, rg) && readable(ctx, r);
        return ok(page(ctx, spec.list(ctx.state).filter(inGroup), spec.toWire));
      },
    },
    {
      method: 'GET',
      pattern: `subscriptions/{sub}/resourceGroups/{rg}/providers/${spec.type}/{name}`,
      operation: `${spec.operation}.get`,
      action,
      handle: (ctx) =>
        ok(spec.toWire(spec.require(ctx.state, ctx.params['sub']!, ctx.params['rg']!, ctx.params['name']!))),
    },
  ];
}
