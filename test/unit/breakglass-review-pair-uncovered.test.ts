/**
 * A break-glass grant owing its review after a reload left no rule with approvers covering its
 * pair (its rule removed, the only rule left for another cluster). Those of the approvers its
 * rule had whom the policy in force still names review it under that rule as it was
 * (decidedRule); anyone else is told that no rule of the policy in force covers the pair and to
 * have one added. When the policy names none of them, nobody reviews or revokes it (its requester
 * still revokes their own access): a reload never gives rights back to someone it removed. The
 * daily report says which to its readers. Real memory stores and Scheduler; the policy is
 * reloaded by swapping what the provider answers.
 */
import { decidedRule, isUncovered, leftToNobody } from '../../src/domain/decided-rule';
import { awaitingReview, factsOf } from '../../src/domain/policy';
import type { AccessRequest, Actor } from '../../src/domain/request';
import { AccessActions } from '../../src/flows/access-actions';
import { breakGlassCard } from '../../src/views/policy-view';
import { reloadableBreakGlassService } from './support/break-glass-service';
import { APPROVERS_GROUP, OLIVE, policy, rule, SAM, TENANT } from './support/policy-fixtures';
import { APPROVER, grantPlan, OUTSIDER } from './support/requests';

/** The policy after the reload: one rule, for the dev clusters only, whose approver is Sam. */
const devOnly = policy(
  [rule('dev', { match: { cluster: ['aks-dev*'] }, approvers: { users: [SAM.objectId], groups: [] } })],
  'hash-2',
);

/** As {@link devOnly}, but the dev rule also names the approvers group rule prod named. */
const devSharingGroup = policy(
  [
    rule('dev', {
      match: { cluster: ['aks-dev*'] },
      approvers: { users: [SAM.objectId], groups: [APPROVERS_GROUP] },
    }),
  ],
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

/** Whether `actor` may revoke `request` (THE revoke rule, on the service's approver questions). */
async function mayRevoke(
  service: ConstructorParameters<typeof AccessActions>[0],
  actor: Actor,
  request: AccessRequest,
): Promise<boolean | string> {
  const actions = new AccessActions(service, {} as never, {} as never);
  return actions.mayRevoke({ actor, tenantId: TENANT }, request).then(
    () => true,
    (err: { code?: string }) => err.code ?? 'thrown',
  );
}

describe('a break-glass review owed for a pair no rule of the policy in force covers', () => {
  test('those of its rule’s approvers the policy still names review it; anyone else is told the pair is uncovered and to add a rule', async () => {
    const t = reloadableBreakGlassService(policy([rule('prod')]));
    const request = await t.breakGlass();
    t.reload(devSharingGroup);
    const stored = (await t.store.get(request.id))!;

    const reviewers = t.service.ruleOf(stored);
    expect(isUncovered(reviewers)).toBe(true);
    expect(leftToNobody(reviewers)).toBe(false);
    expect(reviewers).toMatchObject({ id: 'prod', approvers: stored.policy!.rule!.approvers });
    // `pending` lists it to them (it asks isApproverOf of each request), and to nobody else.
    expect(await t.service.isApproverOf(APPROVER, stored)).toBe(true);
    expect(await t.service.isApproverOf(SAM, stored)).toBe(false);
    expect((await t.service.awaitingReview()).requests.map((r) => r.id)).toEqual([request.id]);

    const bySam = await t.review(request.id, SAM, 'ok, INC-4711');
    expect(bySam).toMatchObject({ kind: 'refused', reason: 'notApprover' });
    expect(bySam.kind === 'refused' && bySam.message).toBe(
      `No rule of the approval policy in force covers aks-prod → contosoacr, so break-glass request ${request.id} is reviewed by those of the approvers rule prod had when it ran whom the policy still names, and you are not one of them. Ask one of them, or ask the platform team to add a rule for aks-prod → contosoacr: its approvers would then review it.`,
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
    t.reload(devSharingGroup);
    const stored = (await t.store.get(request.id))!;

    const words = cardWords(breakGlassCard(stored, 'unreviewed', t.service.ruleOf(stored)));
    expect(words).toContain(
      'No rule of the approval policy in force covers aks-prod → contosoacr, so those of the approvers rule prod had when it ran whom the policy still names review it under that rule as it was: "@acrbot pending',
    );
    expect(words).toContain(
      'Add a rule for aks-prod → contosoacr to the approval policy so that its approvers review it.',
    );
    expect(words).not.toContain('Approvers: "@acrbot pending');
    expect(words).not.toContain('nobody can review it');

    // Covered (the rule as it is): the report is as before.
    t.reload(policy([rule('prod')], 'hash-3'));
    const covered = cardWords(breakGlassCard(stored, 'unreviewed', t.service.ruleOf(stored)));
    expect(covered).toContain(`Approvers: "@acrbot pending ${request.id}"`);
    expect(covered).not.toContain('No rule of the approval policy');
  });

  test('Bob, removed from the rule at an earlier reload, and Alice, named nowhere once the rule goes, can neither review nor revoke; the report says nobody can review it', async () => {
    const alice = APPROVER;
    const bob = OUTSIDER;
    const prod = (users: Actor[]) => rule('prod', { approvers: { users: users.map((u) => u.objectId), groups: [] } });
    const t = reloadableBreakGlassService(policy([prod([alice, bob])]));
    const request = await t.breakGlass();
    expect(request.policy!.rule!.approvers.users).toEqual([alice.objectId, bob.objectId]);

    // Bob is removed from rule prod: he no longer reviews nor revokes under it.
    t.reload(policy([prod([alice])], 'hash-2'));
    let stored = (await t.store.get(request.id))!;
    expect(await t.service.isApproverOf(bob, stored)).toBe(false);
    expect(await t.service.isApproverOf(alice, stored)).toBe(true);

    // Then rule prod goes too, and Alice is named nowhere: nobody reviews or revokes under it.
    t.reload({ ...devOnly, hash: 'hash-3' });
    stored = (await t.store.get(request.id))!;
    const reviewers = t.service.ruleOf(stored);
    expect(isUncovered(reviewers)).toBe(true);
    expect(leftToNobody(reviewers)).toBe(true);
    expect(reviewers!.approvers).toMatchObject({ users: [], groups: [] });
    for (const who of [bob, alice, SAM]) {
      expect(await t.service.isApproverOf(who, stored)).toBe(false);
      expect(await mayRevoke(t.service, who, stored)).toBe('revoke.notAllowed');
    }
    // Its requester still revokes their own access.
    expect(await mayRevoke(t.service, OLIVE, stored)).toBe(true);

    const nobody = `No rule of the approval policy in force covers aks-prod → contosoacr, and none of the approvers rule prod had is in the policy any more, so nobody can review break-glass request ${request.id} until a rule for aks-prod → contosoacr is added. Ask the platform team to add one: its approvers would then review it.`;
    for (const who of [bob, alice]) {
      const refused = await t.review(request.id, who, 'ok, INC-4711');
      expect(refused).toMatchObject({ kind: 'refused', reason: 'notApprover' });
      expect(refused.kind === 'refused' && refused.message).toBe(nobody);
    }
    expect(awaitingReview((await t.store.get(request.id))!)).toBe(true);

    // The daily report says nobody can review it, to add a rule, and that its requester may revoke.
    const words = cardWords(breakGlassCard(stored, 'unreviewed', reviewers));
    expect(words).toContain(
      `No rule of the approval policy in force covers aks-prod → contosoacr, and none of the approvers rule prod had is in the policy any more, so nobody can review it until a rule for aks-prod → contosoacr is added to the approval policy: its approvers would then review it with "@acrbot pending ${request.id}". Its requester can still revoke their own access.`,
    );
    expect(words).not.toContain('review it under that rule as it was');
    expect(words).not.toContain('shows it with Approve');
    // Its access ended, there is nothing left for its requester to revoke: not offered.
    const ended = cardWords(breakGlassCard({ ...stored, state: 'revoked' }, 'unreviewed', reviewers));
    expect(ended).toContain('so nobody can review it until a rule for aks-prod → contosoacr is added');
    expect(ended).not.toContain('revoke their own access');

    // Alice named again by another rule: she reviews it under the rule as it was; Bob still not.
    t.reload(
      policy(
        [rule('dev', { match: { cluster: ['aks-dev*'] }, approvers: { users: [alice.objectId], groups: [] } })],
        'hash-4',
      ),
    );
    stored = (await t.store.get(request.id))!;
    expect(leftToNobody(t.service.ruleOf(stored))).toBe(false);
    expect(await t.service.isApproverOf(bob, stored)).toBe(false);
    expect(await mayRevoke(t.service, bob, stored)).toBe('revoke.notAllowed');
    expect(await t.service.isApproverOf(alice, stored)).toBe(true);
  });

  test('a rule kept but emptied of approvers, no other covering the pair: nobody reviews it', () => {
    const bound = rule('prod', { approvers: { users: [APPROVER.objectId], groups: [] } });
    const emptied = rule('prod', { approvers: { users: [], groups: [] }, autoApprove: { maxDurationMs: 3_600_000 } });
    const answer = decidedRule(bound, { ...policy([emptied], 'hash-2'), breakGlass: undefined }, factsOf(grantPlan()));
    expect(isUncovered(answer)).toBe(true);
    expect(leftToNobody(answer)).toBe(true);
    expect(answer.approvers.users).toEqual([]);
  });
});
