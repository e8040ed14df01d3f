/**
 * G15 in `check` and `access`: acrbot's role assignment names are deterministic, so once a grant
 * ended and its assignment was deleted, someone else (another acrbot deployment, a person using
 * the same GUID) can make the very same assignment at the very same id. Azure says when it made
 * it (`createdOn`): one made after the grant's access ended is not that grant's, so neither
 * answer says acrbot granted it, nor that acrbot is removing it or that its end ran out; it is
 * named as made again under acrbot's name after that grant ended (not as one no record of this
 * store proves: the store does record the grant, so no store was switched or restored), and the
 * ended grant is shown as ended, as it would be were the assignment under another name.
 */
import type { GrantPlan } from '../../src/domain/plan';
import { ACRBOT_NAMED_TEXT } from '../../src/domain/access-inventory';
import { users } from '../helpers/harness';
import { advance, contosoId, grant, h, MINUTE, runDueAfter, start, useLifecycleHooks } from '../helpers/lifecycle';
import { OTHER_TENANT } from '../helpers/tenant-b';

useLifecycleHooks();

const state = () => h.app.sandbox!.arm.state;

/** How both answers name the assignment made again after `requestId` ended. */
const madeAgain = (requestId: string) =>
  `made again under acrbot's name after acrbot's grant ${requestId} ended (Azure dates it 2026-`;

/** A one-hour grant that expired and was revoked (its assignment deleted), then the same assignment made again later. */
async function madeAgainAfterTheEnd(laterMs: number) {
  await start();
  const request = await grant(users.requester, 'aks-prod contosoacr --for 1h deploy payments-api');
  const plan = request.plan as GrantPlan;
  await runDueAfter(61 * MINUTE);
  await runDueAfter(2 * MINUTE);
  expect((await h.app.store.get(request.id))!.state).toBe('revoked');
  expect(state().hasPullAccess(contosoId, plan.identity.objectId)).toBe(false);
  advance(laterMs);
  state().addRoleAssignment({
    scope: contosoId,
    roleDefinitionGuid: plan.role.id,
    principalId: plan.identity.objectId,
    name: plan.roleAssignmentName,
    createdBy: '99999999-0000-4000-8000-000000000001',
  });
  expect(state().hasPullAccess(contosoId, plan.identity.objectId)).toBe(true);
  return { request, plan };
}

describe('the same assignment made by another party after an acrbot grant ended', () => {
  test("`check` does not call it acrbot's grant: made again after the grant ended, no end", async () => {
    const { request } = await madeAgainAfterTheEnd(3 * 60 * MINUTE);
    const reply = await h.ask(users.requester, 'check aks-prod contosoacr');
    expect(reply).toContain(`${madeAgain(request.id)}`);
    expect(reply).toContain("not acrbot's — acrbot will not change it");
    expect(reply).not.toContain(ACRBOT_NAMED_TEXT);
    expect(reply).not.toMatch(/acrbot is removing it|nothing acrbot runs removes it|by acrbot/);
    expect(reply).not.toContain(`granted by acrbot ${request.id}`);
  });

  test("`access CLUSTER` does not call it acrbot's grant, and shows the grant as ended", async () => {
    const { request } = await madeAgainAfterTheEnd(3 * 60 * MINUTE);
    const reply = await h.ask(users.approver, 'access aks-prod');
    expect(reply).toContain(madeAgain(request.id));
    expect(reply).not.toContain('store switched or restored');
    expect(reply).not.toMatch(/acrbot is removing it|nothing acrbot runs removes it/);
    // The ended grant is still listed, as ended, not as holding the assignment.
    expect(reply).toContain(
      `AcrPull on the registry — acrbot request ${request.id} (approved by Alex Approver) — expired`,
    );
  });

  test("made within the clock-skew margin of the end: still the grant's, as before", async () => {
    const { request } = await madeAgainAfterTheEnd(MINUTE);
    const reply = await h.ask(users.requester, 'check aks-prod contosoacr');
    expect(reply).not.toContain(ACRBOT_NAMED_TEXT);
    expect(reply).not.toContain('made again');
    expect(reply).toContain(request.id);
  });
});

describe('`revoke CLUSTER REGISTRY` on the pair', () => {
  test('finds nothing of its own and names the assignment as made again after the grant ended', async () => {
    const { request, plan } = await madeAgainAfterTheEnd(3 * 60 * MINUTE);
    const reply = await h.ask(users.approver, 'revoke aks-prod contosoacr no longer needed');
    expect(reply).toContain('Nothing to revoke');
    expect(reply).toContain(`Role assignment ${plan.roleAssignmentName} there is ${madeAgain(request.id)}`);
    expect(reply).toContain("not acrbot's — acrbot will not change it.");
    expect(reply).not.toContain('store switched or restored');
    // Left alone: acrbot does not revoke what it did not make.
    expect(state().hasPullAccess(contosoId, plan.identity.objectId)).toBe(true);
  });

  test("an approver of another tenant than the grant's is not told its id: the words of no record", async () => {
    const { request, plan } = await madeAgainAfterTheEnd(3 * 60 * MINUTE);
    const stored = (await h.app.store.get(request.id))!;
    await h.app.store.update({ ...stored, version: stored.version + 1, tenantId: OTHER_TENANT });
    const reply = await h.ask(users.approver, 'revoke aks-prod contosoacr no longer needed');
    expect(reply).toContain(`Role assignment ${plan.roleAssignmentName} there is ${ACRBOT_NAMED_TEXT}.`);
    expect(reply).not.toContain(request.id);
    expect(reply).not.toContain('made again');
  });
});
