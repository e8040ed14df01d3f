/**
 * The most common first step of an integration test about a grant's life after approval (drift,
 * extension, the tab's rows): a grant, or a pull secret, asked for in the channel and approved,
 * and its run done.
 */
import type { AccessRequest } from '../../src/domain/request';
import { type Harness, users } from './harness';
import type { TeamsUser } from './teams-activities';

/**
 * `requester` asks `h` for the grant `args` (what follows `grant` in chat) and the approver
 * approves it; the request once its run is done, which must have succeeded (a test built on a
 * grant that failed would fail later, far from the cause).
 */
export async function grantApproved(
  h: Harness,
  args: string,
  requester: TeamsUser = users.requester,
): Promise<AccessRequest> {
  return approvedAndRun(h, await h.requestGrant(requester, args));
}

/**
 * `requester` asks `h` for the pull secret `args` (what follows `secret` in chat) and the approver
 * approves it; the request once its run is done, which must have succeeded (as {@link grantApproved}).
 */
export async function pullSecretApproved(
  h: Harness,
  args: string,
  requester: TeamsUser = users.requester,
): Promise<AccessRequest> {
  return approvedAndRun(h, await h.requestSecret(requester, args));
}

/** The approver approves the pending `request`; the request once its run is done, which succeeded. */
async function approvedAndRun(h: Harness, request: AccessRequest): Promise<AccessRequest> {
  await h.click(users.approver, 'approve', { requestId: request.id });
  const done = await h.settle(request.id);
  expect(done.state).toBe('succeeded');
  return done;
}
