/**
 * A job's lines carry its request id: an immediate revoke whose Azure call failed logs only the
 * scheduler's `scheduled job failed; retrying later`, so an operator searching the log by
 * `requestId` (the id on the requester's card) must find it there, and on every other line about
 * the job (docs/operations.md).
 */
import type { ScheduledJob } from '../../src/domain/ports';
import { Scheduler } from '../../src/flows/scheduler';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, MINUTE, SECOND } from './support/fake-clock';

interface Line {
  level: number;
  msg: string;
  jobId?: string;
  kind?: string;
  requestId?: string;
}

const JOB_ID = 'access.expire:R-1';

function setup() {
  const lines: Line[] = [];
  const log = createLogger({ level: 'info', destination: { write: (l: string) => void lines.push(JSON.parse(l)) } });
  const clock = new FakeClock('2026-11-30T10:00:00Z');
  const jobs = new MemoryScheduleStore();
  const leases = new MemoryLeaseStore(() => clock.now());
  const scheduler = new Scheduler(jobs, leases, clock, log, {
    instanceId: 'a',
    sweepIntervalMs: 0,
    leaseTtlMs: MINUTE,
    backoffMs: [10 * SECOND],
  });
  return { lines, clock, jobs, leases, scheduler };
}

/**
 * Two jobs of requests due now: R-1's expiry, whose handler is `expire`, and R-2's reminder, whose
 * handler succeeds (what goes wrong with it is the schedule store's, which the test breaks).
 */
async function dueExpireAndRemind(t: ReturnType<typeof setup>, expire: () => Promise<void>): Promise<void> {
  t.scheduler.register('access.expire', expire);
  t.scheduler.register('access.remind', async () => undefined);
  await t.scheduler.schedule({ id: JOB_ID, kind: 'access.expire', dueAt: t.clock.now(), requestId: 'R-1' });
  await t.scheduler.schedule({
    id: 'access.remind:R-2',
    kind: 'access.remind',
    dueAt: t.clock.now(),
    requestId: 'R-2',
  });
}

test('a failing job of a request: `scheduled job failed; retrying later` carries its requestId', async () => {
  const t = setup();
  t.scheduler.register('access.expire', async () => {
    throw new Error('ARM answered 503');
  });
  await t.scheduler.schedule({ id: JOB_ID, kind: 'access.expire', dueAt: t.clock.now(), requestId: 'R-1' });

  await t.scheduler.runNow(JOB_ID);

  expect(t.lines).toEqual([
    expect.objectContaining({
      level: 50,
      msg: 'scheduled job failed; retrying later',
      jobId: JOB_ID,
      kind: 'access.expire',
      requestId: 'R-1',
    }),
  ]);
});

test('a failure not written back (the job was rewritten while it ran) carries its requestId', async () => {
  const t = setup();
  t.scheduler.register('access.expire', async () => {
    // Another instance's revoke rewrites the job meanwhile.
    await t.scheduler.schedule({ id: JOB_ID, kind: 'access.expire', dueAt: t.clock.now(), requestId: 'R-1' });
    throw new Error('ARM answered 503');
  });
  await t.scheduler.schedule({ id: JOB_ID, kind: 'access.expire', dueAt: t.clock.now(), requestId: 'R-1' });

  await t.scheduler.runDue();

  expect(t.lines).toEqual([
    expect.objectContaining({
      msg: expect.stringMatching(/^scheduled job failed; not written back/),
      requestId: 'R-1',
    }),
  ]);
});

test('a failure that cannot be recorded, and a done job that cannot be removed, carry their requestId', async () => {
  const t = setup();
  await dueExpireAndRemind(t, async () => {
    throw new Error('ARM answered 503');
  });
  t.jobs.putIfUnchanged = async (_job: ScheduledJob, _revision: string) => {
    throw new Error('the schedule store does not answer');
  };
  t.jobs.deleteIfUnchanged = async () => {
    throw new Error('the schedule store does not answer');
  };

  await t.scheduler.runDue();

  expect(t.lines).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ msg: expect.stringMatching(/recording the failure failed too/), requestId: 'R-1' }),
      expect.objectContaining({ msg: expect.stringMatching(/removing it failed/), requestId: 'R-2' }),
    ]),
  );
  expect(t.lines).toHaveLength(2);
});

test('a job the sweep cannot run, and one that failed after its lease was lost, carry their requestId', async () => {
  const t = setup();
  await dueExpireAndRemind(t, async () => {
    t.clock.advance(MINUTE + SECOND);
    await t.leases.acquire(`job:${JOB_ID}`, 'b#1', MINUTE);
    throw new Error('ARM answered 503');
  });
  const get = t.jobs.get.bind(t.jobs);
  t.jobs.get = (id: string) =>
    id === 'access.remind:R-2' ? Promise.reject(new Error('the schedule store does not answer')) : get(id);

  await t.scheduler.runDue();

  expect(t.lines).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ msg: expect.stringMatching(/after its lease was lost/), requestId: 'R-1' }),
      expect.objectContaining({ msg: 'scheduled job could not be run; the sweep goes on', requestId: 'R-2' }),
      // The lease's own line: it lapsed before a renewal, so it is lost (lease-guard.ts).
      expect.objectContaining({ msg: expect.stringMatching(/^job lease lapsed/), jobId: JOB_ID }),
    ]),
  );
  expect(t.lines).toHaveLength(3);
});

test('a recurring job without a request logs no requestId field', async () => {
  const t = setup();
  t.scheduler.register('drift.check', async () => {
    throw new Error('ARM answered 503');
  });
  await t.scheduler.schedule({ id: 'drift.check', kind: 'drift.check', dueAt: t.clock.now() });

  await t.scheduler.runNow('drift.check');

  expect(t.lines).toHaveLength(1);
  expect(t.lines[0]).toMatchObject({ msg: 'scheduled job failed; retrying later', jobId: 'drift.check' });
  expect(t.lines[0]).not.toHaveProperty('requestId');
});
