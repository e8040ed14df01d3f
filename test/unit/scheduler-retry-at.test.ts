/**
 * A handler that fails and says when to try again (`RetryAt`): the failure is recorded, logged and
 * reported as a plain throw's (one more attempt, the cause's text as `lastError`, the reporter
 * given the cause); only the next due time differs: the handler's, sooner or later than the
 * backoff, but never sooner than a minute after the failure (or the backoff, when that is sooner).
 */
import type { ScheduledJob } from '../../src/domain/ports';
import { DEFAULT_JOB_BACKOFF_MS, RetryAt, Scheduler, type SchedulerOptions } from '../../src/flows/scheduler';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, HOUR, MINUTE, SECOND } from './support/fake-clock';

interface Line {
  msg: string;
  correlationId?: string;
  jobId?: string;
  attempts?: number;
  dueAt?: string;
  err?: { type: string; message: string };
}

function setup(options: Partial<SchedulerOptions> = {}) {
  const lines: Line[] = [];
  const log = createLogger({ level: 'error', destination: { write: (l: string) => void lines.push(JSON.parse(l)) } });
  const clock = new FakeClock('2026-11-30T10:00:00Z');
  const jobs = new MemoryScheduleStore();
  const reports: Array<{ job: ScheduledJob; err: unknown }> = [];
  const scheduler = new Scheduler(jobs, new MemoryLeaseStore(() => clock.now()), clock, log, {
    instanceId: 'a',
    sweepIntervalMs: 0,
    leaseTtlMs: MINUTE,
    backoffMs: [10 * SECOND, 60 * SECOND],
    // The whole step, so dueAt is exact here.
    random: () => 0,
    reportAfterAttempts: 1,
    reporter: async (job, err) => void reports.push({ job, err }),
    ...options,
  });
  return { lines, clock, jobs, reports, scheduler };
}

test('RetryAt: recorded and reported as a failure, due again at the time the handler gave', async () => {
  const t = setup();
  const cause = new Error('ARM answered 403');
  let retryIn = HOUR;
  t.scheduler.register('drift.check', async () => {
    throw new RetryAt(new Date(t.clock.now().getTime() + retryIn), cause);
  });
  await t.scheduler.schedule({ id: 'drift.check', kind: 'drift.check', dueAt: t.clock.now() });

  expect(await t.scheduler.runDue()).toBe(1);

  const job = (await t.jobs.get('drift.check'))!;
  expect(job).toMatchObject({ attempts: 1, lastError: 'ARM answered 403' });
  expect(job.dueAt).toBe(new Date(t.clock.now().getTime() + HOUR).toISOString());
  // The reporter gets the failure itself (what the approvers' text is made of), not the wrapper.
  expect(t.reports).toHaveLength(1);
  expect(t.reports[0].err).toBe(cause);
  expect(t.reports[0].job).toMatchObject({ attempts: 1, dueAt: job.dueAt });
  expect(t.lines).toEqual([
    expect.objectContaining({
      msg: 'scheduled job failed; retrying later',
      correlationId: 'job-drift.check',
      jobId: 'drift.check',
      attempts: 1,
      dueAt: job.dueAt,
      err: expect.objectContaining({ type: 'Error', message: 'ARM answered 403' }),
    }),
  ]);
  // Not due at the backoff: only at its time. Failing again counts on.
  t.clock.advance(60 * SECOND);
  expect(await t.scheduler.runDue()).toBe(0);
  t.clock.advance(HOUR - 60 * SECOND);
  retryIn = 2 * HOUR;
  expect(await t.scheduler.runDue()).toBe(1);
  expect(await t.jobs.get('drift.check')).toMatchObject({
    attempts: 2,
    dueAt: new Date(t.clock.now().getTime() + 2 * HOUR).toISOString(),
  });
  expect(t.reports.map((r) => r.job.attempts)).toEqual([1, 2]);
});

test('RetryAt at the failure, before the backoff (or not a date): due at the backoff, as a plain throw', async () => {
  const t = setup();
  const at: Date[] = [];
  t.scheduler.register('drift.check', async () => {
    throw new RetryAt(at.shift()!, new Error('ARM answered 500'));
  });
  await t.scheduler.schedule({ id: 'drift.check', kind: 'drift.check', dueAt: t.clock.now() });

  at.push(t.clock.now());
  await t.scheduler.runDue();
  expect((await t.jobs.get('drift.check'))!.dueAt).toBe(new Date(t.clock.now().getTime() + 10 * SECOND).toISOString());

  t.clock.advance(10 * SECOND);
  at.push(new Date(Number.NaN));
  await t.scheduler.runDue();
  const job = (await t.jobs.get('drift.check'))!;
  expect(job).toMatchObject({ attempts: 2, lastError: 'ARM answered 500' });
  expect(job.dueAt).toBe(new Date(t.clock.now().getTime() + 60 * SECOND).toISOString());
});

test('a job that succeeds after a RetryAt is done and removed, as any other', async () => {
  const t = setup();
  let fail = true;
  t.scheduler.register('access.remind', async () => {
    if (fail) throw new RetryAt(new Date(t.clock.now().getTime() + HOUR), new Error('Teams answered 503'));
  });
  await t.scheduler.schedule({ id: 'r', kind: 'access.remind', dueAt: t.clock.now() });
  await t.scheduler.runDue();
  fail = false;
  t.clock.advance(HOUR);
  expect(await t.scheduler.runDue()).toBe(1);
  expect(await t.jobs.get('r')).toBeUndefined();
});

test('RetryAt sooner than the backoff after many failures: due at the time asked, not at the 30-minute step', async () => {
  const t = setup({ backoffMs: DEFAULT_JOB_BACKOFF_MS });
  let retryIn: number | undefined;
  t.scheduler.register('drift.check', async () => {
    const cause = new Error('ARM answered 403');
    throw retryIn === undefined ? cause : new RetryAt(new Date(t.clock.now().getTime() + retryIn), cause);
  });
  await t.scheduler.schedule({ id: 'drift.check', kind: 'drift.check', dueAt: t.clock.now() });
  // Six plain failures: the backoff is at its longest step (30 minutes).
  for (let i = 0; i < 6; i++) {
    const job = (await t.jobs.get('drift.check'))!;
    t.clock.set(new Date(job.dueAt));
    expect(await t.scheduler.runDue()).toBe(1);
  }
  const atLongest = (await t.jobs.get('drift.check'))!;
  expect(Date.parse(atLongest.dueAt) - t.clock.now().getTime()).toBe(30 * MINUTE);

  t.clock.set(new Date(atLongest.dueAt));
  retryIn = MINUTE;
  expect(await t.scheduler.runDue()).toBe(1);
  const job = (await t.jobs.get('drift.check'))!;
  expect(job).toMatchObject({ attempts: 7, lastError: 'ARM answered 403' });
  expect(job.dueAt).toBe(new Date(t.clock.now().getTime() + MINUTE).toISOString());
  // Recorded and reported as any failure: one report per failure here (reportAfterAttempts 1).
  expect(t.reports.map((r) => r.job.attempts)).toEqual([1, 2, 3, 4, 5, 6, 7]);
});

test('a job failing for hours with RetryAt keeps its cadence (a drift check every 15 minutes), counting on', async () => {
  const t = setup({ backoffMs: DEFAULT_JOB_BACKOFF_MS });
  t.scheduler.register('drift.check', async () => {
    throw new RetryAt(new Date(t.clock.now().getTime() + 15 * MINUTE), new Error('ARM answered 403'));
  });
  await t.scheduler.schedule({ id: 'drift.check', kind: 'drift.check', dueAt: t.clock.now() });
  const runs: number[] = [];
  for (let i = 0; i < 24; i++) {
    const job = (await t.jobs.get('drift.check'))!;
    t.clock.set(new Date(job.dueAt));
    expect(await t.scheduler.runDue()).toBe(1);
    runs.push(t.clock.now().getTime());
  }
  expect(runs.slice(1).map((at, i) => (at - runs[i]) / MINUTE)).toEqual(new Array(23).fill(15));
  expect((await t.jobs.get('drift.check'))!.attempts).toBe(24);
});

test('RetryAt now or in the past, after many failures: clamped to a minute after the failure, never a spin', async () => {
  const t = setup({ backoffMs: DEFAULT_JOB_BACKOFF_MS });
  const asked: Array<(now: number) => Date> = [];
  t.scheduler.register('access.orphanWatch', async () => {
    const at = asked.shift();
    const cause = new Error('ARM answered 403');
    throw at ? new RetryAt(at(t.clock.now().getTime()), cause) : cause;
  });
  await t.scheduler.schedule({ id: 'w', kind: 'access.orphanWatch', dueAt: t.clock.now() });
  for (let i = 0; i < 4; i++) {
    t.clock.set(new Date((await t.jobs.get('w'))!.dueAt));
    await t.scheduler.runDue();
  }
  // The backoff would be 15, then 30 minutes: a time asked for now or an hour ago is a minute on.
  for (const at of [(now: number) => new Date(now), (now: number) => new Date(now - HOUR)]) {
    asked.push(at);
    t.clock.set(new Date((await t.jobs.get('w'))!.dueAt));
    expect(await t.scheduler.runDue()).toBe(1);
    expect((await t.jobs.get('w'))!.dueAt).toBe(new Date(t.clock.now().getTime() + MINUTE).toISOString());
    // Not due again before then: not run in the next sweep.
    t.clock.advance(MINUTE - 1);
    expect(await t.scheduler.runDue()).toBe(0);
  }
  expect((await t.jobs.get('w'))!.attempts).toBe(6);
});
