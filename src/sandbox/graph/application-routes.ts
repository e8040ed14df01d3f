/**
 * `/applications` (CONTRACTS §4.1, 4.3, 4.4): create, read, list, passwords and delete. With the
 * least-privileged `Application.ReadWrite.OwnedBy`, writes reach only applications the caller
 * owns (the ones it created); anything else is 403 `Authorization_RequestDenied`.
 */
import type { DirectoryApplication } from '../directory';
import { badRequest, requestDenied, resourceNotFound } from './graph-errors';
import { compileFilter } from './graph-filter';
import { collection, ok, type GraphRequestContext, type GraphRoute } from './graph-route';
import { applicationToWire, passwordCredentialToWire, select } from './graph-wire';

const BY_ID = 'applications/{id}';
const BY_APP_ID = "applications(appId='{appId}')";

/** Application routes. */
export function applicationRoutes(): GraphRoute[] {
  const routes: GraphRoute[] = [
    { method: 'POST', pattern: 'applications', operation: 'applications.create', handle: create },
    {
      method: 'GET',
      pattern: 'applications',
      operation: 'applications.list',
      handle: (ctx) => {
        const filter = compileFilter(ctx.query.get('$filter'));
        const value = [...ctx.directory.applications.values()]
          .map(applicationToWire)
          .filter(filter)
          .map((a) => select(a, ctx.query.get('$select')));
        return collection(ctx, 'applications', value);
      },
    },
  ];
  for (const [pattern, suffix] of [
    [BY_ID, ''],
    [BY_APP_ID, 'ByAppId'],
  ] as const) {
    routes.push(
      {
        method: 'GET',
        pattern,
        operation: `applications.get${suffix}`,
        handle: (ctx) =>
          ok({
            '@odata.context': `${ctx.serviceRoot}/$metadata#applications/$entity`,
            ...select(applicationToWire(find(ctx)), ctx.query.get('$select')),
          }),
      },
      { method: 'POST', pattern: `${pattern}/addPassword`, operation: 'applications.addPassword', handle: addPassword },
      {
        method: 'POST',
        pattern: `${pattern}/removePassword`,
        operation: 'applications.removePassword',
        handle: removePassword,
      },
      {
        method: 'DELETE',
        pattern,
        operation: 'applications.delete',
        handle: (ctx) => {
          const app = writable(ctx);
          ctx.directory.deleteApplication(app.id);
          return { status: 204 };
        },
      },
    );
  }
  return routes;
}

/** POST /applications `{displayName}` → 201. Password credentials cannot be set here (use addPassword). */
function create(ctx: GraphRequestContext) {
  const body = (ctx.body ?? {}) as { displayName?: unknown; passwordCredentials?: unknown };
  if (typeof body.displayName !== 'string' || body.displayName.trim() === '')
    throw badRequest("Property 'displayName' is required.");
  if (Array.isArray(body.passwordCredentials) && body.passwordCredentials.length > 0) {
    throw badRequest("Property 'passwordCredentials' cannot be set when creating an application; use addPassword.");
  }
  const app = ctx.directory.createApplication(body.displayName, ctx.callerObjectId);
  return {
    status: 201,
    body: { '@odata.context': `${ctx.serviceRoot}/$metadata#applications/$entity`, ...applicationToWire(app) },
  };
}

/** Returns the new secret once (`secretText`); the directory keeps only a hash. */
function addPassword(ctx: GraphRequestContext) {
  const app = writable(ctx);
  const pc =
    (
      (ctx.body ?? {}) as {
        passwordCredential?: { displayName?: unknown; endDateTime?: unknown; startDateTime?: unknown };
      }
    ).passwordCredential ?? {};
  for (const field of ['endDateTime', 'startDateTime'] as const) {
    const v = pc[field];
    if (v !== undefined && v !== null && (typeof v !== 'string' || Number.isNaN(Date.parse(v))))
      throw badRequest(`Invalid value for '${field}'.`);
  }
  const { secretText, credential } = ctx.directory.addPassword(app, {
    displayName: typeof pc.displayName === 'string' ? pc.displayName : null,
    ...(typeof pc.startDateTime === 'string' ? { startDateTime: new Date(pc.startDateTime).toISOString() } : {}),
    ...(typeof pc.endDateTime === 'string' ? { endDateTime: new Date(pc.endDateTime).toISOString() } : {}),
  });
  return ok({
    '@odata.context': `${ctx.serviceRoot}/$metadata#microsoft.graph.passwordCredential`,
    ...passwordCredentialToWire(credential),
    secretText,
  });
}

function removePassword(ctx: GraphRequestContext) {
  const app = writable(ctx);
  const keyId = ((ctx.body ?? {}) as { keyId?: unknown }).keyId;
  if (typeof keyId !== 'string') throw badRequest("Property 'keyId' is required.");
  if (!ctx.directory.removePassword(app, keyId))
    throw badRequest(`No password credential found with keyId '${keyId}'.`);
  return { status: 204 };
}

function find(ctx: GraphRequestContext): DirectoryApplication {
  const { id, appId } = ctx.params;
  const app = appId !== undefined ? ctx.directory.getApplicationByAppId(appId) : ctx.directory.getApplication(id!);
  if (!app) throw resourceNotFound(appId ?? id!);
  return app;
}

/** The application, if the caller's permission lets it change it. */
function writable(ctx: GraphRequestContext): DirectoryApplication {
  const app = find(ctx);
  if (ctx.applicationPermission === 'OwnedBy' && !app.ownerIds.has(ctx.callerObjectId.toLowerCase()))
    throw requestDenied();
  return app;
}
