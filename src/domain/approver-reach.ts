/**
 * Whether enough people other than a requester could approve (or review) under a rule: its named
 * users and the members of its approver groups, the requester left out (nobody approves their
 * own request or reviews their own break-glass grant). Pure: the caller reads the groups'
 * members (a bounded read, {@link groupReadSize}) and passes them in. A rule whose approvers hold
 * too few such people could never gather its quorum; a break-glass grant under one whose only
 * approver is its requester would be reported unreviewed every day, for ever. Named users count
 * only as the directory finds them ({@link withEnabledUsers}): one deleted or disabled since the
 * policy named them approves nothing, as a disabled group member does not.
 */
import type { PolicyRule } from './policy';
import type { Actor } from './request';

/**
 * Members to read of each approver group to know whether `needed` people other than the requester
 * are among a rule's approvers: one more than needed, so that a group read to that bound holds
 * `needed` others even when the requester is one of them, and a group holding fewer was read
 * whole. The count {@link otherApprovers} makes from reads so bounded is exact up to `needed`.
 */
export function groupReadSize(needed: number): number {
  return Math.max(1, needed) + 1;
}

/**
 * The distinct people other than `requester` who could approve under `rule`: its named users and
 * `groupUsers` (the user ids read from its groups, one list per group read), object ids compared
 * without regard to case.
 */
export function otherApprovers(
  rule: PolicyRule,
  requester: Actor,
  groupUsers: Iterable<readonly string[]> = [],
): Set<string> {
  const self = requester.objectId.toLowerCase();
  const people = new Set<string>();
  const add = (id: string) => {
    const key = id.toLowerCase();
    if (key !== self) people.add(key);
  };
  rule.approvers.users.forEach(add);
  for (const users of groupUsers) users.forEach(add);
  return people;
}

/**
 * True when at least `needed` distinct people other than `requester` could approve under `rule`
 * (see {@link otherApprovers}); `groupUsers` read with {@link groupReadSize}`(needed)` each.
 */
export function enoughOtherApprovers(
  rule: PolicyRule,
  requester: Actor,
  needed: number,
  groupUsers: Iterable<readonly string[]> = [],
): boolean {
  return otherApprovers(rule, requester, groupUsers).size >= needed;
}

/**
 * The users `rule` names other than `requester`, each once (object ids lowercase): the named
 * approvers whose accounts are asked of the directory.
 */
export function namedOthers(rule: PolicyRule, requester: Actor): string[] {
  const self = requester.objectId.toLowerCase();
  return [...new Set(rule.approvers.users.map((u) => u.toLowerCase()))].filter((u) => u !== self);
}

/**
 * `rule` as far as who could approve under it goes, naming only those of its users in `enabled`
 * (the ones the directory found, their accounts enabled; compared without regard to case). For
 * the reach check only: the request stays bound to the rule as written.
 */
export function withEnabledUsers(rule: PolicyRule, enabled: readonly string[]): PolicyRule {
  const found = new Set(enabled.map((u) => u.toLowerCase()));
  return {
    ...rule,
    approvers: { ...rule.approvers, users: rule.approvers.users.filter((u) => found.has(u.toLowerCase())) },
  };
}
