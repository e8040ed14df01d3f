/**
 * A new `grant` of a pair whose earlier grant ended while its registry was gone (G17): Azure kept
 * acrbot's role assignment at the old scope, and it gives pull again once the registry is back.
 * - While the orphan watch may still delete it (its job scheduled), the assignment is ending: the
 *   new grant is a request of its own, not "access already exists" (which the watch's next look
 *   would have made untrue, with no request left to give pull back). Once approved, the watch
 *   finds it holding the assignment and keeps it.
 * - After the watch has ended, nothing acrbot runs removes it: "access already exists" names the
 *   ended grant that left it behind and the command that removes it.
 */
import type { GrantPlan } from '../../src/domain/plan';
import { orphanWatchJobId } from '../../src/flows/orphan-watch';
import { users } from '../helpers/harness';
import { contosoId, DAY, grant, h, MINUTE, runDueAfter, start, useLifecycleHooks } from '../helpers/lifecycle';

useLifecycleHooks();

const state = () => h.app.sandbox!.arm.state;

/** A one-hour grant whose registry was deleted before its end ran, then made again under the same name. */
async function endedWhileGoneThenBack(watchDays = 0) {
  await start();
  const request = await grant(users.requester, 'aks-prod contosoacr --for 1h deploy payments-api');
  const plan = request.plan as GrantPlan;
  const reg = state().getRegistry(contosoId)!;
  state().removeRegistry(contosoId);
  await runDueAfter(61 * MINUTE);
  await runDueAfter(2 * MINUTE);
  expect((await h.app.store.get(request.id))!.state).toBe('revoked');
  for (let day = 1; day <= watchDays; day++) await runDueAfter(DAY);
  state().addRegistry({ subscriptionId: reg.subscriptionId, resourceGroup: reg.resourceGroup, name: reg.name });
  expect(state().hasPullAccess(contosoId, plan.identity.objectId)).toBe(true);
  return { request, plan };
}

test('back before the watch looks: a new grant is a request, and once approved the watch keeps its pull', async () => {
  const { request, plan } = await endedWhileGoneThenBack();
  expect(await h.app.stores.schedule.get(orphanWatchJobId(request.id))).toBeDefined();

  const again = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 3d deploy again');
  expect(again.state).toBe('pending');
  await h.click(users.approver, 'approve', { requestId: again.id });
  expect((await h.settle(again.id)).state).toBe('succeeded');

  await runDueAfter(DAY);
  expect(state().hasPullAccess(contosoId, plan.identity.objectId)).toBe(true);
  const watched = (await h.app.audit.forRequest(request.id)).filter((e) => e.action === 'access.revoke.roleAssignment');
  expect(watched.at(-1)).toMatchObject({ outcome: 'kept' });
  expect(watched.at(-1)!.detail).toContain(again.id);
  expect(await h.app.stores.schedule.get(orphanWatchJobId(request.id))).toBeUndefined();
});

test('back after the watch ended: "already exists" names the ended grant and the command that removes it', async () => {
  const { request, plan } = await endedWhileGoneThenBack(91);
  expect(await h.app.stores.schedule.get(orphanWatchJobId(request.id))).toBeUndefined();

  const answer = await h.ask(users.requester, 'grant aks-prod contosoacr --for 8h deploy again');
  expect(answer).toContain('no request was created');
  expect(answer).toContain(`The role assignment is left from acrbot grant ${request.id}, which has ended`);
  expect(answer).toContain(
    `az role assignment delete --ids ${contosoId}/providers/Microsoft.Authorization/roleAssignments/${plan.roleAssignmentName}`,
  );
  expect(await h.app.store.listByState(['pending'])).toHaveLength(0);
});
