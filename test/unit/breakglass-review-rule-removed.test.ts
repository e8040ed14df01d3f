/**
 * A break-glass grant whose rule a reload removed, renamed or emptied of approvers: its review
 * goes to the approvers of the current rule that fits the request (decidedRule), and a refusal
 * names that rule as standing in for the one it ran under. Without this the review could be done
 * by nobody while the daily report asked for it for ever. Real memory stores and Scheduler; the
 * policy is reloaded by swapping what the provider answers.
 */
import { decidedRule } from '../../src/domain/decided-rule';
import { awaitingReview, factsOf } from '../../src/domain/policy';
import { reloadableBreakGlassService } from './support/break-glass-service';
import { APPROVERS_GROUP, policy, rule, SAM } from './support/policy-fixtures';
import { APPROVER, grantPlan } from './support/requests';

/** A catch-all whose only approver is Sam (named), as a consolidated policy might have. */
const samsDefault = rule('default', { approvers: { users: [SAM.objectId], groups: [] } });

describe('reviewing a break-glass grant whose rule is gone', () => {
  test('rule removed: the current rule that fits reviews it; the old approvers are refused, naming it', async () => {
    const t = reloadableBreakGlassService(policy([rule('prod')]));
    const request = await t.breakGlass();
    t.reload(policy([samsDefault], 'hash-2'));

    const byOld = await t.review(request.id, APPROVER, 'ok, INC-4711');
    expect(byOld).toMatchObject({ kind: 'refused', reason: 'notApprover' });
    expect(byOld.kind === 'refused' && byOld.message).toBe(
      `Only approvers of rule default (it now covers this pair in place of rule prod, which no longer names approvers) can review break-glass request ${request.id}.`,
    );

    expect(await t.review(request.id, SAM, 'ok, INC-4711')).toMatchObject({ kind: 'reviewed', outcome: 'accepted' });
    expect(awaitingReview((await t.store.get(request.id))!)).toBe(false);
  });

  test('rule renamed (same approvers): they review it under the new name', async () => {
    const t = reloadableBreakGlassService(policy([rule('prod')]));
    const request = await t.breakGlass();
    t.reload(policy([rule('production')], 'hash-2'));
    expect(t.service.ruleOf((await t.store.get(request.id))!)?.id).toBe('production');
    expect(await t.review(request.id, APPROVER, 'ok, INC-4711')).toMatchObject({ kind: 'reviewed' });
  });

  test('same rule kept, its approvers emptied (auto-approving, break-glass since removed): the rule that fits reviews it', async () => {
    const t = reloadableBreakGlassService(policy([rule('prod')]));
    const request = await t.breakGlass();
    // An auto-approving rule may name nobody once the policy has no breakGlass section.
    const emptied = rule('prod', {
      match: { cluster: ['aks-dev'] },
      approvers: { users: [], groups: [] },
      autoApprove: { maxDurationMs: 3_600_000 },
    });
    t.reload({ ...policy([emptied, samsDefault], 'hash-2'), breakGlass: undefined });
    expect(t.service.ruleOf((await t.store.get(request.id))!)?.id).toBe('default');
    expect(await t.review(request.id, SAM, 'ok, INC-4711')).toMatchObject({ kind: 'reviewed', outcome: 'accepted' });
  });

  test('the same rule, still naming approvers, is kept (no other rule stands in)', () => {
    const bound = rule('prod');
    const current = policy([rule('PROD', { approvers: { users: [SAM.objectId], groups: [] } }), rule('default')]);
    expect(decidedRule(bound, current, factsOf(grantPlan())).approvers.users).toEqual([SAM.objectId]);
  });

  test('no current rule fits the pair: only the removed rule’s approvers some current rule still names', () => {
    const bound = rule('prod', { approvers: { users: [SAM.objectId, APPROVER.objectId], groups: [APPROVERS_GROUP] } });
    const current = policy([
      rule('other', { match: { cluster: ['aks-dev'] }, approvers: { users: [SAM.objectId], groups: [] } }),
    ]);
    const answer = decidedRule(bound, current, factsOf(grantPlan()));
    expect(answer.id).toBe('prod');
    expect(answer.approvers).toMatchObject({ users: [SAM.objectId], groups: [] });
  });
});
