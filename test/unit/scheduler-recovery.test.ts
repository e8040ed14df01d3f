import { CloudApiError } from '../../src/domain/ports';
import { Scheduler, type SchedulerOptions } from '../../src/flows/scheduler';
import { RECOVERY_JOBS_PER_SWEEP } from '../../src/flows/scheduler-recovery';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, HOUR, MINUTE, SECOND } from './support/fake-clock';

const log = createLogger({ level: 'silent' });
const SWEEP = 30 * SECOND;

function setup(options: Partial<SchedulerOptions> = {}) {
  const clock = new FakeClock('2026-11-30T10:00:00Z');
  const jobs = new MemoryScheduleStore();
  const leases = new MemoryLeaseStore(() => clock.now());
  // The default backoff (up to 30 minutes) and spread: the cadence a real outage meets.
  const make = (instanceId: string) =>
    new Scheduler(jobs, leases, clock, log, { instanceId, sweepIntervalMs: SWEEP, leaseTtlMs: MINUTE, ...options });
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
        lastFailurePassing: true,
      });
    await jobs.put({ id: 'access.expire:R-fresh', kind: 'access.expire', dueAt: later.toISOString(), attempts: 0 });
    await jobs.put({ id: 'access.remind:R-00', kind: 'access.remind', dueAt: later.toISOString(), attempts: 6 });
    await jobs.put({
      id: 'access.expire:R-ok',
      kind: 'access.expire',
      dueAt: due.toISOString(),
      attempts: 6,
      lastFailurePassing: true,
    });
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
        lastFailurePassing: true,
      });
    const other = make('b');
    for (const s of [scheduler, other]) s.register('access.expire', async () => undefined);
    expect(await scheduler.runNow('access.expire:ok1')).toBe(true);
    await jobs.put({
      id: 'access.expire:late',
      kind: 'access.expire',
      dueAt: later,
      attempts: 3,
      lastFailurePassing: true,
    });
    expect(await other.runNow('access.expire:ok2')).toBe(true);
    expect(await jobs.get('access.expire:late')).toMatchObject({ dueAt: later });
  });

  test('a failure is stored as passing (5xx, 408, 429, no answer) or not (a refusal)', async () => {
    const { clock, jobs, scheduler } = setup();
    const errors: Record<string, Error> = {
      '503': new CloudApiError('ServiceUnavailable', 503, 'down'),
      '429': new CloudApiError('TooManyRequests', 429, 'throttled'),
      noAnswer: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      '403': new CloudApiError('AuthorizationFailed', 403, 'no rights'),
      '409': new CloudApiError('ScopeLocked', 409, 'locked'),
    };
    scheduler.register('access.expire', async (job) => {
      throw new Error(`revoking ${job.id} failed`, { cause: errors[job.id.slice('access.expire:'.length)] });
    });
    for (const name of Object.keys(errors))
      await scheduler.schedule({ id: `access.expire:${name}`, kind: 'access.expire', dueAt: clock.now() });
    expect(await scheduler.runDue()).toBe(5);
    const passing = Object.fromEntries(
      (await jobs.withIdPrefix('access.expire:', 10)).map((j) => [
        j.id.slice('access.expire:'.length),
        j.lastFailurePassing,
      ]),
    );
    expect(passing).toEqual({ '503': true, '429': true, noAnswer: true, '403': false, '409': false });
  });

  test('jobs refused (or stored without the mark) are not brought forward, and a success after a refusal moves nothing', async () => {
    const { clock, jobs, scheduler } = setup();
    const later = new Date(clock.now().getTime() + 20 * MINUTE).toISOString();
    const failing = { kind: 'access.expire' as const, dueAt: later, attempts: 4 };
    await jobs.put({ id: 'access.expire:refused', ...failing, lastError: '403', lastFailurePassing: false });
    await jobs.put({ id: 'access.expire:older', ...failing, lastError: '503' });
    await jobs.put({ id: 'access.expire:passing', ...failing, lastError: '503', lastFailurePassing: true });
    // A job whose last failure was a refusal (its right given back) succeeds: no sign of an outage's end.
    await jobs.put({
      id: 'access.expire:was-refused',
      kind: 'access.expire',
      dueAt: clock.now().toISOString(),
      attempts: 2,
      lastFailurePassing: false,
    });
    scheduler.register('access.expire', async () => undefined);
    expect(await scheduler.runDue()).toBe(1);
    for (const id of ['refused', 'older', 'passing'])
      expect(await jobs.get(`access.expire:${id}`)).toMatchObject({ dueAt: later });
    // One that had failed passingly succeeds: only the passing one comes forward.
    await jobs.put({
      id: 'access.expire:was-passing',
      kind: 'access.expire',
      dueAt: clock.now().toISOString(),
      attempts: 2,
      lastFailurePassing: true,
    });
    expect(await scheduler.runDue()).toBe(1);
    expect(await jobs.get('access.expire:refused')).toMatchObject({ dueAt: later });
    expect(await jobs.get('access.expire:older')).toMatchObject({ dueAt: later });
    expect(Date.parse((await jobs.get('access.expire:passing'))!.dueAt)).toBeLessThanOrEqual(clock.now().getTime());
  });

  test('an end Azure keeps refusing keeps its backoff while other ends recover around it for hours', async () => {
    const reports: string[] = [];
    const {
      clock,
      jobs,
      scheduler: reporting,
    } = setup({
      reportAfterAttempts: 3,
      reporter: async (job) => void reports.push(job.id),
    });
    const failedOnce = new Set<string>();
    reporting.register('access.expire', async (job) => {
      // A registry whose rights are gone: refused every time, whatever else goes on.
      if (job.id === 'access.expire:R-bad') throw new CloudApiError('AuthorizationFailed', 403, 'no rights');
      // Ordinary ends elsewhere: a first attempt meets a passing 429, the retry succeeds.
      if (!failedOnce.has(job.id)) {
        failedOnce.add(job.id);
        throw new CloudApiError('TooManyRequests', 429, 'throttled');
      }
    });
    const start = clock.now().getTime();
    await reporting.schedule({
      id: 'access.expire:R-bad',
      kind: 'access.expire',
      requestId: 'R-bad',
      dueAt: clock.now(),
    });
    let n = 0;
    while (clock.now().getTime() < start + 6 * HOUR) {
      if ((clock.now().getTime() - start) % (5 * MINUTE) === 0)
        await reporting.schedule({
          id: `access.expire:R-${n}`,
          kind: 'access.expire',
          requestId: `R-${n++}`,
          dueAt: clock.now(),
        });
      await reporting.runDue();
      clock.advance(SWEEP);
    }
    // At its own backoff (30 s, 1, 2, 5, 15 min, then every 30 min less up to a fifth): about 18
    // attempts in 6 hours, not one every 5 minutes (75 when other ends' recoveries moved it).
    const bad = (await jobs.get('access.expire:R-bad'))!;
    expect(bad.attempts).toBeLessThanOrEqual(20);
    expect(reports.filter((id) => id === 'access.expire:R-bad').length).toBeLessThanOrEqual(18);
    expect(await jobs.get('access.expire:R-0')).toBeUndefined();
  });
});
