/**
 * Rolling upgrades: a job of a kind this version has no handler for was scheduled by a newer
 * version. It is left for an instance that knows it — moved one sweep on, no attempt counted,
 * nothing reported, never deleted — and runs as soon as a knowing instance meets it. A kind no
 * version knows any more is reported once after a long bound, and still kept.
 */
import type { JobKind, ScheduledJob, ScheduleStore } from '../../src/domain/ports';
import { Scheduler, type SchedulerOptions } from '../../src/flows/scheduler';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { SqliteScheduleStore } from '../../src/integrations/store/sqlite-coordination';
import { openSqlite } from '../../src/integrations/store/sqlite-database';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, MINUTE, SECOND } from './support/fake-clock';

const DAY = 24 * 60 * MINUTE;
/** A kind only a newer version knows (not in this version's JobKind). */
const FUTURE_KIND = 'future.kind' as JobKind;

/** Log lines at `level` and above, parsed (pino writes each line synchronously). */
function logLines(level: 'info' | 'error') {
  const lines: Array<{ level: number; msg: string; kind?: string }> = [];
  const logger = createLogger({ level, destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
  return { lines, logger };
}

function setup(
  options: Partial<SchedulerOptions> = {},
  logger = createLogger({ level: 'silent' }),
  jobs: ScheduleStore = new MemoryScheduleStore(),
) {
  const clock = new FakeClock('2026-11-30T10:00:00Z');
  const leases = new MemoryLeaseStore(() => clock.now());
  const reports: Array<{ job: ScheduledJob; err: unknown }> = [];
  const make = (instanceId: string, extra: Partial<SchedulerOptions> = {}) =>
    new Scheduler(jobs, leases, clock, logger, {
      instanceId,
      sweepIntervalMs: 5 * SECOND,
      leaseTtlMs: MINUTE,
      backoffMs: [10 * SECOND, 60 * SECOND],
      reportAfterAttempts: 1,
      reporter: async (job, err) => void reports.push({ job, err }),
      ...options,
      ...extra,
    });
  return { clock, jobs, reports, make };
}

describe('a job of a kind this version does not know (rolling upgrade)', () => {
  test('is left for later: no attempt, no report, kept, moved one sweep on, due again then', async () => {
    const { clock, jobs, reports, make } = setup();
    const older = make('old');
    await older.schedule({ id: 'f', kind: FUTURE_KIND, dueAt: clock.now(), payload: { n: 1 } });
    for (let sweep = 0; sweep < 5; sweep++) {
      expect(await older.runDue()).toBe(0);
      const job = (await jobs.get('f'))!;
      expect(job).toMatchObject({ kind: FUTURE_KIND, attempts: 0, payload: { n: 1 } });
      expect(job.lastError).toBeUndefined();
      expect(Date.parse(job.dueAt)).toBe(clock.now().getTime() + 5 * SECOND);
      // Not due before the next sweep, due at it.
      expect(await jobs.due(clock.now(), 10)).toEqual([]);
      clock.advance(5 * SECOND);
      expect((await jobs.due(clock.now(), 10)).map((j) => j.id)).toEqual(['f']);
    }
    expect(reports).toEqual([]);
    expect(await older.runNow('f')).toBe(false);
    expect((await jobs.get('f'))!.attempts).toBe(0);
  });

  test('an instance that knows the kind runs it then, without what the older one wrote on it', async () => {
    const { clock, jobs, make } = setup();
    const older = make('old');
    const newer = make('new');
    const seen: ScheduledJob[] = [];
    newer.register(FUTURE_KIND, async (job) => void seen.push(job));
    await older.schedule({ id: 'f', kind: FUTURE_KIND, dueAt: clock.now() });
    await older.runDue();
    clock.advance(5 * SECOND);
    expect(await newer.runDue()).toBe(1);
    expect(seen).toHaveLength(1);
    expect(seen[0]).not.toHaveProperty('unknownKindSince');
    expect(await jobs.get('f')).toBeUndefined();
  });

  test('the count and last error a newer instance recorded stay as they are', async () => {
    const { clock, jobs, make } = setup();
    const older = make('old');
    const newer = make('new', { reporter: undefined });
    newer.register(FUTURE_KIND, async () => {
      throw new Error('ARM answered 503');
    });
    await newer.schedule({ id: 'f', kind: FUTURE_KIND, dueAt: clock.now() });
    await newer.runDue();
    clock.advance(10 * SECOND);
    expect(await older.runDue()).toBe(0);
    expect(await jobs.get('f')).toMatchObject({ attempts: 1, lastError: 'ARM answered 503' });
    // The newer instance's next failure counts on from there, and the older one's mark goes.
    clock.advance(5 * SECOND);
    expect(await newer.runDue()).toBe(1);
    const job = (await jobs.get('f'))!;
    expect(job.attempts).toBe(2);
    expect(job).not.toHaveProperty('unknownKindSince');
  });

  test('a known kind that fails still counts attempts and is reported', async () => {
    const { clock, jobs, reports, make } = setup();
    const scheduler = make('a');
    scheduler.register('drift.check', async () => {
      throw new Error('boom');
    });
    await scheduler.schedule({ id: 'd', kind: 'drift.check', dueAt: clock.now() });
    expect(await scheduler.runDue()).toBe(1);
    expect((await jobs.get('d'))!.attempts).toBe(1);
    expect(reports).toHaveLength(1);
  });

  test('its first meeting is logged once per kind by this process, not at every sweep', async () => {
    const { lines, logger } = logLines('info');
    const { clock, make } = setup({}, logger);
    const older = make('old');
    await older.schedule({ id: 'f1', kind: FUTURE_KIND, dueAt: clock.now() });
    await older.schedule({ id: 'f2', kind: FUTURE_KIND, dueAt: clock.now() });
    await older.schedule({ id: 'g', kind: 'other.kind' as JobKind, dueAt: clock.now() });
    for (let sweep = 0; sweep < 4; sweep++) {
      await older.runDue();
      clock.advance(5 * SECOND);
    }
    const unknown = lines.filter((l) => /kind unknown to this version/.test(l.msg));
    expect(unknown.map((l) => l.kind).sort()).toEqual([FUTURE_KIND, 'other.kind']);
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
  });

  test('a kind no version knows any more: reported once after the bound, kept, moved on at the longest backoff', async () => {
    const { lines, logger } = logLines('error');
    const { clock, jobs, reports, make } = setup({ sweepIntervalMs: 0, unknownKindDelayMs: 10 * MINUTE }, logger);
    const older = make('old');
    await older.schedule({ id: 'gone', kind: 'removed.kind' as JobKind, dueAt: clock.now() });
    const start = clock.now().getTime();
    // Moved on every 10 minutes for 3 days: never reported meanwhile.
    while (clock.now().getTime() < start + 3 * DAY) {
      await older.runDue();
      clock.advance(10 * MINUTE);
    }
    expect(reports).toEqual([]);
    await older.runDue();
    expect(reports).toHaveLength(1);
    expect(reports[0]!.job).toMatchObject({ id: 'gone', attempts: 0 });
    expect(String((reports[0]!.err as Error).message)).toMatch(/removed\.kind.*unknown .* since 2026-11-30 10:00 UTC/);
    expect(lines.map((l) => l.msg)).toEqual(['job of a kind no instance knows; kept, reported once']);
    let job = (await jobs.get('gone'))!;
    expect(Date.parse(job.dueAt)).toBe(clock.now().getTime() + 60 * SECOND);
    // Later meetings: no second report; still kept.
    for (let sweep = 0; sweep < 20; sweep++) {
      clock.advance(60 * SECOND);
      await older.runDue();
    }
    expect(reports).toHaveLength(1);
    job = (await jobs.get('gone'))!;
    expect(job.attempts).toBe(0);
    expect(Date.parse(job.dueAt)).toBe(clock.now().getTime() + 60 * SECOND);
  });

  test.each([
    ['memory', () => new MemoryScheduleStore()],
    ['SQLite', () => new SqliteScheduleStore(openSqlite(':memory:'))],
  ])('the bound counts from the first meeting even when other instances meet it (%s store)', async (_kind, store) => {
    const { clock, reports, make } = setup({ unknownKindReportAfterMs: DAY }, undefined, store());
    const a = make('a');
    const b = make('b');
    await a.schedule({ id: 'gone', kind: 'removed.kind' as JobKind, dueAt: clock.now() });
    await a.runDue();
    clock.advance(DAY - 5 * SECOND);
    await b.runDue();
    expect(reports).toEqual([]);
    clock.advance(5 * SECOND);
    await a.runDue();
    expect(reports).toHaveLength(1);
  });
});
