/**
 * A group's transitive members (`GET /groups/{id}/transitiveMembers[/microsoft.graph.<type>]`):
 * what acrbot reads when a request is made to know whether anyone other than its requester could
 * approve it. As in Graph (List group transitive members, v1.0):
 *
 * - the list is flat: nested groups' members are listed, and the nested groups themselves too
 *   (each object once), in the directory's order;
 * - an OData cast segment keeps one member type (`microsoft.graph.user` lists people only; the
 *   collection is then that type's, `$metadata#users`, without `@odata.type` on each item). Graph
 *   documents a cast on this list as an advanced query: without `ConsistencyLevel: eventual` and
 *   `$count=true` it is answered 400 `Request_UnsupportedQuery` here (the message is the
 *   emulator's). A cast to a type no group can hold is 400 `Request_UnsupportedQuery`, as Graph
 *   documents; one to a type the directory has none of (`device`, `orgContact`) lists nothing;
 * - `$filter=accountEnabled eq true` (or `false`) on the user cast keeps the people whose account
 *   is (not) enabled; any other filter is 400 `Request_UnsupportedQuery`;
 * - `$top` (1–999, default 100) sizes a page; more are reached through `@odata.nextLink`, an
 *   absolute link with the query kept and an opaque `$skiptoken`; `$count=true` adds
 *   `@odata.count` (all of them, not the page's); `$select` as everywhere;
 * - an unknown group is 404 `Request_ResourceNotFound`, an id that is no GUID 400.
 */
import type { Directory, DirectoryGroup } from '../directory';
import type { EmulatorReply } from '../http-util';
import { objectIdOf, resourceNotFound } from './graph-errors';
import { ok, type GraphRequestContext, type GraphRoute } from './graph-route';
import { HttpError } from '../http-util';
import { groupToWire, select, userToWire } from './graph-wire';
import { pageSize, skipTokenOffset } from './graph-paging';

/** Member types a cast may name (lowercase) → their entity set and wire type. */
const MEMBER_TYPES: Record<string, { entitySet: string; type: string }> = {
  'microsoft.graph.user': { entitySet: 'users', type: '#microsoft.graph.user' },
  'microsoft.graph.group': { entitySet: 'groups', type: '#microsoft.graph.group' },
  'microsoft.graph.serviceprincipal': { entitySet: 'servicePrincipals', type: '#microsoft.graph.servicePrincipal' },
  'microsoft.graph.device': { entitySet: 'devices', type: '#microsoft.graph.device' },
  'microsoft.graph.orgcontact': { entitySet: 'contacts', type: '#microsoft.graph.orgContact' },
};

/** Transitive member routes. */
export function groupMemberRoutes(): GraphRoute[] {
  return [
    {
      method: 'GET',
      pattern: 'groups/{id}/transitiveMembers',
      operation: 'groups.transitiveMembers',
      handle: (ctx) => transitiveMembers(ctx, undefined),
    },
    {
      method: 'GET',
      pattern: 'groups/{id}/transitiveMembers/{cast}',
      operation: 'groups.transitiveMembers',
      handle: (ctx) => transitiveMembers(ctx, ctx.params['cast']!),
    },
  ];
}

function transitiveMembers(ctx: GraphRequestContext, cast: string | undefined): EmulatorReply {
  const id = objectIdOf(ctx.params['id']!);
  const kind = cast === undefined ? undefined : MEMBER_TYPES[cast.toLowerCase()];
  if (cast !== undefined && !kind)
    throw new HttpError(400, 'Request_UnsupportedQuery', `The member type '${cast}' is not supported on this list.`);
  if (kind && !advancedQuery(ctx))
    throw new HttpError(
      400,
      'Request_UnsupportedQuery',
      "An OData cast on this list only works with the request header 'ConsistencyLevel: eventual' and $count=true.",
    );
  const top = pageSize(ctx.query.get('$top'));
  const group = ctx.directory.groups.get(id.toLowerCase());
  if (!group) throw resourceNotFound(id);
  const filter = memberFilter(ctx.query.get('$filter'), kind);
  const members = flatMembers(ctx.directory, group).filter(
    (m) => (!kind || m['@odata.type'] === kind.type) && filter(ctx.directory, m),
  );
  const offset = skipTokenOffset(ctx.query.get('$skiptoken'));
  const $select = ctx.query.get('$select');
  const value = members.slice(offset, offset + top).map((m) => {
    // A cast's collection is of that type: its items carry no type of their own.
    const wire = kind ? Object.fromEntries(Object.entries(m).filter(([k]) => k !== '@odata.type')) : m;
    return select(wire, $select);
  });
  const entitySet = kind?.entitySet ?? 'directoryObjects';
  const body: Record<string, unknown> = {
    '@odata.context': `${ctx.serviceRoot}/$metadata#${entitySet}${$select ? `(${$select})` : ''}`,
  };
  if (ctx.query.get('$count') === 'true') body['@odata.count'] = members.length;
  if (offset + top < members.length) {
    const query = new URLSearchParams(ctx.query);
    query.set('$skiptoken', Buffer.from(`offset:${offset + top}`).toString('base64url'));
    const path = `groups/${ctx.params['id']!}/transitiveMembers${cast === undefined ? '' : `/${cast}`}`;
    body['@odata.nextLink'] = `${ctx.serviceRoot}/${path}?${query.toString()}`;
  }
  body['value'] = value;
  return ok(body);
}

/**
 * The one `$filter` served here: `accountEnabled eq true|false` on the user cast (Graph supports
 * `eq` on a user's `accountEnabled`; a filter on this list is an advanced query, as the cast is).
 * Any other filter is refused with Graph's 400 `Request_UnsupportedQuery`, as Graph refuses a
 * clause it does not support, rather than ignored (which would list too much).
 */
function memberFilter(
  filter: string | null,
  kind: { type: string } | undefined,
): (directory: Directory, member: Record<string, unknown>) => boolean {
  if (filter === null || filter.trim() === '') return () => true;
  const m = /^\s*accountEnabled\s+eq\s+(true|false)\s*$/i.exec(filter);
  if (!m || kind?.type !== '#microsoft.graph.user')
    throw new HttpError(
      400,
      'Request_UnsupportedQuery',
      `Unsupported or invalid query filter clause specified for property '${/^\s*(\w+)/.exec(filter)?.[1] ?? filter}' of resource '${kind ? kind.type.replace('#microsoft.graph.', '') : 'DirectoryObject'}'.`,
    );
  const enabled = m[1]!.toLowerCase() === 'true';
  return (directory, member) => directory.users.get(String(member['id']))?.accountEnabled === enabled;
}

/** The advanced query parameters: `ConsistencyLevel: eventual` and `$count=true`. */
function advancedQuery(ctx: GraphRequestContext): boolean {
  const header = ctx.headers['consistencylevel'];
  const level = Array.isArray(header) ? header[0] : header;
  return level?.toLowerCase() === 'eventual' && ctx.query.get('$count') === 'true';
}

/**
 * Every object in `group`, nested groups' members included, each once (a cycle of nested groups
 * ends where it began), as Graph's directory objects with their `@odata.type`.
 */
function flatMembers(directory: Directory, group: DirectoryGroup): Record<string, unknown>[] {
  const seen = new Set<string>([group.id]);
  const out: Record<string, unknown>[] = [];
  const visit = (g: DirectoryGroup) => {
    for (const memberId of g.members) {
      if (seen.has(memberId)) continue;
      seen.add(memberId);
      const user = directory.users.get(memberId);
      const nested = directory.groups.get(memberId);
      const sp = directory.servicePrincipals.get(memberId);
      if (user) out.push({ '@odata.type': '#microsoft.graph.user', ...userToWire(user) });
      else if (sp)
        out.push({
          '@odata.type': '#microsoft.graph.servicePrincipal',
          id: sp.id,
          appId: sp.appId,
          displayName: sp.displayName,
        });
      else if (nested) {
        out.push(groupToWire(nested));
        visit(nested);
      }
    }
  };
  visit(group);
  return out;
}
