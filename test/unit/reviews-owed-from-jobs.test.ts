/**
 * Reviews owed are read from their `breakglass.review:` jobs, not from the states every ended
 * grant piles up in: with more ended grants than one read of `revoked` takes, a review owed is
 * listed and `revoked` is never read (on Azure Tables that read point-reads every request in it).
 * The start's pass, which keeps the jobs whole, reads by state as far as the bound reaches: a
 * review owed newer than 1,000 ended grants gets its job back (it read the oldest 1,000 before).
 */
import type { ScheduledJob } from '../../src/domain/ports';
import type { AccessRequest, RequestState } from '../../src/domain/request';
import { breakGlassReviewJobId, type JobScheduling } from '../../src/flows/request-jobs';
import { WAITING_SCAN_LIMIT } from '../../src/flows/waiting-for-approvers';
import { MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { breakGlassRequest } from './support/break-glass';
import { FakeClock } from './support/fake-clock';
import { quietRequestService } from './support/quiet-request-service';
import { OLIVE, policy, rule } from './support/policy-fixtures';
import { APPROVER, grantPlan } from './support/requests';

/** The memory store, telling which states were listed and how many requests were read one by one. */
class CountingStore extends MemoryRequestStore {
  readonly listed: RequestState[][] = [];
  gets = 0;
  override listByState(states: RequestState[], limit?: number): Promise<AccessRequest[]> {
    this.listed.push([...states]);
    return super.listByState(states, limit);
  }
  override get(id: string): Promise<AccessRequest | undefined> {
    this.gets++;
    return super.get(id);
  }
}

/** The part of the scheduler the service uses, on a memory schedule (the Scheduler passes it through). */
function scheduling(jobs: MemoryScheduleStore): JobScheduling {
  return {
    schedule: (job) =>
      jobs.put({ id: job.id, kind: job.kind, dueAt: job.dueAt.toISOString(), requestId: job.requestId, attempts: 0 }),
    scheduleIfAbsent: (job) =>
      jobs.putIfAbsent({
        id: job.id,
        kind: job.kind,
        dueAt: job.dueAt.toISOString(),
        requestId: job.requestId,
        attempts: 0,
      }),
    cancel: (id) => jobs.delete(id),
    get: (id) => jobs.get(id),
    withIdPrefix: (prefix, limit) => jobs.withIdPrefix(prefix, limit),
  };
}

/** Olive's break-glass run `n`, `n` seconds after 09:00; `reviewed`: its review is recorded. */
function run(n: number, state: RequestState, reviewed = false): AccessRequest {
  const at = new Date(Date.parse('2025-01-15T09:00:00.000Z') + n * 1000).toISOString();
  return breakGlassRequest(
    OLIVE,
    at,
    {
      dueAt: '2025-01-16T10:00:00.000Z',
      ...(reviewed && { outcome: 'accepted' as const, by: APPROVER, at, reason: 'fine' }),
    },
    {
      id: `R-BG${String(n).padStart(6, '0')}`,
      state,
      createdAt: at,
      updatedAt: at,
      plan: grantPlan(),
      access: { durationMs: 4 * 3_600_000, expiresAt: '2025-01-15T13:00:00.000Z' },
      outcome: { summary: 'granted', azureRequestIds: [] },
    },
  );
}

function reviewJob(request: AccessRequest): ScheduledJob {
  return {
    id: breakGlassReviewJobId(request.id),
    kind: 'breakglass.review',
    dueAt: request.policy!.review!.dueAt,
    requestId: request.id,
    attempts: 0,
  };
}

function setup(withSchedule = true) {
  const clock = new FakeClock('2025-01-15T11:00:00.000Z');
  const store = new CountingStore();
  const jobs = new MemoryScheduleStore();
  const service = quietRequestService({
    store,
    clock,
    policy: policy([rule('prod')]),
    jobs: withSchedule ? scheduling(jobs) : undefined,
  });
  /** Stores the request and, while its review is owed, its job (as the break-glass run does). */
  const add = async (request: AccessRequest, job = !request.policy!.review!.outcome) => {
    await store.create(request);
    if (job) await jobs.put(reviewJob(request));
  };
  return { store, jobs, service, add };
}

const ids = (requests: AccessRequest[]) => requests.map((r) => r.id);

describe('reviews owed, read from their jobs', () => {
  test('listed past more ended grants than one read takes, without reading revoked (or any state)', async () => {
    const { store, service, add } = setup();
    for (let n = 0; n <= WAITING_SCAN_LIMIT; n++) await add(run(n, 'revoked', true));
    // Owed: a live grant, and one revoked at once by its user (still reviewed), added newest first.
    await add(run(WAITING_SCAN_LIMIT + 200, 'succeeded'));
    await add(run(WAITING_SCAN_LIMIT + 100, 'revoked'));
    store.gets = 0;
    const owed = await service.awaitingReview();
    expect(ids(owed.requests)).toEqual([`R-BG0${WAITING_SCAN_LIMIT + 100}`, `R-BG0${WAITING_SCAN_LIMIT + 200}`]);
    expect(owed.boundReached).toBe(false);
    expect(store.listed).toEqual([]);
    expect(store.gets).toBe(2);
  }, 60_000);

  test('a job whose review was recorded meanwhile, or whose request is not stored (yet), lists nothing', async () => {
    const { jobs, service, add } = setup();
    const reviewed = run(1, 'succeeded', true);
    await add(reviewed, true);
    await jobs.put(reviewJob(run(2, 'succeeded')));
    await add(run(3, 'failed'), true);
    await add(run(4, 'executing'));
    expect(ids((await service.awaitingReview()).requests)).toEqual(['R-BG000004']);
  });

  test('more review jobs than the bound: the read says so', async () => {
    const { store, service, add } = setup();
    for (let n = 0; n <= WAITING_SCAN_LIMIT; n++) await add(run(n, 'succeeded'));
    const owed = await service.awaitingReview();
    expect(owed.boundReached).toBe(true);
    expect(owed.requests).toHaveLength(WAITING_SCAN_LIMIT);
    expect(store.listed).toEqual([]);
  }, 60_000);

  test('without a schedule to list jobs from, they are read by state: live grants, then ended ones', async () => {
    const { store, service, add } = setup(false);
    await add(run(1, 'revoked'), false);
    await add(run(2, 'succeeded', true), false);
    expect(ids((await service.awaitingReview()).requests)).toEqual(['R-BG000001']);
    expect(store.listed).toEqual([['approved', 'executing', 'succeeded'], ['revoked']]);
  });
});

describe("the start's pass that gives a review owed its lost job", () => {
  test('finds one newer than 1,000 ended grants; then the job read lists it', async () => {
    const { jobs, service, add } = setup();
    for (let n = 0; n < 1_001; n++) await add(run(n, 'revoked', true));
    await add(run(2_000, 'revoked'), false);
    await add(run(2_001, 'succeeded'));
    expect(ids((await service.awaitingReview()).requests)).toEqual(['R-BG002001']);
    const hasJob = async (id: string) => (await jobs.get(id)) !== undefined;
    expect(await service.scheduleReviewsForUnreviewed(hasJob)).toBe(1);
    expect(await jobs.get(breakGlassReviewJobId('R-BG002000'))).toMatchObject({
      kind: 'breakglass.review',
      requestId: 'R-BG002000',
      dueAt: '2025-01-16T10:00:00.000Z',
    });
    expect(ids((await service.awaitingReview()).requests)).toEqual(['R-BG002000', 'R-BG002001']);
    expect(await service.scheduleReviewsForUnreviewed(hasJob)).toBe(0);
  }, 60_000);
});
