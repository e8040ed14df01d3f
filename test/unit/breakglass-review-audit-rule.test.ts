/**
 * The audit entry of a break-glass review, or of a refused one, names the rule that gave (or
 * did not give) the reviewer the right, RequestService.ruleOf, and the hash of the policy in
 * force: after a reload removed the grant's rule, the current rule that fits it stands in, and
 * the entry says "in place of rule prod". Real memory stores; the policy is reloaded by swapping
 * what the provider answers.
 */
import { reloadableBreakGlassService } from './support/break-glass-service';
import { policy, rule, SAM } from './support/policy-fixtures';
import { APPROVER } from './support/requests';

const samsDefault = rule('default', { approvers: { users: [SAM.objectId], groups: [] } });

test('rule removed: the refusal and the review are audited under the standing-in rule and the current hash', async () => {
  const t = reloadableBreakGlassService(policy([rule('prod')], 'hash-1'));
  const request = await t.breakGlass();
  t.reload(policy([samsDefault], 'hash-2'));

  expect(await t.review(request.id, APPROVER, 'ok, INC-4711')).toMatchObject({ kind: 'refused' });
  expect(await t.review(request.id, SAM, 'ok, INC-4711')).toMatchObject({ kind: 'reviewed', outcome: 'accepted' });

  const entries = await t.audit.forRequest(request.id);
  const refused = entries.find((e) => e.action === 'breakglass.review.refused.notApprover')!;
  expect(refused).toMatchObject({ ruleId: 'default', policyHash: 'hash-2' });
  expect(refused.detail).toContain('in place of rule prod');
  const accepted = entries.find((e) => e.action === 'breakglass.review.accepted')!;
  expect(accepted).toMatchObject({
    ruleId: 'default',
    policyHash: 'hash-2',
    detail: 'ok, INC-4711 (in place of rule prod)',
  });
});

test('same rule kept across a reload: its id, the current hash, and the reason as given', async () => {
  const t = reloadableBreakGlassService(policy([rule('prod')], 'hash-1'));
  const request = await t.breakGlass();
  t.reload(policy([rule('prod')], 'hash-2'));

  expect(await t.review(request.id, APPROVER, 'ok, INC-4711')).toMatchObject({ kind: 'reviewed' });
  const accepted = (await t.audit.forRequest(request.id)).find((e) => e.action === 'breakglass.review.accepted')!;
  expect(accepted).toMatchObject({ ruleId: 'prod', policyHash: 'hash-2', detail: 'ok, INC-4711' });
});
