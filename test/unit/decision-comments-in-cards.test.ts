/**
 * An approver's comment on a decision and a break-glass review (its comment and its reviewer's
 * Teams name) are user text: the request card shows them inert, no live link,
 * image or mention.
 */
import { requestCard } from '../../src/views/request-view';
import { APPROVER, pendingRequest } from './support/requests';

const HOSTILE = 'ok [approve here](https://evil.example/x) ![i](http://evil.example/i.png) <at>Everyone</at>';
const REVIEWER = { objectId: '0a000000-0000-4000-8000-00000000ddd4', name: 'Rita [me](https://evil.example/r)' };

function expectInert(json: string): void {
  expect(json).not.toContain('https://evil');
  expect(json).not.toContain('http://evil');
  expect(json).not.toContain('](');
  expect(json).not.toContain('<at>');
}

test.each([
  ['approved', true, 'succeeded'],
  ['rejected', false, 'rejected'],
] as const)("the %s decision's comment is inert on the request card", (_what, approved, state) => {
  const request = pendingRequest({
    state,
    decision: { by: APPROVER, at: '2025-01-15T10:00:00.000Z', approved, reason: HOSTILE },
  });
  const json = JSON.stringify(requestCard(request, { showActions: false }));
  expect(json).toContain('evil.example/x');
  expectInert(json);
});

test.each(['succeeded', 'failed'] as const)(
  "a %s break-glass request's review shows its comment and reviewer inert",
  (state) => {
    const request = pendingRequest({
      state,
      decision: { by: APPROVER, at: '2025-01-15T10:00:00.000Z', approved: true },
      policy: {
        ruleId: 'r',
        policyHash: 'h',
        approvalsRequired: 0,
        breakGlass: true,
        review: {
          dueAt: '2025-01-16T10:00:00.000Z',
          outcome: 'accepted',
          by: REVIEWER,
          at: '2025-01-15T12:00:00.000Z',
          reason: HOSTILE,
        },
      },
    });
    const json = JSON.stringify(requestCard(request, { showActions: false }));
    expect(json).toContain('evil.example/x');
    expect(json).toContain('evil.example/r');
    expectInert(json);
  },
);
