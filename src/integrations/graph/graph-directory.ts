/** {@link DirectoryPort} over Microsoft Graph. */
import type { DirectoryPort, EnabledUser } from '../../domain/ports';
import type { Logger } from '../../observability/logger';
import type { GraphClient } from './graph-client';
import { GraphError, graphFailure, GraphUnconfirmedError } from './graph-failure';
import { isDirectoryId } from './graph-ids';

/**
 * Only accounts that can sign in: a disabled account cannot approve anything, so it is nobody
 * who could (`accountEnabled` is filterable with `eq` on users; on this cast an advanced query).
 */
const ENABLED_ONLY = encodeURIComponent('accountEnabled eq true');

/** Graph's largest page of directory objects (`$top` is 1–999). */
const GRAPH_MAX_TOP = 999;

/**
 * Ids asked for in one `id in (…)` filter. Graph limits a filter with `in` to 15 expressions on a
 * query that is not an advanced one: 14 ids and the `accountEnabled` clause keep within it.
 */
const USERS_PER_FILTER = 14;

/** Group ids one `checkMemberGroups` call takes at most (Graph's limit). */
const GROUPS_PER_CHECK = 20;

/** Looks up service principals and group membership. */
export class GraphDirectory implements DirectoryPort {
  constructor(
    private readonly graph: GraphClient,
    /** Where a group Graph does not know (deleted since the policy named it) is logged. */
    private readonly log?: Logger,
  ) {}

  /**
   * `GET /servicePrincipals(appId='…')`, which needs `Application.Read.All`. 404 is no such
   * service principal (undefined). Any other failure of the call is the port's `CloudApiError`
   * (Graph's code, status and ids, the original as its `cause`): the flows tell a refusal (403,
   * the permission missing) from the rest by status, without knowing Graph's error types.
   */
  async servicePrincipalObjectId(appId: string): Promise<string | undefined> {
    // Read from the cluster's profile, which its owners write: not a GUID, it is no app's id.
    if (!isDirectoryId(appId)) return undefined;
    try {
      const { body } = await this.graph.request<{ id: string }>(
        'GET',
        `/servicePrincipals(appId='${appId}')?$select=id,appId`,
      );
      return body?.id;
    } catch (err) {
      if (err instanceof GraphError && err.status === 404) return undefined;
      if (err instanceof GraphError || err instanceof GraphUnconfirmedError)
        throw graphFailure(err, 'service principal lookup by app id failed');
      throw err;
    }
  }

  /** Transitive membership, asked at decision time (no caching: removal takes effect at once). */
  async isMemberOfGroup(objectId: string, groupId: string): Promise<boolean> {
    return (await this.memberGroupsAmong(objectId, [groupId])).length > 0;
  }

  /**
   * `POST /directoryObjects/{id}/checkMemberGroups` with up to {@link GROUPS_PER_CHECK} group ids a
   * call, one call after another: Graph answers the ids among them the object is a transitive
   * member of. Ids that are no GUID are no group (not sent); an object id that is none, or one
   * Graph answers 404 for, is a member of nothing. Any other failure is Graph's error.
   */
  async memberGroupsAmong(objectId: string, groupIds: readonly string[]): Promise<string[]> {
    if (!isDirectoryId(objectId)) return [];
    // Compared without regard to case, as Graph compares them: a group named twice is sent once.
    const ids = [...new Set(groupIds.filter(isDirectoryId).map((id) => id.toLowerCase()))];
    const found: string[] = [];
    for (let i = 0; i < ids.length; i += GROUPS_PER_CHECK) {
      const chunk = ids.slice(i, i + GROUPS_PER_CHECK);
      try {
        const { body } = await this.graph.request<{ value: string[] }>(
          'POST',
          `/directoryObjects/${objectId}/checkMemberGroups`,
          { groupIds: chunk },
        );
        for (const id of body?.value ?? []) if (chunk.includes(id.toLowerCase())) found.push(id.toLowerCase());
      } catch (err) {
        // No such object (a deleted identity): no later chunk would answer otherwise.
        if (err instanceof GraphError && err.status === 404) return [];
        throw err;
      }
    }
    return found;
  }

  /**
   * The group's transitive user members whose account is enabled, at most `atMost`: the
   * `microsoft.graph.user` cast leaves out service principals, devices and the nested groups
   * (whose own members are listed, as `transitiveMembers` flattens them), `accountEnabled eq true`
   * the people who cannot sign in, and only `id` is asked for: `GroupMember.Read.All` lists
   * members, and `User.Read.All` (which checkMemberGroups needs as well) reads `accountEnabled`,
   * a property beyond a user's basic profile. Graph documents an OData cast (and a filter) on this list as an advanced query (`ConsistencyLevel:
   * eventual` and `$count=true`, sent with every page), answered from an index that may lag a
   * change by a little. Graph may answer a page short of `$top` with a link to more: links are
   * followed only until `atMost` are found. A failure is Graph's error, with its request ids, as
   * for {@link isMemberOfGroup}.
   */
  async groupUserIds(groupId: string, atMost: number): Promise<string[]> {
    // Not a GUID: no directory object, so nobody in it (as Graph's 404 is answered).
    if (!isDirectoryId(groupId) || atMost < 1) return [];
    const top = Math.min(Math.ceil(atMost), GRAPH_MAX_TOP);
    try {
      const users = await this.graph.listAll<{ id?: unknown }>(
        `/groups/${groupId}/transitiveMembers/microsoft.graph.user?$select=id&$filter=${ENABLED_ONLY}&$top=${top}&$count=true`,
        { atMost, headers: { ConsistencyLevel: 'eventual' } },
      );
      return (
        users
          .map((u) => u.id)
          // Counted as people: what is not an object id is nobody.
          .filter((id): id is string => typeof id === 'string' && isDirectoryId(id))
          .slice(0, atMost)
      );
    } catch (err) {
      // A group that does not exist (deleted since the policy named it) holds nobody; said, so a
      // deleted approver group is not taken for an empty one. Once per read (reads are cached).
      if (err instanceof GraphError && err.status === 404) {
        this.log?.warn(
          { groupId, graphRequestId: err.requestId },
          'an approver group is not in the directory (deleted?); it counts as nobody: fix the policy',
        );
        return [];
      }
      throw err;
    }
  }

  /**
   * `GET /users?$filter=id in (…) and accountEnabled eq true&$select=id`, up to
   * {@link USERS_PER_FILTER} ids a query (one for a rule's few named approvers): a deleted user is
   * not listed, nor a disabled one. Both clauses are supported without the advanced query
   * parameters, so this is an ordinary read, not one from the index that may lag a change (as
   * {@link groupUserIds}' is). Ids that are no GUID are nobody, not sent. Needs `User.Read.All`
   * (`accountEnabled` is beyond a user's basic profile), as {@link groupUserIds} does. A failure is
   * Graph's error, with its request ids.
   */
  async enabledUserIds(userIds: readonly string[]): Promise<string[]> {
    return (await this.readEnabledUsers(userIds, 'id')).map((u) => u.id);
  }

  /**
   * As {@link enabledUserIds}, with `$select=id,displayName`: the same query and permission
   * (`displayName` is in a user's basic profile), each user's display name as Graph gives it. A
   * display name that is not a string (null) is left out: none to show.
   */
  async enabledUsers(userIds: readonly string[]): Promise<EnabledUser[]> {
    return this.readEnabledUsers(userIds, 'id,displayName');
  }

  /** The read of {@link enabledUserIds} and {@link enabledUsers}, with the properties `select`s. */
  private async readEnabledUsers(userIds: readonly string[], select: string): Promise<EnabledUser[]> {
    // Object ids compared without regard to case: a user named twice is asked for once.
    const ids = [...new Set(userIds.filter(isDirectoryId).map((id) => id.toLowerCase()))];
    const found: EnabledUser[] = [];
    for (let i = 0; i < ids.length; i += USERS_PER_FILTER) {
      const chunk = ids.slice(i, i + USERS_PER_FILTER);
      const filter = encodeURIComponent(`id in (${chunk.map((id) => `'${id}'`).join(',')}) and accountEnabled eq true`);
      const users = await this.graph.listAll<{ id?: unknown; displayName?: unknown }>(
        `/users?$filter=${filter}&$select=${select}`,
      );
      for (const u of users)
        if (typeof u.id === 'string' && chunk.includes(u.id.toLowerCase()))
          found.push({
            id: u.id.toLowerCase(),
            ...(typeof u.displayName === 'string' ? { displayName: u.displayName } : {}),
          });
    }
    return found;
  }
}
