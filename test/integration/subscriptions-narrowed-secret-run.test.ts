/**
 * A pull-secret request approved before a restart that took its cluster's subscription out of
 * ACRBOT_SUBSCRIPTION_IDS: the run the restarted acrbot picks up (the resume sweep) fails with
 * `recheck.subscriptionUnserved` before anything is written, in Azure or the cluster, and its
 * failed card does not say "Once fixed, ask again" (asking again is refused there). The served
 * list reaches the secret run from the config (composition/flows.ts). aks-dev is in the
 * sandbox's data subscription, contosoacr in its platform one.
 */
import { join } from 'node:path';
import { SANDBOX_SUBSCRIPTIONS } from '../../src/sandbox/fixtures';
import { CapturingConnector } from '../helpers/capturing-connector';
import { startHarness, users } from '../helpers/harness';
import { TempDirs } from '../helpers/temp-dirs';
import { outcomeCard } from '../../src/views/request-view';

jest.setTimeout(90_000);
const tempDirs = new TempDirs();
afterAll(() => tempDirs.removeAll());

test('a secret approved before its subscription was taken out fails before any write', async () => {
  const storage = `sqlite:${join(tempDirs.make('acrbot-subs-narrowed-secret-'), 'acrbot.db')}`;
  const connector = new CapturingConnector();
  await connector.start();
  try {
    const both = await startHarness({ ACRBOT_STORAGE: storage }, {}, { connector });
    let id: string;
    try {
      const asked = await both.requestSecret(
        users.requester,
        'aks-dev contosoacr --namespace payments pull for the release',
      );
      expect(asked.plan.cluster.subscriptionId).toBe(SANDBOX_SUBSCRIPTIONS.data);
      id = asked.id;
      // Approved, its run begun, then stopped before it checked anything (an instance that died).
      const stored = (await both.app.store.get(id))!;
      await both.app.store.update({
        ...stored,
        version: stored.version + 1,
        state: 'executing',
        decision: {
          by: { objectId: users.approver.objectId, name: users.approver.name },
          at: new Date().toISOString(),
          approved: true,
        },
      });
    } finally {
      await both.stop();
    }
    const one = await startHarness(
      { ACRBOT_STORAGE: storage, ACRBOT_SUBSCRIPTION_IDS: SANDBOX_SUBSCRIPTIONS.platform },
      {},
      { connector },
    );
    try {
      const arm = one.app.sandbox!.arm.requests.length;
      await one.app.services.executor.resumeInterrupted();
      await one.app.services.executor.drain();
      const done = (await one.app.store.get(id))!;
      expect(done.state).toBe('failed');
      expect(done.outcome).toMatchObject({
        errorCode: 'recheck.subscriptionUnserved',
        error: `Cluster aks-dev is in subscription ${SANDBOX_SUBSCRIPTIONS.data}, which this deployment no longer serves (ACRBOT_SUBSCRIPTION_IDS), so nothing was created.`,
      });
      expect(one.app.sandbox!.arm.requests.slice(arm).filter((r) => r.method !== 'GET')).toEqual([]);
      expect(one.app.sandbox!.kubernetes['aks-dev'].getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
      expect(JSON.stringify(outcomeCard(done))).not.toContain('Once fixed');
    } finally {
      await one.stop();
    }
  } finally {
    await connector.stop();
  }
});
