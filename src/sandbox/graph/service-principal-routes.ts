/**
 * `/servicePrincipals` (CONTRACTS §4.2, 4.4, 4.5): lookup by appId (key and `$filter` forms) and
 * id, creation (subject to the directory's replication delay) and deletion.
 */
import type { DirectoryServicePrincipal } from '../directory';
import { HttpError } from '../http-util';
import {
  appIdKeyOf,
  badRequest,
  noBackingApplication,
  objectIdOf,
  requestDenied,
  resourceNotFound,
} from './graph-errors';
import { created, entity, filteredCollection, type GraphRequestContext, type GraphRoute } from './graph-route';
import { servicePrincipalToWire } from './graph-wire';

/** Service principal routes. */
export function servicePrincipalRoutes(): GraphRoute[] {
  return [
    {
      method: 'GET',
      pattern: "servicePrincipals(appId='{appId}')",
      operation: 'servicePrincipals.getByAppId',
      handle: (ctx) => {
        const appId = appIdKeyOf(ctx.params['appId']!);
        const sp = ctx.directory.getServicePrincipalByAppId(appId);
        if (!sp) throw resourceNotFound(appId);
        return spEntity(ctx, sp);
      },
    },
    {
      method: 'GET',
      pattern: 'servicePrincipals',
      operation: 'servicePrincipals.list',
      handle: (ctx) => {
        const all = [...ctx.directory.servicePrincipals.values()];
        return filteredCollection(
          ctx,
          'servicePrincipals',
          all.map((sp) => servicePrincipalToWire(sp, ctx.directory.tenantId)),
        );
      },
    },
    {
      method: 'GET',
      pattern: 'servicePrincipals/{id}',
      operation: 'servicePrincipals.get',
      handle: (ctx) => spEntity(ctx, find(ctx)),
    },
    { method: 'POST', pattern: 'servicePrincipals', operation: 'servicePrincipals.create', handle: create },
    {
      method: 'DELETE',
      pattern: 'servicePrincipals/{id}',
      operation: 'servicePrincipals.delete',
      handle: (ctx) => {
        const sp = find(ctx);
        const app = ctx.directory.getApplicationByAppId(sp.appId);
        const owned = app?.ownerIds.has(ctx.callerObjectId.toLowerCase()) ?? false;
        if (sp.servicePrincipalType === 'ManagedIdentity' || (ctx.applicationPermission === 'OwnedBy' && !owned))
          throw requestDenied();
        ctx.directory.deleteServicePrincipal(sp.id);
        return { status: 204 };
      },
    },
  ];
}

/**
 * POST /servicePrincipals `{appId}` → 201. While the application has not replicated (see
 * `Directory.replicationDelay`) this is the 400 `Request_BadRequest` real Graph returns: the
 * appId is a body property, not the resource addressed, so Graph reports it as an invalid
 * reference rather than the 404 its reads of the application answer meanwhile
 * (`Directory.readReplicationDelay`, not applied here). With `OwnedBy`, Graph has also been seen
 * to answer 403 `Authorization_RequestDenied` in that window (hashicorp/terraform-provider-azuread
 * #611, #992); not modelled.
 */
function create(ctx: GraphRequestContext) {
  const appId = ((ctx.body ?? {}) as { appId?: unknown }).appId;
  if (typeof appId !== 'string' || appId === '') throw badRequest("Property 'appId' is required.");
  const app = ctx.directory.getApplicationByAppId(appId);
  if (!app) throw noBackingApplication(appId);
  if (app.unreplicatedCalls > 0) {
    app.unreplicatedCalls -= 1;
    throw noBackingApplication(appId);
  }
  if (ctx.applicationPermission === 'OwnedBy' && !app.ownerIds.has(ctx.callerObjectId.toLowerCase()))
    throw requestDenied();
  if (ctx.directory.getServicePrincipalByAppId(appId)) {
    throw new HttpError(
      409,
      'Request_MultipleObjectsWithSameKeyValue',
      `The service principal cannot be created, updated, or restored because the service principal name ${appId} is already in use.`,
    );
  }
  const sp = ctx.directory.addServicePrincipal({ appId: app.appId, displayName: app.displayName });
  return created(ctx, 'servicePrincipals', servicePrincipalToWire(sp, ctx.directory.tenantId));
}

function find(ctx: GraphRequestContext): DirectoryServicePrincipal {
  const id = objectIdOf(ctx.params['id']!);
  const sp = ctx.directory.getServicePrincipal(id);
  if (!sp) throw resourceNotFound(id);
  return sp;
}

function spEntity(ctx: GraphRequestContext, sp: DirectoryServicePrincipal) {
  return entity(ctx, 'servicePrincipals', servicePrincipalToWire(sp, ctx.directory.tenantId));
}
