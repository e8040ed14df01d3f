/**
 * `status`'s list reads a grant whose cluster is gone as of when it was read
 * (RequestService.newestRequestsOf's `readAt`): "Cluster gone" while the grant runs, and past its
 * end, its end job not run yet, as every grant past its end reads, as the tab and `access` read
 * it (liveClusterGoneAt, cluster-gone.ts).
 */
import { grantWithClusterGone, pastItsEnd } from '../helpers/cluster-gone-grant';
import { users } from '../helpers/harness';
import { h, useLifecycleHooks } from '../helpers/lifecycle';

describe("`status`'s list of a grant whose cluster is gone", () => {
  useLifecycleHooks();

  test('says "Cluster gone" until its end, and nothing of it past its end', async () => {
    const request = await grantWithClusterGone();

    const running = await h.ask(users.requester, 'status');
    expect(running).toContain('Cluster gone');
    expect(running).toContain('Cluster aks-prod no longer exists');

    // Past its end; its end job has not run.
    await pastItsEnd(request);
    const past = await h.ask(users.requester, 'status');
    expect(past).toContain(request.id);
    expect(past).not.toMatch(/Cluster gone|no longer exists/);
    // As `access` and the tab read it: "Granted" would say it still pulls.
    expect(past).toContain('Expired');
    expect(past).not.toContain('Granted');
  });
});
