/**
 * A click re-checking an earlier approver whose account the directory refuses to read (403, no
 * `User.Read.All`) counts them unchecked (request-decision.ts `enabledEarlierApprovers`), whatever
 * the case their object id was stored in: ids are compared lower-cased, so an approval stored
 * with an upper-case id is not dropped as "disabled or gone" for its case, refused or read.
 */
import type { Actor } from '../../src/domain/request';
import { ApproverAuthority } from '../../src/flows/approver-authority';
import { resetUnreadNamedWarning } from '../../src/flows/approver-groups-read';
import { APPROVER, OUTSIDER } from './support/requests';
import { twoApprovalRequest } from './support/two-approval-request';

afterEach(() => {
  jest.restoreAllMocks();
  resetUnreadNamedWarning();
});

/** A pending request of a rule needing two approvals, Alex's approval stored under an upper-case id. */
async function approvedOnceInUpperCase() {
  const t = await twoApprovalRequest({ id: 'R-QUORUM01' });
  const upper: Actor = { ...APPROVER, objectId: APPROVER.objectId.toUpperCase() };
  expect(await t.approve(upper)).toMatchObject({ kind: 'recorded' });
  expect((await t.store.get(t.request.id))!.approvals?.[0]?.by.objectId).toBe(upper.objectId);
  return t;
}

test('refused the re-check, an earlier approval stored with an upper-case id counts', async () => {
  const t = await approvedOnceInUpperCase();
  const forbidden = Object.assign(new Error('Authorization_RequestDenied'), { statusCode: 403 });
  jest.spyOn(ApproverAuthority.prototype, 'enabledAmong').mockRejectedValue(forbidden);
  await expectApprovedByBoth(t);
});

test('the re-check read, an earlier approval stored with an upper-case id counts', async () => {
  const t = await approvedOnceInUpperCase();
  await expectApprovedByBoth(t);
});

async function expectApprovedByBoth(t: Awaited<ReturnType<typeof approvedOnceInUpperCase>>): Promise<void> {
  expect(await t.approve(OUTSIDER)).toMatchObject({ kind: 'decided' });
  const stored = (await t.store.get(t.request.id))!;
  expect(stored.state).toBe('approved');
  expect(stored.approvals?.map((a) => a.by.name)).toEqual([APPROVER.name, OUTSIDER.name]);
  expect(stored.discountedApprovals).toBeUndefined();
}
