/**
 * Who may still act on a request that was decided (a break-glass review, a revocation) after the
 * policy was reloaded: a pending request keeps the rule it was made under (G18, bounded by its
 * expiry), but a decided one has no time limit, so its rule's approvers are those the policy
 * names now.
 */
import type { Policy, PolicyRule } from './policy';

/**
 * The rule whose approvers act on a decided request bound to `bound`, under `policy` as it is
 * now: the current rule with the same id (compared without regard to case, as ids are unique)
 * when the policy still has one, so someone removed from it loses the right at the reload and
 * whoever replaced them can review what is owed. A rule that was removed leaves `bound` with only
 * the users and groups some current rule still names: nobody it dropped, and nobody it never
 * named. Pure.
 */
export function decidedRule(bound: PolicyRule, policy: Policy): PolicyRule {
  const id = bound.id.toLowerCase();
  const same = policy.rules.find((r) => r.id.toLowerCase() === id);
  if (same) return same;
  const users = new Set(policy.rules.flatMap((r) => r.approvers.users.map((u) => u.toLowerCase())));
  const groups = new Set(policy.rules.flatMap((r) => r.approvers.groups.map((g) => g.toLowerCase())));
  return {
    ...bound,
    approvers: {
      ...bound.approvers,
      users: bound.approvers.users.filter((u) => users.has(u.toLowerCase())),
      groups: bound.approvers.groups.filter((g) => groups.has(g.toLowerCase())),
    },
  };
}
