/**
 * An approval stored by a process that stopped before its `request.approved` entry (G11: every
 * transition is audited): the resume sweep that picks the run up writes the entry first, in the
 * approver's name with their justification and under a key of its own, then runs. A decision
 * younger than the click grace is left to its own process (a later sweep runs it), so a live
 * decision is never given a second entry. Moved on the fake clock, never slept.
 */
import { CLICK_GRACE_MS } from '../../src/flows/review-reject-net';
import { approvedEntryKey } from '../../src/flows/decision-entry-net';
import type { AuditEvent } from '../../src/domain/audit-chain';
import type { AccessRequest } from '../../src/domain/request';
import { executorOnMemory } from './support/executor-resume';
import { APPROVER, pendingRequest } from './support/requests';

const APPROVED_AT = '2025-01-15T09:00:00.000Z';
const approvedRun = (): AccessRequest =>
  pendingRequest({
    id: 'R-DECIDED1',
    state: 'approved',
    version: 2,
    decision: { approved: true, by: APPROVER, at: APPROVED_AT, reason: 'release 4.2 needs it' },
    policy: { ruleId: 'prod', policyHash: 'ab'.repeat(32) } as AccessRequest['policy'],
  });

/** The entry the approving click writes (keyed as RequestService writes it; unkeyed as older releases did). */
const clickEntry = ({ keyed = true } = {}): AuditEvent => ({
  actor: APPROVER,
  tenantId: approvedRun().tenantId,
  action: 'request.approved',
  requestId: 'R-DECIDED1',
  targetIds: [],
  outcome: 'approved',
  detail: 'release 4.2 needs it',
  ...(keyed && { idempotencyKey: approvedEntryKey('R-DECIDED1', approvedRun().decision!) }),
});

describe('an approved run whose approval has no audit entry', () => {
  test("past the click grace: the entry is written in the approver's name before the run, once", async () => {
    const t = executorOnMemory(APPROVED_AT);
    t.clock.advance(CLICK_GRACE_MS);
    const after = await t.resume(approvedRun());
    expect(t.runs).toEqual(['R-DECIDED1']);
    expect(after.state).toBe('succeeded');
    const trail = await t.audit.forRequest('R-DECIDED1');
    expect(trail.map((e) => e.action).slice(0, 2)).toEqual(['request.approved', 'execution.started']);
    expect(trail[0]).toMatchObject({
      actor: APPROVER,
      outcome: 'approved',
      ruleId: 'prod',
      idempotencyKey: approvedEntryKey('R-DECIDED1', approvedRun().decision!),
    });
    expect(trail[0]!.detail).toBe(
      'release 4.2 needs it (written when the run was picked up: the decision was stored at 2025-01-15T09:00:00.000Z but its process stopped before its entry)',
    );
    expect(trail.filter((e) => e.action === 'request.approved')).toHaveLength(1);
  });

  test('within the click grace: not run by the sweep, nothing written; the next sweep past it runs it', async () => {
    const t = executorOnMemory(APPROVED_AT);
    t.clock.advance(CLICK_GRACE_MS - 1);
    const held = await t.resume(approvedRun());
    expect(t.runs).toEqual([]);
    expect(held.state).toBe('approved');
    expect(await t.audit.forRequest('R-DECIDED1')).toEqual([]);

    t.clock.advance(1);
    await t.executor.resumeInterrupted();
    await t.executor.drain();
    expect(t.runs).toEqual(['R-DECIDED1']);
    expect((await t.audit.forRequest('R-DECIDED1'))[0]).toMatchObject({ action: 'request.approved', actor: APPROVER });
  });

  test('with its entry in the log: run at once, nothing added', async () => {
    const t = executorOnMemory(APPROVED_AT);
    await t.audit.append(clickEntry({ keyed: false }));
    await t.resume(approvedRun());
    expect(t.runs).toEqual(['R-DECIDED1']);
    const approvals = (await t.audit.forRequest('R-DECIDED1')).filter((e) => e.action === 'request.approved');
    expect(approvals.map((e) => e.detail)).toEqual(['release 4.2 needs it']);
  });

  test("undone by its click while the sweep reads the trail (the click's entry failed): no late entry, nothing run", async () => {
    const t = executorOnMemory(APPROVED_AT);
    t.clock.advance(CLICK_GRACE_MS);
    const approved = approvedRun();
    await t.store.create(approved);
    const forRequest = t.audit.forRequest.bind(t.audit);
    t.audit.forRequest = async (id) => {
      const trail = await forRequest(id);
      // The click's undo (unaudited-undo.ts) lands between the sweep's reads and its writes.
      const { decision: _decision, ...pending } = approved;
      await t.store.update({ ...pending, state: 'pending', version: approved.version + 1 });
      return trail;
    };
    await t.executor.resumeInterrupted();
    await t.executor.drain();
    expect(t.runs).toEqual([]);
    expect((await t.store.get('R-DECIDED1'))!.state).toBe('pending');
    expect(await forRequest('R-DECIDED1')).toEqual([]);
  });

  test("the click's own entry, slow, landing after the late one: one request.approved (one key)", async () => {
    const t = executorOnMemory(APPROVED_AT);
    t.clock.advance(CLICK_GRACE_MS);
    await t.resume(approvedRun());
    await t.audit.append(clickEntry());
    const approvals = (await t.audit.forRequest('R-DECIDED1')).filter((e) => e.action === 'request.approved');
    expect(approvals).toHaveLength(1);
  });

  test("a sweep that left a fresh decision waiting does not swallow its click's own schedule: the click's run follows", async () => {
    const t = executorOnMemory(APPROVED_AT);
    await t.store.create(approvedRun());
    const forRequest = t.audit.forRequest.bind(t.audit);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let reading!: () => void;
    const read = new Promise<void>((resolve) => (reading = resolve));
    t.audit.forRequest = async (id) => {
      const trail = await forRequest(id); // read before the click's entry lands
      reading();
      await held;
      return trail;
    };
    await t.executor.resumeInterrupted();
    await read;
    // The click's entry lands and it schedules the run while the sweep's run is still looking.
    await t.audit.append(clickEntry());
    t.audit.forRequest = forRequest;
    const clicked = t.executor.schedule('R-DECIDED1');
    release();
    await clicked;
    await t.executor.drain();
    expect(t.runs).toEqual(['R-DECIDED1']);
  });

  test('scheduled right after its decision (not swept): runs without reading the trail', async () => {
    const t = executorOnMemory(APPROVED_AT);
    await t.store.create(approvedRun());
    let reads = 0;
    const forRequest = t.audit.forRequest.bind(t.audit);
    t.audit.forRequest = async (id) => {
      reads++;
      return forRequest(id);
    };
    await t.executor.schedule('R-DECIDED1');
    await t.executor.drain();
    expect(t.runs).toEqual(['R-DECIDED1']);
    expect(reads).toBe(0);
  });
});
