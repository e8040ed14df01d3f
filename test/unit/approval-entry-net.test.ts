/**
 * The net for approvals short of the quorum stored without their entry (approval-entry-net.ts, run
 * by the net for half-done decisions): a click stores its approval, then appends its
 * `approval.recorded`; a process killed in between left an approval that counts towards the
 * quorum with no entry. The net's next pass past the grace writes that entry once, in the
 * approver's name, under the click's key; an approval audited by its own process (keyed, or
 * before keys existed) gets none; the net writes a pending request again first, so a click whose
 * entry failed cannot undo what the net audited. Real memory stores with conditional writes and
 * the real RequestService.
 */
import { approvalEntryKey, ApprovalEntryNet } from '../../src/flows/approval-entry-net';
import { CLICK_GRACE_MS } from '../../src/flows/review-reject-net';
import { createLogger } from '../../src/observability/logger';
import { TENANT } from './support/policy-fixtures';
import { APPROVER, OUTSIDER } from './support/requests';
import { twoApprovalRequest } from './support/two-approval-request';

/** The service on a rule needing two approvals (Alex's group, or Oscar), and a pending request of it. */
async function setup() {
  const t = await twoApprovalRequest({ id: 'R-QUORUM01' });
  const { request } = t;
  const recorded = async () => (await t.audit.forRequest(request.id)).filter((e) => e.action === 'approval.recorded');
  const stored = async () => (await t.store.get(request.id))!;
  return { ...t, recorded, stored };
}

/**
 * Alex approves (1 of 2) and the process dies as the approval's entry is appended: nothing after
 * that point runs (no entry, no undo). Answers when the approval was stored.
 */
async function approvalDiesBeforeItsEntry(t: Awaited<ReturnType<typeof setup>>): Promise<string> {
  let dead = false;
  const append = t.audit.append.bind(t.audit);
  const update = t.store.update.bind(t.store);
  const appends = jest.spyOn(t.audit, 'append').mockImplementation(async (event) => {
    if (event.action !== 'approval.recorded') return append(event);
    dead = true;
    throw new Error('the process died here');
  });
  const updates = jest.spyOn(t.store, 'update').mockImplementation(async (next) => {
    if (dead) throw new Error('the process is dead');
    return update(next);
  });
  await expect(t.approve(APPROVER)).rejects.toThrow();
  appends.mockRestore();
  updates.mockRestore();
  const left = await t.stored();
  expect(left.state).toBe('pending');
  expect(left.approvals).toEqual([expect.objectContaining({ by: APPROVER })]);
  expect(await t.recorded()).toEqual([]);
  return left.approvals![0].at;
}

test('an approval stored without its entry gets it once, after the grace, keyed by the approval', async () => {
  const t = await setup();
  const at = await approvalDiesBeforeItsEntry(t);

  // Moments later the click's own process may still be writing it: left alone.
  await t.service.finishStoredDecisions();
  expect(await t.recorded()).toEqual([]);

  t.clock.advance(CLICK_GRACE_MS);
  const before = await t.stored();
  await t.service.finishStoredDecisions();
  expect(await t.recorded()).toEqual([
    expect.objectContaining({
      actor: APPROVER,
      outcome: '1 of 2',
      ruleId: 'prod',
      idempotencyKey: approvalEntryKey(t.request.id, { by: APPROVER, at }),
      detail: expect.stringContaining(`ok (written late: the approval was stored at ${at}`),
    }),
  ]);
  // Claimed before its entry: the version moved, nothing else.
  expect(await t.stored()).toEqual({ ...before, version: before.version + 1 });

  // Audited: a later pass, and a fresh net (a next start's) on the same stores, write nothing more.
  await t.service.finishStoredDecisions();
  const fresh = new ApprovalEntryNet({ ...t, log: createLogger({ level: 'silent' }) }, CLICK_GRACE_MS);
  expect(await fresh.pass()).toEqual({ audited: [], failed: 0 });
  expect(await t.recorded()).toHaveLength(1);
});

test("an earlier approval of a request the quorum then approved gets its entry; the deciding one's is request.approved", async () => {
  const t = await setup();
  const at = await approvalDiesBeforeItsEntry(t);
  expect(await t.approve(OUTSIDER)).toMatchObject({ kind: 'decided' });
  const approved = await t.stored();
  expect(approved.state).toBe('approved');

  t.clock.advance(CLICK_GRACE_MS);
  await t.service.finishStoredDecisions();
  expect(await t.recorded()).toEqual([
    expect.objectContaining({
      actor: APPROVER,
      outcome: '1 of 2',
      idempotencyKey: approvalEntryKey(t.request.id, { by: APPROVER, at }),
    }),
  ]);
  // No claim on a decided request: the decision's write already stands over the approval's.
  expect((await t.stored()).version).toBe(approved.version);
});

test('an approval audited by its own process gets no second entry', async () => {
  const t = await setup();
  expect(await t.approve(APPROVER)).toMatchObject({ kind: 'recorded' });
  const stored = await t.stored();
  expect(await t.recorded()).toEqual([
    expect.objectContaining({
      outcome: '1 of 2',
      idempotencyKey: approvalEntryKey(t.request.id, stored.approvals![0]),
    }),
  ]);

  t.clock.advance(CLICK_GRACE_MS);
  await t.service.finishStoredDecisions();
  expect(await t.recorded()).toHaveLength(1);
  expect((await t.stored()).version).toBe(stored.version);
});

test('an approval audited before entries carried keys gets no second entry (an upgrade)', async () => {
  const t = await setup();
  await approvalDiesBeforeItsEntry(t);
  // The entry as an earlier build's click wrote it: no key.
  await t.audit.append({
    actor: APPROVER,
    tenantId: TENANT,
    action: 'approval.recorded',
    requestId: t.request.id,
    targetIds: [],
    outcome: '1 of 2',
  });
  const stored = await t.stored();

  t.clock.advance(CLICK_GRACE_MS);
  await t.service.finishStoredDecisions();
  expect(await t.recorded()).toEqual([expect.not.objectContaining({ idempotencyKey: expect.anything() })]);
  expect((await t.stored()).version).toBe(stored.version);
});

test("a click's append slow past the grace lands after the net's: one entry, and the approval stands", async () => {
  const t = await setup();
  const append = t.audit.append.bind(t.audit);
  let first = true;
  jest.spyOn(t.audit, 'append').mockImplementation(async (event) => {
    if (event.action === 'approval.recorded' && first) {
      first = false;
      // The append stalls; a start elsewhere runs once the grace is over.
      t.clock.advance(CLICK_GRACE_MS);
      await t.service.finishStoredDecisions();
    }
    return append(event);
  });
  expect(await t.approve(APPROVER)).toMatchObject({ kind: 'recorded' });
  // The net's, which the click's own append found under its key.
  expect(await t.recorded()).toEqual([expect.objectContaining({ detail: expect.stringMatching(/written late/) })]);
  expect((await t.stored()).approvals).toHaveLength(1);
});

test('a click whose entry failed, slow past the grace, cannot undo what the net audited meanwhile', async () => {
  const t = await setup();
  const append = t.audit.append.bind(t.audit);
  let first = true;
  jest.spyOn(t.audit, 'append').mockImplementation(async (event) => {
    if (event.action !== 'approval.recorded' || !first) return append(event);
    first = false;
    // The click's entry fails, slowly; before its undo, a start elsewhere finds the stored approval.
    t.clock.advance(CLICK_GRACE_MS);
    await t.service.finishStoredDecisions();
    throw new Error('the audit store timed out');
  });
  await expect(t.approve(APPROVER)).rejects.toMatchObject({ code: 'audit.unavailable' });
  expect((await t.stored()).approvals).toEqual([expect.objectContaining({ by: APPROVER })]);
  expect(await t.recorded()).toHaveLength(1);
});
