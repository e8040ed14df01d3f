/**
 * A service-principal cluster (aks-legacy) whose service principal Microsoft Graph will not look
 * up: refused (403 Authorization_RequestDenied, acrbot without `Application.Read.All`), or failing
 * otherwise. `grant` and `check` say which permission to give acrbot and the alternative (a pull
 * secret), never "something unexpected"; the matrix and `access REGISTRY` list that cluster as
 * unresolved while the managed-identity clusters are still shown (docs/deploy.md §5).
 */
import { SANDBOX_CLUSTERS } from '../../src/sandbox/fixtures';
import { type Harness, startHarness, users } from '../helpers/harness';

const LOG_MSG = 'Microsoft Graph lookup of a cluster service principal failed; the cluster is shown unresolved';

describe('service-principal cluster whose service principal Graph will not look up', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.stop());

  /** Every lookup of a service principal by app id answered `status` (`code`) until the test ends. */
  function graphAnswers(status: number, code: string): void {
    h.app.sandbox!.graph.faults.add({
      operation: 'servicePrincipals.getByAppId',
      status,
      code,
      message: 'Insufficient privileges to complete the operation.',
      count: Infinity,
    });
  }

  /** aks-prod (a managed-identity cluster) granted contosoacr through acrbot, before any fault. */
  async function prodGranted(): Promise<void> {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments');
    await h.click(users.approver, 'approve', { requestId: request.id });
    expect((await h.settle(request.id)).state).toBe('succeeded');
  }

  test('refused (403): grant names Application.Read.All and the pull-secret alternative; nothing is stored', async () => {
    graphAnswers(403, 'Authorization_RequestDenied');
    const text = await h.turnReplies(users.requester, 'grant aks-legacy contosoacr batch jobs need images');
    expect(text).toContain('Application.Read.All');
    expect(text).toContain(SANDBOX_CLUSTERS.legacy.servicePrincipalAppId);
    expect(text).toContain('@acrbot secret aks-legacy');
    expect(text).toContain('--kind token');
    expect(text).not.toMatch(/Something unexpected/);
    expect(await h.app.store.listByState(['pending', 'approved', 'executing', 'succeeded'], 10)).toEqual([]);
  });

  test('refused (403): check says why the identity is unknown, and names the permission', async () => {
    graphAnswers(403, 'Authorization_RequestDenied');
    const text = await h.turnReplies(users.requester, 'check aks-legacy contosoacr');
    expect(text).toContain('Application.Read.All');
    expect(text).not.toMatch(/Something unexpected/);
  });

  test('refused (403): the matrix lists aks-legacy as unresolved, the other clusters resolve', async () => {
    await prodGranted();
    graphAnswers(403, 'Authorization_RequestDenied');
    const matrix = await h.app.services.inventory.matrix();
    expect(matrix.unresolvedClusters.map((u) => u.cluster.name)).toEqual(['aks-legacy']);
    expect(matrix.unresolvedClusters[0].problem).toContain('Application.Read.All');
    // The managed-identity clusters are still there, with what they can pull.
    expect(matrix.clusters.map((c) => c.name)).toEqual(expect.arrayContaining(['aks-prod', 'aks-dev', 'aks-legacy']));
    const prod = matrix.cells.find((c) => c.cluster.name === 'aks-prod' && c.registry.name === 'contosoacr');
    expect(prod?.canPull).toBe(true);
    // A refusal is the documented configuration, said in the problem: not logged as a failure.
    expect(h.logs.entries().filter((e) => e.msg === LOG_MSG)).toEqual([]);
  });

  test('refused (403): access REGISTRY shows the other clusters and aks-legacy as unresolved', async () => {
    await prodGranted();
    graphAnswers(403, 'Authorization_RequestDenied');
    const report = await h.app.services.inventory.forRegistry('contosoacr');
    expect(report.unresolvedClusters.map((u) => u.cluster.name)).toEqual(['aks-legacy']);
    expect(report.cells.find((c) => c.cluster.name === 'aks-prod')?.canPull).toBe(true);
    const text = await h.turnReplies(users.approver, 'access contosoacr');
    expect(text).toContain('aks-prod');
    expect(text).toContain('Application.Read.All');
    expect(text).not.toMatch(/Something unexpected/);
  });

  test('another failure: aks-legacy unresolved with Graph’s request id, logged once with the error', async () => {
    graphAnswers(400, 'Request_BadRequest');
    const matrix = await h.app.services.inventory.matrix();
    expect(matrix.unresolvedClusters.map((u) => u.cluster.name)).toEqual(['aks-legacy']);
    expect(matrix.unresolvedClusters[0].problem).toMatch(
      /could not look up service principal .* \(Request_BadRequest, HTTP 400\).*Microsoft Graph request id [0-9a-f-]{36}/,
    );
    const logged = h.logs.entries().filter((e) => e.msg === LOG_MSG);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      level: 40,
      cluster: 'aks-legacy',
      err: expect.objectContaining({ code: 'Request_BadRequest', statusCode: 400 }),
    });
  });
});
