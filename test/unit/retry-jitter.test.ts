/**
 * Retries spread at random so that calls and jobs that failed together do not come back together:
 * Graph's backoff after a 429 that names no wait (half to all of each step), a failed job's
 * backoff in the scheduler (up to a fifth shorter than its step), and the retries of an end
 * notice Teams did not serve (up to half shorter than each wait; the scheduler's formula,
 * retry-jitter.ts, drawn from the request's id). The random source is injected: these assert the
 * computed delays, never time.
 */
import { createHttpHeaders, createPipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import type { ScheduledJob } from '../../src/domain/ports';
import { NOTICE_RETRIES_MS, NOTICE_RETRY_JITTER, noticeRetryMs } from '../../src/flows/access-end-notice';
import { jitteredMs } from '../../src/flows/retry-jitter';
import { Scheduler } from '../../src/flows/scheduler';
import { graphThrottleStrategy } from '../../src/integrations/graph/graph-throttling';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { createLogger } from '../../src/observability/logger';
import { FakeClock } from './support/fake-clock';

function throttled(headers: Record<string, string> = {}): PipelineResponse {
  return {
    status: 429,
    headers: createHttpHeaders(headers),
    request: createPipelineRequest({ url: 'https://graph.example/v1.0/x' }),
  };
}

describe('Graph: a 429 that names no wait', () => {
  const waitOf = (random: number, retryCount: number) =>
    graphThrottleStrategy({ withRetryAfter: true, firstBackoffMs: 1_000, random: () => random }).retry({
      response: throttled(),
      retryCount,
    });

  test('waits between half and all of each doubled step, at random', () => {
    expect([0, 1, 2].map((n) => waitOf(0, n))).toEqual([
      { retryAfterInMs: 1_000 },
      { retryAfterInMs: 2_000 },
      { retryAfterInMs: 4_000 },
    ]);
    expect([0, 1, 2].map((n) => waitOf(0.999, n))).toEqual([
      { retryAfterInMs: 501 },
      { retryAfterInMs: 1_001 },
      { retryAfterInMs: 2_002 },
    ]);
    expect(waitOf(0.5, 1)).toEqual({ retryAfterInMs: 1_500 });
  });

  test('a wait Graph names is kept exactly, whatever the random source says', () => {
    const strategy = graphThrottleStrategy({ withRetryAfter: true, random: () => 0.999 });
    expect(strategy.retry({ response: throttled({ 'Retry-After': '3' }), retryCount: 0 })).toEqual({
      retryAfterInMs: 3_000,
    });
  });
});

describe('Scheduler: a failed job', () => {
  async function dueAfterFailure(random: number): Promise<number> {
    const clock = new FakeClock('2026-11-30T10:00:00Z');
    const jobs = new MemoryScheduleStore();
    const scheduler = new Scheduler(
      jobs,
      new MemoryLeaseStore(() => clock.now()),
      clock,
      createLogger({ level: 'silent' }),
      {
        instanceId: 'a',
        sweepIntervalMs: 0,
        leaseTtlMs: 60_000,
        backoffMs: [100_000],
        random: () => random,
      },
    );
    scheduler.register('access.expire', async () => {
      throw new Error('ARM answered 503');
    });
    await scheduler.schedule({ id: 'j', kind: 'access.expire', dueAt: clock.now() });
    await scheduler.runDue();
    const job: ScheduledJob = (await jobs.get('j'))!;
    expect(job.attempts).toBe(1);
    return Date.parse(job.dueAt) - clock.now().getTime();
  }

  /** Fails each of `ids` once, all at one instant, on a scheduler left to its default spread. */
  async function dueAfterDefaultSpread(ids: readonly string[]): Promise<number[]> {
    const clock = new FakeClock('2026-11-30T10:00:00Z');
    const jobs = new MemoryScheduleStore();
    const scheduler = new Scheduler(
      jobs,
      new MemoryLeaseStore(() => clock.now()),
      clock,
      createLogger({ level: 'silent' }),
      { instanceId: 'a', sweepIntervalMs: 0, leaseTtlMs: 60_000, backoffMs: [100_000] },
    );
    scheduler.register('access.expire', async () => {
      throw new Error('ARM answered 503');
    });
    for (const id of ids) await scheduler.schedule({ id, kind: 'access.expire', dueAt: clock.now() });
    expect(await scheduler.runDue()).toBe(ids.length);
    return Promise.all(ids.map(async (id) => Date.parse((await jobs.get(id))!.dueAt) - clock.now().getTime()));
  }

  test('without a random source, jobs that failed together spread apart, each the same on every run', async () => {
    const first = await dueAfterDefaultSpread(['access.expire:R-1', 'access.expire:R-2']);
    expect(first[0]).not.toBe(first[1]);
    for (const delay of first) {
      expect(delay).toBeGreaterThanOrEqual(80_000);
      expect(delay).toBeLessThanOrEqual(100_000);
    }
    // Drawn from the job's id and attempt: a second run (another process) gives the same due times.
    expect(await dueAfterDefaultSpread(['access.expire:R-1', 'access.expire:R-2'])).toEqual(first);
  });

  test('comes due again between four fifths and all of its backoff step, at random', async () => {
    expect(await dueAfterFailure(0)).toBe(100_000);
    expect(await dueAfterFailure(0.5)).toBe(90_000);
    expect(await dueAfterFailure(0.999)).toBe(80_020);
  });
});

describe('the shared formula', () => {
  test('takes off up to its largest part of the wait, never adds: all of it at spread 0', () => {
    expect(jitteredMs(100_000, 0.2, 0)).toBe(100_000);
    expect(jitteredMs(100_000, 0.2, 0.5)).toBe(90_000);
    expect(jitteredMs(100_000, 0.2, 0.999)).toBe(80_020);
    expect(jitteredMs(120_000, 0.5, 0.999)).toBe(60_060);
  });
});

describe('End notice: a retry after Teams did not serve it', () => {
  test("is the request's own draw of between half and all of each wait, the same on every run", () => {
    // Pinned: the due times an operator reads in the schedule do not move when the formula is shared.
    expect(NOTICE_RETRIES_MS.map((_, tries) => noticeRetryMs('R-1042', tries))).toEqual([66_013, 558_561, 1_556_035]);
    expect(NOTICE_RETRY_JITTER).toBe(0.5);
    expect(noticeRetryMs('R-1043', 0)).not.toBe(noticeRetryMs('R-1042', 0));
  });
});
