/**
 * The step the tests of an extension's plan share: a request approved and run, the sandbox
 * changed since, then its extension asked for, so each test reads what the extension's plan says
 * of the world as it is now, against what its original's said when it was planned.
 */
import type { AccessRequest } from '../../src/domain/request';
import { type Harness, users } from './harness';

/**
 * The approver approves the requester's pending `request` on `h` (its run must succeed),
 * `between()` changes what the extension will read, and the requester asks to extend it by two
 * days; the extension as stored, pending approval.
 */
export async function approvedThenExtended(
  h: Harness,
  request: AccessRequest,
  between: () => void,
): Promise<AccessRequest> {
  await h.click(users.approver, 'approve', { requestId: request.id });
  expect((await h.settle(request.id)).state).toBe('succeeded');
  between();
  const res = await h.click(users.requester, 'extend', {
    requestId: request.id,
    duration: '2d',
    reason: 'release still rolling out',
  });
  expect(res.status).toBe(200);
  const [extension] = (await h.app.store.listByRequester(users.requester.objectId, ['pending'])).filter(
    (r) => r.extendsRequestId === request.id,
  );
  expect(extension).toBeDefined();
  return extension!;
}
