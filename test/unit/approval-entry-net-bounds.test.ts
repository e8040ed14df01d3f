/**
 * What the net for approvals short of the quorum (approval-entry-net.ts) leaves alone: an
 * approval undone between its listing and its claim (the claim reads the request again and finds
 * it gone), one stored longer ago than the lookback, and a trail it already found audited (a
 * second pass reads no trail again). And what does not count as an approval's entry: an unkeyed
 * entry of the same approver that records something else.
 */
import { ApprovalEntryNet } from '../../src/flows/approval-entry-net';
import { CLICK_GRACE_MS } from '../../src/flows/review-reject-net';
import { UNAUDITED_STATE_LOOKBACK_MS } from '../../src/flows/unaudited-state-net';
import { createLogger } from '../../src/observability/logger';
import { TENANT } from './support/policy-fixtures';
import { APPROVER } from './support/requests';
import { twoApprovalRequest } from './support/two-approval-request';

/** A pending request of a rule needing two approvals, Alex's approval stored without its entry. */
async function approvalWithoutEntry() {
  const t = await twoApprovalRequest({ id: 'R-QUORUM01' });
  const { request } = t;
  const append = t.audit.append.bind(t.audit);
  const appends = jest.spyOn(t.audit, 'append').mockImplementation(async (event) => {
    if (event.action === 'approval.recorded') throw new Error('the process died here');
    return append(event);
  });
  const update = t.store.update.bind(t.store);
  // The click's undo never runs: its process is gone.
  const updates = jest.spyOn(t.store, 'update').mockImplementation(async (next) => {
    if ((next.approvals ?? []).length === 0) throw new Error('the process is dead');
    return update(next);
  });
  await expect(t.approve(APPROVER)).rejects.toThrow();
  appends.mockRestore();
  updates.mockRestore();
  expect((await t.store.get(request.id))!.approvals).toHaveLength(1);
  const net = new ApprovalEntryNet({ ...t, log: createLogger({ level: 'silent' }) }, CLICK_GRACE_MS);
  const recorded = async () => (await t.audit.forRequest(request.id)).filter((e) => e.action === 'approval.recorded');
  return { ...t, net, recorded };
}

test('an approval undone between the listing and the claim gets no entry', async () => {
  const t = await approvalWithoutEntry();
  t.clock.advance(CLICK_GRACE_MS);
  const forRequest = t.audit.forRequest.bind(t.audit);
  jest.spyOn(t.audit, 'forRequest').mockImplementationOnce(async (id) => {
    // Read after the listing: the approval is undone meanwhile (its click's undo landed late).
    const stored = (await t.store.get(id))!;
    await t.store.update({ ...stored, approvals: [], version: stored.version + 1 });
    return forRequest(id);
  });
  expect(await t.net.pass()).toEqual({ audited: [], failed: 0 });
  expect(await t.recorded()).toEqual([]);
});

test('an approval stored longer ago than the lookback is left alone', async () => {
  const t = await approvalWithoutEntry();
  t.clock.advance(UNAUDITED_STATE_LOOKBACK_MS + 60_000);
  expect(await t.net.pass()).toEqual({ audited: [], failed: 0 });
  expect(await t.recorded()).toEqual([]);
});

test("an unkeyed entry of the approver's that records something else is not the approval's entry", async () => {
  const t = await approvalWithoutEntry();
  await t.audit.append({
    actor: APPROVER,
    tenantId: TENANT,
    action: 'approval.refused',
    requestId: t.request.id,
    targetIds: [],
    outcome: 'refused',
  });
  t.clock.advance(CLICK_GRACE_MS);
  expect(await t.net.pass()).toEqual({ audited: [t.request.id], failed: 0 });
  expect(await t.recorded()).toEqual([expect.objectContaining({ actor: APPROVER, outcome: '1 of 2' })]);
});

test('a second pass reads no trail it found audited', async () => {
  const t = await approvalWithoutEntry();
  t.clock.advance(CLICK_GRACE_MS);
  expect(await t.net.pass()).toEqual({ audited: [t.request.id], failed: 0 });
  expect(await t.net.pass()).toEqual({ audited: [], failed: 0 });
  const reads = jest.spyOn(t.audit, 'forRequest');
  expect(await t.net.pass()).toEqual({ audited: [], failed: 0 });
  expect(reads).not.toHaveBeenCalled();
  expect(await t.recorded()).toHaveLength(1);
});
