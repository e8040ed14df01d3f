/**
 * `/directory/deletedItems` (Graph v1.0 "Get deleted item", "Permanently delete an item", "List
 * deleted items"): where a deleted application and its service principal stay for 30 days,
 * restorable (each on its own) and counted against their creator's directory object quota
 * (`Directory.ownerQuota`) until they are permanently deleted.
 *
 * - `GET …/deletedItems/{id}`: the deleted object with its `@odata.type` and `deletedDateTime`;
 *   404 `Request_ResourceNotFound` when it is not there (never deleted, or permanently deleted);
 * - `DELETE …/deletedItems/{id}`: permanently deletes it (204). With the least-privileged
 *   `Application.ReadWrite.OwnedBy`, only an application (or service principal) the caller owned;
 *   anything else 403 `Authorization_RequestDenied`;
 * - `GET …/deletedItems/microsoft.graph.application` (or `.servicePrincipal`): the deleted
 *   objects of that type, with `$filter` (`eq` and `startswith` on appId, displayName, id: how
 *   a deleted application's service principal is found by its appId) and `$select`.
 */
import type { DeletedItem } from '../directory';
import { HttpError } from '../http-util';
import { objectIdOf, requestDenied, resourceNotFound } from './graph-errors';
import { entity, filteredCollection, type GraphRequestContext, type GraphRoute } from './graph-route';
import { applicationToWire, servicePrincipalToWire } from './graph-wire';

/** The casts a listing of deleted items takes (lowercase) → the item type and entity set. */
const LISTABLE: Record<string, { type: DeletedItem['type']; entitySet: string }> = {
  'microsoft.graph.application': {
    type: 'application',
    entitySet: 'directory/deletedItems/microsoft.graph.application',
  },
  'microsoft.graph.serviceprincipal': {
    type: 'servicePrincipal',
    entitySet: 'directory/deletedItems/microsoft.graph.servicePrincipal',
  },
};

/** Deleted item routes. */
export function deletedItemRoutes(): GraphRoute[] {
  return [
    {
      method: 'GET',
      pattern: 'directory/deletedItems/{id}',
      operation: 'directory.deletedItems.get',
      handle: (ctx) => {
        const id = ctx.params['id']!;
        const listing = LISTABLE[id.toLowerCase()];
        if (listing) return list(ctx, listing);
        if (id.toLowerCase().startsWith('microsoft.graph.'))
          throw new HttpError(400, 'Request_BadRequest', `The type '${id}' is not supported on deleted items.`);
        const item = find(ctx);
        return entity(ctx, 'directory/deletedItems', wire(ctx, item));
      },
    },
    {
      method: 'DELETE',
      pattern: 'directory/deletedItems/{id}',
      operation: 'directory.deletedItems.delete',
      handle: (ctx) => {
        const item = find(ctx);
        if (ctx.applicationPermission === 'OwnedBy' && !item.creatorIds.has(ctx.callerObjectId.toLowerCase()))
          throw requestDenied();
        ctx.directory.purgeDeletedItem(item.object.id);
        return { status: 204 };
      },
    },
  ];
}

function find(ctx: GraphRequestContext): DeletedItem {
  const id = objectIdOf(ctx.params['id']!);
  const item = ctx.directory.deletedItems.get(id.toLowerCase());
  if (!item) throw resourceNotFound(id);
  return item;
}

/** The deleted object as Graph shows it: its own wire form, typed, with when it was deleted. */
function wire(ctx: GraphRequestContext, item: DeletedItem): Record<string, unknown> {
  const body =
    item.type === 'application'
      ? applicationToWire(item.object)
      : servicePrincipalToWire(item.object, ctx.directory.tenantId);
  return { '@odata.type': `#microsoft.graph.${item.type}`, ...body, deletedDateTime: item.deletedDateTime };
}

function list(ctx: GraphRequestContext, listing: { type: DeletedItem['type']; entitySet: string }) {
  const value = [...ctx.directory.deletedItems.values()]
    .filter((d) => d.type === listing.type)
    .map((d) => {
      const { '@odata.type': _type, ...rest } = wire(ctx, d);
      return rest;
    });
  return filteredCollection(ctx, listing.entitySet, value);
}
