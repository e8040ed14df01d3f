/**
 * A rule narrowed off a pair by a reload no longer stands for the requests on that pair: the rule
 * with the same id counts only while it still fits their facts, else the rule that fits them now
 * does (decidedRule, currentRuleFor). Before, the old rule's approvers revoked the held access
 * while the new fitting rule's approvers approved its extensions; and an Approve was judged
 * against the narrowed rule's maximum term rather than the rule that now applies.
 */
import { currentRuleFor, decidedRule, isUncovered } from '../../src/domain/decided-rule';
import { factsOf } from '../../src/domain/policy';
import { HOUR } from './support/fake-clock';
import { granted, policy, rule, TENANT } from './support/policy-fixtures';
import { reloadableBreakGlassService } from './support/break-glass-service';
import { APPROVER, grantPlan, OUTSIDER, REQUESTER } from './support/requests';

/** `prod` narrowed to other clusters; `dev`, approved by Oscar, now covers aks-prod. */
const narrowed = policy(
  [
    rule('prod', { match: { cluster: ['aks-other*'] } }),
    rule('dev', { approvers: { users: [OUTSIDER.objectId], groups: [] }, maxDurationMs: 2 * HOUR }),
  ],
  'hash-2',
);

describe('a rule narrowed off a pair', () => {
  test('decidedRule and currentRuleFor take the rule now fitting the pair, not the same-id rule', () => {
    const facts = factsOf(grantPlan());
    expect(decidedRule(rule('prod'), narrowed, facts).id).toBe('dev');
    expect(currentRuleFor(rule('prod'), narrowed, facts)?.id).toBe('dev');
    // Still fitting, the same-id rule stands (whatever rule comes first).
    const kept = policy([rule('first'), rule('prod', { approvers: { users: [OUTSIDER.objectId], groups: [] } })]);
    expect(decidedRule(rule('prod'), kept, facts)).toMatchObject({
      id: 'prod',
      approvers: { users: [OUTSIDER.objectId] },
    });
    // Narrowed off and nothing else fits: the rule as it was, said so.
    const alone = policy([rule('prod', { match: { cluster: ['aks-other*'] } })], 'hash-3');
    expect(isUncovered(decidedRule(rule('prod'), alone, facts))).toBe(true);
  });

  test('the held access: the approvers of the rule now fitting revoke it, the narrowed rule’s no longer', async () => {
    const t = reloadableBreakGlassService(policy([rule('prod')]));
    const made = await t.service.create({
      requester: REQUESTER,
      tenantId: TENANT,
      reason: 'deploy payments-api',
      plan: grantPlan(),
      origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
    });
    await t.service.decide({ requestId: made.id, acting: { actor: APPROVER, tenantId: TENANT }, approve: true });
    const access = await granted(t.store, (await t.store.get(made.id))!, t.clock.now());
    t.reload(narrowed);

    expect(t.service.ruleOf(access)?.id).toBe('dev');
    expect(await t.service.isApproverOf(OUTSIDER, access)).toBe(true);
    expect(await t.service.isApproverOf(APPROVER, access)).toBe(false);
    // Its extension goes to the same rule's approvers.
    const extension = await t.service.create({
      requester: REQUESTER,
      tenantId: TENANT,
      reason: 'more time',
      plan: grantPlan(),
      origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
      extendsRequestId: access.id,
    });
    expect(extension.policy?.ruleId).toBe('dev');
  });

  test('a break-glass review owed: the narrowed rule’s approvers are refused, told which rule reviews it and why', async () => {
    const t = reloadableBreakGlassService(policy([rule('prod')]));
    const request = await t.breakGlass();
    t.reload(narrowed);
    const byAlex = await t.review(request.id, APPROVER, 'ok, INC-4711');
    expect(byAlex.kind === 'refused' && byAlex.message).toBe(
      `Only approvers of rule dev (it now covers this pair in place of rule prod, which no longer covers it) can review break-glass request ${request.id}.`,
    );
    expect(await t.review(request.id, OUTSIDER, 'ok, INC-4711')).toMatchObject({ kind: 'reviewed' });
  });

  test('an Approve of a request waiting on the narrowed rule is judged against the term of the rule now fitting', async () => {
    const t = reloadableBreakGlassService(policy([rule('prod')]));
    const pending = await t.service.create({
      requester: REQUESTER,
      tenantId: TENANT,
      reason: 'deploy payments-api',
      plan: grantPlan(),
      origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
      access: { durationMs: 8 * HOUR },
    });
    t.reload(narrowed);
    // Its approvers are still its rule's as it was (G18); its term, dev's 2h maximum.
    const result = await t.service.decide({
      requestId: pending.id,
      acting: { actor: APPROVER, tenantId: TENANT },
      approve: true,
    });
    expect(result).toMatchObject({ kind: 'refused', reason: 'term' });
    expect(result.kind === 'refused' && result.message).toContain('rule dev now grants at most 2h');
  });
});

test('a rule no rule in force covers keeps only the approver groups the policy still names', () => {
  // Found by breaking the groups' filter: a group the policy dropped would review and revoke again.
  const bound = rule('prod', { approvers: { users: [], groups: ['g-kept', 'g-dropped'] } });
  const now = policy(
    [
      rule('other', {
        match: { cluster: ['aks-other*'] },
        approvers: { users: [OUTSIDER.objectId], groups: ['G-KEPT'] },
      }),
    ],
    'hash-2',
  );
  expect(decidedRule(bound, now, factsOf(grantPlan())).approvers.groups).toEqual(['g-kept']);
});
