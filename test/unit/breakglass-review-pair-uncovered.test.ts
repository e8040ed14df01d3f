/**
 * A break-glass grant owing its review after a reload left no rule with approvers covering its
 * pair (its rule removed, the only rule left for another cluster): the review is never left to
 * nobody. The approvers its rule had review it under that rule as it was (decidedRule); anyone
 * else is told that no rule of the policy in force covers the pair and to have one added; the
 * daily report says the same to its readers. Real memory stores and Scheduler; the policy is
 * reloaded by swapping what the provider answers.
 */
import { decidedRule, isUncovered } from '../../src/domain/decided-rule';
import { awaitingReview, factsOf } from '../../src/domain/policy';
import { breakGlassCard } from '../../src/views/policy-view';
import { reloadableBreakGlassService } from './support/break-glass-service';
import { policy, rule, SAM } from './support/policy-fixtures';
import { APPROVER, grantPlan, OUTSIDER } from './support/requests';

/** The policy after the reload: one rule, for the dev clusters only, whose approver is Sam. */
const devOnly = policy(
  [rule('dev', { match: { cluster: ['aks-dev*'] }, approvers: { users: [SAM.objectId], groups: [] } })],
  'hash-2',
);

/** The text of every TextBlock of a card, one per line. */
function cardWords(card: unknown): string {
  const texts: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (typeof o.text === 'string') texts.push(o.text);
    if (typeof o.title === 'string' && typeof o.value === 'string') texts.push(`${o.title} ${o.value}`);
    Object.values(o).forEach(walk);
  };
  walk(card);
  return texts.join('\n');
}

describe('a break-glass review owed for a pair no rule of the policy in force covers', () => {
  test('the approvers its rule had review it; anyone else is told the pair is uncovered and to add a rule', async () => {
    const t = reloadableBreakGlassService(policy([rule('prod')]));
    const request = await t.breakGlass();
    t.reload(devOnly);
    const stored = (await t.store.get(request.id))!;

    const reviewers = t.service.ruleOf(stored);
    expect(isUncovered(reviewers)).toBe(true);
    expect(reviewers).toMatchObject({ id: 'prod', approvers: stored.policy!.rule!.approvers });
    // `pending` lists it to them (it asks isApproverOf of each request), and to nobody else.
    expect(await t.service.isApproverOf(APPROVER, stored)).toBe(true);
    expect(await t.service.isApproverOf(SAM, stored)).toBe(false);
    expect((await t.service.awaitingReview()).requests.map((r) => r.id)).toEqual([request.id]);

    const bySam = await t.review(request.id, SAM, 'ok, INC-4711');
    expect(bySam).toMatchObject({ kind: 'refused', reason: 'notApprover' });
    expect(bySam.kind === 'refused' && bySam.message).toBe(
      `No rule of the approval policy in force covers aks-prod → contosoacr, so break-glass request ${request.id} is reviewed by the approvers rule prod had when it ran, and you are not one of them. Ask one of them, or ask the platform team to add a rule for aks-prod → contosoacr: its approvers would then review it.`,
    );
    expect(await t.review(request.id, OUTSIDER, 'ok, INC-4711')).toMatchObject({ kind: 'refused' });

    expect(await t.review(request.id, APPROVER, 'ok, INC-4711')).toMatchObject({
      kind: 'reviewed',
      outcome: 'accepted',
    });
    expect(awaitingReview((await t.store.get(request.id))!)).toBe(false);
    // The trail says under what the review was judged: the rule as it was, the policy in force.
    const entry = (await t.audit.forRequest(request.id)).find((e) => e.action === 'breakglass.review.accepted')!;
    expect(entry).toMatchObject({ ruleId: 'prod', policyHash: 'hash-2' });
    expect(entry.detail).toBe(
      'ok, INC-4711 (under rule prod as it was: no rule of the policy in force covers the pair)',
    );
  });

  test('the daily report names the uncovered pair, who reviews it, and that a rule should be added', async () => {
    const t = reloadableBreakGlassService(policy([rule('prod')]));
    const request = await t.breakGlass();
    t.reload(devOnly);
    const stored = (await t.store.get(request.id))!;

    const words = cardWords(breakGlassCard(stored, 'unreviewed', t.service.ruleOf(stored)));
    expect(words).toContain(
      'No rule of the approval policy in force covers aks-prod → contosoacr, so the approvers rule prod had when it ran review it under that rule as it was: "@acrbot pending',
    );
    expect(words).toContain(
      'Add a rule for aks-prod → contosoacr to the approval policy so that its approvers review it.',
    );
    expect(words).not.toContain('Approvers: "@acrbot pending');

    // Covered (the rule as it is): the report is as before.
    t.reload(policy([rule('prod')], 'hash-3'));
    const covered = cardWords(breakGlassCard(stored, 'unreviewed', t.service.ruleOf(stored)));
    expect(covered).toContain(`Approvers: "@acrbot pending ${request.id}"`);
    expect(covered).not.toContain('No rule of the approval policy');
  });

  test('a rule kept but emptied of approvers, no other covering the pair: its approvers as they were review it', () => {
    const bound = rule('prod', { approvers: { users: [APPROVER.objectId], groups: [] } });
    const emptied = rule('prod', { approvers: { users: [], groups: [] }, autoApprove: { maxDurationMs: 3_600_000 } });
    const answer = decidedRule(bound, { ...policy([emptied], 'hash-2'), breakGlass: undefined }, factsOf(grantPlan()));
    expect(isUncovered(answer)).toBe(true);
    expect(answer.approvers.users).toEqual([APPROVER.objectId]);
  });
});
