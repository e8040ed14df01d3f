/** A break-glass request as card and review tests need it, shared so each test states only what differs. */
import type { AccessRequest, Actor, PolicyBinding } from '../../../src/domain/request';
import { rule } from './policy-fixtures';
import { pendingRequest } from './requests';

/**
 * A break-glass request of `requester`'s: "approved" by that requester at `at` only so it ran at
 * once, and bound to the rule that would have applied (`prod`), whose approvers owe `review`.
 * `overrides` sets its state, access and outcome.
 */
export function breakGlassRequest(
  requester: Actor,
  at: string,
  review: PolicyBinding['review'],
  overrides: Partial<AccessRequest> = {},
): AccessRequest {
  return pendingRequest({
    requester,
    decision: { by: requester, at, approved: true, reason: 'break-glass: prod down' },
    approvals: [{ by: requester, at }],
    policy: {
      ruleId: 'break-glass',
      policyHash: 'h',
      approvalsRequired: 0,
      breakGlass: true,
      review,
      rule: rule('prod'),
    },
    ...overrides,
  });
}
