/**
 * What a run claims under its lease is the job as stored then, not as listed: a job moved later
 * after the sweep listed it (an extension moving `access.expire` on another instance) is not run
 * now, and `runNow` of a job not yet due runs nothing. A sweep takes at most its bound, all of it.
 * Found by mutation testing: dropping the due check of the re-read under the lease (access ended
 * before the extended end), and taking one job fewer than the batch, passed every existing test.
 */
import type { ScheduledJob } from '../../src/domain/ports';
import { Scheduler } from '../../src/flows/scheduler';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, HOUR, MINUTE } from './support/fake-clock';

const log = createLogger({ level: 'silent' });

/** The memory schedule, with a hook run right after a sweep lists the due jobs. */
class ListThenWrite extends MemoryScheduleStore {
  afterDue: (() => Promise<void>) | undefined;
  override async due(now: Date, limit: number): Promise<ScheduledJob[]> {
    const listed = await super.due(now, limit);
    const hook = this.afterDue;
    this.afterDue = undefined;
    await hook?.();
    return listed;
  }
}

function setup(batchSize?: number, maxJobsPerSweep?: number) {
  const clock = new FakeClock('2026-11-30T10:00:00Z');
  const jobs = new ListThenWrite();
  const scheduler = new Scheduler(jobs, new MemoryLeaseStore(() => clock.now()), clock, log, {
    instanceId: 'a',
    sweepIntervalMs: 0,
    leaseTtlMs: MINUTE,
    ...(batchSize === undefined ? {} : { batchSize }),
    ...(maxJobsPerSweep === undefined ? {} : { maxJobsPerSweep }),
  });
  const ran: string[] = [];
  scheduler.register('access.expire', async (job) => void ran.push(job.id));
  return { clock, jobs, scheduler, ran };
}

test('a due job moved later (an extension) after the sweep listed it is not run; it stays at its new time', async () => {
  const { clock, jobs, scheduler, ran } = setup();
  await scheduler.schedule({ id: 'access.expire:R-1', kind: 'access.expire', dueAt: clock.now(), requestId: 'R-1' });
  const extended = new Date(clock.now().getTime() + 2 * HOUR);
  // Another instance extends the grant between the listing and the claim.
  jobs.afterDue = () =>
    scheduler.schedule({ id: 'access.expire:R-1', kind: 'access.expire', dueAt: extended, requestId: 'R-1' });
  expect(await scheduler.runDue()).toBe(0);
  expect(ran).toEqual([]);
  expect((await jobs.get('access.expire:R-1'))?.dueAt).toBe(extended.toISOString());
});

test('runNow of a job not yet due runs nothing and leaves it', async () => {
  const { clock, jobs, scheduler, ran } = setup();
  const later = new Date(clock.now().getTime() + HOUR);
  await scheduler.schedule({ id: 'access.expire:R-2', kind: 'access.expire', dueAt: later, requestId: 'R-2' });
  expect(await scheduler.runNow('access.expire:R-2')).toBe(false);
  expect(ran).toEqual([]);
  expect((await jobs.get('access.expire:R-2'))?.dueAt).toBe(later.toISOString());
});

test('a sweep reads a batch at a time, earliest first, and takes at most its bound; the rest run in the next', async () => {
  const { clock, scheduler, ran } = setup(2, 3);
  for (let i = 1; i <= 4; i++)
    await scheduler.schedule({
      id: `access.expire:R-${i}`,
      kind: 'access.expire',
      dueAt: new Date(clock.now().getTime() - (5 - i) * MINUTE),
    });
  expect(await scheduler.runDue()).toBe(3);
  expect(ran).toEqual(['access.expire:R-1', 'access.expire:R-2', 'access.expire:R-3']);
  expect(await scheduler.runDue()).toBe(1);
  expect(ran).toEqual(['access.expire:R-1', 'access.expire:R-2', 'access.expire:R-3', 'access.expire:R-4']);
});
