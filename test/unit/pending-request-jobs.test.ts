/**
 * The jobs of a pending request, named in one place (`pendingRequestJobIds`, request-jobs.ts):
 * they are exactly the jobs its creation schedules, and every path that ends it without a
 * decision (the requester's `cancel`, the withdrawal of a twin at creation) cancels all of them,
 * its `approval.announce` job included. Real memory stores and the real Scheduler.
 */
import { isUserFacing } from '../../src/domain/errors';
import type { AccessRequest } from '../../src/domain/request';
import { approvalAnnounceJobId, pendingRequestJobIds } from '../../src/flows/request-jobs';
import { RequestService } from '../../src/flows/request-service';
import { Scheduler } from '../../src/flows/scheduler';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, HOUR, MINUTE } from './support/fake-clock';
import { fakeDirectory } from './support/fake-directory';
import { APPROVERS_GROUP, policy, rule, settings, TENANT } from './support/policy-fixtures';
import { APPROVER, grantPlan, REQUESTER } from './support/requests';

function setup() {
  const clock = new FakeClock('2026-11-30T09:00:00.000Z');
  const log = createLogger({ level: 'silent' });
  const store = new MemoryRequestStore();
  const schedule = new MemoryScheduleStore();
  const scheduler = new Scheduler(schedule, new MemoryLeaseStore(() => clock.now()), clock, log, {
    instanceId: 'test',
    sweepIntervalMs: 0,
    leaseTtlMs: MINUTE,
  });
  // A rule with both nudges, so its pending requests hold every kind of job a pending request can.
  const nudging = policy([rule('prod', { remindAfterMs: 2 * HOUR, escalateAfterMs: 8 * HOUR })]);
  const service = new RequestService(
    store,
    new MemoryAuditLog(clock),
    fakeDirectory({ [APPROVERS_GROUP]: [APPROVER.objectId] }),
    clock,
    settings,
    { requestChanged: async () => undefined },
    log,
    scheduler,
    { current: () => nudging },
  );
  const create = (refuseTwins = false) =>
    service.create({
      requester: REQUESTER,
      tenantId: TENANT,
      reason: 'deploy payments-api',
      plan: grantPlan(),
      origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
      refuseTwins,
    });
  const jobIds = async (id: string) => (await schedule.forRequest(id)).map((j) => j.id).sort();
  return { clock, store, service, create, jobIds };
}

test('a pending request holds exactly the jobs pendingRequestJobIds names', async () => {
  const t = setup();
  const request = await t.create();
  expect(request.state).toBe('pending');
  // A job kind added to a pending request's creation but not to the list fails here: the cancel
  // would leave it behind.
  expect(await t.jobIds(request.id)).toEqual([...pendingRequestJobIds(request.id)].sort());
});

test("the requester's cancel leaves none of its jobs scheduled, its approval.announce job included", async () => {
  const t = setup();
  const request = await t.create();
  expect(await t.jobIds(request.id)).toContain(approvalAnnounceJobId(request.id));

  const cancelled = await t.service.cancel({ requestId: request.id, acting: { actor: REQUESTER, tenantId: TENANT } });

  expect(cancelled.state).toBe('cancelled');
  expect(await t.jobIds(request.id)).toEqual([]);
});

test('a twin withdrawn at creation leaves none of its jobs scheduled', async () => {
  const t = setup();
  const first = await t.create();
  t.clock.advance(1000);
  let refused: unknown;
  try {
    await t.create(true);
  } catch (err) {
    refused = err;
  }
  expect(isUserFacing(refused) && refused.code).toBe('limits.duplicate');
  const withdrawn: AccessRequest[] = await t.store.listByRequester(REQUESTER.objectId, ['cancelled']);
  expect(withdrawn).toHaveLength(1);
  expect(await t.jobIds(withdrawn[0]!.id)).toEqual([]);
  // The first stays waiting, with its jobs.
  expect(await t.jobIds(first.id)).toEqual([...pendingRequestJobIds(first.id)].sort());
});
