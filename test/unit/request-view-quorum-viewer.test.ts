/**
 * An approver's own view of a request waiting for a quorum: one whose approval already counts
 * sees Reject without Approve (a second Approve is refused, a Reject from them still rejects)
 * and how many approvals are still awaited; other approvers see both buttons, the requester
 * neither, and a copy drawn for nobody in particular stays as it was.
 */
import type { PolicyRule } from '../../src/domain/policy';
import type { AccessRequest } from '../../src/domain/request';
import type { AdaptiveCardJson } from '../../src/views/card-templates';
import { requestCard } from '../../src/views/request-view';
import { SAM } from './support/policy-fixtures';
import { APPROVER, OUTSIDER, pendingRequest } from './support/requests';

const RULE: PolicyRule = {
  id: 'prod-two',
  match: {},
  approvers: { users: [APPROVER.objectId, SAM.objectId, OUTSIDER.objectId], groups: [], name: 'Platform Approvers' },
  approvalsRequired: 2,
  approverJustification: 'optional',
};

/** A pending request under `rule`, approved so far by `approvers`. */
function quorumRequest(approvers: Array<typeof APPROVER>, rule: PolicyRule = RULE): AccessRequest {
  return pendingRequest({
    policy: { ruleId: rule.id, policyHash: 'hash-1', approvalsRequired: rule.approvalsRequired, rule },
    approvals: approvers.map((by) => ({ by, at: '2025-01-15T09:30:00.000Z' })),
  });
}

/** The verbs of a card's buttons, in order. */
function verbs(card: AdaptiveCardJson): string[] {
  return ((card.actions as Array<{ verb: string }> | undefined) ?? []).map((a) => a.verb);
}

/** Every TextBlock's text and every input's placeholder. */
function texts(card: AdaptiveCardJson): string[] {
  return ((card.body as Array<{ text?: string; placeholder?: string }>) ?? [])
    .map((b) => b.text ?? b.placeholder)
    .filter((t): t is string => typeof t === 'string');
}

describe("an approver's view of a request waiting for a quorum", () => {
  test('one who approved already sees Withdraw my approval and Reject, not Approve, with how many approvals are still awaited', () => {
    const request = quorumRequest([APPROVER]);
    const card = requestCard(request, { showActions: true, viewerObjectId: APPROVER.objectId });
    expect(verbs(card)).toEqual(['withdrawApproval', 'reject']);
    expect(texts(card)).toContain(
      `You approved; waiting for 1 more approval from someone else. You can withdraw your approval (or type "@acrbot withdraw ${request.id}"), or still reject it.`,
    );
    // The comment box stays: a Reject needs a reason.
    expect(texts(card)).toContain('Comment (required to reject)');
    // The quorum's progress is still on the card, as on every copy.
    expect(JSON.stringify(card)).toContain('1 of 2 so far: Alex Approver');
  });

  test('their object id is matched case-insensitively, and the count follows the rule', () => {
    const three = { ...RULE, approvalsRequired: 3 };
    const request = quorumRequest([APPROVER], three);
    const card = requestCard(request, {
      showActions: true,
      viewerObjectId: APPROVER.objectId.toUpperCase(),
    });
    expect(verbs(card)).toEqual(['withdrawApproval', 'reject']);
    expect(texts(card)).toContain(
      `You approved; waiting for 2 more approvals from someone else. You can withdraw your approval (or type "@acrbot withdraw ${request.id}"), or still reject it.`,
    );
  });

  test('under a rule that asks approvers for a justification, their comment is asked for only to reject', () => {
    const strict = { ...RULE, approverJustification: 'required' as const };
    const approved = requestCard(quorumRequest([APPROVER], strict), {
      showActions: true,
      viewerObjectId: APPROVER.objectId,
    });
    expect(texts(approved)).toContain('Comment (required to reject)');
    const other = requestCard(quorumRequest([APPROVER], strict), { showActions: true, viewerObjectId: SAM.objectId });
    expect(texts(other)).toContain('Comment (required to approve or reject)');
  });

  test('another approver still sees Approve and Reject, and the usual line', () => {
    const card = requestCard(quorumRequest([APPROVER]), { showActions: true, viewerObjectId: SAM.objectId });
    expect(verbs(card)).toEqual(['approve', 'reject']);
    expect(texts(card).join('\n')).not.toContain('You approved');
    expect(texts(card).join('\n')).toContain('Waiting for an approver');
  });

  test('a copy drawn for nobody in particular (posted to all) keeps both buttons', () => {
    expect(verbs(requestCard(quorumRequest([APPROVER]), { showActions: true }))).toEqual(['approve', 'reject']);
  });

  test("the requester's view has neither, whoever approved", () => {
    const card = requestCard(quorumRequest([APPROVER]), { showActions: false, showCancel: true });
    expect(verbs(card)).toEqual(['cancel']);
  });

  test('once the request is decided, nobody is told they are waiting', () => {
    const decided = {
      ...quorumRequest([APPROVER, SAM]),
      state: 'executing' as const,
      decision: { by: SAM, at: '2025-01-15T10:00:00.000Z', approved: true },
    };
    const card = requestCard(decided, { showActions: true, viewerObjectId: APPROVER.objectId });
    expect(verbs(card)).toEqual([]);
    expect(texts(card).join('\n')).not.toContain('You approved');
  });
});
