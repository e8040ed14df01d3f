/**
 * The net for half-done decisions (review-reject-net.ts) against a click still in flight: a
 * decision younger than the click's grace is left to it; a review's entry, and the revocation it
 * asks for, are keyed by the review; and the net writes the request again before its own entry,
 * so a click whose entry failed cannot undo a rejection the net audited meanwhile. The review job
 * of a review stored without its entry stays for the net to find. Plain rejections seen audited
 * are not read again. Real memory stores with conditional writes, the real Scheduler,
 * RequestService and ApprovalNudges; the lifecycle's revocation is a fake that writes its keyed
 * entry as `scheduleRevoke` does.
 */
import type { PolicyRule } from '../../src/domain/policy';
import type { AccessRequest } from '../../src/domain/request';
import { transition } from '../../src/domain/request';
import { accessExpiryJobId } from '../../src/flows/access-jobs';
import { ApprovalNudges, type NudgeNotifier } from '../../src/flows/approval-nudges';
import { breakGlassReviewJobId } from '../../src/flows/request-jobs';
import {
  CLICK_GRACE_MS,
  REVIEW_NET_RECHECK_MS,
  reviewEntryKey,
  reviewRevokeKey,
} from '../../src/flows/review-reject-net';
import { MemoryPauseStore } from '../../src/integrations/store/memory-pause-store';
import { breakGlassService } from './support/break-glass-service';
import { policy, rule, TENANT } from './support/policy-fixtures';
import { APPROVER, pendingRequest } from './support/requests';

/**
 * The service on one rule, its break-glass grant run, and the revocations it asked for (each
 * writes its `access.revoke.requested` as `scheduleRevoke` does, keyed as asked; `revokeKeys`).
 */
async function setup() {
  const t = breakGlassService({ policies: { current: () => policy([rule('prod')]) } });
  const revoked: string[] = [];
  const revokeKeys: (string | undefined)[] = [];
  t.service.useRevocation(async (request, by, reason, options) => {
    revoked.push(request.id);
    revokeKeys.push(options?.idempotencyKey);
    await t.audit.append({
      actor: by,
      tenantId: request.tenantId,
      requestId: request.id,
      targetIds: [],
      action: 'access.revoke.requested',
      outcome: 'scheduled',
      detail: reason,
      ...(options?.idempotencyKey && { idempotencyKey: options.idempotencyKey }),
    });
  });
  const request = await t.breakGlass();
  const reject = () =>
    t.service.decide({
      requestId: request.id,
      acting: { actor: APPROVER, tenantId: TENANT },
      approve: false,
      reason: 'not an emergency',
    });
  return { ...t, revoked, revokeKeys, request, reject };
}

/** Stores Alex's rejection of `request` as its click's write does, and nothing after it (the process died). */
async function storeRejection(t: Awaited<ReturnType<typeof setup>>): Promise<void> {
  const stored = (await t.store.get(t.request.id))!;
  const review = {
    ...stored.policy!.review!,
    outcome: 'rejected' as const,
    by: APPROVER,
    at: t.clock.now().toISOString(),
    reason: 'not an emergency',
  };
  await t.store.update({ ...stored, version: stored.version + 1, policy: { ...stored.policy!, review } });
}

test("a review's entry is keyed by the review stored", async () => {
  const t = await setup();
  expect(await t.reject()).toMatchObject({ kind: 'reviewed', outcome: 'rejected' });
  const stored = (await t.store.get(t.request.id))!;
  const entry = (await t.audit.forRequest(t.request.id)).find((e) => e.action === 'breakglass.review.rejected')!;
  expect(entry.idempotencyKey).toBe(reviewEntryKey(stored));
  expect(entry.idempotencyKey).toBe(`breakglass.review.rejected:${t.request.id}:${stored.policy!.review!.at}`);
});

/** The revocation entries of `id`. */
async function revokeEntries(t: Awaited<ReturnType<typeof setup>>, id: string) {
  return (await t.audit.forRequest(id)).filter((e) => e.action === 'access.revoke.requested');
}

test("a Reject asks for its revocation under the review's key", async () => {
  const t = await setup();
  await t.reject();
  const stored = (await t.store.get(t.request.id))!;
  expect(t.revokeKeys).toEqual([`access.revoke.requested:${reviewEntryKey(stored)}`]);
  expect(reviewRevokeKey(stored)).toBe(t.revokeKeys[0]);
});

test('a click whose entry failed, slow past the grace, does not undo a rejection the net audited and revoked meanwhile', async () => {
  const t = await setup();
  const append = t.audit.append.bind(t.audit);
  let clicks = 0;
  jest.spyOn(t.audit, 'append').mockImplementation(async (event) => {
    if (event.action !== 'breakglass.review.rejected' || clicks++ > 0) return append(event);
    // The click's entry fails, slowly; before its undo, a start elsewhere finds the stored rejection.
    t.clock.advance(CLICK_GRACE_MS);
    await t.service.finishStoredDecisions();
    throw new Error('the audit store timed out');
  });
  await expect(t.reject()).rejects.toMatchObject({ code: 'audit.unavailable' });

  expect((await t.store.get(t.request.id))!.policy?.review?.outcome).toBe('rejected');
  const entries = (await t.audit.forRequest(t.request.id)).filter((e) => e.action === 'breakglass.review.rejected');
  expect(entries).toHaveLength(1);
  expect(t.revoked).toEqual([t.request.id]);
  expect(await t.jobs.get(breakGlassReviewJobId(t.request.id))).toBeUndefined();
});

test('the net leaves a review its click may still be finishing: the click, its entry failed, undoes it', async () => {
  const t = await setup();
  const append = t.audit.append.bind(t.audit);
  let clicks = 0;
  jest.spyOn(t.audit, 'append').mockImplementation(async (event) => {
    if (event.action !== 'breakglass.review.rejected' || clicks++ > 0) return append(event);
    // Moments after the click's write, a start elsewhere: a live click, not a stopped one.
    await t.service.finishStoredDecisions();
    throw new Error('the audit store timed out');
  });
  await expect(t.reject()).rejects.toMatchObject({ code: 'audit.unavailable' });

  expect((await t.store.get(t.request.id))!.policy?.review?.outcome).toBeUndefined();
  expect(await t.audit.forRequest(t.request.id)).not.toContainEqual(
    expect.objectContaining({ action: 'breakglass.review.rejected' }),
  );
  expect(t.revoked).toEqual([]);
  expect(await t.jobs.get(breakGlassReviewJobId(t.request.id))).toBeDefined();
});

test('a click slow past the grace before its revocation and the net both ask: one entry, under the key', async () => {
  const t = await setup();
  const append = t.audit.append.bind(t.audit);
  let first = true;
  jest.spyOn(t.audit, 'append').mockImplementation(async (event) => {
    if (event.action === 'access.revoke.requested' && first) {
      first = false;
      // The click passed its fresh read and stalls; a start elsewhere runs once the grace is over.
      t.clock.advance(CLICK_GRACE_MS);
      await t.service.finishStoredDecisions();
    }
    return append(event);
  });
  expect(await t.reject()).toMatchObject({ kind: 'reviewed', outcome: 'rejected' });

  const key = reviewRevokeKey((await t.store.get(t.request.id))!);
  expect(t.revokeKeys).toEqual([key, key]);
  expect(await revokeEntries(t, t.request.id)).toEqual([
    expect.objectContaining({ actor: APPROVER, idempotencyKey: key }),
  ]);
});

test('a revocation asked for under the key is left while young, and asked again once its job is found missing', async () => {
  const t = await setup();
  await storeRejection(t);
  const stored = (await t.store.get(t.request.id))!;
  t.clock.advance(CLICK_GRACE_MS);
  // Its click wrote the revocation's entry just now, and is writing its job.
  await t.audit.append({
    actor: APPROVER,
    tenantId: TENANT,
    requestId: t.request.id,
    targetIds: [],
    action: 'access.revoke.requested',
    outcome: 'scheduled',
    idempotencyKey: reviewRevokeKey(stored),
  });
  await t.service.finishStoredDecisions();
  expect(t.revoked).toEqual([]);

  // Later, still no job carries the revoke: that click stopped between the entry and the job.
  t.clock.advance(CLICK_GRACE_MS);
  await t.service.finishStoredDecisions();
  expect(t.revoked).toEqual([t.request.id]);
  expect(await revokeEntries(t, t.request.id)).toHaveLength(1);
});

test('the net asks for no revocation its end job already carries', async () => {
  const t = await setup();
  await storeRejection(t);
  await t.scheduler.schedule({
    id: accessExpiryJobId(t.request.id),
    kind: 'access.expire',
    dueAt: t.clock.now(),
    requestId: t.request.id,
    payload: { by: APPROVER, reason: 'break-glass rejected in review: not an emergency' },
  });
  t.clock.advance(CLICK_GRACE_MS);
  await t.service.finishStoredDecisions();
  expect(t.revoked).toEqual([]);
  expect((await t.audit.forRequest(t.request.id)).map((e) => e.action)).toContain('breakglass.review.rejected');
});

test('the net asks for no revocation once a fresh read finds the grant revoked meanwhile', async () => {
  const t = await setup();
  await storeRejection(t);
  t.clock.advance(CLICK_GRACE_MS);
  const get = t.scheduler.get.bind(t.scheduler);
  jest.spyOn(t.scheduler, 'get').mockImplementation(async (id) => {
    // Between the net's look at the end job and its revocation, the grant is revoked elsewhere.
    if (id === accessExpiryJobId(t.request.id)) {
      const stored = (await t.store.get(t.request.id))!;
      if (stored.state === 'succeeded')
        await t.store.update({ ...stored, version: stored.version + 1, state: 'revoked' });
    }
    return get(id);
  });
  await t.service.finishStoredDecisions();
  expect(t.revoked).toEqual([]);
  expect(await revokeEntries(t, t.request.id)).toEqual([]);
});

test('a plain rejection seen audited is not read again by the next pass on the instance', async () => {
  const t = await setup();
  const audited = pendingRequest({ id: 'R-AUDITED1', createdAt: t.clock.now().toISOString() });
  const unaudited = pendingRequest({ id: 'R-NOENTRY1', createdAt: t.clock.now().toISOString() });
  for (const r of [audited, unaudited]) {
    await t.store.create(r);
    await t.store.update(transition(r, { type: 'reject', by: APPROVER, at: t.clock.now(), reason: 'no' }));
  }
  await t.audit.append({
    actor: APPROVER,
    tenantId: audited.tenantId,
    requestId: audited.id,
    targetIds: [],
    action: 'request.rejected',
    outcome: 'rejected',
  });
  t.clock.advance(CLICK_GRACE_MS);
  const reads = jest.spyOn(t.audit, 'forRequest');
  await t.service.finishStoredDecisions();
  expect(reads.mock.calls.map(([id]) => id).sort()).toEqual([audited.id, unaudited.id]);
  expect((await t.audit.forRequest(unaudited.id)).map((e) => e.action)).toEqual(['request.rejected']);

  reads.mockClear();
  await t.service.finishStoredDecisions();
  expect(reads).not.toHaveBeenCalled();
});

test('the review job of a review stored without its entry stays, an hour on, and reports nothing', async () => {
  const t = await setup();
  const reports: string[] = [];
  const notifier: NudgeNotifier = {
    requestChanged: async () => undefined,
    nudgeApprovers: async (_r: AccessRequest, _rule: PolicyRule) => undefined,
    breakGlassUnreviewed: async (r) => {
      reports.push(r.id);
    },
  };
  const nudges = new ApprovalNudges(t.store, t.audit, t.clock, notifier, t.scheduler, new MemoryPauseStore());
  t.scheduler.register('breakglass.review', (job, run) => nudges.reviewDue(job, run));
  await storeRejection(t);
  const jobId = breakGlassReviewJobId(t.request.id);
  t.clock.set(new Date((await t.jobs.get(jobId))!.dueAt));

  expect(await t.scheduler.runDue()).toBe(1);
  expect(reports).toEqual([]);
  expect((await t.jobs.get(jobId))?.dueAt).toBe(
    new Date(t.clock.now().getTime() + REVIEW_NET_RECHECK_MS).toISOString(),
  );

  // The net finishes the review and cancels the job.
  await t.service.finishStoredDecisions();
  expect(await t.jobs.get(jobId)).toBeUndefined();
  expect(t.revoked).toEqual([t.request.id]);
});

test('with the drift check, a pass runs at most hourly on an instance', async () => {
  const t = await setup();
  await t.service.finishStoredDecisions({ atMostEveryMs: REVIEW_NET_RECHECK_MS });
  await storeRejection(t);
  t.clock.advance(REVIEW_NET_RECHECK_MS - 1);
  await t.service.finishStoredDecisions({ atMostEveryMs: REVIEW_NET_RECHECK_MS });
  expect(t.revoked).toEqual([]);
  t.clock.advance(1);
  await t.service.finishStoredDecisions({ atMostEveryMs: REVIEW_NET_RECHECK_MS });
  expect(t.revoked).toEqual([t.request.id]);
  expect((await t.audit.forRequest(t.request.id)).filter((e) => e.action === 'breakglass.review.rejected')).toEqual([
    expect.objectContaining({ actor: APPROVER, detail: 'not an emergency' }),
  ]);
});
