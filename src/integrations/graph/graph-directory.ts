/** {@link DirectoryPort} over Microsoft Graph. */
import type { DirectoryPort } from '../../domain/ports';
import type { GraphClient } from './graph-client';
import { GraphError } from './graph-failure';
import { isDirectoryId } from './graph-ids';

/** Looks up service principals and group membership. */
export class GraphDirectory implements DirectoryPort {
  constructor(private readonly graph: GraphClient) {}

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
      throw err;
    }
  }

  /** Transitive membership, asked at decision time (no caching: removal takes effect at once). */
  async isMemberOfGroup(objectId: string, groupId: string): Promise<boolean> {
    // Not GUIDs: no directory object, so no member of any group (as Graph's 404 is answered).
    if (!isDirectoryId(objectId) || !isDirectoryId(groupId)) return false;
    try {
      const { body } = await this.graph.request<{ value: string[] }>(
        'POST',
        `/directoryObjects/${objectId}/checkMemberGroups`,
        { groupIds: [groupId] },
      );
      return (body?.value ?? []).some((id) => id.toLowerCase() === groupId.toLowerCase());
    } catch (err) {
      if (err instanceof GraphError && err.status === 404) return false;
      throw err;
    }
  }
}
