/**
 * `/applications` (CONTRACTS §4.1, 4.3, 4.4): create, read, list, passwords and delete. With the
 * least-privileged `Application.ReadWrite.OwnedBy`, writes reach only applications the caller
 * owns (the ones it created); anything else is 403 `Authorization_RequestDenied`.
 *
 * Who holds an application (Graph v1.0 "List owners", "List federatedIdentityCredentials"): `GET …/owners` pages (`$top`, `@odata.nextLink`,
 * graph-paging.ts); `GET …/federatedIdentityCredentials` (by id or appId key) lists its federated
 * identity credentials with `$filter` (`eq` on name, issuer, subject) and `$select`; certificates
 * show in `keyCredentials`. Those are planted through {@link GraphEmulator.holdings}.
 */
import type { DirectoryApplication } from '../directory';
import { appIdKeyOf, badRequest, objectIdOf, quotaExceeded, requestDenied, resourceNotFound } from './graph-errors';
import type { StoredCredentialInfo } from './credential-holdings';
import { pagedCollection } from './graph-paging';
import { created, entity, filteredCollection, ok, type GraphRequestContext, type GraphRoute } from './graph-route';
import { applicationToWire, federatedCredentialToWire, ownerToWire, passwordCredentialToWire } from './graph-wire';

const BY_ID = 'applications/{id}';
const BY_APP_ID = "applications(appId='{appId}')";
const BY_UNIQUE_NAME = "applications(uniqueName='{uniqueName}')";

/** What `$filter` may name on a federated credential list (Graph documents `eq`). */
const FIC_FILTERABLE: ReadonlySet<string> = new Set(['name', 'issuer', 'subject']);

/** The application as Graph shows it, with the certificates planted on it. */
function wire(ctx: GraphRequestContext, app: DirectoryApplication): Record<string, unknown> {
  const certificates: readonly StoredCredentialInfo[] = ctx.holdings.ofApplication(app).certificates;
  return applicationToWire(app, certificates);
}

/** Application routes. */
export function applicationRoutes(): GraphRoute[] {
  const routes: GraphRoute[] = [
    { method: 'POST', pattern: 'applications', operation: 'applications.create', handle: create },
    {
      method: 'GET',
      pattern: 'applications',
      operation: 'applications.list',
      handle: (ctx) => {
        return filteredCollection(
          ctx,
          'applications',
          [...ctx.directory.applications.values()].map((a) => wire(ctx, a)),
        );
      },
    },
    { method: 'PATCH', pattern: BY_UNIQUE_NAME, operation: 'applications.upsert', handle: upsert },
    {
      method: 'GET',
      pattern: BY_UNIQUE_NAME,
      operation: 'applications.getByUniqueName',
      handle: (ctx) => entity(ctx, 'applications', wire(ctx, find(ctx))),
    },
    {
      method: 'GET',
      pattern: `${BY_ID}/owners`,
      operation: 'applications.owners',
      handle: (ctx) => {
        const app = find(ctx);
        const value = [...app.ownerIds].map((id) => ownerToWire(ctx.directory, id));
        return pagedCollection(ctx, `applications/${ctx.params['id']!}/owners`, 'directoryObjects', value);
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
        handle: (ctx) => entity(ctx, 'applications', wire(ctx, find(ctx))),
      },
      {
        method: 'GET',
        pattern: `${pattern}/federatedIdentityCredentials`,
        operation: 'applications.federatedIdentityCredentials',
        handle: (ctx) => {
          const app = find(ctx);
          return filteredCollection(
            ctx,
            `applications('${app.id}')/federatedIdentityCredentials`,
            ctx.holdings.ofApplication(app).federated.map(federatedCredentialToWire),
            FIC_FILTERABLE,
          );
        },
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
          // Not replicated yet, a delete by id finds nothing either (404, as a read): a caller
          // that takes that 404 for "gone" leaves the application behind. Deleted, it (and its
          // service principal) moves to deleted items (deleted-item-routes.ts).
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
  if (!ctx.directory.withinQuota(ctx.callerObjectId)) throw quotaExceeded();
  const app = ctx.directory.createApplication(body.displayName, ctx.callerObjectId);
  return created(ctx, 'applications', wire(ctx, app));
}

/**
 * `PATCH /applications(uniqueName='…')` (CONTRACTS §7a, learn.microsoft.com/graph/api/application-upsert):
 * with `Prefer: create-if-missing` creates the application (201 with it) when no application has
 * that `uniqueName`; otherwise updates it (204). Without the header a missing one is 404. With
 * `OwnedBy`, an existing application the caller does not own is 403.
 */
function upsert(ctx: GraphRequestContext) {
  const uniqueName = ctx.params.uniqueName ?? '';
  const body = (ctx.body ?? {}) as { displayName?: unknown; passwordCredentials?: unknown; uniqueName?: unknown };
  if (Array.isArray(body.passwordCredentials) && body.passwordCredentials.length > 0)
    throw badRequest("Property 'passwordCredentials' cannot be set with PATCH; use addPassword.");
  const existing = ctx.directory.getApplicationByUniqueName(uniqueName);
  if (existing) {
    if (ctx.applicationPermission === 'OwnedBy' && !existing.ownerIds.has(ctx.callerObjectId.toLowerCase()))
      throw requestDenied();
    if (typeof body.displayName === 'string' && body.displayName.trim() !== '') existing.displayName = body.displayName;
    return { status: 204 };
  }
  const prefer = ctx.headers['prefer'];
  const wantsCreate = (Array.isArray(prefer) ? prefer.join(',') : (prefer ?? ''))
    .split(',')
    .some((p) => p.trim().toLowerCase() === 'create-if-missing');
  if (!wantsCreate) throw resourceNotFound(uniqueName);
  if (typeof body.displayName !== 'string' || body.displayName.trim() === '')
    throw badRequest("Property 'displayName' is required.");
  if (!ctx.directory.withinQuota(ctx.callerObjectId)) throw quotaExceeded();
  const app = ctx.directory.createApplication(body.displayName, ctx.callerObjectId, uniqueName);
  return created(ctx, 'applications', wire(ctx, app));
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

/**
 * The application a request names. A new one not replicated yet (`Directory.readReplicationDelay`)
 * is the same 404 as an unknown one, before any permission check: the replica that answers does
 * not have it (deletes included).
 */
function find(ctx: GraphRequestContext, replicating = true): DirectoryApplication {
  const { id, appId, uniqueName } = ctx.params;
  // uniqueName is any text the caller chose; a malformed appId key or object id is Graph's 400.
  const app =
    uniqueName !== undefined
      ? ctx.directory.getApplicationByUniqueName(uniqueName)
      : appId !== undefined
        ? ctx.directory.getApplicationByAppId(appIdKeyOf(appId))
        : ctx.directory.getApplication(objectIdOf(id!));
  if (!app || (replicating && !ctx.directory.replicatedForRead(app)))
    throw resourceNotFound(uniqueName ?? appId ?? id!);
  return app;
}

/** The application, if the caller's permission lets it change it. */
function writable(ctx: GraphRequestContext, replicating = true): DirectoryApplication {
  const app = find(ctx, replicating);
  if (ctx.applicationPermission === 'OwnedBy' && !app.ownerIds.has(ctx.callerObjectId.toLowerCase()))
    throw requestDenied();
  return app;
}
