/**
 * An extension's run reads its original's role assignment on the registry, as the drift sweep
 * does, instead of trusting the store alone: drift is recorded only when a sweep sees it (every
 * ACRBOT_DRIFT_INTERVAL), and until then the approval and every store-side check pass. An
 * assignment deleted outside acrbot, or gone with its registry deleted and made again under the
 * same name (which passes the grant's re-check: same registry, same mode, same identity), fails
 * the extension with `extend.drifted`: no "Extended", the end where it was, the drift recorded
 * there and then (`noticed by extension`) and the requester told why.
 */
import { LISTING_LAG_GRACE_MS } from '../../src/domain/listing-lag';
import type { GrantPlan } from '../../src/domain/plan';
import { REQUEST_STATES, type AccessRequest } from '../../src/domain/request';
import { cardText } from '../helpers/capturing-connector';
import { grantApproved } from '../helpers/grant-approved';
import { type Harness, startHarness, users } from '../helpers/harness';
import { MovableClock } from '../helpers/movable-clock';

const DRIFTED =
  /was removed or changed outside acrbot .*nothing was extended\. Ask for the access again with "@acrbot grant aks-prod contosoacr REASON…"/;

describe('extending a grant whose assignment is gone before a drift sweep saw it', () => {
  let h: Harness;
  let clock: MovableClock;
  beforeEach(async () => {
    clock = new MovableClock();
    h = await startHarness({}, { clock });
  });
  afterEach(() => h.stop());

  /**
   * `extend` in chat, approved, run; the extension once its run is done. Asked once Azure's
   * listing has had time to show the grant (before, its absence is no drift: listing-lag.ts).
   */
  async function extendedAndRun(request: AccessRequest): Promise<AccessRequest> {
    clock.advance(LISTING_LAG_GRACE_MS);
    await h.say(users.requester, `extend ${request.id} --for 2d release still rolling out`);
    await h.connector.waitFor((c) => c.op !== 'update' && /Extends/.test(cardText(c.activity)), 5000, 'plan card');
    const [extension] = (await h.app.store.listByRequester(users.requester.objectId, [...REQUEST_STATES])).filter(
      (r) => r.extendsRequestId === request.id,
    );
    expect(extension).toMatchObject({ state: 'pending' });
    await h.click(users.approver, 'approve', { requestId: extension!.id });
    return h.settle(extension!.id);
  }

  /** The run refused it as drifted, told the requester, left the end, and recorded the drift. */
  async function expectRefused(request: AccessRequest, done: AccessRequest): Promise<void> {
    expect(done.state).toBe('failed');
    expect(done.outcome).toMatchObject({ summary: 'Failed', errorCode: 'extend.drifted' });
    expect(done.outcome?.error).toMatch(DRIFTED);
    await h.connector.waitFor((c) => DRIFTED.test(cardText(c.activity)), 5000, 'the refusal on a card');
    const original = (await h.app.store.get(request.id))!;
    expect(original.access?.expiresAt).toBe(request.access?.expiresAt);
    expect(original.access?.extendedBy).toBeUndefined();
    expect(original.access).toMatchObject({ driftReason: 'deleted', driftDetectedAt: expect.any(String) });
    const drift = (await h.app.audit.forRequest(request.id)).filter((e) => e.action === 'access.drift');
    expect(drift).toEqual([expect.objectContaining({ outcome: 'deleted' })]);
    expect(drift[0]!.detail).toContain('noticed by extension');
    // The sweep that comes later finds it already recorded.
    expect(await h.app.services.drift.sweep()).toEqual([]);
  }

  test('the assignment deleted in the portal: refused as drifted, the end unmoved', async () => {
    const request = await grantApproved(h, 'aks-prod contosoacr --for 1d deploy payments-api');
    const plan = request.plan as GrantPlan;
    const st = h.app.sandbox!.arm.state;
    expect(st.roleAssignments.delete(plan.roleAssignmentName)).toBe(true);

    await expectRefused(request, await extendedAndRun(request));
    expect(st.hasPullAccess(plan.registry.id, plan.identity.objectId)).toBe(false);
  });

  test('the registry deleted and made again under the same name: refused as drifted, nothing re-created', async () => {
    const request = await grantApproved(h, 'aks-prod contosoacr --for 1d deploy payments-api');
    const plan = request.plan as GrantPlan;
    const st = h.app.sandbox!.arm.state;
    const registry = st.getRegistry(plan.registry.id)!;
    // Deleting a registry deletes the role assignments on it.
    st.roleAssignments.delete(plan.roleAssignmentName);
    st.removeRegistry(registry.id);
    st.addRegistry({
      subscriptionId: registry.subscriptionId,
      resourceGroup: registry.resourceGroup,
      name: registry.name,
      sku: registry.sku,
    });

    await expectRefused(request, await extendedAndRun(request));
    expect(st.hasPullAccess(plan.registry.id, plan.identity.objectId)).toBe(false);
  });

  test('the assignment still there: extended, nothing recorded', async () => {
    const request = await grantApproved(h, 'aks-prod contosoacr --for 1d deploy payments-api');
    const done = await extendedAndRun(request);
    expect(done.state).toBe('succeeded');
    expect(done.outcome?.summary).toMatch(new RegExp(`^Extended the access of ${request.id}`));
    expect((await h.app.store.get(request.id))!.access?.driftDetectedAt).toBeUndefined();
  });
});
