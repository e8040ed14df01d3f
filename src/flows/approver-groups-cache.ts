/**
 * Recent reads of approver groups' members, kept a few minutes in this process. A normal request
 * under a rule with approver groups reads them (readApproverGroups) before its card, one Graph
 * advanced query after another, each throttled on its own: without this, every request under a
 * groups-only rule paid those reads. Who may approve is still asked of Graph at every click (G5);
 * these reads only tell whether the quorum is in reach, and a refusal on that ground is decided on
 * fresh reads (ApproverAuthority.approverReachIfRead). Break-glass reads Graph every time. The
 * read of which named approvers the directory finds enabled (readNamedApprovers) is kept the same
 * way, per set of users.
 */
import type { Clock, DirectoryPort } from '../domain/ports';

/**
 * How long a group's read members are reused: a group changed meanwhile is seen by the requests
 * of the next five minutes at the latest. Only one way of being stale matters: someone gone from
 * the group lets a request wait that nobody could approve, as before groups were read (nobody is
 * let in: G5 asks at the click). Someone added cannot refuse a request, refusals reading afresh.
 */
export const GROUP_READ_TTL_MS = 5 * 60_000;

/** Most (group, bound) reads kept: a policy names a few groups; the oldest go first past this. */
export const MAX_GROUP_READS = 500;

/** What reads a group's user members and named users' accounts (DirectoryPort.groupUserIds, enabledUserIds). */
export type GroupUserReader = Pick<DirectoryPort, 'groupUserIds' | 'enabledUserIds'>;

/** A reader for one request's reads; `fromCache` once any answer it gave was an earlier read's. */
export interface GroupReadSession extends GroupUserReader {
  readonly fromCache: boolean;
}

/**
 * Group member reads per (group id, bound) and named-user reads per set of users, reused for
 * {@link GROUP_READ_TTL_MS} by the injected clock.
 */
export class ApproverGroupsCache {
  private readonly reads = new Map<string, { users: Promise<string[]>; atMs: number }>();

  constructor(
    private readonly directory: GroupUserReader,
    private readonly clock: Clock,
    private readonly ttlMs = GROUP_READ_TTL_MS,
    private readonly maxReads = MAX_GROUP_READS,
  ) {}

  /**
   * A reader answering from a read younger than the TTL (one under way included, so a burst of
   * requests reads a group once), else from the directory, kept for the next requests; `fresh`:
   * always from the directory (and kept). A failed read is not kept: the next request asks again.
   */
  session(options: { fresh?: boolean } = {}): GroupReadSession {
    const read = async (key: string, fromDirectory: () => Promise<string[]>): Promise<string[]> => {
      const nowMs = this.clock.now().getTime();
      const kept = this.reads.get(key);
      if (!options.fresh && kept && nowMs - kept.atMs < this.ttlMs) {
        session.fromCache = true;
        return [...(await kept.users)];
      }
      const users = fromDirectory();
      this.keep(key, { users, atMs: nowMs });
      users.catch(() => {
        if (this.reads.get(key)?.users === users) this.reads.delete(key);
      });
      return [...(await users)];
    };
    const session = {
      fromCache: false,
      // Graph compares object ids without regard to case.
      groupUserIds: (groupId: string, atMost: number): Promise<string[]> =>
        read(`${groupId.toLowerCase()}\n${atMost}`, () => this.directory.groupUserIds(groupId, atMost)),
      // The same users in another order are the same read (a group's key holds a newline, this one none).
      enabledUserIds: (userIds: readonly string[]): Promise<string[]> =>
        read(`users ${[...new Set(userIds.map((u) => u.toLowerCase()))].sort().join(' ')}`, () =>
          this.directory.enabledUserIds(userIds),
        ),
    };
    return session;
  }

  private keep(key: string, read: { users: Promise<string[]>; atMs: number }): void {
    this.reads.delete(key);
    if (this.reads.size >= this.maxReads) this.reads.delete(this.reads.keys().next().value!);
    this.reads.set(key, read);
  }
}
