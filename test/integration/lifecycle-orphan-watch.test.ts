/**
 * G17 over a registry that was not at its recorded id when a grant ended (deleted, or moved
 * away): Azure keeps acrbot's role assignment at the old scope, and it gives pull again once a
 * registry is there again. The revocation leaves a watch that looks daily for 90 days and
 * deletes acrbot's own assignment (G15: its recorded name, principal, role and scope) when the
 * registry is back; a different assignment under that name is left in place, and so is one with
 * all of those that Azure says was made after the access ended (someone else's, at the same
 * deterministic id); after the window the watch ends, deleting and auditing nothing more.
 */
import type { GrantPlan } from '../../src/domain/plan';
import { ORPHAN_WATCH_MS } from '../../src/domain/access-inventory';
import { ORPHAN_WATCH_SPREAD_MS, orphanWatchJobId } from '../../src/flows/orphan-watch';
import { spreadOf } from '../../src/flows/retry-jitter';
import { BUILT_IN_ROLES } from '../../src/sandbox/arm/role-definitions';
import { users } from '../helpers/harness';
import { advance, contosoId, DAY, grant, h, MINUTE, runDueAfter, start, useLifecycleHooks } from '../helpers/lifecycle';

useLifecycleHooks();

/** AcrPush: carries pull, but not the role acrbot assigned (AcrPull). */
const ACR_PUSH = '8311e382-0749-4cb8-b61a-304f252e45ec';

/** A one-hour grant, then its registry taken away by `away`, then its end run: revoked. */
async function endedWhileAway(away: () => void) {
  await start();
  const request = await grant(users.requester, 'aks-prod contosoacr --for 1h deploy payments-api');
  const reg = state().getRegistry(contosoId)!;
  away();
  await runDueAfter(61 * MINUTE);
  await runDueAfter(2 * MINUTE);
  expect((await h.app.store.get(request.id))!.state).toBe('revoked');
  return { request, plan: request.plan as GrantPlan, reg };
}

const state = () => h.app.sandbox!.arm.state;

async function revokeEntries(id: string) {
  return (await h.app.audit.forRequest(id)).filter((e) => e.action === 'access.revoke.roleAssignment');
}

test("the watch's first look is due at a time drawn from its id, not at random: the same on every run", async () => {
  const { request } = await endedWhileAway(() => state().removeRegistry(contosoId));
  const id = orphanWatchJobId(request.id);
  const job = (await h.app.stores.schedule.get(id))!;
  // Its window ends ORPHAN_WATCH_MS after the revocation scheduled it.
  const revokedAt = Date.parse((job.payload as { until: string }).until) - ORPHAN_WATCH_MS;
  expect(Date.parse(job.dueAt)).toBe(revokedAt + DAY - Math.floor(spreadOf(id, 0) * ORPHAN_WATCH_SPREAD_MS));
});

test('deleted, then made again under the same name: the orphaned assignment is deleted at the next daily look', async () => {
  const { request, plan, reg } = await endedWhileAway(() => state().removeRegistry(contosoId));
  state().addRegistry({ subscriptionId: reg.subscriptionId, resourceGroup: reg.resourceGroup, name: reg.name });
  expect(state().hasPullAccess(contosoId, plan.identity.objectId)).toBe(true);
  // Until its next look, `check` says the watch removes it, not an end job that does not exist.
  expect(await h.ask(users.requester, 'check aks-prod contosoacr')).toMatch(
    /acrbot is removing it \(its revocation met the registry gone from this id; acrbot looks daily until/,
  );

  await runDueAfter(DAY);
  expect(state().hasPullAccess(contosoId, plan.identity.objectId)).toBe(false);
  expect((await revokeEntries(request.id)).map((e) => e.outcome)).toEqual(['absent', 'deleted']);
  expect(await h.app.stores.schedule.get(orphanWatchJobId(request.id))).toBeUndefined();
});

test('moved away, then moved back: the orphan is deleted, and a new grant is a new request', async () => {
  let movedId = '';
  const { request, plan, reg } = await endedWhileAway(() => {
    movedId = state().moveRegistry(contosoId, { resourceGroup: 'rg-temp' }).id;
  });
  // Still away at the first look: it looks again the next day.
  await runDueAfter(DAY);
  expect(await h.app.stores.schedule.get(orphanWatchJobId(request.id))).toBeDefined();
  state().moveRegistry(movedId, { resourceGroup: reg.resourceGroup, subscriptionId: reg.subscriptionId });
  // acrbot's own rights on the registry did not move with it (the emulator drops them): given
  // back as registry-access.bicep gives them, as its operator would after the move.
  state().assignCallerRole(contosoId, BUILT_IN_ROLES.rbacAdministrator);
  expect(state().hasPullAccess(contosoId, plan.identity.objectId)).toBe(true);

  await runDueAfter(DAY);
  expect(state().hasPullAccess(contosoId, plan.identity.objectId)).toBe(false);
  const deleted = (await revokeEntries(request.id)).find((e) => e.outcome === 'deleted');
  expect(deleted?.detail).toMatch(/registry is at its recorded id again/);
  const again = await h.ask(users.requester, 'grant aks-prod contosoacr --for 1h deploy again');
  expect(again).not.toMatch(/can already pull/);
});

test('never back: the watch ends after 90 days, deleting and auditing nothing more', async () => {
  const { request, plan, reg } = await endedWhileAway(() => state().removeRegistry(contosoId));
  const before = await h.app.audit.forRequest(request.id);
  for (let day = 1; day <= 85; day++) await runDueAfter(DAY);
  // Still looking after 85 days; gone a day after the 90th.
  expect(await h.app.stores.schedule.get(orphanWatchJobId(request.id))).toBeDefined();
  for (let day = 86; day <= 91; day++) await runDueAfter(DAY);
  expect(await h.app.stores.schedule.get(orphanWatchJobId(request.id))).toBeUndefined();
  expect(await h.app.audit.forRequest(request.id)).toHaveLength(before.length);
  // Azure (the emulator) still keeps it at the old scope: the watch deleted nothing.
  expect(
    state()
      .listRoleAssignments()
      .some((a) => a.name === plan.roleAssignmentName),
  ).toBe(true);
  // Back after the watch: `check` says nothing removes it, and how to.
  state().addRegistry({ subscriptionId: reg.subscriptionId, resourceGroup: reg.resourceGroup, name: reg.name });
  const reply = await h.ask(users.requester, 'check aks-prod contosoacr');
  expect(reply).toMatch(/nothing acrbot runs removes it now\. To end it: az role assignment delete --ids/);
  expect(reply).not.toMatch(/acrbot is removing it/);
});

test('back, with another role under the recorded name: left in place and audited, the watch stops', async () => {
  const { request, plan, reg } = await endedWhileAway(() => state().removeRegistry(contosoId));
  state().addRegistry({ subscriptionId: reg.subscriptionId, resourceGroup: reg.resourceGroup, name: reg.name });
  state().addRoleAssignment({
    scope: contosoId,
    roleDefinitionGuid: ACR_PUSH,
    principalId: plan.identity.objectId,
    name: plan.roleAssignmentName,
  });

  await runDueAfter(DAY);
  const kept = state()
    .listRoleAssignments()
    .find((a) => a.name === plan.roleAssignmentName);
  expect(kept?.roleDefinitionId).toMatch(new RegExp(`${ACR_PUSH}$`));
  const last = (await revokeEntries(request.id)).at(-1)!;
  expect(last.outcome).toBe('absent');
  expect(last.detail).toMatch(/not the one acrbot created/);
  expect(await h.app.stores.schedule.get(orphanWatchJobId(request.id))).toBeUndefined();
});

test('back, with the same assignment made by another party after the access ended: left in place and audited, the watch stops', async () => {
  const { request, plan, reg } = await endedWhileAway(() => state().removeRegistry(contosoId));
  const ended = Date.parse((await h.app.store.get(request.id))!.access!.revokedAt!);
  state().addRegistry({ subscriptionId: reg.subscriptionId, resourceGroup: reg.resourceGroup, name: reg.name });
  // acrbot's orphan is removed by hand, and hours later another acrbot deployment (or a person
  // using the same GUID) makes the very assignment again: same name, principal, role and scope.
  state().roleAssignments.delete(plan.roleAssignmentName);
  const made = advance(3 * 60 * MINUTE);
  const theirs = state().addRoleAssignment({
    scope: contosoId,
    roleDefinitionGuid: plan.role.id,
    principalId: plan.identity.objectId,
    name: plan.roleAssignmentName,
    createdBy: '99999999-0000-4000-8000-000000000001',
  });
  // Stamped in the bot's (test) time, later than the end acrbot recorded.
  expect(Date.parse(theirs.createdOn)).toBe(made.getTime());
  expect(made.getTime()).toBeGreaterThan(ended);

  await runDueAfter(DAY);
  expect(state().hasPullAccess(contosoId, plan.identity.objectId)).toBe(true);
  const kept = state()
    .listRoleAssignments()
    .find((a) => a.name === plan.roleAssignmentName);
  expect(kept?.createdBy).toBe('99999999-0000-4000-8000-000000000001');
  const last = (await revokeEntries(request.id)).at(-1)!;
  expect(last.outcome).toBe('notOurs');
  expect(last.detail).toContain(
    `made on ${made.toISOString()}, after acrbot's access ended, so not by acrbot; left in place`,
  );
  expect(last.targetIds).toEqual([theirs.id]);
  expect(await h.app.stores.schedule.get(orphanWatchJobId(request.id))).toBeUndefined();
});
