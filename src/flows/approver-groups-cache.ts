/**
 * Recent reads of approver groups' members, kept a few minutes in this process. A normal request
 * under a rule with approver groups reads them (readApproverGroups) before its card, one Graph
 * advanced query after another, each throttled on its own: without this, every request under a
 * groups-only rule paid those reads. Who may approve is still asked of Graph at every click (G5);
 * these reads only tell whether the quorum is in reach, and a refusal on that ground is decided on
 * fresh reads (ApproverAuthority.approverReachIfRead). Break-glass reads Graph every time. The
 * read of which named approvers the directory finds enabled (readNamedApprovers) is kept the same
 * way, per set of users, with their display names (one Graph call either way:
 * `$select=id,displayName` instead of `id`): the @mention beside the new request's card
 * (bot/approver-mention-posts.ts) asks the same users right after, and is answered from it.
 */
import type { Clock, DirectoryPort, EnabledUser } from '../domain/ports';

/**
 * How long a group's read members are reused: a group changed meanwhile is seen by the requests
 * of the next five minutes at the latest. Only one way of being stale matters: someone gone from
 * the group lets a request wait that nobody could approve, as before groups were read (nobody is
 * let in: G5 asks at the click). Someone added cannot refuse a request, refusals reading afresh.
 */
export const GROUP_READ_TTL_MS = 5 * 60_000;

/** Most (group, bound) reads kept: a policy names a few groups; the oldest go first past this. */
export const MAX_GROUP_READS = 500;

/**
 * What reads a group's user members and named users' accounts (DirectoryPort.groupUserIds,
 * enabledUsers: named users are read with their display names, whichever the session is asked).
 */
export type GroupUserReader = Pick<DirectoryPort, 'groupUserIds' | 'enabledUsers'>;

/**
 * A reader for one request's reads; `fromCache` once any answer it gave was an earlier read's.
 * `enabledUserIds` and `enabledUsers` of the same users are one read.
 */
export interface GroupReadSession extends Pick<DirectoryPort, 'groupUserIds' | 'enabledUserIds' | 'enabledUsers'> {
  readonly fromCache: boolean;
}

/**
 * Group member reads per (group id, bound) and named-user reads per set of users, reused for
 * {@link GROUP_READ_TTL_MS} by the injected clock.
 */
export class ApproverGroupsCache {
  /** A group's member ids, or named users' accounts: the key tells which (see session). */
  private readonly reads = new Map<string, { answer: Promise<readonly unknown[]>; atMs: number }>();

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
    // Each key holds one kind of answer (a group's key a newline, named users' none), so T is the
    // type its first read gave.
    const read = async <T>(key: string, fromDirectory: () => Promise<T[]>): Promise<readonly T[]> => {
      const nowMs = this.clock.now().getTime();
      const kept = this.reads.get(key);
      if (!options.fresh && kept && nowMs - kept.atMs < this.ttlMs) {
        session.fromCache = true;
        return (await kept.answer) as readonly T[];
      }
      const answer = fromDirectory();
      this.keep(key, { answer, atMs: nowMs });
      answer.catch(() => {
        if (this.reads.get(key)?.answer === answer) this.reads.delete(key);
      });
      return answer;
    };
    // The same users in another order are the same read, with or without their names.
    const users = (userIds: readonly string[]): Promise<readonly EnabledUser[]> =>
      read(`users ${[...new Set(userIds.map((u) => u.toLowerCase()))].sort().join(' ')}`, () =>
        this.directory.enabledUsers(userIds),
      );
    // Copies: a caller may change what it is given, never what the next one is.
    const session = {
      fromCache: false,
      // Graph compares object ids without regard to case.
      groupUserIds: async (groupId: string, atMost: number): Promise<string[]> => [
        ...(await read(`${groupId.toLowerCase()}\n${atMost}`, () => this.directory.groupUserIds(groupId, atMost))),
      ],
      enabledUserIds: async (userIds: readonly string[]): Promise<string[]> => (await users(userIds)).map((u) => u.id),
      enabledUsers: async (userIds: readonly string[]): Promise<EnabledUser[]> =>
        (await users(userIds)).map((u) => ({ ...u })),
    };
    return session;
  }

  private keep(key: string, read: { answer: Promise<readonly unknown[]>; atMs: number }): void {
    this.reads.delete(key);
    if (this.reads.size >= this.maxReads) this.reads.delete(this.reads.keys().next().value!);
    this.reads.set(key, read);
  }
}
