/**
 * The net for half-done decisions (review-reject-net.ts) against the undo of a click whose entry
 * failed: the net's unchanged write before its entry loses to that undo (it landed first). The
 * net then finds the review undone and stops: no entry of a rejection nobody stored any more, no
 * revocation. Real memory stores with conditional writes; the net's ports are the test's, so
 * what it appends and revokes is seen directly.
 */
import type { AccessRequest } from '../../src/domain/request';
import { breakGlassReviewJobId } from '../../src/flows/request-jobs';
import { CLICK_GRACE_MS, finishStoredReview, type ReviewNetPorts } from '../../src/flows/review-reject-net';
import { createLogger } from '../../src/observability/logger';
import { breakGlassService } from './support/break-glass-service';
import { policy, rule } from './support/policy-fixtures';
import { APPROVER } from './support/requests';

test("the net's claim loses to the click's undo: nothing is audited or revoked", async () => {
  const t = breakGlassService({ policies: { current: () => policy([rule('prod')]) } });
  const granted = await t.breakGlass();
  const before = (await t.store.get(granted.id))!;
  // Alex's rejection as its click stores it; its entry then failed.
  const review = {
    ...before.policy!.review!,
    outcome: 'rejected' as const,
    by: APPROVER,
    at: t.clock.now().toISOString(),
    reason: 'not an emergency',
  };
  const rejected: AccessRequest = { ...before, version: before.version + 1, policy: { ...before.policy!, review } };
  await t.store.update(rejected);
  t.clock.advance(CLICK_GRACE_MS);

  // The click's undo (conditional on the version it wrote) lands just before the net's write.
  const writes: AccessRequest[] = [];
  const store: ReviewNetPorts['store'] = {
    get: (id) => t.store.get(id),
    listByState: (...args) => t.store.listByState(...args),
    update: async (next) => {
      writes.push(next);
      if (writes.length === 1) await t.store.update({ ...before, version: rejected.version + 1 });
      return t.store.update(next);
    },
  };
  const appended: string[] = [];
  const revoke = jest.fn(async () => true);
  const ports: ReviewNetPorts = {
    store,
    audit: {
      forRequest: (id) => t.audit.forRequest(id),
      append: async (event) => {
        appended.push(event.action);
        return t.audit.append(event);
      },
    },
    jobs: t.scheduler,
    clock: t.clock,
    log: createLogger({ level: 'silent' }),
    reviewJobId: breakGlassReviewJobId,
    reviewEntry: (r) => ({
      actor: APPROVER,
      tenantId: r.tenantId,
      action: 'breakglass.review.rejected',
      requestId: r.id,
      targetIds: [],
      outcome: 'rejected',
    }),
    revoke,
  };

  expect(await finishStoredReview(ports, rejected)).toBeUndefined();
  // One try: the net read the undo and saw nothing left to finish.
  expect(writes).toHaveLength(1);
  expect(appended).toEqual([]);
  expect(revoke).not.toHaveBeenCalled();
  expect((await t.store.get(granted.id))!.policy?.review?.outcome).toBeUndefined();
});
