/**
 * The net for half-done decisions (review-reject-net.ts) against a click still in flight: a
 * review's entry is keyed by the review, and the net writes the request again before its own
 * entry, so a click whose entry failed cannot undo a rejection the net audited meanwhile. The
 * review job of a review stored without its entry stays for the net to find. Real memory stores
 * with conditional writes, the real Scheduler, RequestService and ApprovalNudges.
 */
import type { PolicyRule } from '../../src/domain/policy';
import type { AccessRequest } from '../../src/domain/request';
import { accessExpiryJobId } from '../../src/flows/access-lifecycle';
import { ApprovalNudges, type NudgeNotifier } from '../../src/flows/approval-nudges';
import { breakGlassReviewJobId } from '../../src/flows/request-service';
import { endJobIdOf, REVIEW_NET_RECHECK_MS, reviewEntryKey } from '../../src/flows/review-reject-net';
import { MemoryPauseStore } from '../../src/integrations/store/memory-pause-store';
import { breakGlassService } from './support/break-glass-service';
import { policy, rule, TENANT } from './support/policy-fixtures';
import { APPROVER } from './support/requests';

/** The service on one rule, its break-glass grant run, and the revocations it asked for. */
async function setup() {
  const t = breakGlassService({ policies: { current: () => policy([rule('prod')]) } });
  const revoked: string[] = [];
  t.service.useRevocation(async (request) => {
    revoked.push(request.id);
  });
  const request = await t.breakGlass();
  const reject = () =>
    t.service.decide({
      requestId: request.id,
      acting: { actor: APPROVER, tenantId: TENANT },
      approve: false,
      reason: 'not an emergency',
    });
  return { ...t, revoked, request, reject };
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

test("the net looks for a revoke in the lifecycle's end job", () => {
  expect(endJobIdOf('R-7K2M9QXA')).toBe(accessExpiryJobId('R-7K2M9QXA'));
});

test("a review's entry is keyed by the review stored", async () => {
  const t = await setup();
  expect(await t.reject()).toMatchObject({ kind: 'reviewed', outcome: 'rejected' });
  const stored = (await t.store.get(t.request.id))!;
  const entry = (await t.audit.forRequest(t.request.id)).find((e) => e.action === 'breakglass.review.rejected')!;
  expect(entry.idempotencyKey).toBe(reviewEntryKey(stored));
  expect(entry.idempotencyKey).toBe(`breakglass.review.rejected:${t.request.id}:${stored.policy!.review!.at}`);
});

test('a click whose entry failed does not undo a rejection the net audited and revoked meanwhile', async () => {
  const t = await setup();
  const append = t.audit.append.bind(t.audit);
  let clicks = 0;
  jest.spyOn(t.audit, 'append').mockImplementation(async (event) => {
    if (event.action !== 'breakglass.review.rejected' || clicks++ > 0) return append(event);
    // The click's entry fails; before its undo, a start elsewhere finds the stored rejection.
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
