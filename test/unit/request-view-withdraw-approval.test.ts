/**
 * Withdraw my approval on the request card: offered only on the own view of an approver whose
 * approval counts towards a quorum while the request is pending, carrying only the request's id
 * and version; never on another approver's view, the requester's, a copy drawn for nobody in
 * particular, nor once the request is decided.
 */
import type { PolicyRule } from '../../src/domain/policy';
import type { AccessRequest } from '../../src/domain/request';
import type { AdaptiveCardJson } from '../../src/views/card-templates';
import { requestCard } from '../../src/views/request-view';
import { SAM } from './support/policy-fixtures';
import { APPROVER, OUTSIDER, REQUESTER, pendingRequest } from './support/requests';

const RULE: PolicyRule = {
  id: 'prod-two-of-three',
  match: {},
  approvers: { users: [APPROVER.objectId, SAM.objectId, OUTSIDER.objectId], groups: [], name: 'Platform Approvers' },
  approvalsRequired: 2,
  approverJustification: 'optional',
};

function quorumRequest(approvers: Array<typeof APPROVER>, extra: Partial<AccessRequest> = {}): AccessRequest {
  return pendingRequest({
    policy: { ruleId: RULE.id, policyHash: 'hash-1', approvalsRequired: 2, rule: RULE },
    approvals: approvers.map((by) => ({ by, at: '2025-01-15T09:30:00.000Z' })),
    ...extra,
  });
}

type Action = { verb: string; title: string; data: Record<string, unknown> };
const actionsOf = (card: AdaptiveCardJson) => (card.actions as Action[] | undefined) ?? [];
const verbs = (card: AdaptiveCardJson) => actionsOf(card).map((a) => a.verb);

test('on the own view of an approver whose approval counts, while pending: Withdraw my approval, then Reject', () => {
  const request = quorumRequest([APPROVER]);
  const card = requestCard(request, { showActions: true, viewerObjectId: APPROVER.objectId });
  expect(verbs(card)).toEqual(['withdrawApproval', 'reject']);
  const button = actionsOf(card).find((a) => a.verb === 'withdrawApproval')!;
  expect(button.title).toBe('Withdraw my approval');
  // Only what identifies the request: who withdraws is the clicking user, never card data.
  expect(button.data).toEqual({ requestId: request.id, version: request.version });
  expect(JSON.stringify(card)).toContain(
    `You can withdraw your approval (or type \\"@acrbot withdraw ${request.id}\\"), or still reject it.`,
  );
});

test('not for another approver, nor a copy for nobody in particular, nor the requester', () => {
  const request = quorumRequest([APPROVER]);
  expect(verbs(requestCard(request, { showActions: true, viewerObjectId: SAM.objectId }))).toEqual([
    'approve',
    'reject',
  ]);
  expect(verbs(requestCard(request, { showActions: true }))).toEqual(['approve', 'reject']);
  expect(
    verbs(requestCard(request, { showActions: false, showCancel: true, viewerObjectId: REQUESTER.objectId })),
  ).toEqual(['cancel']);
  // Their own view without the buttons (the approvers' copy as the audit channel draws it): none.
  expect(verbs(requestCard(request, { showActions: false, viewerObjectId: APPROVER.objectId }))).toEqual([]);
});

test('not when their approval does not count (the requester approving their own)', () => {
  const own = quorumRequest([REQUESTER]);
  expect(verbs(requestCard(own, { showActions: true, viewerObjectId: REQUESTER.objectId }))).toEqual([
    'approve',
    'reject',
  ]);
});

test('not once the request is decided: reached its quorum and runs, or rejected', () => {
  for (const state of ['approved', 'executing', 'succeeded', 'rejected'] as const) {
    const decided = quorumRequest([APPROVER, SAM], {
      state,
      decision: { by: SAM, at: '2025-01-15T10:00:00.000Z', approved: state !== 'rejected' },
    });
    expect(verbs(requestCard(decided, { showActions: true, viewerObjectId: APPROVER.objectId }))).not.toContain(
      'withdrawApproval',
    );
  }
});
