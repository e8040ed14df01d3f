/**
 * The members of a rule's approver groups, read when a request is made to tell whether enough
 * people other than its requester could approve (or review) it (domain/approver-reach.ts). Reads
 * are few and bounded: none when the named users are enough, one group after another otherwise,
 * each to {@link groupReadSize} members, stopping as soon as enough people are found.
 */
import { enoughOtherApprovers, groupReadSize } from '../domain/approver-reach';
import type { PolicyRule } from '../domain/policy';
import type { DirectoryPort } from '../domain/ports';
import type { Actor } from '../domain/request';

/**
 * Most approver groups of one rule read for one request. A rule with more that the first ones do
 * not settle is not judged (`undefined`): its requests go on as before groups were read, and who
 * may decide is still asked at the click (G5).
 */
export const MAX_APPROVER_GROUPS_READ = 10;

/**
 * The user ids read from `rule`'s groups, one list per group read, enough to tell whether
 * `needed` people other than `requester` could approve under it ({@link enoughOtherApprovers});
 * `[]` when its named users are enough already, `undefined` when it cannot be told (see
 * {@link MAX_APPROVER_GROUPS_READ}). A directory failure is thrown: the caller decides what it
 * means for its request.
 */
export async function readApproverGroups(
  directory: Pick<DirectoryPort, 'groupUserIds'>,
  rule: PolicyRule,
  requester: Actor,
  needed: number,
): Promise<string[][] | undefined> {
  const reads: string[][] = [];
  if (enoughOtherApprovers(rule, requester, needed)) return reads;
  // Object ids compared without regard to case: a group named twice is read once.
  const groups = rule.approvers.groups.filter(
    (g, i, all) => all.findIndex((other) => other.toLowerCase() === g.toLowerCase()) === i,
  );
  for (const [index, group] of groups.entries()) {
    if (index === MAX_APPROVER_GROUPS_READ) return undefined;
    reads.push(await directory.groupUserIds(group, groupReadSize(needed)));
    if (enoughOtherApprovers(rule, requester, needed, reads)) break;
  }
  return reads;
}
