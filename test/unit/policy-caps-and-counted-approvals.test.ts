/**
 * Two places a rule could quietly give more than it says: the duration caps (the shorter of the
 * rule's and auto-approval's, auto-approval's only when auto-approving) and the approvals that
 * count toward a quorum (object ids compared without regard to case, never the requester's).
 */
import { cappedDurationMs, countedApprovals } from '../../src/domain/policy';
import { rule } from './support/policy-fixtures';
import { APPROVER, pendingRequest, REQUESTER } from './support/requests';

const HOUR = 3_600_000;
const autoRule = rule('dev-auto', { maxDurationMs: 8 * HOUR, autoApprove: { maxDurationMs: HOUR } });

test('auto-approving, the shorter cap holds: the auto-approval maximum under a longer rule maximum', () => {
  expect(cappedDurationMs(undefined, autoRule, true)).toBe(HOUR);
  expect(cappedDurationMs(5 * HOUR, autoRule, true)).toBe(HOUR);
});

test('approved by people, only the rule maximum caps: the auto-approval maximum does not apply', () => {
  expect(cappedDurationMs(5 * HOUR, autoRule, false)).toBe(5 * HOUR);
  expect(cappedDurationMs(10 * HOUR, autoRule, false)).toBe(8 * HOUR);
});

test("the requester's own approval, with its id in capitals, never counts", () => {
  const at = '2025-01-15T09:05:00.000Z';
  const request = pendingRequest({
    approvals: [{ by: { ...REQUESTER, objectId: REQUESTER.objectId.toUpperCase() }, at }],
  });
  expect(countedApprovals(request)).toEqual([]);
});

test('one approver whose id arrives in two cases counts once', () => {
  const at = '2025-01-15T09:05:00.000Z';
  const request = pendingRequest({
    approvals: [
      { by: APPROVER, at },
      { by: { ...APPROVER, objectId: APPROVER.objectId.toUpperCase() }, at },
    ],
  });
  expect(countedApprovals(request).map((a) => a.by.objectId)).toEqual([APPROVER.objectId]);
});
