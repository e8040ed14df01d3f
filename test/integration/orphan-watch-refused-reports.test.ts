/**
 * The orphan watch over a registry moved back without acrbot's rights (they do not move with it):
 * each look is refused (403) and retried at the scheduler's backoff, and the approvers get a
 * "Needs attention" card after 3 failures, then about once a day, as for a recurring job — not
 * one on every retry (every half hour for up to the watch's 90 days). With the production
 * backoff (30 s … 30 min) and report threshold (3), not the lifecycle tests' short ones.
 */
import type { GrantPlan } from '../../src/domain/plan';
import { orphanWatchJobId } from '../../src/flows/orphan-watch';
import { BUILT_IN_ROLES } from '../../src/sandbox/arm/role-definitions';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { contosoId, DAY, MINUTE } from '../helpers/lifecycle';

const HOUR = 60 * MINUTE;
let now = new Date('2026-11-30T10:00:00Z');
let h: Harness | undefined;

afterEach(async () => {
  await h?.stop();
});

async function runDueAt(at: Date): Promise<void> {
  now = at;
  await h!.app.scheduler.runDue();
  await h!.app.services.background.drain();
}

const reports = () =>
  h!.connector.calls
    .filter((c) => c.op !== 'update' && /Needs attention/.test(cardText(c.activity)))
    .map((c) => ({ text: cardText(c.activity), at: now.getTime() }));

test('moved back without acrbot rights: two days of refused looks give a report a day, not one per retry', async () => {
  h = await startHarness(
    { ACRBOT_MIN_ACCESS_DURATION: '1m', ACRBOT_EXPIRY_REMINDERS: 'none' },
    { clock: { now: () => now } },
  );
  const state = h.app.sandbox!.arm.state;
  const request = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 1h deploy payments-api');
  await h.click(users.approver, 'approve', { requestId: request.id });
  expect((await h.settle(request.id)).state).toBe('succeeded');
  const plan = request.plan as GrantPlan;
  const reg = state.getRegistry(contosoId)!;
  const movedId = state.moveRegistry(contosoId, { resourceGroup: 'rg-temp' }).id;
  await runDueAt(new Date(now.getTime() + 61 * MINUTE));
  expect((await h.app.store.get(request.id))!.state).toBe('revoked');
  // Moved back; acrbot's rights on it stayed behind (the emulator drops them with the move).
  state.moveRegistry(movedId, { resourceGroup: reg.resourceGroup, subscriptionId: reg.subscriptionId });
  expect(state.hasPullAccess(contosoId, plan.identity.objectId)).toBe(true);

  // Every run of the watch when it falls due, for two days from its first (refused) look.
  const jobId = orphanWatchJobId(request.id);
  const firstLook = Date.parse((await h.app.stores.schedule.get(jobId))!.dueAt);
  const seen: Array<{ at: number }> = [];
  let runs = 0;
  while (now.getTime() < firstLook + 2 * DAY) {
    const job = await h.app.stores.schedule.get(jobId);
    await runDueAt(new Date(Math.max(now.getTime(), Date.parse(job!.dueAt))));
    runs++;
    for (const r of reports().slice(seen.length)) seen.push(r);
  }
  const job = await h.app.stores.schedule.get(jobId);
  // Still retried at the backoff (it finishes within half an hour of the rights given back)…
  expect(job!.attempts).toBe(runs);
  expect(runs).toBeGreaterThan(90);
  expect(job!.lastError).toMatch(/does not have authorization/);
  // …but reported after 3 failures and then a day apart: 2 or 3 in two days, not ~90.
  const all = reports();
  expect(all.length).toBeGreaterThanOrEqual(2);
  expect(all.length).toBeLessThanOrEqual(3);
  expect(all[0].text).toMatch(
    /is not done after 3 attempts \(last answer: 403 AuthorizationFailed, denied action Microsoft\.\S+, Azure request id /,
  );
  for (let i = 1; i < seen.length; i++) expect((seen[i].at - seen[i - 1].at) / HOUR).toBeGreaterThan(19);

  // Rights given back: the next retry deletes the orphan and the watch ends, reporting nothing more.
  state.assignCallerRole(contosoId, BUILT_IN_ROLES.rbacAdministrator);
  await runDueAt(new Date(Date.parse(job!.dueAt)));
  expect(state.hasPullAccess(contosoId, plan.identity.objectId)).toBe(false);
  expect(await h.app.stores.schedule.get(jobId)).toBeUndefined();
  expect(reports()).toHaveLength(all.length);
});
