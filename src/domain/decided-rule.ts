/**
 * Who may still act on a request that was decided (a break-glass review, a revocation) after the
 * policy was reloaded: a pending request keeps the rule it was made under (G18, bounded by its
 * expiry), but a decided one has no time limit, so its rule's approvers are those the policy
 * names now.
 */
import {
  factsOf,
  hasApprovers,
  hasOtherApprover,
  type Policy,
  type PolicyRule,
  type RequestFacts,
  ruleMatches,
  selectRule,
} from './policy';
import type { AccessRequest, Actor } from './request';

/**
 * The rule `request` is bound to under `policy` (or, for requests made before policies, the one
 * that fits it there): a pending request keeps its snapshot (G18; its expiry bounds that); a
 * decided one (a break-glass grant owing its review, access someone may revoke) has no such
 * bound, so its rule's approvers are `policy`'s ({@link decidedRule}). One answer for the policy
 * in force (ApproverAuthority.ruleOf) and for one a reload takes (policy-reload-audit.ts). Pure.
 */
export function ruleUnder(
  request: Pick<AccessRequest, 'policy' | 'plan' | 'state'>,
  policy: Policy,
): PolicyRule | undefined {
  const bound = request.policy?.rule;
  const facts = factsOf(request.plan);
  if (!bound) return selectRule(policy, facts);
  return request.state === 'pending' ? bound : decidedRule(bound, policy, facts);
}

/**
 * What {@link decidedRule} answers when no rule of the policy in force that names approvers covers
 * the request's pair: the rule as it was bound, `uncovered` set, with only those of its approvers
 * the policy in force still names (possibly none, {@link leftToNobody}), so that the refusal of a
 * review and the daily report of one owed can say that the policy no longer covers the pair, and
 * who, if anyone, reviews it.
 */
export type UncoveredRule = PolicyRule & { readonly uncovered: true };

/** True when `rule` is {@link decidedRule}'s rule as it was bound, no current rule covering the pair. Pure. */
export function isUncovered(rule: PolicyRule | undefined): rule is UncoveredRule {
  return (rule as Partial<UncoveredRule> | undefined)?.uncovered === true;
}

/**
 * True when `rule` is {@link decidedRule}'s rule as it was bound (no current rule covering the
 * pair) and none of its users and groups is named in the policy in force: nobody reviews or
 * revokes under it (its requester still revokes their own access) until a rule for the pair is
 * added. Pure.
 */
export function leftToNobody(rule: PolicyRule | undefined): boolean {
  return isUncovered(rule) && !hasApprovers(rule);
}

/**
 * True when `rule` ({@link decidedRule}'s answer) names approvers but no group and no user other
 * than `requester` ({@link hasOtherApprover}): nobody reviews their own break-glass grant, so
 * nobody can review `requester`'s under it until an approver is added to it (a reload left it
 * naming only them). A rule with groups is not judged: who is in them is read at each click, and
 * someone else may be. For the review only: a requester revokes their own access anyway. Pure.
 */
export function namesOnlyRequester(rule: PolicyRule | undefined, requester: Actor): boolean {
  return rule !== undefined && hasApprovers(rule) && !hasOtherApprover(rule, requester);
}

/**
 * True when nobody can review `requester`'s break-glass grant under `rule` ({@link decidedRule}'s
 * answer): it is left to nobody ({@link leftToNobody}), or it names only its requester
 * ({@link namesOnlyRequester}). The one test of the refusals and the daily report of an owed
 * review: while it holds, the review stays owed until the policy is mended. Pure.
 */
export function nobodyReviews(rule: PolicyRule | undefined, requester: Actor): boolean {
  return leftToNobody(rule) || namesOnlyRequester(rule, requester);
}

/**
 * The rule whose approvers act on a decided request bound to `bound` and about `facts`, under
 * `policy` as it is now:
 *
 * - the current rule with the same id (compared without regard to case, as ids are unique) when
 *   it still fits the request's facts and names approvers, so someone removed from it loses the
 *   right at the reload and whoever replaced them can review what is owed;
 * - else (the rule was removed, renamed or narrowed off the pair, or its approvers emptied) the
 *   current rule that fits the request's facts ({@link selectRule}) when it names approvers:
 *   whoever the policy now makes approve this pair;
 * - else (no rule that names anyone covers the pair any more) `bound` as it was, marked
 *   {@link isUncovered}, with only those of its users and groups some current rule still names:
 *   nobody a reload dropped from the policy altogether gets a right back when the rule goes too.
 *   When that leaves nobody ({@link leftToNobody}), nobody reviews or revokes under it: editing
 *   the policy never widens who holds rights. The daily report and the refusal say that no rule
 *   of the policy in force covers the pair, who (if anyone) reviews it, and that a rule for the
 *   pair should be added.
 *
 * A rule that names approvers stands even when the only one is the grant's requester (a reload
 * left it naming only them): nobody can review under it then ({@link namesOnlyRequester}), and
 * the refusals and the daily report say that an approver must be added to it; falling back to
 * the rule as it was would give the right back to approvers the reload removed from it.
 *
 * Callers compare the id of the answer with `bound.id` to say that another rule stands in. Pure.
 */
export function decidedRule(bound: PolicyRule, policy: Policy, facts: RequestFacts): PolicyRule {
  const current = currentRuleFor(bound, policy, facts, hasApprovers);
  if (current) return current;
  const users = new Set(policy.rules.flatMap((r) => r.approvers.users.map((u) => u.toLowerCase())));
  const groups = new Set(policy.rules.flatMap((r) => r.approvers.groups.map((g) => g.toLowerCase())));
  const asItWas: UncoveredRule = {
    ...bound,
    approvers: {
      ...bound.approvers,
      users: bound.approvers.users.filter((u) => users.has(u.toLowerCase())),
      groups: bound.approvers.groups.filter((g) => groups.has(g.toLowerCase())),
    },
    uncovered: true,
  };
  return asItWas;
}

/**
 * The rule of `policy` as it is now that stands for a request bound to `bound` and about `facts`:
 * the current rule with the same id when it still fits the facts and is `acceptable`, else the
 * current rule that fits the facts ({@link selectRule}) when it is; undefined when neither (the
 * caller says what stands then). A rule narrowed off the pair no longer stands for it: its
 * approvers would otherwise revoke access that the approvers of the rule now fitting the pair
 * extend. By default any rule is acceptable (the term check of an approval, request-decision.ts);
 * {@link decidedRule} accepts only one that names approvers. Pure.
 */
export function currentRuleFor(
  bound: PolicyRule | undefined,
  policy: Policy,
  facts: RequestFacts,
  acceptable: (rule: PolicyRule) => boolean = () => true,
): PolicyRule | undefined {
  const same = bound && ruleWithId(policy, bound.id);
  if (same && ruleMatches(same.match, facts) && acceptable(same)) return same;
  const fits = selectRule(policy, facts);
  return fits && acceptable(fits) ? fits : undefined;
}

/**
 * The rules of `policy` as it is now under which `bound`'s request would have other approvers
 * than those it was bound to (a pending request keeps those, G18): the current rule with the
 * same id, fitting the pair or not (that is the rule its reader knows by name), and every current
 * rule whose `match` fits its facts. For the words of a refusal only: they grant nothing. Pure.
 */
export function rulesNowFor(bound: PolicyRule | undefined, policy: Policy, facts: RequestFacts): PolicyRule[] {
  const same = bound && ruleWithId(policy, bound.id);
  const fitting = policy.rules.filter((r) => ruleMatches(r.match, facts));
  return same && !fitting.includes(same) ? [same, ...fitting] : fitting;
}

/** The rule of `policy` with `id`, compared without regard to case (ids are unique). */
function ruleWithId(policy: Policy, id: string): PolicyRule | undefined {
  const lower = id.toLowerCase();
  return policy.rules.find((r) => r.id.toLowerCase() === lower);
}

/**
 * Why `requestId`'s break-glass review is refused to someone who is none of its reviewers, naming
 * who reviews it: "approvers of rule prod"; when {@link decidedRule} found another rule standing
 * in for the one it was bound to, that rule named as such (and why: the old one was removed or
 * names nobody, or, still in `policy`, no longer covers the pair), so the reader knows why the rule
 * they remember no longer decides; and when no rule of the policy in force covers `pair`
 * ({@link isUncovered}), that said and how to mend it, with those of the approvers the bound
 * rule had whom the policy still names, or, when it names none of them ({@link leftToNobody}) or
 * none but `requester`, that nobody can review it until a rule for the pair is added. A rule that
 * names only `requester` ({@link namesOnlyRequester}) is said to, with nobody able to review it
 * until an approver is added to it: "only approvers of rule prod" would send the reader to the
 * one person who may not. Pure.
 */
export function notReviewerMessage(
  requestId: string,
  pair: string,
  rule: PolicyRule | undefined,
  bound: PolicyRule | undefined,
  requester: Actor,
  policy?: Policy,
): string {
  const only = `Only approvers of rule`;
  const ask = `Ask the platform team to add one: its approvers would then review it.`;
  if (isUncovered(rule)) {
    // Nobody to ask: saying "ask one of them" would send the reader to people who were removed.
    if (leftToNobody(rule))
      return (
        `No rule of the approval policy in force covers ${pair}, and none of the approvers rule ${rule.id} had is ` +
        `in the policy any more, so nobody can review break-glass request ${requestId} until a rule for ${pair} ` +
        `is added. ${ask}`
      );
    // The one it still names used the break-glass, and nobody reviews their own.
    if (namesOnlyRequester(rule, requester))
      return (
        `No rule of the approval policy in force covers ${pair}, and of the approvers rule ${rule.id} had it names ` +
        `only the requester of break-glass request ${requestId}, who may not review it, so nobody can review it ` +
        `until a rule for ${pair} is added. ${ask}`
      );
    return (
      `No rule of the approval policy in force covers ${pair}, so break-glass request ${requestId} is reviewed by ` +
      `those of the approvers rule ${rule.id} had when it ran whom the policy still names, and you are not one of ` +
      `them. Ask one of them, or ask the platform team to add a rule for ${pair}: its approvers would then review it.`
    );
  }
  if (!rule) return `${only} ${bound?.id ?? 'default'} can review break-glass request ${requestId}.`;
  const inPlace = inPlaceOf(rule, bound, policy);
  if (namesOnlyRequester(rule, requester))
    return (
      `Rule ${rule.id}${inPlace ? ` (${inPlace})` : ''} names only the requester of break-glass request ` +
      `${requestId} as its approver, who may not review it, so nobody can review it until an approver is added ` +
      `to rule ${rule.id}. Ask the platform team to add one: they would then review it.`
    );
  if (!inPlace) return `${only} ${rule.id} can review break-glass request ${requestId}.`;
  return `${only} ${rule.id} (${inPlace}) can review break-glass request ${requestId}.`;
}

/**
 * Why nobody can review `requester`'s owed break-glass review under `rule` ({@link decidedRule}'s
 * answer), and until what: its rule names only its requester, who may not review it; or no rule
 * of the policy in force covers `pair` (text as the caller shows it) and the policy names none of
 * the approvers its rule had, or only its requester. One clause, no full stop, for the daily
 * report of the review (which goes on to say who would then review it) and the tab's row.
 * Undefined when someone may ({@link nobodyReviews}). Pure.
 */
export function nobodyReviewsWhy(rule: PolicyRule | undefined, requester: Actor, pair: string): string | undefined {
  if (!rule || !nobodyReviews(rule, requester)) return undefined;
  if (!isUncovered(rule))
    return `Rule ${rule.id} names only its requester as approver, who may not review it, so nobody can review it until an approver is added to rule ${rule.id} in the approval policy`;
  const had = leftToNobody(rule)
    ? `none of the approvers rule ${rule.id} had is in the policy any more`
    : `of the approvers rule ${rule.id} had it names only its requester, who may not review it`;
  return `No rule of the approval policy in force covers ${pair}, and ${had}, so nobody can review it until a rule for ${pair} is added to the approval policy`;
}

/**
 * Why a break-glass review is refused to its own requester: nobody reviews their own grant, so
 * an approver must; and when nobody can ({@link nobodyReviews}: `rule`, as {@link decidedRule}
 * answers, names only them, or no rule of the policy in force covers `pair` and the policy names
 * none of the approvers its rule had but them), that said with how to mend it, since the
 * requester is the one left to ask for it. Pure.
 */
export function ownReviewMessage(
  requestId: string,
  pair: string,
  rule: PolicyRule | undefined,
  requester: Actor,
): string {
  const own = `You used break-glass for request ${requestId} yourself, so an approver must review it`;
  if (!rule || !nobodyReviews(rule, requester)) return `${own}.`;
  if (isUncovered(rule))
    return (
      `${own}, but no rule of the approval policy in force covers ${pair}, and it names none of the approvers ` +
      `rule ${rule.id} had but you, so nobody can review it until a rule for ${pair} is added. Ask the platform ` +
      `team to add one: its approvers would then review it.`
    );
  return (
    `${own}, but rule ${rule.id} names only you as its approver, so nobody can review it until an approver is ` +
    `added to rule ${rule.id}. Ask the platform team to add one: they would then review it.`
  );
}

/**
 * "it now covers this pair in place of rule prod, which no longer covers it" (or "which no longer
 * names approvers") when `rule` stands in for `bound`, another rule ({@link decidedRule}); `policy`
 * tells which (without it: "no longer names approvers"). Undefined when it is the same rule.
 */
function inPlaceOf(rule: PolicyRule, bound: PolicyRule | undefined, policy: Policy | undefined): string | undefined {
  if (!bound || bound.id.toLowerCase() === rule.id.toLowerCase()) return undefined;
  const still = policy && ruleWithId(policy, bound.id);
  const why = still && hasApprovers(still) ? 'which no longer covers it' : 'which no longer names approvers';
  return `it now covers this pair in place of rule ${bound.id}, ${why}`;
}

/**
 * Why a revoke of `requestId` is refused to someone who is neither its requester nor one of the
 * approvers who act on it now, when no rule of the policy in force covers `pair`
 * ({@link isUncovered}): that said, who may still revoke it (its requester, and those of the
 * approvers its rule had whom the policy still names; only its requester when that is nobody,
 * {@link leftToNobody}), and how to mend it (a rule covering the pair added to the policy).
 * Undefined while a rule covers the pair: the plain refusal names its rule. Pure.
 */
export function notRevokerMessage(requestId: string, pair: string, rule: PolicyRule | undefined): string | undefined {
  if (!isUncovered(rule)) return undefined;
  const uncovered = `No rule of the approval policy in force covers ${pair} any more`;
  const mend = `ask the platform team to add a rule covering ${pair} to the approval policy: its approvers could then revoke it`;
  if (leftToNobody(rule))
    return `${uncovered}, and none of the approvers rule ${rule.id} had is in the policy, so nobody but the requester of ${requestId} may revoke it; nothing was changed. To have it revoked, ask its requester, or ${mend}.`;
  return `${uncovered}, so only the requester of ${requestId} or those of the approvers rule ${rule.id} had whom the policy still names may revoke it, and you are not one of them; nothing was changed. Ask one of them, or ${mend}.`;
}

/**
 * What the `breakglass.unreviewed` entry of `requester`'s review owed under `rule` adds when no
 * rule of the policy in force covers the pair ({@link isUncovered}): that, and who reviews it then
 * (nobody, {@link leftToNobody}, or when the policy names none of the rule's approvers but the
 * requester); and when the rule names only its requester ({@link namesOnlyRequester}), that
 * nobody can review it until an approver is added to it. Nothing while someone may review it. Pure.
 */
export function uncoveredReviewNote(rule: PolicyRule | undefined, requester: Actor): string {
  if (!isUncovered(rule))
    return rule && namesOnlyRequester(rule, requester)
      ? `; rule ${rule.id} names only its requester as approver: nobody can review it until an approver is added to the rule`
      : '';
  if (leftToNobody(rule))
    return `; no rule of the policy in force covers the pair, and it names none of the approvers rule ${rule.id} had: nobody can review it until a rule for the pair is added`;
  return namesOnlyRequester(rule, requester)
    ? `; no rule of the policy in force covers the pair, and it names none of the approvers rule ${rule.id} had but its requester: nobody can review it until a rule for the pair is added`
    : `; no rule of the policy in force covers the pair: those of the approvers rule ${rule.id} had whom it still names review it`;
}
