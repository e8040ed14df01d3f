/**
 * A handler that fails and says when to try again (`RetryAt`): the failure is recorded, logged and
 * reported as a plain throw's (one more attempt, the cause's text as `lastError`, the reporter
 * given the cause); only the next due time differs, and never earlier than the backoff.
 */
import type { ScheduledJob } from '../../src/domain/ports';
import { RetryAt, Scheduler, type SchedulerOptions } from '../../src/flows/scheduler';
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

test('RetryAt sooner than the backoff (or not a date): due at the backoff, as a plain throw', async () => {
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
