/**
 * A subscription taken out of ACRBOT_SUBSCRIPTION_IDS between two starts on one SQLite store:
 * requests planned in it before stay, but nothing new is written there. An approver's Approve of
 * one still pending is refused ("no longer serves", audited `approval.refused.subscription`), its
 * Reject still works; its requester's `extend` of live access there is refused, and its revoke
 * still ends it (ending access is always allowed). aks-dev is in the sandbox's data
 * subscription, contosoacr in its platform one.
 */
import { join } from 'node:path';
import { SANDBOX_SUBSCRIPTIONS } from '../../src/sandbox/fixtures';
import { CapturingConnector, cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { TempDirs } from '../helpers/temp-dirs';

jest.setTimeout(90_000);
const tempDirs = new TempDirs();
afterAll(() => tempDirs.removeAll());

const UNSERVED = `Cluster aks-dev is in subscription ${SANDBOX_SUBSCRIPTIONS.data}, which this deployment no longer serves (ACRBOT_SUBSCRIPTION_IDS)`;

/**
 * Starts acrbot with both sandbox subscriptions on a fresh SQLite store, runs `make` and stops
 * it; then starts it again on that store with the platform subscription only, for `check`.
 */
async function narrowedAfter(
  make: (h: Harness) => Promise<string>,
  check: (h: Harness, id: string) => Promise<void>,
): Promise<void> {
  const storage = `sqlite:${join(tempDirs.make('acrbot-subs-narrowed-'), 'acrbot.db')}`;
  const connector = new CapturingConnector();
  await connector.start();
  try {
    const both = await startHarness({ ACRBOT_STORAGE: storage }, {}, { connector });
    let id: string;
    try {
      id = await make(both);
    } finally {
      await both.stop();
    }
    const one = await startHarness(
      { ACRBOT_STORAGE: storage, ACRBOT_SUBSCRIPTION_IDS: SANDBOX_SUBSCRIPTIONS.platform },
      {},
      { connector },
    );
    try {
      await check(one, id);
    } finally {
      await one.stop();
    }
  } finally {
    await connector.stop();
  }
}

test('a pending request in a subscription taken out cannot be approved; it can still be rejected', async () => {
  await narrowedAfter(
    async (h) => {
      const asked = await h.requestGrant(users.requester, 'aks-dev contosoacr deploy payments-api for the release');
      expect(asked).toMatchObject({
        state: 'pending',
        plan: { cluster: { subscriptionId: SANDBOX_SUBSCRIPTIONS.data } },
      });
      return asked.id;
    },
    async (h, id) => {
      const approve = await h.click(users.approver, 'approve', { requestId: id });
      const shown = cardText({ attachments: [{ content: approve.body?.value }] });
      expect(shown).toContain(`${UNSERVED}, so request ${id} cannot be approved; reject it`);
      await h.app.services.executor.drain();
      const after = (await h.app.store.get(id))!;
      expect(after.state).toBe('pending');
      expect(after.approvals ?? []).toEqual([]);
      const refused = (await h.app.audit.forRequest(id)).filter((e) => e.action.startsWith('approval.refused'));
      expect(refused).toEqual([
        expect.objectContaining({
          action: 'approval.refused.subscription',
          outcome: 'refused',
          detail: expect.stringContaining(UNSERVED),
        }),
      ]);

      await h.click(users.approver, 'reject', { requestId: id, comment: 'that subscription is gone' });
      expect((await h.app.store.get(id))!.state).toBe('rejected');
    },
  );
});

test('live access in a subscription taken out is not extended, and is still revoked', async () => {
  await narrowedAfter(
    async (h) => {
      const asked = await h.requestGrant(users.requester, 'aks-dev contosoacr deploy payments-api for the release');
      await h.click(users.approver, 'approve', { requestId: asked.id });
      expect(await h.settle(asked.id)).toMatchObject({ state: 'succeeded' });
      return asked.id;
    },
    async (h, id) => {
      const extend = await h.turnReplies(users.requester, `extend ${id} --for 7d still needed for the release`);
      expect(extend).toContain(`${UNSERVED}, so ${id} cannot be extended`);
      expect((await h.app.store.listByState(['pending'], 10)).filter((r) => r.extendsRequestId === id)).toEqual([]);
      const refused = (await h.app.audit.forRequest(id)).filter((e) => e.action === 'extend.refused');
      expect(refused).toEqual([expect.objectContaining({ outcome: 'extend.subscriptionUnserved' })]);

      await h.click(users.requester, 'revokeConfirm', { requestId: id, reason: 'that subscription is gone' });
      await h.app.services.background.drain();
      expect((await h.app.store.get(id))!.state).toBe('revoked');
    },
  );
});
