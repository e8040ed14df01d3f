/**
 * The first steps of the lifecycle tests of a grant whose cluster is gone (./lifecycle.ts, on the
 * test file's own bot): a three-day grant on aks-prod, aks-prod deleted, the drift sweep's note
 * written; then the clock moved past the grant's end before its end job runs.
 */
import type { AccessRequest } from '../../src/domain/request';
import { SANDBOX_CLUSTERS, sandboxResourceId } from '../../src/sandbox/fixtures';
import { users } from './harness';
import { DAY, advance, grant, h, start } from './lifecycle';

/** Starts the bot, grants aks-prod → contosoacr for 3 days, deletes aks-prod; the grant, once the drift sweep noted its cluster gone. */
export async function grantWithClusterGone(): Promise<AccessRequest> {
  await start();
  const request = await grant(users.requester, 'aks-prod contosoacr --for 3d deploy payments-api');
  h.app.sandbox!.arm.state.removeCluster(sandboxResourceId('cluster', SANDBOX_CLUSTERS.prod));
  await h.app.services.drift.sweep();
  expect((await h.app.store.get(request.id))!.access?.clusterGoneAt).toBeDefined();
  return request;
}

/** Moves the clock a minute past the end of {@link grantWithClusterGone}'s `request`; its end job has not run, so it still reads succeeded. */
export async function pastItsEnd(request: AccessRequest): Promise<void> {
  advance(3 * DAY + 60_000);
  expect((await h.app.store.get(request.id))!.state).toBe('succeeded');
}
