import { registerJobs } from '../../src/composition/scheduler';
import type { ScheduledJob } from '../../src/domain/ports';
import { Scheduler, type JobRun } from '../../src/flows/scheduler';
import { JOB_RUN_TIME_LIMIT_MS, runTimeLimitOf } from '../../src/flows/scheduler-run-limit';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { createLogger } from '../../src/observability/logger';
import { MINUTE, SECOND } from './support/fake-clock';

const SWEEP = 30 * SECOND;
const WARN = 40;
const INFO = 30;

afterEach(() => jest.useRealTimers());

/**
 * A scheduler on fake timers whose clock is the faked `Date`: the job leases' expiry moves with
 * the timers, so a lease that were not renewed would lapse while the tests wait. Lines at info
 * and above are kept, parsed.
 */
function setup() {
  jest.useFakeTimers({ now: Date.parse('2026-11-30T10:00:00Z') });
  const clock = { now: () => new Date() };
  const jobs = new MemoryScheduleStore();
  const leases = new MemoryLeaseStore(() => clock.now());
  const lines: Array<Record<string, unknown> & { level: number; msg: string }> = [];
  const log = createLogger({
    level: 'info',
    destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
  });
  const make = (instanceId: string) =>
    new Scheduler(jobs, leases, clock, log, {
      instanceId,
      sweepIntervalMs: SWEEP,
      leaseTtlMs: MINUTE,
      random: () => 0,
    });
  return { clock, jobs, lines, scheduler: make('a'), make };
}

/** A handler that hangs until the test settles it (resolves or throws), counting its runs. */
function hungHandler() {
  const runs: JobRun[] = [];
  let settle: (err?: Error) => void = () => undefined;
  const handler = async (_job: ScheduledJob, run: JobRun) => {
    runs.push(run);
    // An ARM call that does not answer until long after the limit.
    const err = await new Promise<Error | undefined>((resolve) => (settle = resolve));
    await run.check();
    if (err) throw err;
  };
  return { runs, handler, settle: (err?: Error) => settle(err) };
}

describe('a job whose handler never answers', () => {
  test('is detached at its time limit: the jobs due with it run, no sweep starts it again, and its lease is kept', async () => {
    const { clock, jobs, lines, scheduler, make } = setup();
    const hung = hungHandler();
    scheduler.register('access.expire', hung.handler);
    const expired: string[] = [];
    scheduler.register('request.expire', async (job) => void expired.push(job.id));
    // The hung job is first in the batch (due earlier).
    await scheduler.schedule({
      id: 'access.expire:R-1',
      kind: 'access.expire',
      requestId: 'R-1',
      dueAt: new Date(clock.now().getTime() - 1),
    });
    await scheduler.schedule({ id: 'request.expire:R-2', kind: 'request.expire', dueAt: clock.now() });
    const read = (await jobs.get('access.expire:R-1'))!;

    const sweep = scheduler.runDue();
    await jest.advanceTimersByTimeAsync(0);
    // The request's expiry ran in this sweep, with no time passing.
    expect(expired).toEqual(['request.expire:R-2']);
    await jest.advanceTimersByTimeAsync(JOB_RUN_TIME_LIMIT_MS);
    expect(await sweep).toBe(2);
    // Not failed: the job is as it was, and the run still holds its lease.
    expect(await jobs.get('access.expire:R-1')).toEqual(read);
    expect(hung.runs[0]!.signal.aborted).toBe(false);
    expect(lines.filter((l) => l.level === WARN)).toEqual([
      expect.objectContaining({
        msg: 'scheduled job still running after 10 min; the sweep goes on without it',
        jobId: 'access.expire:R-1',
        kind: 'access.expire',
        requestId: 'R-1',
        correlationId: 'job-access.expire:R-1',
      }),
    ]);

    // Later sweeps, here and on another instance, find it due and leave it: its lease is held
    // (renewed: a minute's lease would have lapsed long ago).
    const other = make('b');
    other.register('access.expire', hung.handler);
    for (let i = 0; i < 20; i++) {
      expect(await scheduler.runDue()).toBe(0);
      expect(await other.runDue()).toBe(0);
      expect(await scheduler.runNow('access.expire:R-1')).toBe(false);
      await jest.advanceTimersByTimeAsync(SWEEP);
    }
    expect(hung.runs).toHaveLength(1);
    expect(lines.filter((l) => l.level === WARN)).toHaveLength(1);

    // It ends at last, failing: written back as any run's failure, then its lease is free.
    hung.settle(new Error('ARM did not answer'));
    await jest.advanceTimersByTimeAsync(0);
    const failed = (await jobs.get('access.expire:R-1'))!;
    expect(failed).toMatchObject({ attempts: 1, lastError: 'ARM did not answer', lastFailurePassing: false });
    expect(Date.parse(failed.dueAt)).toBe(clock.now().getTime() + 30 * SECOND);
    expect(lines.filter((l) => l.level === INFO)).toEqual([
      expect.objectContaining({
        msg: 'scheduled job that ran past its time limit has settled; its outcome is written back',
        jobId: 'access.expire:R-1',
        correlationId: 'job-access.expire:R-1',
      }),
    ]);
    await jest.advanceTimersByTimeAsync(30 * SECOND);
    const again = scheduler.runDue();
    await jest.advanceTimersByTimeAsync(0);
    expect(hung.runs).toHaveLength(2);
    hung.settle();
    expect(await again).toBe(1);
    expect(await jobs.get('access.expire:R-1')).toBeUndefined();
  });

  test('a run that freed its slot keeps the time limit counted from its start, not a fresh one', async () => {
    const { clock, jobs, lines, scheduler } = setup();
    const hung = hungHandler();
    const freed: Array<boolean | undefined> = [];
    scheduler.register('access.expire', async (job, run) => {
      // Its end written after 6 minutes (ARM throttling), it frees its slot; its notice hangs.
      await new Promise((resolve) => setTimeout(resolve, 6 * MINUTE));
      freed.push(run.yieldSlot?.());
      await hung.handler(job, run);
    });
    await scheduler.schedule({ id: 'access.expire:R-1', kind: 'access.expire', dueAt: clock.now() });
    const warnings = () => lines.filter((l) => l.level === WARN).map((l) => [l.msg, l.jobId]);

    let swept = false;
    const sweep = scheduler.runDue().finally(() => (swept = true));
    await jest.advanceTimersByTimeAsync(6 * MINUTE);
    expect(freed).toEqual([true]);
    expect(warnings()).toEqual([]);
    // Ten minutes from its start, not from the slot freed: the sweep goes on without it.
    await jest.advanceTimersByTimeAsync(JOB_RUN_TIME_LIMIT_MS - 6 * MINUTE);
    expect(warnings()).toEqual([
      ['scheduled job still running after 10 min; the sweep goes on without it', 'access.expire:R-1'],
    ]);
    expect(swept).toBe(true);
    expect(await sweep).toBe(1);
    // Detached, not failed: it keeps its job until it settles.
    expect(await jobs.get('access.expire:R-1')).toMatchObject({ attempts: 0 });
    hung.settle();
    await jest.advanceTimersByTimeAsync(0);
    expect(await jobs.get('access.expire:R-1')).toBeUndefined();
  });

  test('a detached run that succeeds removes its job, as any run', async () => {
    const { clock, jobs, scheduler } = setup();
    const hung = hungHandler();
    scheduler.register('access.expire', hung.handler);
    await scheduler.schedule({ id: 'access.expire:R-1', kind: 'access.expire', dueAt: clock.now() });
    const sweep = scheduler.runDue();
    await jest.advanceTimersByTimeAsync(JOB_RUN_TIME_LIMIT_MS);
    expect(await sweep).toBe(1);
    await jest.advanceTimersByTimeAsync(30 * MINUTE);
    expect(await jobs.get('access.expire:R-1')).toMatchObject({ attempts: 0 });
    hung.settle();
    await jest.advanceTimersByTimeAsync(0);
    expect(await jobs.get('access.expire:R-1')).toBeUndefined();
    expect(hung.runs).toHaveLength(1);
  });

  test('stop() does not wait for a detached run that never ends', async () => {
    const { clock, lines, scheduler } = setup();
    const hung = hungHandler();
    scheduler.register('access.expire', hung.handler);
    await scheduler.schedule({ id: 'access.expire:R-1', kind: 'access.expire', dueAt: clock.now() });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(SWEEP + JOB_RUN_TIME_LIMIT_MS);
    expect(hung.runs).toHaveLength(1);
    await scheduler.stop();
    expect(lines.filter((l) => l.level === INFO)).toEqual([expect.objectContaining({ detachedRuns: 1 })]);
  });
});

describe('an estate-wide recurring job', () => {
  /** The drift check of composition/scheduler.ts over a large estate: its sweep takes 70 minutes. */
  function driftFlows(outcome: () => Error | undefined) {
    const state = { sweeps: 0, running: 0, maxRunning: 0, finish: [] as Array<() => void> };
    const flows = {
      requests: { finishStoredDecisions: async () => undefined },
      lifecycle: { scheduleLostEnds: async () => undefined },
      drift: {
        sweep: async () => {
          state.sweeps++;
          state.running++;
          state.maxRunning = Math.max(state.maxRunning, state.running);
          await new Promise<void>((resolve) => state.finish.push(resolve));
          state.running--;
          const err = outcome();
          if (err) throw err;
          return [];
        },
        nextRunAt: () => new Date(Date.now() + 6 * 60 * MINUTE),
      },
    };
    return { state, flows };
  }

  test('a drift check past its hour is not started again beside itself, and its own next run stands', async () => {
    const { jobs, scheduler } = setup();
    const { state, flows } = driftFlows(() => undefined);
    registerJobs(scheduler, flows as never);
    await scheduler.schedule({ id: 'drift.check', kind: 'drift.check', dueAt: new Date() });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(63 * MINUTE);
    expect(state.sweeps).toBe(1);
    expect(await jobs.get('drift.check')).toMatchObject({ attempts: 0 });
    await jest.advanceTimersByTimeAsync(7 * MINUTE);
    state.finish[0]!();
    await jest.advanceTimersByTimeAsync(SWEEP);
    expect(state).toMatchObject({ sweeps: 1, maxRunning: 1 });
    // Its handler scheduled the next run; the run's done write-back left that newer job as it is.
    expect(await jobs.get('drift.check')).toMatchObject({
      attempts: 0,
      dueAt: new Date(Date.now() - SWEEP + 6 * 60 * MINUTE).toISOString(),
    });
    await scheduler.stop();
  });

  test('a failing drift check past its hour keeps its count: the failure is recorded when it ends', async () => {
    const { jobs, scheduler } = setup();
    const { state, flows } = driftFlows(() => new Error('ARM 503'));
    registerJobs(scheduler, flows as never);
    await jobs.put({ id: 'drift.check', kind: 'drift.check', dueAt: new Date().toISOString(), attempts: 2 });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(70 * MINUTE);
    state.finish[0]!();
    await jest.advanceTimersByTimeAsync(SWEEP);
    expect(state).toMatchObject({ sweeps: 1, maxRunning: 1 });
    expect(await jobs.get('drift.check')).toMatchObject({ attempts: 3, lastError: expect.stringMatching(/ARM 503/) });
    await scheduler.stop();
  });

  test('gets an hour before the sweep goes on without it, and a request job the default limit', () => {
    expect(runTimeLimitOf('drift.check')).toBe(60 * MINUTE);
    expect(runTimeLimitOf('store.purge')).toBe(60 * MINUTE);
    expect(runTimeLimitOf('access.expire')).toBe(JOB_RUN_TIME_LIMIT_MS);
    expect(runTimeLimitOf('request.expire', 5 * SECOND)).toBe(5 * SECOND);
  });
});
