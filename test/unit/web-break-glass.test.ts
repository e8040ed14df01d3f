/**
 * A break-glass request in the drawer, as chat's cards tell it: started by its requester without
 * approval, its review owed (what Approve and Reject do), none owed for a run that failed, or the
 * review's verdict; and the chat link opens its card with Approve and Reject for an approver only
 * while a review is owed.
 */
import { breakGlassFacts, chatCommandFor } from '../../web/src/format';
import type { Me, Row } from '../../web/src/types';

const riley = { objectId: 'riley', name: 'Riley' };
const AT = '2026-11-30T10:00:00Z';
const DUE = '2026-12-01T10:00:00Z';

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
  approvers: [],
  ...over,
});

const owed = row({
  breakGlass: {
    by: riley,
    at: AT,
    approval: 'break-glass: ran at once; Platform Approvers must review it',
    reviewDueAt: DUE,
  },
});
const failed = row({
  state: 'failed',
  requestState: 'failed',
  breakGlass: { by: riley, at: AT, approval: 'break-glass: ran at once and failed; nothing to review' },
});

/** The signed-in caller, an approver or not. */
const me = (objectId: string, approver: boolean): Me => ({
  user: { objectId, name: objectId, tenantId: 't' },
  roles: { approver, auditor: false },
  sees: 'all',
  actions: { extend: true, revoke: true },
  paused: null,
  botAppId: 'b',
  now: '2026-12-01T00:00:00Z',
});

describe("a break-glass request's facts", () => {
  test('who started it without approval, the review owed and what Approve and Reject do', () => {
    expect(breakGlassFacts(owed)).toEqual([
      ['Started as break-glass by', '\u2068Riley\u2069 (2026-11-30 10:00 UTC), without approval'],
      ['Approval', 'break-glass: ran at once; Platform Approvers must review it'],
      ['Review note', undefined],
      ['Review due', '2026-12-01 10:00 UTC: Approve keeps it, Reject revokes it at once'],
      // Said only when nobody can review it as the policy stands (tab-break-glass.test.ts).
      ['Reviewers', undefined],
    ]);
  });
  test('its access ended before the review: the review judges its use, Reject revokes nothing', () => {
    const ended = row({ state: 'revoked', breakGlass: { ...owed.breakGlass!, reviewJudgesUseOnly: true } });
    expect(breakGlassFacts(ended)[3]).toEqual([
      'Review due',
      '2026-12-01 10:00 UTC: its access ended (or is ending), so the review judges only its use (Reject revokes nothing)',
    ]);
  });
  test('a run that failed: no review due', () => {
    expect(breakGlassFacts(failed)).toEqual([
      ['Started as break-glass by', '\u2068Riley\u2069 (2026-11-30 10:00 UTC), without approval'],
      ['Approval', 'break-glass: ran at once and failed; nothing to review'],
      ['Review note', undefined],
      ['Review due', undefined],
      ['Reviewers', undefined],
    ]);
  });
  test('any other request: none', () => {
    expect(breakGlassFacts(row({}))).toEqual([]);
  });
});

describe("the drawer's chat link on a break-glass request", () => {
  // The server marks a row the caller approves under its own rule (`mayDecide`).
  const decidable = { ...owed, mayDecide: true as const };
  test("an approver of its rule with a review owed gets its card with Approve and Reject ('pending R-…')", () => {
    expect(chatCommandFor(decidable, me('alex', true))).toBe('pending R-BGLASS01');
  });
  test("a failed run owes no review: 'status R-…'; so for its requester and non-approvers", () => {
    expect(chatCommandFor({ ...failed, mayDecide: true }, me('alex', true))).toBe('status R-BGLASS01');
    expect(chatCommandFor(owed, me('alex', false))).toBe('status R-BGLASS01');
    expect(chatCommandFor(decidable, me('riley', true))).toBe('status R-BGLASS01');
  });
  test("an approver under another rule only is not sent to 'pending R-…' nor 'status R-…', which chat refuses them", () => {
    expect(chatCommandFor(owed, me('alex', true))).toBe('audit R-BGLASS01');
  });
});
