/**
 * G17 when the registry goes again between the orphan watch's listing and its DELETE: ARM answers
 * the DELETE 404 ResourceNotFound, nothing is deleted, and Azure keeps the assignment at its id (it
 * would grant pull again once a registry is there again). The watch goes on looking daily, as when
 * its look finds the registry gone, and audits no `deleted` entry; a DELETE that deletes is still
 * audited `deleted` and ends the watch.
 */
import type { GrantPlan } from '../../src/domain/plan';
import { orphanWatchJobId } from '../../src/flows/orphan-watch';
import { users } from '../helpers/harness';
import { contosoId, DAY, grant, h, MINUTE, runDueAfter, start, useLifecycleHooks } from '../helpers/lifecycle';

useLifecycleHooks();

const state = () => h.app.sandbox!.arm.state;

/** A one-hour grant whose registry was deleted before its end ran (watched), then made again. */
async function orphanedThenBack() {
  await start();
  const request = await grant(users.requester, 'aks-prod contosoacr --for 1h deploy payments-api');
  const reg = state().getRegistry(contosoId)!;
  state().removeRegistry(contosoId);
  await runDueAfter(61 * MINUTE);
  await runDueAfter(2 * MINUTE);
  expect((await h.app.store.get(request.id))!.state).toBe('revoked');
  expect(await h.app.stores.schedule.get(orphanWatchJobId(request.id))).toBeDefined();
  state().addRegistry({ subscriptionId: reg.subscriptionId, resourceGroup: reg.resourceGroup, name: reg.name });
  return { request, plan: request.plan as GrantPlan };
}

/** The watch's role assignment steps and DELETEs so far. */
async function watchTrail(requestId: string) {
  const outcomes = (await h.app.audit.forRequest(requestId))
    .filter((e) => e.action === 'access.revoke.roleAssignment')
    .map((e) => e.outcome);
  const deletes = h.app.sandbox!.arm.requests.filter((r) => r.operation === 'roleAssignments.delete');
  return { outcomes, deletes };
}

test("the watch's DELETE answered 404 ResourceNotFound (the registry gone again): still watched, nothing said deleted", async () => {
  const { request, plan } = await orphanedThenBack();
  h.app.sandbox!.arm.faults.add({
    operation: 'roleAssignments.delete',
    status: 404,
    code: 'ResourceNotFound',
    count: 1,
  });

  await runDueAfter(DAY);
  const after = await watchTrail(request.id);
  expect(after.deletes.map((r) => r.status)).toEqual([404]);
  // Only the revocation's `absent`: the watch's 404 is recorded as a look that found it gone.
  expect(after.outcomes).toEqual(['absent']);
  expect(state().hasPullAccess(contosoId, plan.identity.objectId)).toBe(true);
  expect(await h.app.stores.schedule.get(orphanWatchJobId(request.id))).toBeDefined();

  // The next day's look finds the registry there and deletes the assignment.
  await runDueAfter(DAY);
  expect((await watchTrail(request.id)).outcomes).toEqual(['absent', 'deleted']);
  expect(state().hasPullAccess(contosoId, plan.identity.objectId)).toBe(false);
  expect(await h.app.stores.schedule.get(orphanWatchJobId(request.id))).toBeUndefined();
});

test("the watch's DELETE answered 404 RoleAssignmentNotFound (removed meanwhile): absent, with its request id, and the watch ends", async () => {
  const { request } = await orphanedThenBack();
  h.app.sandbox!.arm.faults.add({
    operation: 'roleAssignments.delete',
    status: 404,
    code: 'RoleAssignmentNotFound',
    count: 1,
  });

  await runDueAfter(DAY);
  const { deletes } = await watchTrail(request.id);
  expect(deletes.map((r) => r.status)).toEqual([404]);
  const last = (await h.app.audit.forRequest(request.id))
    .filter((e) => e.action === 'access.revoke.roleAssignment')
    .at(-1)!;
  expect(last.outcome).toBe('absent');
  expect(last.detail).toMatch(/nothing deleted/);
  expect(last.correlationIds).toEqual([deletes[0].requestId]);
  expect(await h.app.stores.schedule.get(orphanWatchJobId(request.id))).toBeUndefined();
});

test("the watch's DELETE that deletes: deleted, with its request id, and the watch ends", async () => {
  const { request, plan } = await orphanedThenBack();

  await runDueAfter(DAY);
  const { outcomes, deletes } = await watchTrail(request.id);
  expect(deletes.map((r) => r.status)).toEqual([200]);
  expect(outcomes).toEqual(['absent', 'deleted']);
  const last = (await h.app.audit.forRequest(request.id))
    .filter((e) => e.action === 'access.revoke.roleAssignment')
    .at(-1)!;
  expect(last.correlationIds).toEqual([deletes[0].requestId]);
  expect(state().hasPullAccess(contosoId, plan.identity.objectId)).toBe(false);
  expect(await h.app.stores.schedule.get(orphanWatchJobId(request.id))).toBeUndefined();
});
