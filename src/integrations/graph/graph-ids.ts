/**
 * Directory ids checked before they become part of a Graph URL. Object ids and appIds are GUIDs;
 * `encodeURIComponent` alone lets `..` through (a dot segment the URL resolves: `/applications/../
 * addPassword` is sent as `/addPassword`) and `'`, which ends an OData key literal early
 * (`servicePrincipals(appId='…')`). An id that is not a GUID can name no directory object, so it
 * is answered here, with no call.
 */
import { GraphError } from './graph-failure';
import { isGuid } from '../../domain/identifiers';

/** True when `id` has the shape of a directory object id or appId (a GUID). */
export function isDirectoryId(id: string): boolean {
  return isGuid(id);
}

/**
 * `id` for a URL path or key, or the 400 Graph itself answers an id that is not a GUID
 * ("Invalid object identifier"), thrown before any call so nothing else of it reaches the wire.
 * `what` names the id in the message ("application id"); the id itself is never quoted.
 */
export function directoryIdSegment(id: string, what: string): string {
  if (!isDirectoryId(id))
    throw new GraphError(400, 'Request_BadRequest', undefined, undefined, {
      detail: `the ${what} is not a GUID; refused before any call`,
    });
  return id;
}
