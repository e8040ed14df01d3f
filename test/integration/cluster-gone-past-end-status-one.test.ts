/**
 * `status R-…` (one request's card) reads a grant whose cluster is gone as of when it is asked,
 * as `status`'s list, `access` and the tab do (liveClusterGoneAt, cluster-gone.ts): "Cluster
 * gone" while the grant runs, and past its end, its end job not run yet, not that. So does
 * `pending R-…` of a request with nothing to decide, which shows the same card, and Teams' refresh
 * of either (decision-handler.ts viewFor).
 */
import { invokeText, refreshView } from '../helpers/card-views';
import { grantWithClusterGone, pastItsEnd } from '../helpers/cluster-gone-grant';
import { users } from '../helpers/harness';
import { h, useLifecycleHooks } from '../helpers/lifecycle';

describe('`status R-…` of a grant whose cluster is gone', () => {
  useLifecycleHooks();

  test('says "Cluster gone" until its end, and nothing of it past its end', async () => {
    const request = await grantWithClusterGone();

    const running = await h.ask(users.requester, `status ${request.id}`);
    expect(running).toContain('Cluster gone');
    expect(running).toContain('cluster aks-prod no longer exists');
    const asApprover = await h.turnReplies(users.approver, `pending ${request.id}`, 'personal');
    expect(asApprover).toContain('Cluster gone');

    // Past its end; its end job has not run.
    await pastItsEnd(request);
    const past = await h.ask(users.requester, `status ${request.id}`);
    expect(past).toContain(request.id);
    expect(past).not.toMatch(/Cluster gone|no longer exists/);
    // As `access` and the tab read it: "Granted" would say it still pulls.
    expect(past.split('\n')).toContain('Expired');
    // (its outcome line still says what was granted: the badge, a line of its own, does not)
    expect(past.split('\n')).not.toContain('Granted');
    const pastAsApprover = await h.turnReplies(users.approver, `pending ${request.id}`, 'personal');
    expect(pastAsApprover).toContain(request.id);
    expect(pastAsApprover).not.toMatch(/Cluster gone|no longer exists/);
    expect(pastAsApprover.split('\n')).toContain('Expired');
    // Teams refreshes the card (its refresh has no userIds: everyone in a small chat): the same.
    for (const user of [users.requester, users.approver]) {
      const refreshed = invokeText(await refreshView(h, user, request.id));
      expect(refreshed).not.toMatch(/Cluster gone|no longer exists/);
      expect(refreshed.split('\n')).toContain('Expired');
    }
  });
});
