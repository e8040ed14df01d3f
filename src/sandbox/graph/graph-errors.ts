/**
 * Microsoft Graph errors (CONTRACTS §4): codes and texts of the real service. The envelope
 * (with `innerError`) is added by the emulator.
 */
import { HttpError } from '../http-util';

/** 404 for an unknown object id or alternate key. */
export function resourceNotFound(id: string): HttpError {
  return new HttpError(
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

/** 400 while a new application has not replicated yet (eventual consistency). */
export function noBackingApplication(appId: string): HttpError {
  return new HttpError(
    400,
    'Request_BadRequest',
    `The appId '${appId}' of the service principal does not reference a valid application object.`,
  );
}

/** 403 when the caller's Graph permission does not reach the object (e.g. `OwnedBy` on an app it does not own). */
export function requestDenied(): HttpError {
  return new HttpError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
}

/** 400 `Request_BadRequest` with a custom message (validation failures). */
export function badRequest(message: string): HttpError {
  return new HttpError(400, 'Request_BadRequest', message);
}

/**
 * An object id as acrbot writes one (hyphenated; Graph may also take .NET's other spellings of a
 * GUID, which acrbot never sends).
 */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `id` if it is a GUID; else 400 `Request_BadRequest` "Invalid object identifier '…'.", as Graph
 * answers for a path segment where an object id belongs (`/servicePrincipals/{id}`,
 * `/groups/{id}`, `/directoryObjects/{id}/…`): the key is parsed before anything is looked up, so
 * a name or other text there is never a 404. Seen for a group's name in `/groups/{id}/members/$ref`
 * (Azure/active-directory-dotnet-graphapi-b2bportal-web#16). `/users/{id}` is not checked: it
 * takes a userPrincipalName as well, and an unknown one is a 404.
 */
export function objectIdOf(id: string): string {
  if (!GUID.test(id)) throw badRequest(`Invalid object identifier '${id}'.`);
  return id;
}

/**
 * `appId` if it is a GUID; else the 400 Graph answers for the `(appId='…')` alternate key of
 * `/applications` and `/servicePrincipals` (msgraph-sdk-python#408: a malformed appId key, 400
 * `Request_BadRequest` with this message), e.g. `servicePrincipals(appId='msi')`.
 */
export function appIdKeyOf(appId: string): string {
  if (!GUID.test(appId))
    throw badRequest(
      "Invalid value specified for object reference property 'appId'. Please ensure that this value has an appropriate syntax and length.",
    );
  return appId;
}

/** 400 for a `$filter` the emulator (and mostly Graph) does not support. */
export function unsupportedQuery(): HttpError {
  return new HttpError(400, 'Request_UnsupportedQuery', 'Unsupported Query.');
}

/**
 * 400 `Directory_QuotaExceeded`: the caller has created as many directory objects as its quota
 * allows (Entra: 250 for a creator that is no administrator), deleted items not yet permanently
 * deleted included.
 */
export function quotaExceeded(): HttpError {
  return new HttpError(
    400,
    'Directory_QuotaExceeded',
    'The directory object quota limit for the Principal has been exceeded. Please ask your administrator to increase the quota limit or delete objects to reduce the used quota.',
  );
}
