/**
 * What a job run that stalled past its lease logs. Its guard warns once that the lease lapsed
 * (lease-guard.ts), named as the scheduler names the job (its request, its kind), and the handler
 * stopped by its lease check is an operational event, not an error needing action: warned once
 * more by the scheduler (the outcome not recorded), never logged at error. A handler that failed
 * of something else after its lease was lost still logs at error (docs/operations.md).
 */
import type { JobHandler } from '../../src/flows/scheduler';
import { LeaseGuard } from '../../src/flows/lease-guard';
import { RetryAt, Scheduler } from '../../src/flows/scheduler';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { LeaseMarginError } from '../../src/domain/ports';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, MINUTE, SECOND } from './support/fake-clock';

interface Line {
  level: number;
  msg: string;
  jobId?: string;
  kind?: string;
  requestId?: string;
  correlationId?: string;
}

const JOB_ID = 'access.expire:R-1';
const WARN = 40;
const ERROR = 50;
const LAPSED = 'job lease lapsed before it was renewed (the process stalled?); the run stops as for a lost lease';
const STOPPED =
  'scheduled job stopped when its lease was lost; not recorded: the instance holding the lease owns the job now';

/**
 * A scheduler (instance `a`, 10 s backoff) over memory stores on a fake clock, whose lease on a
 * job lasts `leaseTtlMs`; `lines` are the lines it and its handlers log.
 */
function schedulerWorld(leaseTtlMs: number) {
  const lines: Line[] = [];
  const log = createLogger({ level: 'info', destination: { write: (l: string) => void lines.push(JSON.parse(l)) } });
  const clock = new FakeClock('2026-11-30T10:00:00Z');
  const jobs = new MemoryScheduleStore();
  const leases = new MemoryLeaseStore(() => clock.now());
  const scheduler = new Scheduler(jobs, leases, clock, log, {
    instanceId: 'a',
    sweepIntervalMs: 0,
    leaseTtlMs,
    backoffMs: [10 * SECOND],
  });
  return { lines, log, clock, jobs, leases, scheduler };
}

/** Runs one due job (of request R-1 unless `ofNoRequest`) whose handler is `handler`; returns every line logged. */
async function runJob(handler: JobHandler, ofNoRequest = false) {
  const { lines, clock, jobs, scheduler } = schedulerWorld(MINUTE);
  scheduler.register('access.expire', (job, run) => {
    // The process stalled past the lease's TTL; nobody took the job over meanwhile.
    clock.advance(MINUTE + SECOND);
    return handler(job, run);
  });
  const requestId = ofNoRequest ? {} : { requestId: 'R-1' };
  await scheduler.schedule({ id: JOB_ID, kind: 'access.expire', dueAt: clock.now(), ...requestId });
  const dueAt = (await jobs.get(JOB_ID))!.dueAt;
  expect(await scheduler.runDue()).toBe(1);
  // Not recorded as a failure: the job stays due, untouched (no attempt, not moved, a RetryAt
  // included), for whoever holds its lease next.
  expect(await jobs.get(JOB_ID)).toMatchObject({ attempts: 0, dueAt });
  return lines;
}

test('a handler stopped by its lease check after a stall: no error line, one warn from the guard and one from the scheduler', async () => {
  const lines = await runJob(async (_job, run) => run.check());

  expect(lines.filter((l) => l.level >= ERROR)).toEqual([]);
  const named = { jobId: JOB_ID, kind: 'access.expire', requestId: 'R-1', correlationId: `job-${JOB_ID}` };
  expect(lines).toEqual([
    expect.objectContaining({ level: WARN, msg: LAPSED, ...named }),
    expect.objectContaining({ level: WARN, msg: STOPPED, ...named }),
  ]);
});

test('a handler that wraps the lost lease (its cause, or RetryAt) warns as well', async () => {
  const wrapped = await runJob(async (_job, run) => {
    await run.check().catch((err: unknown) => {
      throw new Error('revocation stopped', { cause: err });
    });
  });
  const retryAt = await runJob(async (_job, run) => {
    await run.check().catch((err: unknown) => {
      throw new RetryAt(new Date('2026-12-01T00:00:00Z'), err);
    });
  });

  for (const lines of [wrapped, retryAt]) {
    expect(lines.filter((l) => l.level >= ERROR)).toEqual([]);
    expect(lines.map((l) => l.msg)).toEqual([LAPSED, STOPPED]);
  }
});

test('a handler that failed of something else after its lease was lost still logs at error', async () => {
  const lines = await runJob(async () => {
    throw new Error('ARM answered 503');
  });

  expect(lines).toEqual([
    expect.objectContaining({ level: WARN, msg: LAPSED, requestId: 'R-1' }),
    expect.objectContaining({
      level: ERROR,
      msg: 'scheduled job failed after its lease was lost; not recorded: the instance holding the lease owns the job now',
      requestId: 'R-1',
    }),
  ]);
});

test("a job of no request: the guard's line names the job and its kind, and no requestId", async () => {
  const lines = await runJob(async (_job, run) => run.check(), true);

  expect(lines[0]).toMatchObject({ level: WARN, msg: LAPSED, jobId: JOB_ID, kind: 'access.expire' });
  expect(lines[0]).not.toHaveProperty('requestId');
});

test("a handler stopped by another lease of its run (the access lease's own TTL lapsed) while the job's held: a stop, not a failure; due again at the next sweep", async () => {
  // ACRBOT_LEASE_TTL at 5 minutes: the job's lease outlives the access lease's fixed minute.
  const { lines, log, clock, jobs, leases, scheduler } = schedulerWorld(5 * MINUTE);
  let runs = 0;
  scheduler.register('access.expire', async (_job, run) => {
    runs++;
    const lease = (await leases.acquire('grant:x', 'a|R-1#1', MINUTE))!;
    const access = new LeaseGuard({ leases, ttlMs: MINUTE }, lease, log, { requestId: 'R-1' }, () => clock.now(), {
      what: 'access lease',
    });
    try {
      if (runs === 1) clock.advance(MINUTE + 10 * SECOND); // the process stalled past the access lease only
      await access.check();
      await run.check();
    } finally {
      await access.stop();
    }
  });
  await scheduler.schedule({ id: JOB_ID, kind: 'access.expire', dueAt: clock.now(), requestId: 'R-1' });
  const dueAt = (await jobs.get(JOB_ID))!.dueAt;

  expect(await scheduler.runDue()).toBe(1);

  expect(lines.filter((l) => l.level >= ERROR)).toEqual([]);
  expect(lines).toEqual([
    expect.objectContaining({ level: WARN, msg: expect.stringMatching(/^access lease lapsed before it was renewed/) }),
    expect.objectContaining({
      level: WARN,
      msg: 'scheduled job stopped at a lease check; not recorded as a failure: it runs again at the next sweep',
      jobId: JOB_ID,
      kind: 'access.expire',
      requestId: 'R-1',
    }),
  ]);
  // No attempt counted, no backoff: still due as it was, its lease free for the next sweep.
  expect(await jobs.get(JOB_ID)).toMatchObject({ attempts: 0, dueAt });
  expect(await scheduler.runDue()).toBe(1);
  expect(runs).toBe(2);
  expect(await jobs.get(JOB_ID)).toBeUndefined();
});

test('a handler stopped because the store failed its renewals (LeaseMarginError) while the job lease held is a failure as before: an attempt counted, backed off', async () => {
  const { lines, clock, jobs, scheduler } = schedulerWorld(5 * MINUTE);
  scheduler.register('access.expire', async () => {
    throw new LeaseMarginError('grant:x', new Error('store answered 503'));
  });
  await scheduler.schedule({ id: JOB_ID, kind: 'access.expire', dueAt: clock.now(), requestId: 'R-1' });

  expect(await scheduler.runDue()).toBe(1);

  // Retried after its backoff, not at every sweep: a store that keeps failing is reported in time.
  expect(await jobs.get(JOB_ID)).toMatchObject({ attempts: 1 });
  expect(lines.map((l) => l.msg)).not.toContain(
    'scheduled job stopped at a lease check; not recorded as a failure: it runs again at the next sweep',
  );
});

test('a handler whose access lease expired while the store failed every renewal is a failure as before (backed off), not a silent stop', async () => {
  const { lines, log, clock, jobs, leases, scheduler } = schedulerWorld(2 * MINUTE);
  // The store fails every renewal of the access lease (a throttled partition); the job's own
  // lease (2 minutes) renews.
  const failingAccess = Object.assign(Object.create(leases) as MemoryLeaseStore, {
    renew: async (lease: Parameters<MemoryLeaseStore['renew']>[0], ttlMs: number) => {
      if (lease.key.startsWith('grant:')) throw new Error('the store answered 503');
      return leases.renew(lease, ttlMs);
    },
  });
  scheduler.register('access.expire', async (_job, run) => {
    const lease = (await leases.acquire('grant:x', 'a|R-1#1', MINUTE))!;
    const access = new LeaseGuard(
      { leases: failingAccess, ttlMs: MINUTE },
      lease,
      log,
      { requestId: 'R-1' },
      () => clock.now(),
      { what: 'access lease' },
    );
    try {
      clock.advance(10 * SECOND);
      await access.check(); // the renewal fails; the margin holds
      clock.advance(51 * SECOND);
      await access.check(); // past its expiry with every renewal failed: lost because of the store
      await run.check();
    } finally {
      await access.stop();
    }
  });
  await scheduler.schedule({ id: JOB_ID, kind: 'access.expire', dueAt: clock.now(), requestId: 'R-1' });
  const dueAt = (await jobs.get(JOB_ID))!.dueAt;

  expect(await scheduler.runDue()).toBe(1);

  expect(lines.map((l) => l.msg)).toContain(
    'access lease expired while the store failed its renewals; the run stops as for a lost lease',
  );
  expect(lines.map((l) => l.msg)).not.toContain(
    'scheduled job stopped at a lease check; not recorded as a failure: it runs again at the next sweep',
  );
  const job = (await jobs.get(JOB_ID))!;
  expect(job.attempts).toBe(1);
  expect(job.dueAt).not.toEqual(dueAt);
});
