/**
 * The members of a rule's approver groups, read when a request is made to tell whether enough
 * people other than its requester could approve (or review) it (domain/approver-reach.ts). Reads
 * are few and bounded: none when the named users are enough, one group after another otherwise,
 * each to {@link groupReadSize} members, stopping as soon as enough people are found. The rule's
 * named users are asked of the directory first ({@link readNamedApprovers}): only those it finds
 * with an enabled account count, as only such group members are read.
 */
import { enoughOtherApprovers, groupReadSize, namedOthers, withEnabledUsers } from '../domain/approver-reach';
import { httpStatusOf } from '../domain/azure-answer-class';
import { causesOf } from '../domain/error-causes';
import type { PolicyRule } from '../domain/policy';
import type { DirectoryPort } from '../domain/ports';
import type { Actor } from '../domain/request';
import type { Logger } from '../observability/logger';
import { HOURLY_WARN_EVERY_MS, HourlyWarnings } from './hourly-warning';

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

/**
 * `rule` naming, of its users other than `requester`, only those the directory finds with an
 * enabled account ({@link withEnabledUsers}), for the reach check (read its groups with the rule
 * this returns); one read for the rule's named users. None when it names nobody else, nor when a
 * rule without groups names fewer than `needed` others anyway: fewer found could change nothing.
 * A directory that cannot be read (most often: no `User.Read.All`, which a deployment without
 * approver groups was never asked for) leaves the rule as written, as before this check existed,
 * for a normal request and for break-glass alike, with a warning at most once an hour per process
 * ({@link UNREAD_NAMED_WARN_EVERY_MS}) rather than one per request. A normal request reads
 * through approver-groups-cache.ts, which makes this read with the users' display names and keeps
 * it, so the @mention beside its card (bot/approver-mention-posts.ts) asks Graph nothing more.
 */
export async function readNamedApprovers(
  directory: Pick<DirectoryPort, 'enabledUserIds'>,
  rule: PolicyRule,
  requester: Actor,
  needed: number,
  log: Logger,
): Promise<PolicyRule> {
  const named = namedOthers(rule, requester);
  if (named.length === 0 || (rule.approvers.groups.length === 0 && named.length < needed)) return rule;
  try {
    return withEnabledUsers(rule, await directory.enabledUserIds(named));
  } catch (err) {
    warnUnreadApproversHourly(
      log,
      { err, ruleId: rule.id },
      "a rule's named approvers could not be read; they count as the rule names them, without knowing whether their accounts still exist and are enabled",
    );
    return rule;
  }
}

/**
 * Whether `err` (a failed read of users' accounts) is the directory refusing acrbot the right to
 * read them: the first status down its causes is 403, which Graph answers when `User.Read.All` was
 * not granted (docs/deploy.md lets a deployment leave it out). That refusal stays until someone
 * grants the permission, so it is no passing failure: approvers read so count as named, unchecked,
 * as {@link readNamedApprovers} counts them, and {@link warnUnreadApproversHourly} says so.
 */
export function isAccountReadRefused(err: unknown): boolean {
  for (const e of causesOf(err)) {
    const status = httpStatusOf(e);
    if (status !== undefined) return status === 403;
  }
  return false;
}

/** How often, at most, one process warns (per message) that approvers' accounts could not be read. */
export const UNREAD_NAMED_WARN_EVERY_MS = HOURLY_WARN_EVERY_MS;

/** This process's warnings that approvers could not be read, spaced per message (hourly-warning.ts). */
const unreadWarnings = new HourlyWarnings();

/**
 * Warns `message` with `fields` unless this process warned the same message less than
 * {@link UNREAD_NAMED_WARN_EVERY_MS} ago: a deployment without `User.Read.All` fails every such
 * read, and one line an hour tells the operators as well as one per request or click would.
 * Spaced per message, so one reader's warning never hides another's. On the process's clock
 * (`Date.now`): its callers (nudges, clicks, the mention beside a new card) share the spacing, and
 * not all of them are given a clock.
 */
export function warnUnreadApproversHourly(log: Logger, fields: Record<string, unknown>, message: string): void {
  if (unreadWarnings.due(message, '', Date.now())) log.warn(fields, message);
}

/** Lets a test see the warnings again (the spacing is per process). */
export function resetUnreadNamedWarning(): void {
  unreadWarnings.reset();
}

/**
 * What a request's quorum is judged on (domain/policy.ts quorumOutOfReach): its rule naming only
 * the users found enabled, and the reads of its groups (undefined: not read, or not judged).
 */
export interface ApproverReach {
  rule: PolicyRule;
  groupUsers?: string[][];
}

/**
 * {@link readNamedApprovers}, then {@link readApproverGroups} on the rule it gives, for a normal
 * request: a directory failure is logged and passed over, never a refusal (who may approve is
 * asked again at every click, G5). Named users unread count as the rule names them; groups unread
 * leave the rule unjudged. Either way the request waits as it did before they were read.
 */
export async function readApproverReach(
  directory: Pick<DirectoryPort, 'groupUserIds' | 'enabledUserIds'>,
  rule: PolicyRule,
  requester: Actor,
  needed: number,
  log: Logger,
): Promise<ApproverReach> {
  const reachable = await readNamedApprovers(directory, rule, requester, needed, log);
  if (rule.approvers.groups.length === 0) return { rule: reachable };
  try {
    return { rule: reachable, groupUsers: await readApproverGroups(directory, reachable, requester, needed) };
  } catch (err) {
    log.warn(
      { err, ruleId: rule.id },
      'approver groups could not be read; the request goes on without knowing whether its quorum is in reach',
    );
    return { rule: reachable };
  }
}
