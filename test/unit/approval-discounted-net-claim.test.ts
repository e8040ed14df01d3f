/**
 * A drop of approvals stored without its `approval.discounted` entry, then undone before the net
 * for approvals (approval-entry-net.ts) claims the request: the claim reads the request again,
 * finds the drop no longer recorded, and writes no entry, since the trail would otherwise say
 * approvals no longer count that the request counts again. Real memory stores with conditional
 * writes and the real RequestService.
 */
import type { AccessRequest, Actor } from '../../src/domain/request';
import { ApprovalEntryNet } from '../../src/flows/approval-entry-net';
import { CLICK_GRACE_MS } from '../../src/flows/review-reject-net';
import { createLogger } from '../../src/observability/logger';
import { breakGlassService } from './support/break-glass-service';
import { APPROVERS_GROUP, policy, rule, SAM, TENANT } from './support/policy-fixtures';
import { APPROVER, OUTSIDER, pendingRequest } from './support/requests';

/**
 * The service on a rule needing two approvals (Alex's group, or Oscar), and a pending request of
 * it holding an approval of Megan's, who is no approver of the rule (any more): Alex's click
 * drops it.
 */
async function setup() {
  const approvers = { users: [OUTSIDER.objectId], groups: [APPROVERS_GROUP], name: 'Platform Approvers' };
  const t = breakGlassService({
    policies: { current: () => policy([rule('prod', { approvalsRequired: 2, approvers })]) },
  });
  const createdAt = t.clock.now().toISOString();
  const request = pendingRequest({
    id: 'R-DISCOUNT',
    tenantId: TENANT,
    createdAt,
    approvals: [{ by: SAM, at: createdAt, reason: 'looks fine' }],
  });
  await t.store.create(request);
  const approve = (actor: Actor) =>
    t.service.decide({ requestId: request.id, acting: { actor, tenantId: TENANT }, approve: true, reason: 'ok' });
  const trail = async () => t.audit.forRequest(request.id);
  const discounted = async () => (await trail()).filter((e) => e.action === 'approval.discounted');
  const stored = async () => (await t.store.get(request.id))!;
  /** Writes the request as another build's process did. */
  const rewrite = async (patch: Partial<AccessRequest>) => {
    const current = await stored();
    await t.store.update({ ...current, ...patch, version: current.version + 1 });
  };
  const freshNet = () => new ApprovalEntryNet({ ...t, log: createLogger({ level: 'silent' }) }, CLICK_GRACE_MS);
  return { ...t, request, approve, trail, discounted, stored, rewrite, freshNet };
}

/**
 * Alex approves a minute in, Megan's approval is dropped, and the drop's entry cannot be appended
 * (the process dies there, or the store fails it): the click stands, its own entry written
 * before, and nothing after that point runs. Answers the click's time.
 */
async function dropDiesBeforeItsEntry(t: Awaited<ReturnType<typeof setup>>): Promise<string> {
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

test('a drop undone between the listing and the claim gets no entry', async () => {
  const t = await setup();
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
