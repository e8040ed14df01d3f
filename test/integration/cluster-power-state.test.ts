/**
 * A pull secret needs the cluster's API server. A stopped cluster (`powerState.code` Stopped) has
 * none running: a secret request for it is refused when planned (audited, nothing pending), and
 * a cluster stopped between the plan and the run fails the run before anything is created. A
 * grant (AcrPull on the kubelet identity) works while the cluster is stopped and is not refused.
 * A private cluster is not refused (acrbot may run in its network), but one it cannot reach says
 * so. The ARM emulator stops and starts clusters through AKS's own long-running operations.
 */
import { ContainerServiceClient } from '@azure/arm-containerservice';
import { SANDBOX_CLUSTERS, SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { setClusterPowerState } from '../../src/sandbox/arm/clusters';
import { BUILT_IN_ROLES } from '../../src/sandbox/arm/role-definitions';
import { sandboxCredential } from '../../src/sandbox/identity/access-tokens';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { azureWrites, replyMatching } from '../helpers/refusal-checks';

const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);
const prod = SANDBOX_CLUSTERS.prod;
const prodId = sandboxResourceId('cluster', prod);
const REQUEST_ID = /R-[2-9A-HJKMNP-TV-Z]{8}/;

describe('secret requests on a stopped or private cluster', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  const writes = (harness: Harness) => azureWrites(harness, contosoId);

  const stop = (harness: Harness, clusterId = prodId) =>
    setClusterPowerState(harness.app.sandbox!.arm.state.getCluster(clusterId)!, 'Stopped');

  test('stopped when asked: refused with how to start it, audited as a plan refusal, nothing pending; a grant is not refused', async () => {
    h = await startHarness();
    stop(h);
    const before = writes(h);
    const seq = (await h.app.audit.latest(1))[0]?.seq ?? 0;
    const text = await replyMatching(
      h,
      'secret aks-prod contosoacr --namespace payments pull for payments-api',
      /stopped/,
    );
    expect(text).toContain('Cluster aks-prod is stopped (its power state is Stopped)');
    expect(text).toContain(
      `start it with az aks start --subscription ${prod.subscriptionId} -g rg-aks -n aks-prod and ask again`,
    );
    expect(writes(h)).toEqual(before);
    expect(await h.app.store.listByState(['pending'], 10)).toEqual([]);
    const refusals = (await h.app.audit.latest(20)).filter((e) => e.seq > seq);
    expect(refusals.map((e) => [e.action, e.outcome, e.actor.objectId])).toEqual([
      ['plan.refused', 'cluster.stopped', users.requester.objectId],
    ]);
    // AcrPull on the kubelet identity needs no API server.
    const grant = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    expect(grant.state).toBe('pending');
  });

  test('stopped between plan and approval: the run fails before any cluster call or credential, and says so', async () => {
    h = await startHarness();
    const text = await replyMatching(
      h,
      'secret aks-prod contosoacr --namespace payments pull for payments-api',
      /Pull secret /,
    );
    const id = REQUEST_ID.exec(text)![0];
    stop(h);
    const before = writes(h);
    const credentialReads = () =>
      h!.app.sandbox!.arm.requests.filter((r: { operation: string }) => r.operation.startsWith('managedClusters.list'))
        .length;
    const readsBefore = credentialReads();
    const k8sBefore = h.app.sandbox!.kubernetes['aks-prod'].requests.length;
    await h.click(users.approver, 'approve', { requestId: id });
    const done = await h.settle(id);
    expect(done.state).toBe('failed');
    expect(done.outcome?.errorCode).toBe('cluster.stopped');
    expect(done.outcome?.error).toContain(
      'Cluster aks-prod was stopped after this request was planned (its power state is Stopped; nothing was created)',
    );
    expect(done.outcome?.error).toContain(
      `start it with az aks start --subscription ${prod.subscriptionId} -g rg-aks -n aks-prod and ask for it again (the new request needs approving again)`,
    );
    expect(writes(h)).toEqual(before);
    expect(credentialReads()).toBe(readsBefore);
    expect(h.app.sandbox!.kubernetes['aks-prod'].requests.length).toBe(k8sBefore);
    expect(done.created ?? []).toEqual([]);
    const refusal = (await h.app.audit.forRequest(id)).find((e) => e.outcome === 'refused');
    expect(refusal).toMatchObject({ action: 'kubernetes.write.secret', detail: 'cluster.stopped' });
    // The requester's card says it.
    await h.connector.waitFor(
      (c) =>
        /the new request needs approving again/.test(cardText(c.activity)) && /is stopped/.test(cardText(c.activity)),
      5000,
      'a card saying the cluster is stopped',
    );
  });

  test('a private cluster acrbot cannot reach: not refused when asked; the run says the API server is private', async () => {
    h = await startHarness();
    const arm = h.app.sandbox!.arm;
    const privateCluster = arm.state.addCluster({
      ...prod,
      name: 'aks-private',
      kubeletObjectId: '0d000000-0000-4000-8000-0000000000d9',
      kubeletClientId: '0e000000-0000-4000-8000-0000000000e9',
      controlPlanePrincipalId: '0c000000-0000-4000-8000-0000000000c9',
      privateCluster: true,
    });
    const text = await replyMatching(
      h,
      'secret aks-private contosoacr --namespace payments pull for payments-api',
      /Pull secret |private/,
    );
    const id = REQUEST_ID.exec(text)![0];
    await h.click(users.approver, 'approve', { requestId: id });
    const done = await h.settle(id);
    expect(done.state).toBe('failed');
    expect(done.outcome?.errorCode).toBe('cluster.privateUnreachable');
    expect(done.outcome?.error).toContain('acrbot could not reach the API server of cluster aks-private');
    expect(done.outcome?.error).toContain('It is a private cluster');
    expect(done.outcome?.error).toContain('acrbot must run where it can reach it');
    expect(done.outcome?.error).not.toContain('check that its API server is up');
    // Checked before the credential step: nothing was created.
    expect(arm.state.listTokens(contosoId)).toEqual([]);
    expect(privateCluster.privateCluster).toBe(true);
  });
});

describe("the ARM emulator's stop and start operations", () => {
  let h: Harness | undefined;
  afterAll(() => h?.stop());

  test('POST stop and start run as long-running operations and change the power state GET answers', async () => {
    h = await startHarness();
    const sandbox = h.app.sandbox!;
    const aks = new ContainerServiceClient(sandboxCredential, prod.subscriptionId, {
      endpoint: sandbox.armUrl,
      tlsOptions: { ca: sandbox.tls.caPem },
    });
    // acrbot's own rights (Cluster User Role) do not include stopping a cluster.
    await expect(
      aks.managedClusters.stop(prod.resourceGroup, prod.name, { updateIntervalInMs: 0 }),
    ).rejects.toMatchObject({ statusCode: 403 });
    sandbox.arm.state.assignCallerRole(prodId, BUILT_IN_ROLES.contributor);
    await aks.managedClusters.stop(prod.resourceGroup, prod.name, { updateIntervalInMs: 0 });
    expect((await aks.managedClusters.get(prod.resourceGroup, prod.name)).powerState?.code).toBe('Stopped');
    const stopped = sandbox.arm.requests.filter((r: { operation: string }) => r.operation === 'managedClusters.stop');
    expect(stopped.map((r: { status: number }) => r.status)).toEqual([403, 202]);
    await aks.managedClusters.start(prod.resourceGroup, prod.name, { updateIntervalInMs: 0 });
    expect((await aks.managedClusters.get(prod.resourceGroup, prod.name)).powerState?.code).toBe('Running');
  });
});
