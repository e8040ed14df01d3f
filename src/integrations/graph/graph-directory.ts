/** {@link DirectoryPort} over Microsoft Graph. */
import type { DirectoryPort } from '../../domain/ports';
import { type GraphClient, GraphError } from './graph-client';

/** Looks up service principals and group membership. */
export class GraphDirectory implements DirectoryPort {
  constructor(private readonly graph: GraphClient) {}

  async servicePrincipalObjectId(appId: string): Promise<string | undefined> {
    try {
      const { body } = await this.graph.request<{ id: string }>(
        'GET',
        `/servicePrincipals(appId='${encodeURIComponent(appId)}')?$select=id,appId`,
      );
      return body?.id;
    } catch (err) {
      if (err instanceof GraphError && err.status === 404) return undefined;
      throw err;
    }
  }

  /** Transitive membership, asked at decision time (no caching: removal takes effect at once). */
  async isMemberOfGroup(objectId: string, groupId: string): Promise<boolean> {
    try {
      const { body } = await this.graph.request<{ value: string[] }>(
        'POST',
        `/directoryObjects/${encodeURIComponent(objectId)}/checkMemberGroups`,
        { groupIds: [groupId] },
      );
      return (body?.value ?? []).some((id) => id.toLowerCase() === groupId.toLowerCase());
    } catch (err) {
      if (err instanceof GraphError && err.status === 404) return false;
      throw err;
    }
  }
}
