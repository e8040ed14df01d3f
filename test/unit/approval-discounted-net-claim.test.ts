/**
 * A drop of approvals stored without its `approval.discounted` entry, then undone before the net
 * for approvals (approval-entry-net.ts) claims the request: the claim reads the request again,
 * finds the drop no longer recorded, and writes no entry, since the trail would otherwise say
 * approvals no longer count that the request counts again. Real memory stores with conditional
 * writes and the real RequestService.
 */
import { CLICK_GRACE_MS } from '../../src/flows/review-reject-net';
import { discountedApprovalSetup, dropDiesBeforeItsEntry } from './support/discounted-approval';

test('a drop undone between the listing and the claim gets no entry', async () => {
  const t = await discountedApprovalSetup();
  await dropDiesBeforeItsEntry(t);
  t.clock.advance(CLICK_GRACE_MS);
  const forRequest = t.audit.forRequest.bind(t.audit);
  jest.spyOn(t.audit, 'forRequest').mockImplementationOnce(async (id) => {
    // Read after the listing: the drop is no longer recorded meanwhile.
    await t.rewrite({ discountedApprovals: [] });
    return forRequest(id);
  });
  expect(await t.freshNet().pass()).toEqual({ audited: [], failed: 0 });
  expect(await t.discounted()).toEqual([]);
});
