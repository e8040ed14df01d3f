/**
 * G17 when the registry goes between a revocation's listing and its DELETE: ARM answers the
 * DELETE 404 ResourceNotFound, nothing is deleted, and Azure keeps the assignment at its id (it
 * grants pull again if a registry of that name comes back). The revocation records `absent`, as
 * when its listing finds the registry gone, and leaves the daily orphan watch, never a `deleted`
 * entry carrying the 404's request id as a deletion's. A DELETE that deletes is still `deleted`.
 * A 404 after an earlier attempt marked the assignment and sent a DELETE whose answer was lost is
 * that attempt's deletion (`alreadyDeleted`), not one made outside acrbot.
 */
import type { GrantPlan } from '../../src/domain/plan';
import { orphanWatchJobId } from '../../src/flows/orphan-watch';
import { users } from '../helpers/harness';
import { grant, h, MINUTE, outcomeSent, runDueAfter, start, useLifecycleHooks } from '../helpers/lifecycle';

useLifecycleHooks();

/** A two-minute grant, its end run with `beforeEnd` done first: revoked. */
async function revokedAtItsEnd(beforeEnd: () => void = () => {}) {
  await start();
  const request = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
  await outcomeSent(request.id);
  beforeEnd();
  await runDueAfter(2 * MINUTE);
  expect((await h.app.store.get(request.id))!.state).toBe('revoked');
  const entries = (await h.app.audit.forRequest(request.id)).filter(
    (e) => e.action === 'access.revoke.roleAssignment' && e.outcome !== 'deleting',
  );
  const deletes = h.app.sandbox!.arm.requests.filter((r) => r.operation === 'roleAssignments.delete');
  return { request, plan: request.plan as GrantPlan, entries, deletes };
}

test('a DELETE answered 404 ResourceNotFound (the registry gone since the listing): absent, watched, nothing said deleted', async () => {
  const { request, plan, entries, deletes } = await revokedAtItsEnd(() =>
    h.app.sandbox!.arm.faults.add({
      operation: 'roleAssignments.delete',
      status: 404,
      code: 'ResourceNotFound',
      count: 1,
    }),
  );
  expect(deletes.map((r) => r.status)).toEqual([404]);
  expect(entries.map((e) => e.outcome)).toEqual(['absent']);
  // The 404's id still traces the DELETE in the Activity Log; the words say nothing was deleted.
  expect(entries[0].correlationIds).toEqual([deletes[0].requestId]);
  expect(entries[0].detail).toMatch(/registry contosoacr no longer exists \(Azure answered ResourceNotFound\)/);
  expect(entries[0].detail).toMatch(/nothing deleted/);
  // The assignment is still at its id in Azure (the fault answered in its place): watched daily.
  expect(h.app.sandbox!.arm.state.roleAssignments.get(plan.roleAssignmentName.toLowerCase())).toBeDefined();
  expect(await h.app.stores.schedule.get(orphanWatchJobId(request.id))).toBeDefined();
  expect((await h.app.store.get(request.id))!.access?.orphanWatchUntil).toBeDefined();
});

test('a DELETE that deletes: deleted, with its request id, and no watch', async () => {
  const { request, plan, entries, deletes } = await revokedAtItsEnd();
  expect(deletes.map((r) => r.status)).toEqual([200]);
  expect(entries.map((e) => e.outcome)).toEqual(['deleted']);
  expect(entries[0].correlationIds).toEqual([deletes[0].requestId]);
  expect(h.app.sandbox!.arm.state.roleAssignments.get(plan.roleAssignmentName.toLowerCase())).toBeUndefined();
  expect(await h.app.stores.schedule.get(orphanWatchJobId(request.id))).toBeUndefined();
});

test("a DELETE answered 404 after an earlier attempt's DELETE whose answer was lost: acrbot's deletion, not one outside it", async () => {
  await start();
  const request = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
  await outcomeSent(request.id);
  // The first attempt's DELETE is answered 500, and so are the client's three retries of it (any
  // may have gone through: the attempt's mark stands); the next attempt still lists the
  // assignment (ARM's reads lag a delete) and its DELETE is answered 404.
  h.app.sandbox!.arm.faults.add({
    operation: 'roleAssignments.delete',
    status: 500,
    code: 'InternalServerError',
    count: 4,
  });
  h.app.sandbox!.arm.faults.add({
    operation: 'roleAssignments.delete',
    status: 404,
    code: 'RoleAssignmentNotFound',
    count: 1,
  });
  await runDueAfter(2 * MINUTE);
  for (let i = 0; i < 10 && (await h.app.store.get(request.id))!.state !== 'revoked'; i++)
    await runDueAfter(5 * MINUTE);
  expect((await h.app.store.get(request.id))!.state).toBe('revoked');
  const deletes = h.app.sandbox!.arm.requests.filter((r) => r.operation === 'roleAssignments.delete');
  expect(deletes.map((r) => r.status)).toEqual([500, 500, 500, 500, 404]);
  const entries = (await h.app.audit.forRequest(request.id)).filter(
    (e) => e.action === 'access.revoke.roleAssignment' && e.outcome !== 'deleting',
  );
  expect(entries.map((e) => e.outcome)).toEqual(['alreadyDeleted']);
  expect(entries[0].correlationIds).toEqual([deletes[4].requestId]);
});
