/**
 * `check` says acrbot's orphan watch removes an ended grant's role assignment only when the
 * grant's revocation met its registry gone and scheduled that watch (recorded on the request as
 * `access.orphanWatchUntil`): a grant revoked normally whose assignment Azure still lists (a
 * listing that lags, or one made again) is watched by nothing, and is not said to be.
 */
import type { GrantPlan } from '../../src/domain/plan';
import { ORPHAN_WATCH_MS } from '../../src/domain/access-inventory';
import { BUILT_IN_ROLES } from '../../src/sandbox/arm/role-definitions';
import { orphanWatchJobId } from '../../src/flows/orphan-watch';
import { users } from '../helpers/harness';
import { contosoId, grant, h, MINUTE, runDueAfter, start, useLifecycleHooks } from '../helpers/lifecycle';

useLifecycleHooks();

const state = () => h.app.sandbox!.arm.state;

/** A one-hour grant ended by its end job, after `before` (run just before the end). */
async function ended(before: () => void = () => {}) {
  await start();
  const request = await grant(users.requester, 'aks-prod contosoacr --for 1h deploy payments-api');
  before();
  await runDueAfter(61 * MINUTE);
  await runDueAfter(2 * MINUTE);
  const revoked = (await h.app.store.get(request.id))!;
  expect(revoked.state).toBe('revoked');
  return { revoked, plan: request.plan as GrantPlan };
}

test('revoked normally, its assignment still listed: not said to be watched, and said how to remove it', async () => {
  const { revoked, plan } = await ended();
  expect(revoked.access?.orphanWatchUntil).toBeUndefined();
  // Azure still lists it (as a lagging listing would): acrbot's name, principal, role and scope.
  state().addRoleAssignment({
    scope: contosoId,
    roleDefinitionGuid: BUILT_IN_ROLES.acrPull,
    principalId: plan.identity.objectId,
    name: plan.roleAssignmentName,
  });
  const reply = await h.ask(users.requester, 'check aks-prod contosoacr');
  expect(reply).not.toMatch(/acrbot is removing it|looks daily|registry gone|registry was not at this id/);
  expect(reply).toMatch(/nothing acrbot runs removes it now\. To end it: az role assignment delete --ids/);
});

test('revoked with its registry gone: the watch is recorded on the request, and `check` says it removes it', async () => {
  const reg = { ...state().getRegistry(contosoId)! };
  const { revoked } = await ended(() => state().removeRegistry(contosoId));
  const until = revoked.access?.orphanWatchUntil;
  expect(Date.parse(until!) - Date.parse(revoked.access!.revokedAt!)).toBeLessThanOrEqual(ORPHAN_WATCH_MS);
  expect(Date.parse(until!)).toBeGreaterThan(Date.parse(revoked.access!.revokedAt!));
  // The window recorded is the watch job's own (what `check` promises is what runs).
  const job = await h.app.stores.schedule.get(orphanWatchJobId(revoked.id));
  expect(Date.parse(until!)).toBe(Date.parse((job!.payload as { until: string }).until));
  expect(Date.parse(until!) - Date.parse(revoked.access!.revokedAt!)).toBeGreaterThan(ORPHAN_WATCH_MS - 60_000);
  state().addRegistry({ subscriptionId: reg.subscriptionId, resourceGroup: reg.resourceGroup, name: reg.name });
  expect(await h.ask(users.requester, 'check aks-prod contosoacr')).toMatch(
    /acrbot is removing it \(its revocation met the registry gone from this id; acrbot looks daily until/,
  );
});
