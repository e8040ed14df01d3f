/**
 * Approvals a click no longer counts (G5), as the request records them and the trail says so. A
 * click that finds an earlier approver no longer of the rule drops that approval in the same
 * conditional write as its own step, records it on the request ({@link AccessRequest.discountedApprovals}),
 * then appends one `approval.discounted` entry naming every approval it dropped
 * (request-decision.ts `decideNow`). The entry is built here for that click and for the net that
 * writes it late when the click's process stopped between the two (approval-entry-net.ts), so
 * both write the same entry under the same key.
 */
import type { AuditEvent } from '../domain/audit-chain';
import type { AccessRequest, Actor, DiscountedApproval, PolicyBinding } from '../domain/request';
import { ruleActor, targetsOf } from './request-audit';

/**
 * The idempotency key of the `approval.discounted` entry of the approvals one click dropped, its
 * click's and a late one alike: keyed by that click's time and the first approval it dropped, as
 * the `approval.recorded` entry is by its approval (approval-entry-net.ts `approvalEntryKey`).
 */
export function discountedEntryKey(requestId: string, first: { by: { objectId: string }; at: string }): string {
  return `approval.discounted:${requestId}:${first.by.objectId.toLowerCase()}:${first.at}`;
}

/**
 * The `approval.discounted` entry of `dropped` (the approvals one click dropped from `request`,
 * in the order it dropped them, one `at`), in the name of the rule `request` is bound to, as the
 * click writes it under `tenantId` (the clicking user's).
 */
export function discountedEntry(
  request: AccessRequest,
  binding: PolicyBinding,
  dropped: DiscountedApproval[],
  tenantId: string,
): AuditEvent {
  return {
    actor: ruleActor(binding.ruleId),
    tenantId,
    action: 'approval.discounted',
    requestId: request.id,
    targetIds: targetsOf(request.plan),
    outcome: 'discounted',
    detail: `not counted, ${droppedWhy(binding.rule?.id ?? binding.ruleId, dropped)}`,
    ruleId: binding.ruleId,
    policyHash: binding.policyHash,
    idempotencyKey: discountedEntryKey(request.id, dropped[0]),
  };
}

/**
 * Why `dropped` no longer count, in words, grouped by why in the order each first appears:
 * "no longer approvers of rule prod: Alex (…); disabled or gone from the directory: Sam (…)".
 * Approvals past the most a click looks up again are said as before such drops were told apart.
 */
function droppedWhy(ruleId: string, dropped: readonly DiscountedApproval[]): string {
  const groups = new Map<string, DiscountedApproval[]>();
  for (const d of dropped) {
    const why =
      d.why === 'disabledOrGone' ? 'disabled or gone from the directory' : `no longer approvers of rule ${ruleId}`;
    groups.set(why, [...(groups.get(why) ?? []), d]);
  }
  return [...groups]
    .map(([why, ds]) => `${why}: ${ds.map((d) => `${d.by.name} (${d.by.objectId})`).join(', ')}`)
    .join('; ');
}

/**
 * What `approver`, whose approval `request` records, is told of the approvals their click dropped
 * (a notice on their card after "Your approval is recorded"): who no longer counts and why, by
 * name only, as the card names who approved so far. Undefined when their click dropped none (its
 * drops share their approval's time, request-decision.ts `withoutFormerApprovers`).
 */
export function droppedNotice(request: AccessRequest, approver: Actor): string | undefined {
  const id = approver.objectId.toLowerCase();
  const at = request.approvals?.find((a) => a.by.objectId.toLowerCase() === id)?.at;
  const dropped = at === undefined ? [] : (request.discountedApprovals ?? []).filter((d) => d.at === at);
  if (dropped.length === 0) return undefined;
  const names = (why: DiscountedApproval['why'][]) => dropped.filter((d) => why.includes(d.why)).map((d) => d.by.name);
  const gone = names(['disabledOrGone']);
  const former = names(['notApprover', 'notRechecked']);
  const parts = [
    ...(gone.length ? [`${gone.join(', ')} (disabled or gone from the directory)`] : []),
    ...(former.length ? [`${former.join(', ')} (no longer an approver of its rule)`] : []),
  ];
  return `No longer counted towards request ${request.id}'s approvals: ${parts.join('; ')}.`;
}

/**
 * The approvals `request` records as dropped, one group per click (by its `at`), oldest first.
 * None on a request without a binding: a click stores its binding with what it drops.
 */
export function discountGroups(request: AccessRequest): DiscountedApproval[][] {
  const groups = new Map<string, DiscountedApproval[]>();
  for (const d of request.policy ? (request.discountedApprovals ?? []) : [])
    groups.set(d.at, [...(groups.get(d.at) ?? []), d]);
  return [...groups.values()];
}
