/**
 * A handler whose work another run is doing right now (`OtherRunUnderWay`: another revocation of
 * the same access holds its lease) has not failed: nothing is written back (the job stays due,
 * its attempts and last error as they were), nothing is reported, and the line is at info. The
 * next sweep runs it again; a failure then is counted on from the count it kept.
 */
import type { ScheduledJob } from '../../src/domain/ports';
import { OtherRunUnderWay, Scheduler } from '../../src/flows/scheduler';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, MINUTE, SECOND } from './support/fake-clock';

function setup() {
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({ level: 'info', destination: { write: (l: string) => void lines.push(JSON.parse(l)) } });
  const clock = new FakeClock('2026-11-30T10:00:00Z');
  const jobs = new MemoryScheduleStore();
  const reports: ScheduledJob[] = [];
  const scheduler = new Scheduler(jobs, new MemoryLeaseStore(() => clock.now()), clock, log, {
    instanceId: 'a',
    sweepIntervalMs: 0,
    leaseTtlMs: MINUTE,
    backoffMs: [10 * SECOND, 60 * SECOND],
    random: () => 0,
    reportAfterAttempts: 1,
    reporter: async (job) => void reports.push(job),
  });
  return { lines, clock, jobs, reports, scheduler };
}

test('OtherRunUnderWay: not a failure; the job stays as it was, due, and runs again at the next sweep', async () => {
  const t = setup();
  const outcomes: Array<() => void> = [
    () => {
      throw new Error('ARM answered 500');
    },
    () => {
      throw new OtherRunUnderWay('another revocation of role assignment x is running; retrying');
    },
    () => {
      throw new Error('ARM answered 500 again');
    },
  ];
  t.scheduler.register('access.expire', async () => outcomes.shift()!());
  await t.scheduler.schedule({
    id: 'access.expire:R-1',
    kind: 'access.expire',
    dueAt: t.clock.now(),
    requestId: 'R-1',
  });

  expect(await t.scheduler.runDue()).toBe(1);
  const failed = (await t.jobs.get('access.expire:R-1'))!;
  expect(failed).toMatchObject({ attempts: 1, lastError: 'ARM answered 500' });

  // Due again: it meets another run doing the work. Kept exactly as it was (count and error).
  t.clock.advance(10 * SECOND);
  t.lines.length = 0;
  expect(await t.scheduler.runDue()).toBe(1);
  expect(await t.jobs.get('access.expire:R-1')).toEqual(failed);
  expect(t.reports.map((r) => r.attempts)).toEqual([1]);
  expect(t.lines).toEqual([
    expect.objectContaining({
      level: 30,
      msg: 'scheduled job found its work under way in another run; not a failure: it runs again at the next sweep',
      jobId: 'access.expire:R-1',
      kind: 'access.expire',
      requestId: 'R-1',
      err: expect.objectContaining({ message: 'another revocation of role assignment x is running; retrying' }),
    }),
  ]);

  // The next sweep runs it (no time passed): its failure counts on from the count it kept.
  expect(await t.scheduler.runDue()).toBe(1);
  expect(await t.jobs.get('access.expire:R-1')).toMatchObject({ attempts: 2, lastError: 'ARM answered 500 again' });
  expect(t.reports.map((r) => r.attempts)).toEqual([1, 2]);
});

test('OtherRunUnderWay after the job’s own lease lapsed (a stall): a stop, warned, never an error line', async () => {
  const t = setup();
  t.scheduler.register('access.expire', async () => {
    t.clock.advance(MINUTE + SECOND); // the process stalled past the job's lease
    throw new OtherRunUnderWay('another revocation of role assignment x is running; retrying');
  });
  await t.scheduler.schedule({
    id: 'access.expire:R-1',
    kind: 'access.expire',
    dueAt: t.clock.now(),
    requestId: 'R-1',
  });
  const before = (await t.jobs.get('access.expire:R-1'))!;

  expect(await t.scheduler.runDue()).toBe(1);
  expect(await t.jobs.get('access.expire:R-1')).toEqual(before);
  expect(t.lines.filter((l) => (l.level as number) >= 50)).toEqual([]);
  expect(t.lines.map((l) => l.msg)).toContain(
    'scheduled job stopped when its lease was lost; not recorded: the instance holding the lease owns the job now',
  );
  expect(t.reports).toEqual([]);
});
