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

/** 400 for a `$filter` the emulator (and mostly Graph) does not support. */
export function unsupportedQuery(): HttpError {
  return new HttpError(400, 'Request_UnsupportedQuery', 'Unsupported Query.');
}
