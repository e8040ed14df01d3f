/**
 * decided-rule.ts, from breaking it: which rule's approvers act on a decided request after a
 * reload (a rule naming nobody never stands in; ids and approvers compared without letter case),
 * which rules a refusal names, and the words of a break-glass review refused.
 */
import {
  decidedRule,
  isUncovered,
  leftToNobody,
  notReviewerMessage,
  ownReviewMessage,
  rulesNowFor,
  uncoveredReviewNote,
} from '../../src/domain/decided-rule';
import { factsOf, type PolicyRule } from '../../src/domain/policy';
import { policy, rule } from './support/policy-fixtures';
import { grantPlan } from './support/requests';

const facts = factsOf(grantPlan());
const U1 = '0a000000-0000-4000-8000-0000000000a1';
const U2 = '0a000000-0000-4000-8000-0000000000a2';
const G1 = '0b000000-0000-4000-8000-0000000000c1';
/** The grant's requester (break-glass); by default nobody any rule names. */
const U3 = '0a000000-0000-4000-8000-0000000000a3';
const REQUESTER = { objectId: U3, name: 'Olive' };
const nobody = { users: [], groups: [] };
const only = (users: string[], groups: string[] = []) => ({ users, groups });
/** A rule that fits no request of the fixtures (they are for aks-prod). */
const elsewhere = (id: string, extra: Partial<PolicyRule> = {}) =>
  rule(id, { match: { cluster: ['aks-dev*'] }, ...extra });

describe('decidedRule', () => {
  test('the same rule, now naming nobody (auto-approving), does not stand: the pair is uncovered', () => {
    const bound = rule('prod', { approvers: only([U1]) });
    const answer = decidedRule(bound, policy([rule('prod', { approvers: nobody })]), facts);
    expect(isUncovered(answer)).toBe(true);
    expect(leftToNobody(answer)).toBe(true);
  });

  test('the rule now fitting the pair, naming nobody, does not stand either', () => {
    const bound = rule('prod', { approvers: only([U1]) });
    const answer = decidedRule(bound, policy([rule('auto', { approvers: nobody })]), facts);
    expect(answer.id).toBe('prod');
    expect(isUncovered(answer)).toBe(true);
  });

  test('the same rule narrowed off the pair gives way to the rule that fits it now', () => {
    const bound = rule('prod', { approvers: only([U1]) });
    const now = policy([elsewhere('prod', { approvers: only([U1]) }), rule('wide', { approvers: only([U2]) })]);
    expect(decidedRule(bound, now, facts).id).toBe('wide');
  });

  test('the same rule is found whatever the case of its id, before another that fits', () => {
    const bound = rule('PROD', { approvers: only([U1]) });
    const now = policy([rule('first', { approvers: only([U2]) }), rule('prod', { approvers: only([U1]) })]);
    expect(decidedRule(bound, now, facts).id).toBe('prod');
  });

  test('uncovered: only the users and groups the policy still names, compared without case, are kept', () => {
    const bound = rule('prod', { approvers: only([U1.toUpperCase(), U2], [G1.toUpperCase(), 'gone-group']) });
    // Still named, in a rule for other clusters (and in another case): U1 and G1; U2 and the other group are gone.
    const now = policy([elsewhere('dev', { approvers: only([U1], [G1]) })]);
    const answer = decidedRule(bound, now, facts);
    expect(isUncovered(answer)).toBe(true);
    expect(answer.approvers.users).toEqual([U1.toUpperCase()]);
    expect(answer.approvers.groups).toEqual([G1.toUpperCase()]);
    expect(leftToNobody(answer)).toBe(false);
  });

  test('uncovered: a user the policy names in upper case is still named', () => {
    const bound = rule('prod', { approvers: only([U1]) });
    const answer = decidedRule(bound, policy([elsewhere('dev', { approvers: only([U1.toUpperCase()]) })]), facts);
    expect(answer.approvers.users).toEqual([U1]);
  });
});

test('leftToNobody is only for the bound rule no current rule covers: a current rule naming nobody is not it', () => {
  expect(leftToNobody(rule('auto', { approvers: nobody }))).toBe(false);
});

test('rulesNowFor names the same rule first when it no longer fits the pair', () => {
  const bound = rule('prod');
  const narrowed = elsewhere('prod');
  const wide = rule('wide');
  expect(rulesNowFor(bound, policy([narrowed, wide]), facts)).toEqual([narrowed, wide]);
  expect(rulesNowFor(bound, policy([wide]), facts)).toEqual([wide]);
});

describe('notReviewerMessage', () => {
  const bound = rule('prod', { approvers: only([U1]) });

  test('uncovered, some approvers still named: ask one of them', () => {
    const answer = decidedRule(bound, policy([elsewhere('dev', { approvers: only([U1]) })]), facts);
    expect(notReviewerMessage('R-7K2M9QXA', 'aks-prod → contosoacr', answer, bound, REQUESTER)).toBe(
      'No rule of the approval policy in force covers aks-prod → contosoacr, so break-glass request R-7K2M9QXA is reviewed by ' +
        'those of the approvers rule prod had when it ran whom the policy still names, and you are not one of them. Ask one of ' +
        'them, or ask the platform team to add a rule for aks-prod → contosoacr: its approvers would then review it.',
    );
  });

  test('the same rule, its id in another case: named alone', () => {
    const now = rule('prod', { approvers: only([U1]) });
    expect(notReviewerMessage('R-7K2M9QXA', 'pair', now, rule('PROD'), REQUESTER)).toBe(
      'Only approvers of rule prod can review break-glass request R-7K2M9QXA.',
    );
  });

  test('another rule in place of one still in the policy that names nobody: "no longer names approvers"', () => {
    const wide = rule('wide', { approvers: only([U2]) });
    const now = policy([rule('prod', { approvers: nobody }), wide]);
    expect(notReviewerMessage('R-7K2M9QXA', 'pair', wide, bound, REQUESTER, now)).toBe(
      'Only approvers of rule wide (it now covers this pair in place of rule prod, which no longer names approvers) can review break-glass request R-7K2M9QXA.',
    );
  });
});

describe('a rule naming only the requester (nobody reviews their own break-glass)', () => {
  const bound = rule('prod', { approvers: only([U1, U3]) });

  test('the same rule stands, and its words say nobody can review it; the requester’s id compared without case', () => {
    const now = rule('prod', { approvers: only([U3.toUpperCase()]) });
    const answer = decidedRule(bound, policy([now]), facts);
    expect(answer).toBe(now);
    expect(notReviewerMessage('R-7K2M9QXA', 'pair', answer, bound, REQUESTER)).toBe(
      'Rule prod names only the requester of break-glass request R-7K2M9QXA as its approver, who may not review it, so ' +
        'nobody can review it until an approver is added to rule prod. Ask the platform team to add one: they would then review it.',
    );
    expect(ownReviewMessage('R-7K2M9QXA', 'pair', answer, REQUESTER)).toContain('but rule prod names only you');
    expect(uncoveredReviewNote(answer, REQUESTER)).toBe(
      '; rule prod names only its requester as approver: nobody can review it until an approver is added to the rule',
    );
  });

  test('another rule standing in names why, then that it names only the requester', () => {
    const wide = rule('wide', { approvers: only([U3]) });
    const now = policy([elsewhere('prod', { approvers: only([U1]) }), wide]);
    expect(notReviewerMessage('R-7K2M9QXA', 'pair', decidedRule(bound, now, facts), bound, REQUESTER, now)).toBe(
      'Rule wide (it now covers this pair in place of rule prod, which no longer covers it) names only the requester of ' +
        'break-glass request R-7K2M9QXA as its approver, who may not review it, so nobody can review it until an approver ' +
        'is added to rule wide. Ask the platform team to add one: they would then review it.',
    );
  });

  test('a group besides the requester may hold a reviewer: the usual words', () => {
    const answer = rule('prod', { approvers: only([U3], [G1]) });
    expect(notReviewerMessage('R-7K2M9QXA', 'pair', answer, bound, REQUESTER)).toBe(
      'Only approvers of rule prod can review break-glass request R-7K2M9QXA.',
    );
    expect(ownReviewMessage('R-7K2M9QXA', 'pair', answer, REQUESTER)).toBe(
      'You used break-glass for request R-7K2M9QXA yourself, so an approver must review it.',
    );
    expect(uncoveredReviewNote(answer, REQUESTER)).toBe('');
  });
});
