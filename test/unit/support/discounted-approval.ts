/**
 * The set-up of the tests of the net for approvals no longer counted (approval-entry-net.ts,
 * discounted-approvals.ts): a pending request holding an approval of Megan's, who is no approver
 * of its rule (any more), and a click of Alex's that drops it but dies before the drop's entry.
 */
import type { AccessRequest } from '../../../src/domain/request';
import { ApprovalEntryNet } from '../../../src/flows/approval-entry-net';
import { CLICK_GRACE_MS } from '../../../src/flows/review-reject-net';
import { createLogger } from '../../../src/observability/logger';
import { SAM } from './policy-fixtures';
import { APPROVER } from './requests';
import { twoApprovalService, withPendingRequest } from './two-approval-request';

/**
 * The service on a rule needing two approvals (Alex's group, or Oscar), and a pending request of
 * it holding an approval of Megan's, who is no approver of the rule (any more): Alex's click
 * drops it.
 */
export async function discountedApprovalSetup() {
  const service = twoApprovalService();
  const createdAt = service.clock.now().toISOString();
  const t = await withPendingRequest(service, {
    id: 'R-DISCOUNT',
    createdAt,
    approvals: [{ by: SAM, at: createdAt, reason: 'looks fine' }],
  });
  const trail = async () => t.audit.forRequest(t.request.id);
  const discounted = async () => (await trail()).filter((e) => e.action === 'approval.discounted');
  const stored = async () => (await t.store.get(t.request.id))!;
  /** Writes the request as another build's process did. */
  const rewrite = async (patch: Partial<AccessRequest>) => {
    const current = await stored();
    await t.store.update({ ...current, ...patch, version: current.version + 1 });
  };
  const freshNet = () => new ApprovalEntryNet({ ...t, log: createLogger({ level: 'silent' }) }, CLICK_GRACE_MS);
  return { ...t, trail, discounted, stored, rewrite, freshNet };
}

/**
 * Alex approves a minute in, Megan's approval is dropped, and the drop's entry cannot be appended
 * (the process dies there, or the store fails it): the click stands, its own entry written
 * before, and nothing after that point runs. Answers the click's time.
 */
export async function dropDiesBeforeItsEntry(t: Awaited<ReturnType<typeof discountedApprovalSetup>>): Promise<string> {
  t.clock.advance(60_000);
  let dead = false;
  const append = t.audit.append.bind(t.audit);
  const update = t.store.update.bind(t.store);
  const appends = jest.spyOn(t.audit, 'append').mockImplementation(async (event) => {
    if (event.action !== 'approval.discounted') return append(event);
    dead = true;
    throw new Error('the process died here');
  });
  const updates = jest.spyOn(t.store, 'update').mockImplementation(async (next) => {
    if (dead) throw new Error('the process is dead');
    return update(next);
  });
  expect(await t.approve(APPROVER)).toMatchObject({ kind: 'recorded' });
  appends.mockRestore();
  updates.mockRestore();
  const left = await t.stored();
  expect(left.approvals).toEqual([expect.objectContaining({ by: APPROVER })]);
  const at = left.approvals![0].at;
  expect(left.discountedApprovals).toEqual([{ by: SAM, at, why: 'notApprover' }]);
  expect(await t.discounted()).toEqual([]);
  return at;
}
