/**
 * A grant on a stopped cluster (`powerState.code` Stopped) is planned and granted as any other
 * (AcrPull on its identity needs no API server), but its pods pull nothing until it is started:
 * the plan records `check`'s sentence with the one start command, and the card's row says it as
 * of the request. An extension says it as of its own read: a cluster started since is no longer
 * said stopped, one stopped since is.
 */
import { clusterStoppedWhenPlanned } from '../../src/domain/plan';
import type { AccessRequest } from '../../src/domain/request';
import { setClusterPowerState } from '../../src/sandbox/arm/clusters';
import { SANDBOX_CLUSTERS, sandboxResourceId } from '../../src/sandbox/fixtures';
import { clusterStoppedFacts } from '../../src/views/cluster-stopped-fact';
import { cardText } from '../helpers/capturing-connector';
import { approvedThenExtended } from '../helpers/extension-asked';
import { type Harness, startHarness, users } from '../helpers/harness';

const prod = SANDBOX_CLUSTERS.prod;
const STOPPED = `Cluster aks-prod is stopped (its power state is Stopped): its pods cannot pull until it is started (az aks start --subscription ${prod.subscriptionId} -g rg-aks -n aks-prod). The role is granted all the same.`;

describe('a grant planned on a stopped cluster', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  const power = (code: 'Running' | 'Stopped') =>
    setClusterPowerState(h.app.sandbox!.arm.state.getCluster(sandboxResourceId('cluster', prod))!, code);

  /** A granted grant on aks-prod, then (after `between`) its extension as stored, pending approval. */
  async function grantThenExtend(between: () => void): Promise<{ original: AccessRequest; extension: AccessRequest }> {
    const original = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 1d deploy payments-api');
    return { original, extension: await approvedThenExtended(h, original, between) };
  }

  test('the plan records that it is stopped, with the start command; the card says so as of the request', async () => {
    h = await startHarness();
    power('Stopped');
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    expect(request.state).toBe('pending');
    expect(request.plan.kind === 'grant' && request.plan.clusterStopped).toBe(STOPPED);
    expect(clusterStoppedFacts(request.plan)).toEqual([
      { label: 'Cluster state', value: `When this was requested: ${STOPPED}` },
    ]);
    // The approvers' card carries the row, so nobody approves without knowing.
    await h.connector.waitFor(
      (c) =>
        cardText(c.activity).includes(request.id) &&
        cardText(c.activity).includes('When this was requested: Cluster aks-prod is stopped'),
      undefined,
      "the approvers' card with its Cluster state row",
    );
  });

  test("the grant's outcome card repeats the plan's Cluster state row", async () => {
    h = await startHarness();
    power('Stopped');
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: request.id });
    expect((await h.settle(request.id)).state).toBe('succeeded');
    // The requester's outcome card: the role was granted, and nothing pulls until it is started.
    await h.connector.waitFor(
      (c) =>
        /Pull access granted|Role granted/.test(cardText(c.activity)) &&
        cardText(c.activity).includes(request.id) &&
        cardText(c.activity).includes(`When this was requested: ${STOPPED}`),
      undefined,
      'the outcome card with its Cluster state row',
    );
  });

  test('a running cluster: nothing recorded, no row', async () => {
    h = await startHarness();
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    expect(request.plan).not.toHaveProperty('clusterStopped');
    expect(clusterStoppedFacts(request.plan)).toEqual([]);
  });

  test('an extension of a grant planned while running, the cluster stopped since: said stopped', async () => {
    h = await startHarness();
    const { original, extension } = await grantThenExtend(() => power('Stopped'));
    expect(original.plan).not.toHaveProperty('clusterStopped');
    expect(extension.plan.kind === 'grant' && extension.plan.clusterStopped).toBe(STOPPED);
  });

  test('an extension of a grant planned while stopped, the cluster started since: not said stopped', async () => {
    h = await startHarness();
    power('Stopped');
    const { original, extension } = await grantThenExtend(() => power('Running'));
    expect(original.plan.kind === 'grant' && original.plan.clusterStopped).toBe(STOPPED);
    expect(extension.plan).not.toHaveProperty('clusterStopped');
  });
});

test('only a Stopped power state is said: Running, or none from ARM, says nothing', () => {
  const cluster = { name: 'aks-prod', subscriptionId: 's', resourceGroup: 'rg' };
  expect(clusterStoppedWhenPlanned({ ...cluster, powerState: 'Running' })).toBeUndefined();
  expect(clusterStoppedWhenPlanned(cluster)).toBeUndefined();
  expect(clusterStoppedWhenPlanned({ ...cluster, powerState: 'Stopped' })).toMatch(/^Cluster aks-prod is stopped/);
});
