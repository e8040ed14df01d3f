/**
 * Whether a waiting request's term can still be approved as it is, once the policy or the
 * deployment's limits changed under it: one answer for the Approve click that is refused
 * (flows/request-decision.ts) and the reminders and escalations that call approvers to it
 * (flows/approval-nudges.ts), so a nudge never says otherwise than the click.
 */
import { type AccessLimits, termPastLimitsNow } from './access-term';
import { currentRuleFor } from './decided-rule';
import { factsOf, type Policy, type PolicyRule } from './policy';
import type { AccessRequest } from './request';

/**
 * Why `request`'s term can no longer be granted ("asks for 30d, but rule prod now grants at most
 * 8h", termPastLimitsNow), or undefined when it can. Judged under the deployment's `limits` now
 * and the maxDuration of its rule as `policy` has it now: the rule with its id while it still fits
 * the request's pair, or (removed, renamed or narrowed off the pair) the rule that fits it now, or
 * (none does) `bound`, the rule it was made under, as it was. A request without a term (flows run
 * without access limits) is not checked. Pure.
 */
export function pendingTermPastLimits(
  request: AccessRequest,
  policy: Policy,
  limits: AccessLimits | undefined,
  bound: PolicyRule | undefined = request.policy?.rule,
): string | undefined {
  if (!request.access) return undefined;
  const current = currentRuleFor(bound, policy, factsOf(request.plan)) ?? bound;
  return termPastLimitsNow(request.access, limits, current);
}
