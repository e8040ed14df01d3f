/**
 * The start's expiry sweep reads pending requests up to the clean-up sweep's bound, and says so
 * when it reads that many: the newest beyond a small fixed cut were never looked at, so one whose
 * expiry job was lost stayed pending (against its requester's cap) with nothing logged.
 */
import { PENDING_SWEEP_LIMIT } from '../../src/flows/credential-cleanup';
import { requestExpiryJobId, scheduleExpiryForPending, type JobScheduling } from '../../src/flows/request-jobs';
import type { JobSpec } from '../../src/flows/scheduler';
import type { RequestStore } from '../../src/domain/ports';
import { pendingRequest } from './support/requests';

/** A store whose pending list is `count` requests, oldest first, as many as the read asks for. */
function storeOf(count: number): { store: RequestStore; limits: (number | undefined)[] } {
  const limits: (number | undefined)[] = [];
  const all = Array.from({ length: count }, (_, i) => pendingRequest({ id: `R-${String(i).padStart(8, '0')}` }));
  const store = {
    listByState: async (_states: unknown, limit?: number) => {
      limits.push(limit);
      return all.slice(0, limit ?? all.length);
    },
  } as unknown as RequestStore;
  return { store, limits };
}

function jobsRecorder(): { jobs: JobScheduling; scheduled: string[] } {
  const scheduled: string[] = [];
  const jobs = {
    scheduleIfAbsent: async (job: JobSpec) => {
      scheduled.push(job.id);
      return true;
    },
  } as unknown as JobScheduling;
  return { jobs, scheduled };
}

test('reads as many pending requests as the clean-up sweep: the 1,001st pending request gets its expiry job', async () => {
  const { store, limits } = storeOf(1001);
  const { jobs, scheduled } = jobsRecorder();
  const warn = jest.fn();
  expect(await scheduleExpiryForPending(store, jobs, { log: { warn } })).toBe(1001);
  expect(limits).toEqual([PENDING_SWEEP_LIMIT]);
  expect(scheduled).toContain(requestExpiryJobId('R-00001000'));
  expect(warn).not.toHaveBeenCalled();
});

test('a read that reaches its bound is logged, naming the cut', async () => {
  const { store } = storeOf(5);
  const { jobs, scheduled } = jobsRecorder();
  const warn = jest.fn();
  expect(await scheduleExpiryForPending(store, jobs, { limit: 3, log: { warn } })).toBe(3);
  expect(scheduled).toHaveLength(3);
  expect(warn).toHaveBeenCalledWith(
    { state: 'pending', read: 3 },
    expect.stringContaining('read only the oldest 3 pending requests'),
  );
});
