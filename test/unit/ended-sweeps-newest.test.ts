/**
 * The start's safety sweeps and the inventory read ended requests (failed, revoked), which only
 * accumulate, newest first, and a read cut at its bound is logged. Oldest first, once the bound's
 * worth of older ended requests existed, a new one was never seen: a replaced credential never
 * deleted, a lost failed grant's clean-up never rescheduled, year-old ended access shown and
 * yesterday's not. Small bounds stand for the 10,000 of production.
 */
import type { AccessRequest } from '../../src/domain/request';
import { scheduleLostEnds } from '../../src/flows/access-end-net';
import { readAccessRequests } from '../../src/flows/access-inventory';
import { scheduleCleanupsForPending } from '../../src/flows/credential-cleanup';
import { scanReviewsOwed } from '../../src/flows/waiting-for-approvers';
import { MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { memoryJobs } from './support/memory-jobs';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import type { Logger } from '../../src/observability/logger';
import { FakeClock } from './support/fake-clock';
import { pendingRequest, REGISTRY_ID, secretPlan } from './support/requests';

const at = (i: number) => new Date(Date.parse('2025-01-01T00:00:00.000Z') + i * 60_000).toISOString();

/** `count` ended requests in `state`, older than anything a test adds after them. */
async function history(store: MemoryRequestStore, state: 'revoked' | 'failed', count: number): Promise<void> {
  for (let i = 0; i < count; i++)
    await store.create(pendingRequest({ id: `R-H${String(i).padStart(7, '0')}`, state, createdAt: at(i), version: 5 }));
}

/** A logger that keeps its warnings (the only level these paths use for a cut). */
function warnings(): { log: Logger; warned: string[] } {
  const warned: string[] = [];
  const log = {
    warn: (_fields: unknown, message: string) => void warned.push(message),
    error: () => undefined,
    debug: () => undefined,
    info: () => undefined,
  } as unknown as Logger;
  return { log, warned };
}

const LIMIT = 5;

describe('sweeps of ended requests past their bound', () => {
  test("the start's clean-up sweep schedules a recent rotation's clean-up behind more older revoked requests than it reads, and says it cut", async () => {
    const store = new MemoryRequestStore();
    await history(store, 'revoked', LIMIT * 2);
    const rotation = pendingRequest({
      id: 'R-ROTATE22',
      state: 'revoked',
      createdAt: at(100),
      version: 6,
      plan: secretPlan(),
      outcome: { summary: 'rotated', retirement: { requestId: 'R-ABCDEFG2' } } as AccessRequest['outcome'],
    });
    await store.create(rotation);
    const scheduled: string[] = [];
    const { log, warned } = warnings();
    const count = await scheduleCleanupsForPending(
      store,
      { get: async () => undefined, schedule: async (j) => void scheduled.push(j.requestId!) },
      new FakeClock(),
      { limit: LIMIT, log },
    );
    expect(count).toBe(1);
    expect(scheduled).toEqual([rotation.id]);
    expect(warned).toEqual([expect.stringContaining(`read only the newest ${LIMIT} revoked requests`)]);
  });

  test('the review scan finds a break-glass grant revoked yesterday behind more older revoked grants than it reads', async () => {
    const store = new MemoryRequestStore();
    await history(store, 'revoked', LIMIT * 2);
    const owed = pendingRequest({
      id: 'R-BREAKGL2',
      state: 'revoked',
      createdAt: at(100),
      version: 6,
      policy: { ruleId: 'x', policyHash: 'h', approvalsRequired: 1, breakGlass: true, review: { dueAt: at(101) } },
    } as Partial<AccessRequest>);
    await store.create(owed);
    const found = await scanReviewsOwed(store, LIMIT);
    expect(found.requests.map((r) => r.id)).toEqual([owed.id]);
    expect(found.boundReached).toBe(true);
  });

  test("the lost end pass finds a recent failed grant's lost clean-up behind more older failed requests than it reads, and logs the cut", async () => {
    const clock = new FakeClock('2025-02-01T00:00:00.000Z');
    const store = new MemoryRequestStore();
    await history(store, 'failed', LIMIT * 2);
    const lost = pendingRequest({ id: 'R-LOSTFAIL', state: 'failed', createdAt: at(100), version: 5 });
    await store.create(lost);
    const { log, warned } = warnings();
    const scheduled = await scheduleLostEnds({
      requests: store,
      audit: new MemoryAuditLog(clock),
      jobs: memoryJobs(new MemoryScheduleStore()),
      clock,
      log,
      endJobId: (id) => `access.expire:${id}`,
      scanLimit: LIMIT,
      awaitsCleanUp: (r) => r.id === lost.id,
    });
    expect(scheduled).toEqual([lost.id]);
    expect(warned).toContainEqual(expect.stringContaining(`read only the newest ${LIMIT} failed requests`));
  });

  test('the inventory shows the newest ended access, not the oldest, and says the older may be missing', async () => {
    const store = new MemoryRequestStore();
    await history(store, 'revoked', LIMIT * 2);
    const yesterday = pendingRequest({ id: 'R-ENDEDNEW', state: 'revoked', createdAt: at(100), version: 5 });
    await store.create(yesterday);
    const live = pendingRequest({ id: 'R-LIVEGRNT', state: 'succeeded', createdAt: at(50), version: 4 });
    await store.create(live);
    for (const list of [
      (s: Parameters<typeof store.listByState>[0], l: number, o?: 'oldestFirst' | 'newestFirst') =>
        store.listByState(s, l, o),
      (s: Parameters<typeof store.listByState>[0], l: number, o?: 'oldestFirst' | 'newestFirst') =>
        store.listByRegistry(REGISTRY_ID, s, l, o),
    ]) {
      const read = await readAccessRequests(list, LIMIT);
      const ids = read.requests.map((r) => r.id);
      expect(ids[0]).toBe(live.id);
      expect(ids).toContain(yesterday.id);
      expect(ids).not.toContain('R-H0000000');
      expect(read.incomplete).toMatch(/newest 4 of its ended requests: access that ended longer ago/);
    }
  });
});
