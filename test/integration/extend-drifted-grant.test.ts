/**
 * A grant whose role assignment was removed outside acrbot (drift, src/flows/drift-detector.ts)
 * stays `succeeded` until its end, but nothing grants pull any more and acrbot never re-creates
 * it. Extending it would say "Extended" of access nobody has, so every way to extend refuses it
 * with one sentence (what happened, and to ask for the access again), audited as `extend.refused`
 * with outcome `extend.drifted`: `extend` in chat, a card's Extend, the tab (no Extend offered,
 * and a POST refused), and an extension approved before the drift was seen, when it runs. One
 * still waiting for approval when the drift is recorded is closed by it, as an end closes it.
 */
import { LISTING_LAG_GRACE_MS } from '../../src/domain/listing-lag';
import type { GrantPlan } from '../../src/domain/plan';
import { REQUEST_STATES, transition, type AccessRequest, type Actor } from '../../src/domain/request';
import { cardText } from '../helpers/capturing-connector';
import { expectExtendRefusedEverywhere } from '../helpers/extend-refused-everywhere';
import { grantApproved } from '../helpers/grant-approved';
import { type Harness, startHarness, users } from '../helpers/harness';
import { MovableClock } from '../helpers/movable-clock';

const DRIFTED =
  /was removed or changed outside acrbot .*nothing was extended\. Ask for the access again with "@acrbot grant aks-prod contosoacr REASON…"/;

describe('extending a grant removed outside acrbot (drift)', () => {
  let h: Harness;
  let clock: MovableClock;
  beforeEach(async () => {
    clock = new MovableClock();
    h = await startHarness({}, { clock });
  });
  afterEach(() => h.stop());

  /** Someone deletes acrbot's assignment in the portal, and the drift check sees it. */
  async function drifted(request: AccessRequest): Promise<AccessRequest> {
    expect(h.app.sandbox!.arm.state.roleAssignments.delete((request.plan as GrantPlan).roleAssignmentName)).toBe(true);
    // Once Azure's listing has had time to show the grant (before, its absence is no drift: listing-lag.ts).
    clock.advance(LISTING_LAG_GRACE_MS);
    expect((await h.app.services.drift.sweep()).map((r) => r.id)).toEqual([request.id]);
    return (await h.app.store.get(request.id))!;
  }

  const extensionsOf = async (id: string) =>
    (await h.app.store.listByRequester(users.requester.objectId, [...REQUEST_STATES])).filter(
      (r) => r.extendsRequestId === id,
    );

  test('chat, a card’s Extend and the tab refuse it, audited; no extension is made; asking again works', async () => {
    const request = await drifted(await grantApproved(h, 'aks-prod contosoacr --for 1d deploy payments-api'));

    await expectExtendRefusedEverywhere(h, request.id, { says: DRIFTED, outcome: 'extend.drifted' });
    expect(await extensionsOf(request.id)).toEqual([]);

    // What the sentence advises: a new grant is planned and goes to the approvers.
    expect((await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api again')).state).toBe(
      'pending',
    );
  });

  test('an extension filed before the drift is closed by it, its requester sent to a new grant; one approved before the drift was seen fails when it runs: no "Extended", the end unmoved', async () => {
    const request = await grantApproved(h, 'aks-prod contosoacr --for 1d deploy payments-api');
    await h.say(users.requester, `extend ${request.id} --for 2d release still rolling out`);
    const [extension] = await h.connector
      .waitFor((c) => c.op !== 'update' && /Extends/.test(cardText(c.activity)), 5000, 'the extension’s plan card')
      .then(() => extensionsOf(request.id));
    expect(extension).toMatchObject({ state: 'pending' });
    await drifted(request);

    // Closed with the drift, as an end closes it: nobody is asked about it any more.
    expect(await h.app.store.get(extension!.id)).toMatchObject({ state: 'expired', originalDrifted: true });
    expect((await h.app.audit.forRequest(extension!.id)).map((e) => `${e.action}:${e.outcome}`)).toContain(
      'request.expired:expired',
    );
    await h.connector.waitFor(
      (c) => /Closed without a decision/.test(cardText(c.activity)) && /make a new request/.test(cardText(c.activity)),
      5000,
      "the requester's news of the closed extension",
    );
    const click = await h.click(users.approver, 'approve', { requestId: extension!.id });
    expect(cardText({ attachments: [{ content: click.body.value }] })).toContain(
      'Closed without a decision: the access it extends',
    );
    expect((await h.app.store.get(extension!.id))!.state).toBe('expired');

    // An extension approved before the drift was seen (its run not started yet) is not pending,
    // so the drift leaves it: its run finds the original drifted and extends nothing.
    const later = await grantApproved(h, 'aks-prod contosoacr --for 1d deploy payments-api again');
    await h.say(users.requester, `extend ${later.id} --for 2d release still rolling out`);
    const [second] = await h.connector
      .waitFor(
        (c) => c.op !== 'update' && new RegExp(`Extend ${later.id}`).test(cardText(c.activity)),
        5000,
        'the second extension’s plan card',
      )
      .then(() => extensionsOf(later.id));
    await h.app.store.update(transition(second!, { type: 'approve', by: users.approver as Actor, at: new Date() }));
    await drifted(later);
    expect((await h.app.store.get(second!.id))!.state).toBe('approved');
    await h.app.services.executor.schedule(second!.id);
    const done = await h.settle(second!.id);
    expect(done.state).toBe('failed');
    expect(done.outcome).toMatchObject({ summary: 'Failed', errorCode: 'extend.drifted' });
    expect(done.outcome?.error).toMatch(DRIFTED);
    const original = (await h.app.store.get(later.id))!;
    expect(original.access?.expiresAt).toBe(later.access?.expiresAt);
    expect(original.access?.extendedBy).toBeUndefined();
  });
});
