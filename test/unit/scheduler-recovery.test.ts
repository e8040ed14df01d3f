import { CloudApiError } from '../../src/domain/ports';
import { Scheduler } from '../../src/flows/scheduler';
import { RECOVERY_JOBS_PER_SWEEP } from '../../src/flows/scheduler-recovery';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, HOUR, MINUTE, SECOND } from './support/fake-clock';

const log = createLogger({ level: 'silent' });
const SWEEP = 30 * SECOND;

function setup() {
  const clock = new FakeClock('2026-11-30T10:00:00Z');
  const jobs = new MemoryScheduleStore();
  const leases = new MemoryLeaseStore(() => clock.now());
  // The default backoff (up to 30 minutes) and spread: the cadence a real outage meets.
  const make = (instanceId: string) =>
    new Scheduler(jobs, leases, clock, log, { instanceId, sweepIntervalMs: SWEEP, leaseTtlMs: MINUTE });
  return { clock, jobs, scheduler: make('a'), make };
}

describe('failing ends after their dependency is back (G17)', () => {
  test('200 ends failing through a one-hour ARM outage all end within 5 minutes of its end', async () => {
    const { clock, scheduler } = setup();
    const start = clock.now().getTime();
    const back = start + HOUR;
    const endedAt = new Map<string, number>();
    scheduler.register('access.expire', async (job) => {
      if (clock.now().getTime() < back) throw new CloudApiError('ServiceUnavailable', 503, 'down');
      endedAt.set(job.id, clock.now().getTime());
    });
    for (let i = 0; i < 200; i++)
      await scheduler.schedule({
        id: `access.expire:R-${i}`,
        kind: 'access.expire',
        requestId: `R-${i}`,
        dueAt: new Date(start + Math.floor((i * HOUR) / 200)),
      });
    while (endedAt.size < 200 && clock.now().getTime() < back + 4 * HOUR) {
      await scheduler.runDue();
      clock.advance(SWEEP);
    }
    const lags = [...endedAt.values()].map((t) => t - back);
    expect(lags).toHaveLength(200);
    expect(Math.max(...lags)).toBeLessThanOrEqual(5 * MINUTE);
  });

  test('only the due time moves, a few per sweep; other kinds and jobs never failed stay', async () => {
    const { clock, jobs, scheduler } = setup();
    const due = clock.now();
    const later = new Date(due.getTime() + 20 * MINUTE);
    for (let i = 0; i < 30; i++)
      await jobs.put({
        id: `access.expire:R-${String(i).padStart(2, '0')}`,
        kind: 'access.expire',
        dueAt: later.toISOString(),
        attempts: 6,
        lastError: '503 ServiceUnavailable',
      });
    await jobs.put({ id: 'access.expire:R-fresh', kind: 'access.expire', dueAt: later.toISOString(), attempts: 0 });
    await jobs.put({ id: 'access.remind:R-00', kind: 'access.remind', dueAt: later.toISOString(), attempts: 6 });
    await jobs.put({ id: 'access.expire:R-ok', kind: 'access.expire', dueAt: due.toISOString(), attempts: 6 });
    scheduler.register('access.expire', async () => undefined);
    expect(await scheduler.runDue()).toBe(1);
    const moved = await jobs.withIdPrefix('access.expire:R-', 100);
    const failing = moved.filter((j) => j.attempts > 0);
    expect(failing).toHaveLength(30);
    for (const job of failing) expect(job).toMatchObject({ attempts: 6, lastError: '503 ServiceUnavailable' });
    const dueNow = failing.filter((j) => Date.parse(j.dueAt) <= due.getTime());
    expect(dueNow).toHaveLength(RECOVERY_JOBS_PER_SWEEP);
    expect(failing.every((j) => Date.parse(j.dueAt) <= due.getTime() + SWEEP)).toBe(true);
    expect(await jobs.get('access.expire:R-fresh')).toMatchObject({ dueAt: later.toISOString() });
    expect(await jobs.get('access.remind:R-00')).toMatchObject({ dueAt: later.toISOString() });
  });

  test('one pass per kind every few minutes across instances: a second success does not move jobs failed since', async () => {
    const { clock, jobs, scheduler, make } = setup();
    const later = new Date(clock.now().getTime() + 20 * MINUTE).toISOString();
    for (const id of ['ok1', 'ok2'])
      await jobs.put({
        id: `access.expire:${id}`,
        kind: 'access.expire',
        dueAt: clock.now().toISOString(),
        attempts: 2,
      });
    const other = make('b');
    for (const s of [scheduler, other]) s.register('access.expire', async () => undefined);
    expect(await scheduler.runNow('access.expire:ok1')).toBe(true);
    await jobs.put({ id: 'access.expire:late', kind: 'access.expire', dueAt: later, attempts: 3 });
    expect(await other.runNow('access.expire:ok2')).toBe(true);
    expect(await jobs.get('access.expire:late')).toMatchObject({ dueAt: later });
  });
});
