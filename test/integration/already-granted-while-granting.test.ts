/**
 * "Access already exists" while a grant of the assignment is running, end to end: an ended grant
 * created the assignment and deleted it; another grant's PUT makes it again under the same
 * deterministic name (so the same id). Asking for the pair then must not say the assignment was
 * left behind by the ended grant and should be deleted (that would break the running grant): the
 * running grant is about to hold it, and the new request overlaps it as an ending holder's would.
 */
import { SANDBOX_CLUSTERS } from '../../src/sandbox/fixtures';
import { users } from '../helpers/harness';
import {
  useLifecycleHooks,
  h,
  advance,
  start,
  contosoId,
  MINUTE,
  second,
  assignmentsOn,
  grant,
  outcomeSent,
  approveAndHoldAfterItsCheck,
} from '../helpers/lifecycle';

describe('asking for an assignment a grant is making again', () => {
  useLifecycleHooks();

  test('not "left from" the ended grant, no delete advised: a new request overlaps the running grant', async () => {
    await start();
    const ended = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    await outcomeSent(ended.id);
    advance(3 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(ended.id))!.state).toBe('revoked');
    expect(assignmentsOn(contosoId)).toHaveLength(0);
    const createdId = ended.created?.find((c) => c.kind === 'roleAssignment')?.id;
    expect(createdId).toBeDefined();

    // Another user's grant of the pair runs, held before its PUT; its PUT, as if made, is the
    // assignment under the pair's deterministic name: the id the ended grant created.
    const running = await h.requestGrant(second, 'aks-prod contosoacr --for 1d batch jobs need images');
    const held = await approveAndHoldAfterItsCheck(running.id);
    expect((await h.app.store.get(running.id))!.state).toBe('executing');
    const remade = h.app.sandbox!.arm.state.addRoleAssignment({
      scope: contosoId,
      roleDefinitionGuid: ended.plan.kind === 'grant' ? ended.plan.role.id : '',
      principalId: SANDBOX_CLUSTERS.prod.kubeletObjectId,
      name: running.plan.kind === 'grant' ? running.plan.roleAssignmentName : '',
    });
    expect(remade.id.toLowerCase()).toBe(createdId!.toLowerCase());

    const answer = await h.ask(users.requester, 'grant aks-prod contosoacr --for 1d deploy payments-api again');
    expect(answer).not.toContain('az role assignment delete');
    expect(answer).not.toContain(`left from acrbot grant ${ended.id}`);
    expect(answer).not.toContain('Access already exists');
    const pending = await h.app.store.listByState(['pending']);
    expect(pending.map((r) => r.requester.objectId)).toEqual([ended.requester.objectId]);

    // The running grant finds its assignment there and succeeds; both hold the one assignment.
    expect((await held.finish()).state).toBe('succeeded');
    expect(assignmentsOn(contosoId)).toHaveLength(1);
  });
});
