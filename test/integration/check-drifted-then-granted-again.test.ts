/**
 * `check` and `access` after a grant's role assignment was removed outside acrbot (`az aks update
 * --detach-acr`: drift `deleted`) and another requester's grant of the pair, approved after it,
 * made the assignment again under the same deterministic name. The lifecycle no longer counts
 * the drifted grant as holding that assignment (made-again-since-drift.ts): the later grant's end
 * deletes it. Both answers say so: pull ends with the later grant, which is the one behind the
 * assignment, and the drifted grant is shown as drifted, not as holding it. Through the real app
 * and the ARM emulator, with a test clock (shared steps: test/helpers/lifecycle.ts).
 */
import { LISTING_LAG_GRACE_MS } from '../../src/domain/listing-lag';
import { shortTime } from '../../src/domain/pull-diagnosis';
import { users } from '../helpers/harness';
import {
  advance,
  assignmentsOn,
  contosoId,
  grant,
  h,
  MINUTE,
  second,
  start,
  useLifecycleHooks,
} from '../helpers/lifecycle';

/** Removes every role assignment on contosoacr, as `az aks update --detach-acr` does, and lets the sweep see it. */
async function detachAndSweep(id: string): Promise<void> {
  const arm = h.app.sandbox!.arm.state;
  for (const a of assignmentsOn(contosoId)) arm.roleAssignments.delete(a.name);
  // Once Azure's listing has had time to show the grant (before, its absence is no drift: listing-lag.ts).
  advance(LISTING_LAG_GRACE_MS);
  expect((await h.app.services.drift.sweep()).map((r) => r.id)).toEqual([id]);
  expect((await h.app.store.get(id))!.access?.driftReason).toBe('deleted');
}

describe('check and access: a drifted grant and the assignment a later grant made again', () => {
  useLifecycleHooks();

  test('pull ends with the later grant, which alone is behind the assignment', async () => {
    await start();
    const old = await grant(users.requester, 'aks-prod contosoacr --for 3d deploy payments-api');
    await detachAndSweep(old.id);
    advance(MINUTE);
    const later = await grant(second, 'aks-prod contosoacr --for 1d second team needs it');
    expect(assignmentsOn(contosoId)).toHaveLength(1);
    const oldEnd = (await h.app.store.get(old.id))!.access!.expiresAt!;
    const laterEnd = (await h.app.store.get(later.id))!.access!.expiresAt!;

    const check = await h.ask(users.approver, 'check aks-prod contosoacr');
    expect(check).toContain(
      `AcrPull on the registry itself: acrbot request ${later.id} (approved by Alex Approver, until ${shortTime(laterEnd)}).`,
    );
    expect(check).toContain(`Role-based pull ends ${shortTime(laterEnd)}.`);
    expect(check).not.toContain(shortTime(oldEnd));
    expect(check).not.toContain('its access changed outside acrbot');
    // The drifted grant is named for what it is: removed outside acrbot, not re-created.
    expect(check).toContain(`acrbot's grant ${old.id} (AcrPull) was removed outside acrbot`);

    const access = await h.ask(users.approver, 'access aks-prod');
    expect(access).toContain(
      `AcrPull on the registry — acrbot request ${later.id} (approved by Alex Approver, until ${shortTime(laterEnd)})`,
    );
    expect(access).toContain(
      `AcrPull on the registry — acrbot request ${old.id} (approved by Alex Approver) — removed outside acrbot`,
    );
    expect(access).not.toContain(shortTime(oldEnd));
  });
});
