/**
 * A break-glass run whose review is owed but that nobody can give as the policy in force stands
 * (its rule names only its requester, or no rule covers its pair and the policy names none of its
 * rule's approvers): `status R-…`'s card, the requester's outcome card and the alert of its use
 * say so, in the words of the daily report and the tab's drawer (nobodyReviewsWhy), never that an
 * approver must review it. Given a rule someone else may review under, or none, as before.
 */
import type { TurnContext } from 'botbuilder';
import type { BotServices } from '../../src/bot/bot-services';
import { InfoHandlers } from '../../src/bot/handlers/info-handlers';
import { nobodyReviewsWhy, type UncoveredRule } from '../../src/domain/decided-rule';
import type { PolicyRule } from '../../src/domain/policy';
import type { AccessRequest } from '../../src/domain/request';
import type { AdaptiveCardJson } from '../../src/views/card-templates';
import { breakGlassCard } from '../../src/views/policy-view';
import { outcomeCard, requestCard } from '../../src/views/request-view';
import { breakGlassRequest } from './support/break-glass';
import { OLIVE, rule } from './support/policy-fixtures';
import { APPROVER } from './support/requests';

const AT = '2025-01-15T10:00:00.000Z';
const DUE = '2025-01-16T10:00:00.000Z';

/** Every text of the card, in one string (JSON escapes undone for the arrow and quotes). */
function textOf(card: AdaptiveCardJson): string {
  return JSON.stringify(card).replace(/\\"/g, '"');
}

/** Olive's break-glass run, its access held, its review owed by {@link DUE}. */
function run(overrides: Partial<AccessRequest> = {}): AccessRequest {
  return breakGlassRequest(
    OLIVE,
    AT,
    { dueAt: DUE },
    {
      state: 'succeeded',
      access: { durationMs: 4 * 3_600_000, expiresAt: '2025-01-15T14:00:00.000Z' },
      ...overrides,
    },
  );
}

/** Rule prod as a reload left it: naming only Olive, its requester. */
const ONLY_OLIVE = rule('prod', { approvers: { users: [OLIVE.objectId], groups: [] } });
/** Rule prod as bound, no rule of the policy in force covering the pair, none of its approvers named. */
const LEFT_TO_NOBODY: UncoveredRule = { ...rule('prod', { approvers: { users: [], groups: [] } }), uncovered: true };
/** Rule prod naming another approver too: someone may review it. */
const SOMEONE = rule('prod', { approvers: { users: [OLIVE.objectId, APPROVER.objectId], groups: [] } });

const why = (reviewers: PolicyRule) => nobodyReviewsWhy(reviewers, OLIVE, 'aks-prod → contosoacr')!;

describe.each([
  ['its rule names only its requester', ONLY_OLIVE],
  ['no rule covers its pair, the policy naming none of its approvers', LEFT_TO_NOBODY],
])('nobody can review it (%s)', (_case, reviewers) => {
  test('status: its review is owed, nobody can give it, why and how to mend it; never "an approver must"', () => {
    const text = textOf(requestCard(run(), { showActions: false, reviewers }));
    expect(text).toContain(
      `BREAK-GLASS: ran without approval; its review is owed by 2025-01-16 10:00 UTC, but nobody can give it yet: ${why(reviewers)}. Its requester can still revoke their own access.`,
    );
    expect(text).not.toMatch(/approver must/i);
  });

  test('status of one still being granted, or revoked before its review: likewise', () => {
    const granting = textOf(
      requestCard(run({ state: 'executing', access: undefined, outcome: undefined }), {
        showActions: false,
        reviewers,
      }),
    );
    expect(granting).toContain(
      `BREAK-GLASS: being granted without approval; its review is owed by 2025-01-16 10:00 UTC, but nobody can give it yet: ${why(reviewers)}.`,
    );
    const revoked = run({
      state: 'revoked',
      access: {
        durationMs: 4 * 3_600_000,
        expiresAt: '2025-01-15T14:00:00.000Z',
        revokedAt: '2025-01-15T11:00:00.000Z',
        revokedBy: OLIVE,
        revokeReason: 'over',
      },
    });
    const ended = textOf(requestCard(revoked, { showActions: false, reviewers }));
    expect(ended).toContain(
      `its review is owed by 2025-01-16 10:00 UTC, but nobody can give it yet: ${why(reviewers)}.`,
    );
    for (const text of [granting, ended]) expect(text).not.toMatch(/approver must/i);
  });

  test("the requester's outcome card: nobody can give the review, not that approvers review it", () => {
    const text = textOf(outcomeCard(run(), reviewers));
    expect(text).toContain(
      `ran without approval; its review is owed by 2025-01-16 10:00 UTC, but nobody can give it yet: ${why(reviewers)}`,
    );
    expect(text).not.toContain('approvers review it by');
  });

  test('the alert of its use (a reload since it ran): nobody can give it, not "an approver must review it"', () => {
    const text = textOf(breakGlassCard(run(), 'used', reviewers));
    expect(text).toContain(
      `Its review is owed by 2025-01-16 10:00 UTC, but nobody can give it yet. ${why(reviewers)}:`,
    );
    expect(text).not.toMatch(/approver must/i);
  });
});

test('someone else may review it, or the rule is not given: the usual words', () => {
  for (const reviewers of [SOMEONE, undefined]) {
    expect(textOf(requestCard(run(), { showActions: false, reviewers }))).toContain(
      'An approver must review it by 2025-01-16 10:00 UTC: Approve keeps it, Reject revokes it at once.',
    );
    expect(textOf(outcomeCard(run(), reviewers))).toContain('approvers review it by 2025-01-16 10:00 UTC');
    expect(textOf(breakGlassCard(run(), 'used', reviewers))).toContain(
      'An approver must review it by 2025-01-16 10:00 UTC',
    );
  }
});

test("`status R-…` in the requester's chat passes the rule that reviews it now: nobody can, said so", async () => {
  const request = run();
  const sent: unknown[] = [];
  const services = {
    settings: { sandbox: true, allowedTenantIds: [] },
    log: { warn: () => undefined, error: () => undefined, info: () => undefined },
    requests: { get: async () => request, ruleOf: () => ONLY_OLIVE },
    // While the access runs: its card reads as of now (RequestCardOptions.now).
    clock: { now: () => new Date('2025-01-15T11:00:00.000Z') },
  } as unknown as BotServices;
  const ctx = { sendActivity: async (activity: unknown) => void sent.push(activity) } as unknown as TurnContext;
  await new InfoHandlers(services).status(ctx, { actor: OLIVE, tenantId: request.tenantId }, request.id);
  // The card's JSON inside the activity's: quotes escaped twice.
  const text = JSON.stringify(sent).replace(/\\+"/g, '"');
  expect(text).toContain(`but nobody can give it yet: ${why(ONLY_OLIVE)}.`);
  expect(text).not.toMatch(/approver must/i);
});
