/**
 * `status`'s list reads a grant whose cluster is gone as of when it was read
 * (RequestService.newestRequestsOf's `readAt`): "Cluster gone" while the grant runs, and past its
 * end, its end job not run yet, as every grant past its end reads, as the tab and `access` read
 * it (liveClusterGoneAt, cluster-gone.ts).
 */
import { SANDBOX_CLUSTERS, sandboxResourceId } from '../../src/sandbox/fixtures';
import { users } from '../helpers/harness';
import { DAY, advance, grant, h, start, useLifecycleHooks } from '../helpers/lifecycle';

const prodId = sandboxResourceId('cluster', SANDBOX_CLUSTERS.prod);

describe("`status`'s list of a grant whose cluster is gone", () => {
  useLifecycleHooks();

  test('says "Cluster gone" until its end, and nothing of it past its end', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 3d deploy payments-api');
    h.app.sandbox!.arm.state.removeCluster(prodId);
    await h.app.services.drift.sweep();
    expect((await h.app.store.get(request.id))!.access?.clusterGoneAt).toBeDefined();

    const running = await h.ask(users.requester, 'status');
    expect(running).toContain('Cluster gone');
    expect(running).toContain('Cluster aks-prod no longer exists');

    // Past its end; its end job has not run.
    advance(3 * DAY + 60_000);
    expect((await h.app.store.get(request.id))!.state).toBe('succeeded');
    const past = await h.ask(users.requester, 'status');
    expect(past).toContain(request.id);
    expect(past).not.toMatch(/Cluster gone|no longer exists/);
  });
});
