/**
 * One open extension per request (G17 with the tab), from chat and the tab alike and across
 * instances: two bot instances on one SQLite store and one emulated Azure. While an extension of
 * a grant waits for approval, a second one is refused — by the tab API (409) and by chat on the
 * other instance — with a sentence naming the pending one and how to withdraw it; nothing is
 * stored. Once it is withdrawn, a new extension may be asked again. The check and the creation
 * run under the lease `extend:<id>`, so extensions asked at the same moment on both instances
 * make exactly one.
 */
import type { AccessRequest } from '../../src/domain/request';
import type { Sandbox } from '../../src/sandbox/sandbox';
import { SANDBOX_TAB_APP_ID } from '../../src/tab/mount-tab';
import { type CapturingConnector, cardText } from '../helpers/capturing-connector';
import { grantApproved } from '../helpers/grant-approved';
import { type Harness, users } from '../helpers/harness';
import { tabCall } from '../helpers/tab-call';
import { twoInstancesOnOneStore } from '../helpers/two-instances';

const AUDIENCE = `api://localhost/${SANDBOX_TAB_APP_ID}`;

describe('one open extension per request, from chat and the tab, across instances', () => {
  let sandbox: Sandbox;
  let connector: CapturingConnector;
  let first: Harness;
  let second: Harness;
  let stop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    // Riley asks for more than the default 10 requests a minute here (extensions count, G16:
    // extension-limits.test.ts); this file is about one extension at a time, not the rate.
    ({ first, second, sandbox, connector, stop } = await twoInstancesOnOneStore('acrbot-extension-once-', {
      ACRBOT_REQUESTS_PER_MINUTE: '100',
    }));
  });
  afterAll(() => stop?.());

  /** Extensions of `id` in the shared store, whatever their state. */
  async function extensionsOf(id: string): Promise<AccessRequest[]> {
    const all = await second.app.store.listByRequester(users.requester.objectId, [
      'pending',
      'approved',
      'executing',
      'succeeded',
      'cancelled',
    ]);
    return all.filter((r) => r.extendsRequestId === id);
  }

  test('a second extension is refused while the first waits, naming it; after it is withdrawn a new one may be asked', async () => {
    const request = await grantApproved(first, 'aks-prod contosoacr --for 1d deploy payments-api');
    const riley = await sandbox.identity.issue({ user: 'requester', audience: AUDIENCE });
    const path = `/api/tab/requests/${request.id}/extend`;

    const asked = await tabCall(first.app.url, path, riley, { duration: '7d', reason: 'payments release slipped' });
    expect(asked.status).toBe(202);
    const pendingId: string = asked.body.requestId;
    expect((await second.app.store.get(pendingId))!).toMatchObject({ state: 'pending', extendsRequestId: request.id });

    // The tab's row offers no second one and names the waiting one, on either instance.
    const row = async (h: Harness, token = riley): Promise<Record<string, unknown>> => {
      const res = await fetch(`${h.app.url}/api/tab/requests/${request.id}`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      return ((await res.json()) as { row: Record<string, unknown> }).row;
    };
    for (const h of [first, second])
      expect(await row(h)).toMatchObject({ canExtend: false, extensionWaiting: pendingId, canRevoke: true });
    // An approver's drawer of the original names it too (they decide it).
    const alex = await sandbox.identity.issue({ user: 'approver', audience: AUDIENCE });
    expect(await row(second, alex)).toMatchObject({ canExtend: false, extensionWaiting: pendingId });

    // Asked anyway (an old page), on either instance: 409 with the sentence naming the pending extension.
    for (const h of [first, second]) {
      const again = await tabCall(h.app.url, path, riley, { duration: '3d', reason: 'asking once more' });
      expect(again.status).toBe(409);
      expect(again.body.error).toBe('extend.alreadyPending');
      expect(again.body.message).toContain(`Extension ${pendingId} of ${request.id} is already waiting for approval`);
      expect(again.body.message).toContain(`cancel ${pendingId}`);
    }

    // Chat on the other instance: the same sentence as the reply.
    const before = connector.calls.length;
    await second.say(users.requester, `extend ${request.id} --for 2h release still running`);
    const reply = await connector.waitFor(
      (c) => connector.calls.indexOf(c) >= before && cardText(c.activity).includes('already waiting for approval'),
      5000,
      'the refusal in chat',
    );
    expect(cardText(reply.activity)).toContain(`cancel ${pendingId}`);
    expect((await extensionsOf(request.id)).map((r) => r.id)).toEqual([pendingId]);

    // Withdrawn: a new extension may be asked (from the other instance).
    await second.say(users.requester, `cancel ${pendingId}`);
    expect((await second.app.store.get(pendingId))!.state).toBe('cancelled');
    expect(await row(first)).toMatchObject({ canExtend: true });
    expect(await row(first)).not.toHaveProperty('extensionWaiting');
    const anew = await tabCall(second.app.url, path, riley, { duration: '3d', reason: 'payments release slipped' });
    expect(anew.status).toBe(202);
    expect((await extensionsOf(request.id)).map((r) => r.state).sort()).toEqual(['cancelled', 'pending']);
  });

  test('asked at the same moment on both instances: exactly one is made; a lease held elsewhere refuses at once', async () => {
    const request = await grantApproved(first, 'aks-dev contosoacr --for 1d nightly test pulls');
    const riley = await sandbox.identity.issue({ user: 'requester', audience: AUDIENCE });
    const path = `/api/tab/requests/${request.id}/extend`;
    const body = { duration: '7d', reason: 'test runs go on for a week' };

    // Someone is filing one right now (the lease is held): refused, nothing made.
    const held = await first.app.stores.leases.acquire(`extend:${request.id}`, 'another-instance', 60_000);
    expect(held).toBeDefined();
    const busy = await tabCall(second.app.url, path, riley, body);
    expect(busy.status).toBe(409);
    expect(busy.body.error).toBe('extend.concurrent');
    expect(busy.body.message).toContain(`An extension of ${request.id} is being asked for at this very moment`);
    expect(await extensionsOf(request.id)).toEqual([]);
    await first.app.stores.leases.release(held!);

    // A double click and a second window: three at once across both instances, one extension.
    const answers = await Promise.all([first, second, first].map((h) => tabCall(h.app.url, path, riley, body)));
    expect(answers.map((a) => a.status).sort()).toEqual([202, 409, 409]);
    const made = await extensionsOf(request.id);
    expect(made.map((r) => r.id)).toEqual([answers.find((a) => a.status === 202)!.body.requestId]);
    for (const refused of answers.filter((a) => a.status === 409))
      expect(['extend.alreadyPending', 'extend.concurrent']).toContain(refused.body.error);
  });
});
