/**
 * Keeping a break-glass grant follows the current rule's justification setting, as who may review
 * it does (RequestService.ruleOf, decidedRule): decided requests follow the current policy
 * (docs/policy.md), not the copy of the rule stored with the grant. Real memory stores and
 * Scheduler; the policy is reloaded by swapping what the provider answers.
 */
import type { AuditEntry } from '../../src/domain/audit-chain';
import type { Policy } from '../../src/domain/policy';
import { breakGlassService } from './support/break-glass-service';
import { policy, rule } from './support/policy-fixtures';
import { APPROVER } from './support/requests';

/** The service on a policy `reload` swaps, as a reload of the policy file does. */
function setup(initial: Policy) {
  const current = { policy: initial };
  return {
    ...breakGlassService({ policies: { current: () => current.policy } }),
    reload: (next: Policy) => {
      current.policy = next;
    },
  };
}

const actions = (entries: AuditEntry[]) => entries.map((e) => e.action);

describe('keeping a break-glass grant after a reload changed its rule’s justification setting', () => {
  test('reloaded to required: a keep without a comment is refused (audited), naming the current rule; with one it is kept', async () => {
    const t = setup(policy([rule('prod', { approverJustification: 'optional' })]));
    const request = await t.breakGlass();
    expect(request.policy?.rule?.approverJustification).toBe('optional');
    t.reload(policy([rule('prod', { approverJustification: 'required' })], 'hash-2'));

    const bare = await t.review(request.id, APPROVER);
    expect(bare).toMatchObject({ kind: 'refused', reason: 'justification' });
    expect(bare.kind === 'refused' && bare.message).toBe(
      `Keeping break-glass request ${request.id} needs a justification under rule prod: type it in the card's comment box and approve again.`,
    );
    expect((await t.store.get(request.id))!.policy?.review?.outcome).toBeUndefined();
    expect(actions(await t.audit.forRequest(request.id)).pop()).toBe('breakglass.review.refused.justification');

    expect(await t.review(request.id, APPROVER, 'real incident, INC-4711')).toMatchObject({
      kind: 'reviewed',
      outcome: 'accepted',
    });
  });

  test('reloaded to optional: a keep without a comment is accepted, though the stored rule required one', async () => {
    const t = setup(policy([rule('prod', { approverJustification: 'required' })]));
    const request = await t.breakGlass();
    t.reload(policy([rule('prod', { approverJustification: 'optional' })], 'hash-2'));
    expect(await t.review(request.id, APPROVER)).toMatchObject({ kind: 'reviewed', outcome: 'accepted' });
  });
});
