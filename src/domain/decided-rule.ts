/**
 * Who may still act on a request that was decided (a break-glass review, a revocation) after the
 * policy was reloaded: a pending request keeps the rule it was made under (G18, bounded by its
 * expiry), but a decided one has no time limit, so its rule's approvers are those the policy
 * names now.
 */
import { hasApprovers, type Policy, type PolicyRule, type RequestFacts, selectRule } from './policy';

/**
 * The rule whose approvers act on a decided request bound to `bound` and about `facts`, under
 * `policy` as it is now:
 *
 * - the current rule with the same id (compared without regard to case, as ids are unique) when
 *   the policy still has one that names approvers, so someone removed from it loses the right at
 *   the reload and whoever replaced them can review what is owed;
 * - else (the rule was removed or renamed, or its approvers emptied) the current rule that fits
 *   the request's facts ({@link selectRule}) when it names approvers: whoever the policy now
 *   makes approve this pair. Without this, a break-glass review owed under a removed rule could
 *   be done by nobody, yet would be reported every day for ever;
 * - else (no rule fits the pair any more, or none that names anyone) the same-id rule as it is,
 *   or `bound` with only the users and groups some current rule still names: nobody it dropped,
 *   and nobody it never named.
 *
 * Callers compare the id of the answer with `bound.id` to say that another rule stands in. Pure.
 */
export function decidedRule(bound: PolicyRule, policy: Policy, facts: RequestFacts): PolicyRule {
  const current = currentRuleFor(bound, policy, facts, hasApprovers);
  if (current) return current;
  const same = ruleWithId(policy, bound.id);
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

/**
 * The rule of `policy` as it is now that stands for a request bound to `bound` and about `facts`:
 * the current rule with the same id when it is `acceptable`, else the current rule that fits the
 * facts ({@link selectRule}) when it is; undefined when neither (the caller says what stands
 * then). By default any rule is acceptable (the term check of an approval, request-decision.ts);
 * {@link decidedRule} accepts only one that names approvers. Pure.
 */
export function currentRuleFor(
  bound: PolicyRule | undefined,
  policy: Policy,
  facts: RequestFacts,
  acceptable: (rule: PolicyRule) => boolean = () => true,
): PolicyRule | undefined {
  const same = bound && ruleWithId(policy, bound.id);
  if (same && acceptable(same)) return same;
  const fits = selectRule(policy, facts);
  return fits && acceptable(fits) ? fits : undefined;
}

/** The rule of `policy` with `id`, compared without regard to case (ids are unique). */
function ruleWithId(policy: Policy, id: string): PolicyRule | undefined {
  const lower = id.toLowerCase();
  return policy.rules.find((r) => r.id.toLowerCase() === lower);
}

/**
 * Who acts on a decided request, as a refusal names them: "approvers of rule prod", or, when
 * {@link decidedRule} found another rule standing in for the one it was bound to, that rule
 * named as such, so the reader knows why the rule they remember no longer decides. Pure.
 */
export function decidedRuleApprovers(rule: PolicyRule | undefined, bound: PolicyRule | undefined): string {
  if (!rule) return `approvers of rule ${bound?.id ?? 'default'}`;
  if (!bound || bound.id.toLowerCase() === rule.id.toLowerCase()) return `approvers of rule ${rule.id}`;
  return `approvers of rule ${rule.id} (it now covers this pair in place of rule ${bound.id}, which no longer names approvers)`;
}
