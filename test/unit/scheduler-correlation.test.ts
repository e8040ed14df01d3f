/**
 * The background runners' correlation ids. Every line a run of a scheduled job writes carries
 * `job-<id>`: its handler's, its lease's renewal warnings, its failure and write-back lines, the
 * sweep's line for a job it could not run. A report of a failing job gives that id as its
 * reference (composition/scheduler.ts), so an operator finds the run's lines from it, whoever
 * started the run (a sweep, or a turn's `runNow`, whose own correlation id is not the job's).
 * Likewise an execution that crashed says so under `exec-<request id>`, the reference its cards give.
 */
import type { Lease, LeaseStore, ScheduledJob } from '../../src/domain/ports';
import { Scheduler, type SchedulerOptions } from '../../src/flows/scheduler';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { withCorrelation } from '../../src/observability/correlation';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, MINUTE, SECOND } from './support/fake-clock';
import { memoryExecutor } from './support/memory-executor';

interface Line {
  level: number;
  msg: string;
  correlationId?: string;
  jobId?: string;
  kind?: string;
  err?: { message: string; aggregateErrors?: Array<{ message: string }> };
}

/** Leases in memory whose next renewal or acquisition can be made to fail as a store outage. */
class FlakyLeases implements LeaseStore {
  failRenew = false;
  failAcquire = false;
  constructor(private readonly inner: LeaseStore) {}
  acquire(key: string, owner: string, ttlMs: number): Promise<Lease | undefined> {
    if (this.failAcquire) return Promise.reject(new Error('the lease store does not answer'));
    return this.inner.acquire(key, owner, ttlMs);
  }
  renew(lease: Lease, ttlMs: number): Promise<Lease> {
    if (this.failRenew) return Promise.reject(new Error('the lease store does not answer'));
    return this.inner.renew(lease, ttlMs);
  }
  release(lease: Lease): Promise<void> {
    return this.inner.release(lease);
  }
  holder(key: string): Promise<Lease | undefined> {
    return this.inner.holder(key);
  }
}

function setup(options: Partial<SchedulerOptions> = {}) {
  const lines: Line[] = [];
  const log = createLogger({ level: 'debug', destination: { write: (l: string) => void lines.push(JSON.parse(l)) } });
  const clock = new FakeClock('2026-11-30T10:00:00Z');
  const jobs = new MemoryScheduleStore();
  const leases = new FlakyLeases(new MemoryLeaseStore(() => clock.now()));
  const scheduler = new Scheduler(jobs, leases, clock, log, {
    instanceId: 'a',
    sweepIntervalMs: 0,
    leaseTtlMs: MINUTE,
    backoffMs: [10 * SECOND],
    ...options,
  });
  return { lines, log, clock, jobs, leases, scheduler };
}

const JOB_ID = 'access.expire:R-1';

test('a failing run started by a turn: the handler, the lease renewal warning, the failure and the failed report all carry job-<id>', async () => {
  const t = setup({
    reportAfterAttempts: 1,
    reporter: async () => {
      throw new Error('Teams answered 503');
    },
  });
  t.scheduler.register('access.expire', async () => {
    t.log.info('revoking');
    // Long enough that the scheduler renews the lease once the handler is done, and the lease
    // store fails that renewal (the lease is still this run's: not lost, so the failure is written).
    t.clock.advance(MINUTE / 2);
    t.leases.failRenew = true;
    throw new Error('ARM answered 503');
  });
  await t.scheduler.schedule({ id: JOB_ID, kind: 'access.expire', dueAt: t.clock.now(), requestId: 'R-1' });

  await withCorrelation(() => t.scheduler.runNow(JOB_ID), 'turn-abc');

  expect(t.lines.map((l) => l.msg)).toEqual([
    'revoking',
    'job lease renewal failed',
    'scheduled job failed; retrying later',
    'reporting a failed job failed',
  ]);
  for (const line of t.lines) expect(line).toMatchObject({ correlationId: `job-${JOB_ID}` });
  expect((await t.jobs.get(JOB_ID))?.attempts).toBe(1);
});

test('a failure that cannot be recorded: the one line names the job and carries job-<id>, with both errors', async () => {
  const t = setup();
  t.scheduler.register('access.expire', async () => {
    throw new Error('ARM answered 503');
  });
  await t.scheduler.schedule({ id: JOB_ID, kind: 'access.expire', dueAt: t.clock.now(), requestId: 'R-1' });
  t.jobs.putIfUnchanged = async (_job: ScheduledJob, _revision: string) => {
    throw new Error('the schedule store does not answer');
  };

  await t.scheduler.runDue();

  expect(t.lines).toHaveLength(1);
  expect(t.lines[0]).toMatchObject({
    level: 50,
    jobId: JOB_ID,
    kind: 'access.expire',
    correlationId: `job-${JOB_ID}`,
    err: {
      aggregateErrors: [
        expect.objectContaining({ message: 'ARM answered 503' }),
        expect.objectContaining({ message: 'the schedule store does not answer' }),
      ],
    },
  });
});

test('a job the sweep cannot run (its lease store fails): the line carries job-<id>, and the other jobs run', async () => {
  const t = setup();
  const ran: string[] = [];
  t.scheduler.register('access.expire', async (job) => void ran.push(job.id));
  await t.scheduler.schedule({ id: JOB_ID, kind: 'access.expire', dueAt: t.clock.now(), requestId: 'R-1' });
  await t.scheduler.schedule({ id: 'access.expire:R-2', kind: 'access.expire', dueAt: t.clock.now() });
  const acquire = t.leases.acquire.bind(t.leases);
  t.leases.acquire = (key, owner, ttlMs) => {
    t.leases.failAcquire = key === `job:${JOB_ID}`;
    return acquire(key, owner, ttlMs);
  };

  await t.scheduler.runDue();

  expect(ran).toEqual(['access.expire:R-2']);
  expect(t.lines).toEqual([
    expect.objectContaining({
      msg: 'scheduled job could not be run; the sweep goes on',
      jobId: JOB_ID,
      correlationId: `job-${JOB_ID}`,
    }),
  ]);
});

test('a run that failed after its lease was lost: the line carries job-<id>', async () => {
  const t = setup();
  t.scheduler.register('access.expire', async () => {
    // Another instance takes the job over once the lease expired.
    t.clock.advance(MINUTE + SECOND);
    await t.leases.acquire(`job:${JOB_ID}`, 'b#1', MINUTE);
    throw new Error('ARM answered 503');
  });
  await t.scheduler.schedule({ id: JOB_ID, kind: 'access.expire', dueAt: t.clock.now(), requestId: 'R-1' });

  await t.scheduler.runDue();

  expect(t.lines).toEqual([
    // The lease's own line: it lapsed before a renewal (stillHeld's check asks for one), so it is lost.
    expect.objectContaining({
      level: 40,
      msg: 'job lease lapsed before it was renewed (the process stalled?); the run stops as for a lost lease',
      jobId: JOB_ID,
      correlationId: `job-${JOB_ID}`,
    }),
    expect.objectContaining({
      msg: 'scheduled job failed after its lease was lost; not recorded: the instance holding the lease owns the job now',
      jobId: JOB_ID,
      correlationId: `job-${JOB_ID}`,
    }),
  ]);
});

test('an execution that crashed (its lease store fails) says so under exec-<request id>, not the caller’s id', async () => {
  const { lines, log, clock, leases } = setup();
  leases.failAcquire = true;
  const executor = memoryExecutor(clock, { log, leases, owner: 'a' });

  await withCorrelation(() => executor.schedule('R-AAAAAAAA'), 'turn-abc');

  expect(lines).toEqual([
    expect.objectContaining({
      level: 50,
      msg: 'execution crashed',
      requestId: 'R-AAAAAAAA',
      correlationId: 'exec-R-AAAAAAAA',
      err: expect.objectContaining({ message: 'the lease store does not answer' }),
    }),
  ]);
});
