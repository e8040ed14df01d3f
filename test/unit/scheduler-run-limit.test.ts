import { LeaseLostError } from '../../src/domain/ports';
import { Scheduler, type JobRun } from '../../src/flows/scheduler';
import { JOB_RUN_TIME_LIMIT_MS, runTimeLimitOf } from '../../src/flows/scheduler-run-limit';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, MINUTE, SECOND } from './support/fake-clock';

const log = createLogger({ level: 'silent' });

afterEach(() => jest.useRealTimers());

describe('a job whose handler never answers', () => {
  test('does not hold back the jobs due with it, and is recorded as failed after the time limit', async () => {
    jest.useFakeTimers();
    const clock = new FakeClock('2026-11-30T10:00:00Z');
    const jobs = new MemoryScheduleStore();
    const leases = new MemoryLeaseStore(() => clock.now());
    const scheduler = new Scheduler(jobs, leases, clock, log, {
      instanceId: 'a',
      sweepIntervalMs: 30 * SECOND,
      leaseTtlMs: MINUTE,
      random: () => 0,
    });
    let wake: () => void = () => undefined;
    let hungRun: JobRun | undefined;
    let lateSideEffect = false;
    let lateCheck: unknown;
    scheduler.register('access.expire', async (_job, run) => {
      hungRun = run;
      // An ARM call that does not answer until after the limit.
      await new Promise<void>((resolve) => (wake = resolve));
      try {
        await run.check();
        lateSideEffect = true;
      } catch (err) {
        lateCheck = err;
        throw err;
      }
    });
    const expired = new Promise<string>((resolve) =>
      scheduler.register('request.expire', async (job) => resolve(job.id)),
    );
    // The hung job is first in the batch (due earlier).
    await scheduler.schedule({
      id: 'access.expire:R-1',
      kind: 'access.expire',
      dueAt: new Date(clock.now().getTime() - 1),
    });
    await scheduler.schedule({ id: 'request.expire:R-2', kind: 'request.expire', dueAt: clock.now() });

    const sweep = scheduler.runDue();
    // The request's expiry runs in this sweep, with no time passing.
    expect(await expired).toBe('request.expire:R-2');
    await jest.advanceTimersByTimeAsync(JOB_RUN_TIME_LIMIT_MS);
    expect(await sweep).toBe(2);
    expect(await jobs.get('request.expire:R-2')).toBeUndefined();
    const hung = await jobs.get('access.expire:R-1');
    expect(hung).toMatchObject({ attempts: 1, lastError: expect.stringMatching(/did not finish within 10 min/) });
    expect(Date.parse(hung!.dueAt)).toBe(clock.now().getTime() + 30 * SECOND);
    // The handler is told: its run counts as lost, so what it does later writes nothing.
    expect(hungRun!.signal.aborted).toBe(true);
    wake();
    await jest.advanceTimersByTimeAsync(0);
    expect(lateSideEffect).toBe(false);
    expect(lateCheck).toBeInstanceOf(LeaseLostError);
    expect(await jobs.get('access.expire:R-1')).toEqual(hung);
  });
});

describe('an estate-wide recurring job', () => {
  test('the drift check may run past the limit of a request job (a large estate), not past an hour', async () => {
    jest.useFakeTimers();
    const clock = new FakeClock('2026-11-30T10:00:00Z');
    const jobs = new MemoryScheduleStore();
    const leases = new MemoryLeaseStore(() => clock.now());
    const scheduler = new Scheduler(jobs, leases, clock, log, {
      instanceId: 'a',
      sweepIntervalMs: 30 * SECOND,
      leaseTtlMs: MINUTE,
      random: () => 0,
    });
    let finish: () => void = () => undefined;
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    scheduler.register('drift.check', async () => {
      started();
      // Listing every pair under ARM's read throttling: longer than a request job's limit.
      await new Promise<void>((resolve) => (finish = resolve));
    });
    await scheduler.schedule({ id: 'drift.check', kind: 'drift.check', dueAt: clock.now() });

    const sweep = scheduler.runDue();
    await running;
    await jest.advanceTimersByTimeAsync(JOB_RUN_TIME_LIMIT_MS + 5 * MINUTE);
    finish();
    expect(await sweep).toBe(1);
    expect(await jobs.get('drift.check')).toBeUndefined();
  });

  test('gets an hour, and a request job the default limit', () => {
    expect(runTimeLimitOf('drift.check')).toBe(60 * MINUTE);
    expect(runTimeLimitOf('store.purge')).toBe(60 * MINUTE);
    expect(runTimeLimitOf('access.expire')).toBe(JOB_RUN_TIME_LIMIT_MS);
    expect(runTimeLimitOf('request.expire', 5 * SECOND)).toBe(5 * SECOND);
  });
});
