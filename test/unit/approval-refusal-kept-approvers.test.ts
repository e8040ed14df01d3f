/**
 * Someone a reload made an approver, clicking a request that was already waiting: it keeps the
 * approvers its rule had when it was made (G18), so the click is refused, and the refusal says
 * that, rather than "Only approvers can decide", which reads as if they were no approver at all.
 * Someone who is no approver under either policy is told as before. Real memory stores.
 */
import { APPROVERS_GROUP, policy, rule, SAM, TENANT } from './support/policy-fixtures';
import { reloadableBreakGlassService } from './support/break-glass-service';
import { APPROVER, grantPlan, OUTSIDER, REQUESTER } from './support/requests';

describe('an approver added by a reload, on a request made before it', () => {
  async function waitingUnder(oldApprovers: { users: string[]; groups: string[] }) {
    const t = reloadableBreakGlassService(policy([rule('prod', { approvers: oldApprovers })]));
    const pending = await t.service.create({
      requester: REQUESTER,
      tenantId: TENANT,
      reason: 'deploy payments-api',
      plan: grantPlan(),
      origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
    });
    const decide = (actor: typeof SAM) =>
      t.service.decide({ requestId: pending.id, acting: { actor, tenantId: TENANT }, approve: true });
    return { t, pending, decide };
  }

  const kept = (id: string) =>
    `Request ${id} keeps the approvers rule prod had when it was made, before the approval policy changed, and you are not one of them: ask one of them to decide it, or its requester can cancel it ("@acrbot cancel ${id}") and ask again, so that the policy in force applies.`;

  test('named in the rule with the same id now: told the request keeps its approvers', async () => {
    const { t, pending, decide } = await waitingUnder({ users: [OUTSIDER.objectId], groups: [] });
    t.reload(policy([rule('prod', { approvers: { users: [SAM.objectId], groups: [] } })], 'hash-2'));
    const bySam = await decide(SAM);
    expect(bySam).toMatchObject({ kind: 'refused', reason: 'notApprover' });
    expect(bySam.kind === 'refused' && bySam.message).toBe(kept(pending.id));
    // The trail keeps the words the approver was told.
    const entry = (await t.audit.forRequest(pending.id)).find((e) => e.action === 'approval.refused.notApprover');
    expect(entry?.detail).toBe(kept(pending.id));
    // Its approvers are still those it was made with.
    expect(await decide(OUTSIDER)).toMatchObject({ kind: 'decided' });
  });

  test('in a group of another rule now fitting the pair (the rule renamed): the same words', async () => {
    const { t, pending, decide } = await waitingUnder({ users: [OUTSIDER.objectId], groups: [] });
    t.reload(policy([rule('production', { approvers: { users: [], groups: [APPROVERS_GROUP] } })], 'hash-2'));
    const byAlex = await decide(APPROVER);
    expect(byAlex.kind === 'refused' && byAlex.message).toBe(kept(pending.id));
  });

  test('no approver of the pair under either policy: the plain refusal', async () => {
    const { t, pending, decide } = await waitingUnder({ users: [OUTSIDER.objectId], groups: [] });
    t.reload(policy([rule('prod', { approvers: { users: [SAM.objectId], groups: [] } })], 'hash-2'));
    const byAlex = await decide(APPROVER);
    expect(byAlex.kind === 'refused' && byAlex.message).toBe(
      `Only approvers can decide request ${pending.id}; ask a member of the approvers list or group.`,
    );
  });
});
