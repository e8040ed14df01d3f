/**
 * A `deleted` drift mark stays when the assignment is back: its owner removed it outside acrbot,
 * and that removal stands for the grant (G15), even once a role assignment of the same name is
 * there again (made by hand, or another grant). Only `identityChanged` and `modeChanged` marks
 * come off (drift-mark-comes-off.test.ts). A test clock, to be past the listing's lag.
 */
import { LISTING_LAG_GRACE_MS } from '../../src/domain/listing-lag';
import type { GrantPlan } from '../../src/domain/plan';
import { users } from '../helpers/harness';
import { advance, grant, h, start, useLifecycleHooks } from '../helpers/lifecycle';

describe('a deleted drift mark', () => {
  useLifecycleHooks();

  test('stays once an assignment of the same name is back: no entry, no card', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 3d deploy payments-api');
    const store = h.app.sandbox!.arm.state.roleAssignments;
    const name = (request.plan as GrantPlan).roleAssignmentName;
    const assignment = store.get(name)!;
    advance(LISTING_LAG_GRACE_MS);
    store.delete(name);
    expect((await h.app.services.drift.sweep()).map((r) => r.id)).toEqual([request.id]);
    store.set(assignment);

    await h.app.services.drift.sweep();

    const access = (await h.app.store.get(request.id))!.access;
    expect(access?.driftReason).toBe('deleted');
    expect(access?.driftCleared).toBeUndefined();
    const entries = (await h.app.audit.forRequest(request.id)).filter((e) => e.action === 'access.drift');
    expect(entries.map((e) => e.outcome)).toEqual(['deleted']);
  });
});
