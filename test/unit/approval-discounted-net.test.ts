/**
 * The net for approvals no longer counted (approval-entry-net.ts, discounted-approvals.ts): a
 * click that drops an earlier approval whose author is no longer an approver of the rule (G5)
 * records the drop on the request with its own write, then appends `approval.discounted`; a
 * process killed in between left the trail without it. The net's next pass past the grace writes
 * that entry once, as the click would have (same fields, its detail saying it came late), under
 * the click's key; a click that wrote it gets none more; a record from before drops were recorded
 * owes nothing. Real memory stores with conditional writes and the real RequestService.
 */
import type { AuditEntry } from '../../src/domain/audit-chain';
import { discountedEntryKey } from '../../src/flows/discounted-approvals';
import { CLICK_GRACE_MS } from '../../src/flows/review-reject-net';
import { discountedApprovalSetup, dropDiesBeforeItsEntry } from './support/discounted-approval';
import { SAM, TENANT } from './support/policy-fixtures';
import { APPROVER } from './support/requests';

/** What an entry says, without where the chain put it. */
function content(entry: AuditEntry) {
  const { seq: _seq, ts: _ts, hash: _hash, prevHash: _prev, mac: _mac, ...rest } = entry;
  return rest;
}

test('a drop stored without its entry gets it once after the grace, as its click writes it, flagged late', async () => {
  // The entry the click writes on the normal path, to compare with.
  const normal = await discountedApprovalSetup();
  normal.clock.advance(60_000);
  expect(await normal.approve(APPROVER)).toMatchObject({ kind: 'recorded' });
  const [written] = await normal.discounted();

  const t = await discountedApprovalSetup();
  const at = await dropDiesBeforeItsEntry(t);
  // Moments later the click's own process may still be writing it: left alone.
  await t.service.finishStoredDecisions();
  expect(await t.discounted()).toEqual([]);

  t.clock.advance(CLICK_GRACE_MS);
  await t.service.finishStoredDecisions();
  const [late, ...more] = await t.discounted();
  expect(more).toEqual([]);
  expect(content(late)).toEqual({
    ...content(written),
    detail: `${written.detail} (written late: the approvals were dropped at ${at} but the process stopped before their entry)`,
  });
  expect(late.idempotencyKey).toBe(discountedEntryKey(t.request.id, { by: SAM, at }));
  // The click's own approval kept its entry, written before the drop's, as the click writes them.
  expect((await t.trail()).map((e) => e.action).slice(-2)).toEqual(['approval.recorded', 'approval.discounted']);

  // Audited: a later pass, and a fresh net (a next start's) on the same stores, write nothing more.
  await t.service.finishStoredDecisions();
  expect(await t.freshNet().pass()).toEqual({ audited: [], failed: 0 });
  expect(await t.discounted()).toHaveLength(1);
});

test("a click undone because its own entry failed leaves no discount in the trail, and Megan's approval back", async () => {
  const t = await discountedApprovalSetup();
  t.clock.advance(60_000);
  const append = t.audit.append.bind(t.audit);
  jest.spyOn(t.audit, 'append').mockImplementation(async (event) => {
    if (event.action === 'approval.recorded') throw new Error('the audit store failed');
    return append(event);
  });
  await expect(t.approve(APPROVER)).rejects.toThrow();
  // The click was undone (G11): the request as it was read, Megan's approval counted again...
  const stored = await t.stored();
  expect(stored.approvals).toEqual([expect.objectContaining({ by: SAM })]);
  expect(stored.discountedApprovals).toBeUndefined();
  // ...so no entry may say it no longer counts.
  expect(await t.discounted()).toEqual([]);
});

test('a drop its click audited gets no second entry from the net', async () => {
  const t = await discountedApprovalSetup();
  t.clock.advance(60_000);
  expect(await t.approve(APPROVER)).toMatchObject({ kind: 'recorded' });
  const stored = await t.stored();
  expect(await t.discounted()).toEqual([
    expect.objectContaining({ idempotencyKey: discountedEntryKey(t.request.id, stored.discountedApprovals![0]) }),
  ]);

  t.clock.advance(CLICK_GRACE_MS);
  expect(await t.freshNet().pass()).toEqual({ audited: [], failed: 0 });
  expect(await t.discounted()).toHaveLength(1);
  expect((await t.stored()).version).toBe(stored.version);
});

test("a click's append slow past the grace lands after the net's: one entry", async () => {
  const t = await discountedApprovalSetup();
  t.clock.advance(60_000);
  const append = t.audit.append.bind(t.audit);
  let first = true;
  jest.spyOn(t.audit, 'append').mockImplementation(async (event) => {
    if (event.action === 'approval.discounted' && first) {
      first = false;
      // The append stalls; a start elsewhere runs once the grace is over.
      t.clock.advance(CLICK_GRACE_MS);
      await t.service.finishStoredDecisions();
    }
    return append(event);
  });
  expect(await t.approve(APPROVER)).toMatchObject({ kind: 'recorded' });
  expect(await t.discounted()).toEqual([expect.objectContaining({ detail: expect.stringMatching(/written late/) })]);
});

test('a record from before drops were recorded owes nothing, and a click on it records its drop', async () => {
  const t = await discountedApprovalSetup();
  // Megan's approval dropped by an earlier build (bound to its rule): the record keeps no trace,
  // the entry carries no key.
  await t.rewrite({ approvals: [], policy: { ruleId: 'prod', policyHash: 'earlier', approvalsRequired: 2 } });
  await t.audit.append({
    actor: { objectId: 'acrbot', name: 'rule prod' },
    tenantId: TENANT,
    action: 'approval.discounted',
    requestId: t.request.id,
    targetIds: [],
    outcome: 'discounted',
  });
  t.clock.advance(CLICK_GRACE_MS);
  expect(await t.freshNet().pass()).toEqual({ audited: [], failed: 0 });
  expect(await t.discounted()).toHaveLength(1);

  // An approval of Megan's stored again (as before a removal from the group), then Alex clicks.
  await t.rewrite({ approvals: [{ by: SAM, at: t.clock.now().toISOString() }] });
  t.clock.advance(60_000);
  expect(await t.approve(APPROVER)).toMatchObject({ kind: 'recorded' });
  expect((await t.stored()).discountedApprovals).toEqual([expect.objectContaining({ by: SAM, why: 'notApprover' })]);
  expect(await t.discounted()).toHaveLength(2);
});

test('a request whose trail cannot be read is counted as failed; the others are audited, and it is at the next pass', async () => {
  const t = await discountedApprovalSetup();
  const other = { ...t.request, id: 'R-DISCOUNT2', version: 1 };
  await t.store.create(other);
  const at = await dropDiesBeforeItsEntry(t);
  // The other request's drop, stored by a click at the same time that died likewise.
  await t.store.update({
    ...(await t.store.get(other.id))!,
    version: 2,
    approvals: [],
    policy: (await t.stored()).policy,
    discountedApprovals: [{ by: SAM, at, why: 'notApprover' }],
  });
  t.clock.advance(CLICK_GRACE_MS);
  const forRequest = t.audit.forRequest.bind(t.audit);
  const reads = jest.spyOn(t.audit, 'forRequest').mockImplementation(async (id) => {
    if (id === other.id) throw new Error('the audit store timed out');
    return forRequest(id);
  });
  const net = t.freshNet();
  expect(await net.pass()).toEqual({ audited: [t.request.id], failed: 1 });
  reads.mockRestore();
  expect(await net.pass()).toEqual({ audited: [other.id], failed: 0 });
  expect((await t.audit.forRequest(other.id)).filter((e) => e.action === 'approval.discounted')).toHaveLength(1);
});
