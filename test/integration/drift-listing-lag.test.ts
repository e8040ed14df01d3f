/**
 * ARM's listing of role assignments lags the PUT that made one (src/domain/listing-lag.ts): a
 * grant's assignment missing from the listing within LISTING_LAG_GRACE_MS of the grant is not
 * marked removed outside acrbot (a mark never comes off), by `check`, the drift sweep or an
 * extension; `check` and `access` (the cluster's and the registry's) say the listing does not
 * show it yet, and the sweep marks it once the grace has passed if it is still missing. Only the
 * absence waits: a registry's mode changed right after the grant is drift at once. The lag is played by taking the assignment out of the
 * ARM emulator and putting it back, as a listing that catches up shows it. Through the real app,
 * with a test clock (shared steps: test/helpers/lifecycle.ts).
 */
import { grantedBy, LISTING_LAG_GRACE_MS } from '../../src/domain/listing-lag';
import type { GrantPlan } from '../../src/domain/plan';
import { shortTime } from '../../src/domain/pull-diagnosis';
import { users } from '../helpers/harness';
import {
  actions,
  advance,
  contosoId,
  extendApproved,
  grant,
  h,
  MINUTE,
  start,
  useLifecycleHooks,
} from '../helpers/lifecycle';

/** Takes the grant's assignment out of the emulator (the listing does not show it); puts it back when called. */
function notListed(plan: GrantPlan): () => void {
  const assignments = h.app.sandbox!.arm.state.roleAssignments;
  const record = assignments.get(plan.roleAssignmentName)!;
  expect(record).toBeDefined();
  expect(assignments.delete(plan.roleAssignmentName)).toBe(true);
  return () => assignments.set(record);
}

const driftOf = async (id: string) => (await h.app.store.get(id))!.access;

describe("a grant Azure's listing does not show yet", () => {
  useLifecycleHooks();

  test('check says the listing does not show it yet, nothing is marked; once listed, it reads as any grant', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 3d deploy payments');
    const listed = notListed(request.plan as GrantPlan);
    advance(2 * MINUTE);

    const first = await h.ask(users.requester, 'check aks-prod contosoacr');
    expect(first).toContain(
      `acrbot cannot tell yet whether aks-prod can pull from contosoacr: Azure does not list the role acrbot granted in ${request.id} yet.`,
    );
    expect(first).toContain(
      `acrbot's grant ${request.id} (AcrPull) is not in Azure's listing of role assignments yet: it was granted ${shortTime(grantedBy(request).toISOString())}`,
    );
    expect(first).toContain('Check again in a few minutes: @acrbot check aks-prod contosoacr');
    expect(first).not.toContain('removed outside acrbot');
    expect(first).not.toContain('@acrbot grant');
    expect(await driftOf(request.id)).not.toHaveProperty('driftDetectedAt');
    expect(await h.app.services.drift.sweep()).toEqual([]);

    // The access card says what check says, in the same words: not listed yet, not removed.
    const access = await h.ask(users.approver, 'access aks-prod');
    expect(access).toContain("Not in Azure's listing yet");
    expect(access).toContain(
      `— not in Azure's listing of role assignments yet: it was granted ${shortTime(grantedBy(request).toISOString())}, and Azure can take some minutes to list a new one`,
    );
    expect(access).not.toMatch(/removed outside acrbot/i);
    expect(await driftOf(request.id)).not.toHaveProperty('driftDetectedAt');

    // So does the registry's, whose cells are built without the drift seen (its request reads live).
    const byRegistry = await h.ask(users.approver, 'access contosoacr');
    expect(byRegistry).toContain("Not in Azure's listing yet");
    expect(byRegistry).toContain(
      `— not in Azure's listing of role assignments yet: it was granted ${shortTime(grantedBy(request).toISOString())}, and Azure can take some minutes to list a new one`,
    );
    expect(byRegistry).not.toMatch(/removed outside acrbot/i);

    listed();
    const second = await h.ask(users.requester, 'check aks-prod contosoacr');
    expect(second).toContain(
      `aks-prod can pull from contosoacr: AcrPull on the registry itself — acrbot request ${request.id}`,
    );
    expect(second).toContain(`Extend before it ends: @acrbot extend ${request.id} REASON…`);
    expect(second).not.toContain('changed outside acrbot');
    expect(await driftOf(request.id)).not.toHaveProperty('driftDetectedAt');
    expect(await actions(request.id)).not.toContain('access.drift:deleted');
  });

  test('still missing once the grace has passed: the drift sweep marks it removed, and check says so', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 3d deploy payments');
    notListed(request.plan as GrantPlan);

    expect(await h.app.services.drift.sweep()).toEqual([]);
    advance(LISTING_LAG_GRACE_MS - MINUTE);
    expect(await h.app.services.drift.sweep()).toEqual([]);
    expect(await h.ask(users.approver, 'access contosoacr')).toContain("Not in Azure's listing yet");
    advance(MINUTE);
    // Past the grace, before the sweep records it: `access REGISTRY` says removed, as the sweep will.
    const byRegistry = await h.ask(users.approver, 'access contosoacr');
    expect(byRegistry).toContain('Removed outside acrbot');
    expect(byRegistry).toContain(`acrbot request ${request.id}`);
    expect(byRegistry).toContain('— removed outside acrbot');
    expect(byRegistry).not.toContain('listing yet');
    expect((await h.app.services.drift.sweep()).map((r) => r.id)).toEqual([request.id]);
    expect(await driftOf(request.id)).toMatchObject({ driftReason: 'deleted', driftDetectedAt: expect.any(String) });

    const check = await h.ask(users.requester, 'check aks-prod contosoacr');
    expect(check).toContain(`acrbot's grant ${request.id} (AcrPull) was removed outside acrbot on `);
    expect(check).toContain('Fix\n@acrbot grant aks-prod contosoacr REASON…');
  });

  test('an extension while the listing lags is not refused as drifted', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 1d deploy payments');
    const listed = notListed(request.plan as GrantPlan);

    await extendApproved(request.id, '--for 2d release still rolling out');
    expect((await driftOf(request.id))?.extendedBy).toHaveLength(1);
    expect(await driftOf(request.id)).not.toHaveProperty('driftDetectedAt');
    listed();
  });

  test("only the absence waits: a registry's mode changed right after the grant is drift at once", async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 3d deploy payments');
    h.app.sandbox!.arm.state.getRegistry(contosoId)!.roleAssignmentMode = 'AbacRepositoryPermissions';

    expect((await h.app.services.drift.sweep()).map((r) => r.id)).toEqual([request.id]);
    expect(await driftOf(request.id)).toMatchObject({ driftReason: 'modeChanged' });
  });
});
