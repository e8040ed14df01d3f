/**
 * The users list (`GET /users`), with the filters acrbot sends to learn which of a rule's named
 * approvers are still people who can sign in. As in Graph (List users, v1.0):
 *
 * - `$filter` clauses joined with `and`: `id eq '…'`, `id in ('…','…')` (object ids compared
 *   without regard to case) and `accountEnabled eq true|false`. Graph supports these on users
 *   without the advanced query parameters, so they are served with or without them. An `in` list
 *   of more than 15 values is Graph's 400 `Request_UnsupportedQuery` (its limit on a filter's child
 *   clauses); any other clause too, rather than ignored (which would list too much);
 * - a user deleted from the directory is not listed (the emulated directory keeps no deleted
 *   users); a disabled one is, unless the filter asks for `accountEnabled eq true`;
 * - users in the directory's order, paged by `$top` (1–999, default 100) with `@odata.nextLink`;
 *   `$select` as everywhere.
 */
import { HttpError } from '../http-util';
import type { DirectoryUser } from '../directory';
import { pagedCollection } from './graph-paging';
import type { GraphRoute } from './graph-route';
import { userToWire } from './graph-wire';

/** Most values of one `in` list (Graph: at most 15 child clauses in a filter expression). */
const MAX_IN_VALUES = 15;

/** The users list route. */
export function userListRoutes(): GraphRoute[] {
  return [
    {
      method: 'GET',
      pattern: 'users',
      operation: 'users.list',
      handle: (ctx) => {
        const keep = userFilter(ctx.query.get('$filter'));
        const users = [...ctx.directory.users.values()].filter(keep).map(userToWire);
        return pagedCollection(ctx, 'users', 'users', users);
      },
    },
  ];
}

/** `$filter` on users as a predicate; an absent filter keeps everyone. */
function userFilter(filter: string | null): (user: DirectoryUser) => boolean {
  if (filter === null || filter.trim() === '') return () => true;
  const clauses = filter
    .trim()
    .split(/\s+and\s+/i)
    .map((c) => userClause(c.trim()));
  return (user) => clauses.every((c) => c(user));
}

function userClause(clause: string): (user: DirectoryUser) => boolean {
  let m: RegExpExecArray | null;
  if ((m = /^id\s+eq\s+'([^']*)'$/i.exec(clause))) {
    const id = m[1]!.toLowerCase();
    return (user) => user.id === id;
  }
  if ((m = /^id\s+in\s+\(\s*('[^']*'(?:\s*,\s*'[^']*')*)\s*\)$/i.exec(clause))) {
    const ids = m[1]!.split(',').map((v) => v.trim().slice(1, -1).toLowerCase());
    if (ids.length > MAX_IN_VALUES)
      throw new HttpError(
        400,
        'Request_UnsupportedQuery',
        `Too many child clauses specified in search filter expression containing 'OR' operators: ${ids.length}. Max allowed: ${MAX_IN_VALUES}.`,
      );
    const wanted = new Set(ids);
    return (user) => wanted.has(user.id);
  }
  if ((m = /^accountEnabled\s+eq\s+(true|false)$/i.exec(clause))) {
    const enabled = m[1]!.toLowerCase() === 'true';
    return (user) => user.accountEnabled === enabled;
  }
  throw new HttpError(
    400,
    'Request_UnsupportedQuery',
    `Unsupported or invalid query filter clause specified for property '${/^(\w+)/.exec(clause)?.[1] ?? clause}' of resource 'User'.`,
  );
}
