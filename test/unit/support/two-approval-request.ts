/**
 * A pending request on a rule needing two approvals (Alex's group, or Oscar), stored in the
 * break-glass service's memory stores: the set-up the quorum and approval-entry tests share, each
 * adding the approvals and failures it observes.
 */
import type { AccessRequest, Actor } from '../../../src/domain/request';
import { breakGlassService } from './break-glass-service';
import { APPROVERS_GROUP, policy, rule, TENANT } from './policy-fixtures';
import { OUTSIDER, pendingRequest } from './requests';

/** {@link breakGlassService} on a policy of one rule needing two approvals: Alex's group, or Oscar. */
export function twoApprovalService() {
  const approvers = { users: [OUTSIDER.objectId], groups: [APPROVERS_GROUP], name: 'Platform Approvers' };
  return breakGlassService({
    policies: { current: () => policy([rule('prod', { approvalsRequired: 2, approvers })]) },
  });
}

/**
 * Stores a pending request in `t` (in {@link TENANT}, created at the clock's now; `overrides` on
 * top); `approve` clicks Approve on it as `actor` with the comment "ok".
 */
export async function withPendingRequest<T extends ReturnType<typeof twoApprovalService>>(
  t: T,
  overrides: Partial<AccessRequest>,
) {
  const request = pendingRequest({ tenantId: TENANT, createdAt: t.clock.now().toISOString(), ...overrides });
  await t.store.create(request);
  const approve = (actor: Actor) =>
    t.service.decide({ requestId: request.id, acting: { actor, tenantId: TENANT }, approve: true, reason: 'ok' });
  return { ...t, request, approve };
}

/** A pending request (`overrides` on top) on the two-approval rule, see {@link withPendingRequest}. */
export async function twoApprovalRequest(overrides: Partial<AccessRequest>) {
  return withPendingRequest(twoApprovalService(), overrides);
}
