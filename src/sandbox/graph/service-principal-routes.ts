/**
 * `/servicePrincipals` (CONTRACTS §4.2, 4.4, 4.5): lookup by appId (key and `$filter` forms) and
 * id, creation (subject to the directory's replication delay) and deletion. Who holds one
 * (Graph v1.0 "servicePrincipals: List owners"): `GET …/owners` (by id or appId key; paged,
 * graph-paging.ts) and its own `passwordCredentials` / `keyCredentials` (planted through
 * {@link GraphEmulator.holdings}). The caller that creates one becomes its owner (acrbot's
 * OwnedBy permission manages what it created; not verified against Graph).
 */
import type { DirectoryServicePrincipal } from '../directory';
import { HttpError } from '../http-util';
import {
  appIdKeyOf,
  badRequest,
  noBackingApplication,
  objectIdOf,
  quotaExceeded,
  requestDenied,
  resourceNotFound,
} from './graph-errors';
import { pagedCollection } from './graph-paging';
import { created, entity, filteredCollection, type GraphRequestContext, type GraphRoute } from './graph-route';
import { ownerToWire, servicePrincipalToWire } from './graph-wire';

/** Service principal routes. */
export function servicePrincipalRoutes(): GraphRoute[] {
  return [
    {
      method: 'GET',
      pattern: "servicePrincipals(appId='{appId}')",
      operation: 'servicePrincipals.getByAppId',
      handle: (ctx) => spEntity(ctx, findByAppId(ctx)),
    },
    ...(["servicePrincipals(appId='{appId}')", 'servicePrincipals/{id}'] as const).map((pattern): GraphRoute => ({
      method: 'GET',
      pattern: `${pattern}/owners`,
      operation: 'servicePrincipals.owners',
      handle: (ctx) => {
        const sp = ctx.params['appId'] !== undefined ? findByAppId(ctx) : find(ctx);
        const value = [...ctx.holdings.ofServicePrincipal(sp).ownerIds].map((id) => ownerToWire(ctx.directory, id));
        const path = pattern.replace('{appId}', ctx.params['appId'] ?? '').replace('{id}', ctx.params['id'] ?? '');
        return pagedCollection(ctx, `${path}/owners`, 'directoryObjects', value);
      },
    })),
    {
      method: 'GET',
      pattern: 'servicePrincipals',
      operation: 'servicePrincipals.list',
      handle: (ctx) => {
        const all = [...ctx.directory.servicePrincipals.values()];
        return filteredCollection(
          ctx,
          'servicePrincipals',
          all.map((sp) => wire(ctx, sp)),
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
  if (!ctx.directory.withinQuota(ctx.callerObjectId)) throw quotaExceeded();
  const sp = ctx.directory.addServicePrincipal({ appId: app.appId, displayName: app.displayName });
  // Created with Application.ReadWrite.OwnedBy, it is the caller's to manage: its owner.
  ctx.holdings.addServicePrincipalOwner(sp.id, ctx.callerObjectId);
  return created(ctx, 'servicePrincipals', wire(ctx, sp));
}

function find(ctx: GraphRequestContext): DirectoryServicePrincipal {
  const id = objectIdOf(ctx.params['id']!);
  const sp = ctx.directory.getServicePrincipal(id);
  if (!sp) throw resourceNotFound(id);
  return sp;
}

function findByAppId(ctx: GraphRequestContext): DirectoryServicePrincipal {
  const appId = appIdKeyOf(ctx.params['appId']!);
  const sp = ctx.directory.getServicePrincipalByAppId(appId);
  if (!sp) throw resourceNotFound(appId);
  return sp;
}

/** The service principal as Graph shows it, with its own credentials. */
function wire(ctx: GraphRequestContext, sp: DirectoryServicePrincipal): Record<string, unknown> {
  return servicePrincipalToWire(sp, ctx.directory.tenantId, ctx.holdings.ofServicePrincipal(sp));
}

function spEntity(ctx: GraphRequestContext, sp: DirectoryServicePrincipal) {
  return entity(ctx, 'servicePrincipals', wire(ctx, sp));
}
