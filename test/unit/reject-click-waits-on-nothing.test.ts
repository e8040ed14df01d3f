/**
 * A Reject click (request-decision.ts `decideNow`) needs no quorum, so it waits on nothing an
 * approval waits on: not the end of an operators' pause (request-decision.ts: "rejecting
 * still works"), and not the directory's re-check of earlier approvers (G5 is asked for approvals
 * only), which would otherwise fail it while Graph is down and drop who had approved. Only the
 * rejecting approver's own account is read (ApproverAuthority.enabledApproverOf).
 */
import type { AccessPause } from '../../src/domain/ports';
import { ApproverAuthority } from '../../src/flows/approver-authority';
import { breakGlassService } from './support/break-glass-service';
import { APPROVERS_GROUP, policy, rule, SAM, TENANT } from './support/policy-fixtures';
import { APPROVER, OUTSIDER } from './support/requests';
import { twoApprovalService, withPendingRequest } from './support/two-approval-request';

afterEach(() => jest.restoreAllMocks());

const PAUSE: AccessPause = {
  since: '2026-11-30T08:00:00.000Z',
  by: { objectId: '0a000000-0000-4000-8000-00000000fff6', name: 'Opal Operator' },
  reason: 'registry migration',
};

/** The two-approval rule's service (Alex's group, or Oscar), paused by an operator when `paused`. */
function service(paused = false) {
  const approvers = { users: [OUTSIDER.objectId], groups: [APPROVERS_GROUP], name: 'Platform Approvers' };
  if (!paused) return twoApprovalService();
  return breakGlassService({
    policies: { current: () => policy([rule('prod', { approvalsRequired: 2, approvers })]) },
    pauses: { current: async () => PAUSE },
  });
}

describe('a Reject click', () => {
  test('rejects while access is paused, though an approval is refused then', async () => {
    const t = await withPendingRequest(service(true), { id: 'R-REJECT01' });
    expect(await t.approve(APPROVER)).toMatchObject({ kind: 'refused', reason: 'paused' });
    const result = await t.service.decide({
      requestId: t.request.id,
      acting: { actor: APPROVER, tenantId: TENANT },
      approve: false,
      reason: 'not during the migration',
    });
    expect(result).toMatchObject({ kind: 'decided' });
    expect((await t.store.get(t.request.id))!.state).toBe('rejected');
  });

  test('asks the directory nothing of earlier approvers: it rejects while their accounts cannot be read, and drops none', async () => {
    const createdAt = '2026-11-30T09:00:00.000Z';
    // Megan approved earlier and is no approver of the rule (any more): an approval would drop her.
    const t = await withPendingRequest(service(), {
      id: 'R-REJECT02',
      approvals: [{ by: SAM, at: createdAt, reason: 'looks fine' }],
    });
    // The earlier approvers' accounts cannot be read; the rejecting approver's own can.
    const unread = jest.spyOn(ApproverAuthority.prototype, 'enabledAmong').mockImplementation(async (actors) => {
      if (actors.some((a) => a.objectId !== APPROVER.objectId))
        throw Object.assign(new Error('Service Unavailable'), { statusCode: 503 });
      return new Set([APPROVER.objectId.toLowerCase()]);
    });
    const result = await t.service.decide({
      requestId: t.request.id,
      acting: { actor: APPROVER, tenantId: TENANT },
      approve: false,
      reason: 'not this week',
    });
    expect(result).toMatchObject({ kind: 'decided' });
    expect(unread.mock.calls).toEqual([[[APPROVER]]]);
    const stored = (await t.store.get(t.request.id))!;
    expect(stored.state).toBe('rejected');
    // Who had approved stays on the rejected request (its card says so); nothing was discounted.
    expect(stored.approvals?.map((a) => a.by.name)).toEqual([SAM.name]);
    expect(stored.discountedApprovals).toBeUndefined();
    const trail = await t.audit.forRequest(t.request.id);
    expect(trail.map((e) => e.action)).toEqual(['request.rejected']);
  });
});
