/**
 * A grant whose cluster is named by name, end to end through the real SDK clients and the ARM
 * emulator: each allowed subscription's clusters are listed once, by the lookup that finds the
 * cluster, and the look for clusters sharing its identity reads those same listings rather than
 * listing every subscription again (a paged ARM list per subscription per grant request).
 */
import { SANDBOX_CLUSTERS, SANDBOX_SUBSCRIPTIONS } from '../../src/sandbox/fixtures';
import { type Harness, startHarness, users } from '../helpers/harness';

type ArmRequest = { method: string; operation: string; path: string };

describe('a grant on a cluster named by name', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  async function grantedReads(subscriptionIds: string[]): Promise<ArmRequest[]> {
    h = await startHarness({ ACRBOT_SUBSCRIPTION_IDS: subscriptionIds.join(',') });
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api to prod');
    await h.click(users.approver, 'approve', { requestId: request.id });
    expect((await h.settle(request.id)).state).toBe('succeeded');
    return (h.app.sandbox!.arm.requests as ArmRequest[]).filter((r) => r.method === 'GET');
  }

  test('each allowed subscription has its clusters listed once', async () => {
    const subscriptions = Object.values(SANDBOX_SUBSCRIPTIONS);
    const reads = await grantedReads(subscriptions);
    const listed = reads.filter((r) => r.operation === 'managedClusters.list').map((r) => r.path.split('/')[2]);
    expect(listed.sort()).toEqual([...subscriptions].sort());
  });

  test('on one subscription, at most 6 ARM reads: as before sharing was looked for', async () => {
    const reads = await grantedReads([SANDBOX_CLUSTERS.prod.subscriptionId]);
    expect(reads.length).toBe(6);
  });
});
