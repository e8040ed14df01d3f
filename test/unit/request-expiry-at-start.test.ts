/**
 * At start every pending request gets its expiry job back if it was lost, and a job already
 * there is left as it is: rewriting it reset its failure count, so an instance restarting in a
 * loop never saw a failing expiry reported after its third attempt.
 */
import { requestExpiryJobId, scheduleExpiry } from '../../src/flows/request-jobs';
import { Scheduler } from '../../src/flows/scheduler';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, MINUTE } from './support/fake-clock';
import { policy, rule } from './support/policy-fixtures';
import { quietRequestService } from './support/quiet-request-service';
import { pendingRequest } from './support/requests';

test('scheduleExpiryForPending adds a lost expiry job and keeps an existing one with its attempts', async () => {
  const clock = new FakeClock();
  const store = new MemoryRequestStore();
  const schedule = new MemoryScheduleStore();
  const jobs = new Scheduler(
    schedule,
    new MemoryLeaseStore(() => clock.now()),
    clock,
    createLogger({ level: 'silent' }),
    { instanceId: 'test', sweepIntervalMs: 0, leaseTtlMs: MINUTE },
  );
  const failing = pendingRequest({ id: 'R-FAILING1' });
  const lost = pendingRequest({ id: 'R-LOSTJOB1' });
  await store.create(failing);
  await store.create(lost);
  const service = quietRequestService({ store, clock, policy: policy([rule('default')]), jobs });
  await scheduleExpiry(jobs, failing);
  const first = (await schedule.get(requestExpiryJobId(failing.id)))!;
  // The expiry has failed twice already (the job was rewritten with its count and next try).
  expect(
    await schedule.putIfUnchanged({ ...first, attempts: 2, dueAt: '2031-01-01T00:00:00.000Z' }, first.revision!),
  ).toBe(true);

  expect(await service.scheduleExpiryForPending()).toBe(2);

  expect(await schedule.get(requestExpiryJobId(failing.id))).toMatchObject({
    attempts: 2,
    dueAt: '2031-01-01T00:00:00.000Z',
  });
  expect(await schedule.get(requestExpiryJobId(lost.id))).toMatchObject({
    kind: 'request.expire',
    requestId: lost.id,
    dueAt: new Date(lost.expiresAt).toISOString(),
    attempts: 0,
  });
});
