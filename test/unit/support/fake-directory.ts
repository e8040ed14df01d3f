/**
 * A directory for flow tests: `groups` maps a group id to the object ids of its (transitive) user
 * members. Membership checks and group listings read the same map, ids compared without regard
 * to case as Graph compares them, so a group's members and who may approve agree.
 */
import type { DirectoryPort } from '../../../src/domain/ports';

/** The fake, with what its group listings were asked and a switch that makes them fail. */
export interface FakeDirectory extends DirectoryPort {
  /** Every `groupUserIds` call, in order. */
  readonly reads: Array<{ groupId: string; atMost: number }>;
  /** When set, `groupUserIds` throws it (Graph throttled, forbidden or down). */
  failReadsWith?: Error;
}

/** The fake over `groups`; `onLookup` runs inside every membership check (a slow Graph answer). */
export function fakeDirectory(
  groups: Record<string, readonly string[]> = {},
  options: { servicePrincipalObjectId?: (appId: string) => Promise<string | undefined>; onLookup?: () => void } = {},
): FakeDirectory {
  const membersOf = (groupId: string): readonly string[] =>
    Object.entries(groups).find(([id]) => id.toLowerCase() === groupId.toLowerCase())?.[1] ?? [];
  const directory: FakeDirectory = {
    reads: [],
    servicePrincipalObjectId: options.servicePrincipalObjectId ?? (async () => undefined),
    memberGroupsAmong: async (objectId, groupIds) => {
      options.onLookup?.();
      return groupIds
        .filter((groupId) => membersOf(groupId).some((m) => m.toLowerCase() === objectId.toLowerCase()))
        .map((groupId) => groupId.toLowerCase());
    },
    groupUserIds: async (groupId, atMost) => {
      directory.reads.push({ groupId, atMost });
      if (directory.failReadsWith) throw directory.failReadsWith;
      return membersOf(groupId).slice(0, atMost);
    },
    // Everyone a rule names is in this directory, their account enabled.
    enabledUserIds: async (userIds) => [...userIds],
    enabledUsers: async (userIds) => userIds.map((id) => ({ id: id.toLowerCase() })),
  };
  return directory;
}
