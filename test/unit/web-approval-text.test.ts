/**
 * "Waiting for your approval" in words: a break-glass review owed says by when it is due (and
 * "its use only" once its access ended), not "Asked by", and its link says "review"; a pending
 * request says by when to decide (the card's "Decide by") and "Asked by X for 30 days", and once
 * that time passed (before the expiry job ends it), that it is too late to decide, and under a
 * rule needing several approvals, how many it has ("1 of 2 approved"). Both link to `pending R-…`
 * (chatCommandFor).
 */
import { approvalDetail, approvalLinkText, approvalsFact, decideByFact } from '../../web/src/approval-text';
import { chatCommandFor } from '../../web/src/format';
import type { Me, Row } from '../../web/src/types';

const riley = { objectId: 'riley', name: 'Riley' };
const DUE = '2026-12-01T10:00:00Z';
const NOW = Date.parse('2026-12-01T07:00:00Z');

const row = (over: Partial<Row>): Row => ({
  key: 'R-BGLASS01',
  requestId: 'R-BGLASS01',
  kind: 'grant',
  how: 'acrbot-role',
  howText: 'AcrPull role on the registry by acrbot',
  state: 'active',
  requestState: 'succeeded',
  cluster: { id: '/c', name: 'aks-a', subscriptionId: 's' },
  registry: { id: '/r', name: 'acr-a' },
  requester: riley,
  reason: 'prod down',
  approvers: [],
  ...over,
});
const review = row({
  // Listed under "Waiting for your approval": the caller approves under its rule.
  mayDecide: true,
  breakGlass: {
    by: riley,
    at: '2026-11-30T10:00:00Z',
    approval: 'break-glass: ran at once; Platform Approvers must review it',
    reviewDueAt: DUE,
  },
});
const alex: Me = {
  user: { objectId: 'alex', name: 'Alex', tenantId: 't' },
  roles: { approver: true, auditor: false },
  sees: 'all',
  actions: { extend: true, revoke: true },
  paused: null,
  botAppId: 'b',
  now: '2026-12-01T00:00:00Z',
};

test('a review owed: when it is due and who started it without approval, linked as a review', () => {
  expect(approvalDetail(review, NOW)).toBe(
    'Break-glass review due 2026-12-01 10:00 UTC: started by \u2068Riley\u2069 without approval: prod down',
  );
  expect(approvalLinkText(review)).toBe('Open in chat to review');
  expect(chatCommandFor(review, alex)).toBe('pending R-BGLASS01');
});

test('a review owed once its access ended: its use only', () => {
  const ended = row({ state: 'revoked', breakGlass: { ...review.breakGlass!, reviewJudgesUseOnly: true } });
  expect(approvalDetail(ended, NOW)).toBe(
    'Break-glass review due 2026-12-01 10:00 UTC, its use only (its access ended): started by \u2068Riley\u2069 without approval: prod down',
  );
});

test('a pending request: who asked, for how long, linked to approve', () => {
  const pending = row({
    state: 'pending',
    requestState: 'pending',
    termAsked: '30 days',
    reason: 'deploy',
    mayDecide: true,
  });
  expect(approvalDetail(pending, NOW)).toBe('Asked by \u2068Riley\u2069 for 30 days: deploy');
  expect(approvalLinkText(pending)).toBe('Open in chat to approve');
  expect(chatCommandFor(pending, alex)).toBe('pending R-BGLASS01');
});

test("a pending request leads with when it expires undecided, in the card's words, and how long is left", () => {
  const pending = row({
    state: 'pending',
    requestState: 'pending',
    termAsked: '30 days',
    reason: 'deploy',
    decideBy: DUE,
  });
  expect(approvalDetail(pending, NOW)).toBe(
    'Decide by 2026-12-01 10:00 UTC (in 3 hours) · Asked by \u2068Riley\u2069 for 30 days: deploy',
  );
});

test('a decide-by passed while the request still reads pending: too late to decide, in the words of its expiry', () => {
  const pending = row({ state: 'pending', requestState: 'pending', reason: 'deploy', decideBy: DUE });
  const twoHoursLate = Date.parse(DUE) + 2 * 3_600_000;
  expect(approvalDetail(pending, twoHoursLate)).toBe(
    'Decide by 2026-12-01 10:00 UTC (passed 2 hours ago; too late to decide, it will expire without a decision) · Asked by \u2068Riley\u2069: deploy',
  );
  // At the very time a decision is refused already (checkDecision): passed, not "in 1 minute".
  expect(decideByFact(pending, Date.parse(DUE))).toEqual([
    'Decide by',
    '2026-12-01 10:00 UTC (passed just now; too late to decide, it will expire without a decision)',
  ]);
});

test('the drawer\'s "Decide by" fact is the row\'s words; none without a decideBy', () => {
  expect(decideByFact(row({ state: 'pending', decideBy: DUE }), NOW)).toEqual([
    'Decide by',
    '2026-12-01 10:00 UTC (in 3 hours)',
  ]);
  expect(decideByFact(review, NOW)).toEqual(['Decide by', undefined]);
});

test('under a rule needing 2 approvals: where its quorum stands, after when to decide, as its drawer\'s "Approvals"', () => {
  const pending = row({
    state: 'pending',
    requestState: 'pending',
    termAsked: '30 days',
    reason: 'deploy',
    decideBy: DUE,
    approvalsSoFar: { count: 1, required: 2 },
  });
  expect(approvalDetail(pending, NOW)).toBe(
    'Decide by 2026-12-01 10:00 UTC (in 3 hours) · 1 of 2 approved · Asked by \u2068Riley\u2069 for 30 days: deploy',
  );
  expect(approvalsFact(pending)).toEqual(['Approvals', '1 of 2 approved']);
  expect(approvalsFact(review)).toEqual(['Approvals', undefined]);
});
