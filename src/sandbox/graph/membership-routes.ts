/**
 * Users, groups and (transitive) group membership: what acrbot uses to decide whether a person
 * may approve (`ACRBOT_APPROVER_GROUP`). `checkMemberGroups` and `transitiveMemberOf` both follow
 * nested groups, as in Graph.
 */
import type { Directory } from '../directory';
import { badRequest, objectIdOf, resourceNotFound } from './graph-errors';
import { collection, entity, ok, type GraphRequestContext, type GraphRoute } from './graph-route';
import { groupToWire, select, userToWire } from './graph-wire';

/** Membership routes. */
export function membershipRoutes(): GraphRoute[] {
  return [
    {
      method: 'GET',
      pattern: 'users/{id}',
      operation: 'users.get',
      handle: (ctx) => {
        return entity(ctx, 'users', userToWire(findUser(ctx.directory, ctx.params['id']!)));
      },
    },
    {
      method: 'GET',
      pattern: 'groups/{id}',
      operation: 'groups.get',
      handle: (ctx) => {
        const group = ctx.directory.groups.get(objectIdOf(ctx.params['id']!).toLowerCase());
        if (!group) throw resourceNotFound(ctx.params['id']!);
        return entity(ctx, 'groups', groupToWire(group));
      },
    },
    {
      method: 'POST',
      pattern: 'users/{id}/checkMemberGroups',
      operation: 'directoryObjects.checkMemberGroups',
      handle: (ctx) => checkMemberGroups(ctx, findUser(ctx.directory, ctx.params['id']!).id),
    },
    // Graph answers the same action under the generic and the typed path.
    ...['directoryObjects', 'servicePrincipals'].map((set): GraphRoute => ({
      method: 'POST',
      pattern: `${set}/{id}/checkMemberGroups`,
      operation: 'directoryObjects.checkMemberGroups',
      handle: (ctx) => checkMemberGroups(ctx, anyObject(ctx)),
    })),
    {
      method: 'GET',
      pattern: 'users/{id}/transitiveMemberOf',
      operation: 'users.transitiveMemberOf',
      handle: (ctx) => transitiveMemberOf(ctx, findUser(ctx.directory, ctx.params['id']!).id),
    },
    {
      method: 'GET',
      pattern: 'servicePrincipals/{id}/transitiveMemberOf',
      operation: 'servicePrincipals.transitiveMemberOf',
      handle: (ctx) => transitiveMemberOf(ctx, anyObject(ctx)),
    },
  ];
}

/** `{groupIds:[...]}` (at most 20) → the ids among them the object belongs to, transitively. */
function checkMemberGroups(ctx: GraphRequestContext, objectId: string) {
  const groupIds = ((ctx.body ?? {}) as { groupIds?: unknown }).groupIds;
  if (!Array.isArray(groupIds) || !groupIds.every((g) => typeof g === 'string'))
    throw badRequest("Property 'groupIds' must be a list of group ids.");
  if (groupIds.length > 20) throw badRequest('Too many groupIds: at most 20 are allowed.');
  const member = ctx.directory.transitiveGroupIds(objectId);
  return ok({
    '@odata.context': `${ctx.serviceRoot}/$metadata#Collection(Edm.String)`,
    value: (groupIds as string[]).filter((g) => member.has(g.toLowerCase())),
  });
}

function transitiveMemberOf(ctx: GraphRequestContext, objectId: string) {
  const groups = [...ctx.directory.transitiveGroupIds(objectId)].map((id) => ctx.directory.groups.get(id)!);
  return collection(
    ctx,
    'directoryObjects',
    groups.map((g) => select(groupToWire(g), ctx.query.get('$select'))),
  );
}

/** A user by object id or userPrincipalName. */
function findUser(directory: Directory, idOrUpn: string) {
  const key = idOrUpn.toLowerCase();
  const user =
    directory.users.get(key) ?? [...directory.users.values()].find((u) => u.userPrincipalName.toLowerCase() === key);
  if (!user) throw resourceNotFound(idOrUpn);
  return user;
}

function anyObject(ctx: GraphRequestContext): string {
  const id = objectIdOf(ctx.params['id']!);
  if (!ctx.directory.hasObject(id)) throw resourceNotFound(id);
  return id.toLowerCase();
}
