/**
 * A run frees its sweep slot once its urgent work is done (JobRun.yieldSlot: an end written, its
 * notice and cards left, which Teams throttles in a mass end): the next due jobs start beside it,
 * while it keeps its lease, its job is written back only when it settles, and the sweep waits for
 * it. At most YIELDED_AT_ONCE such runs go on at once; past it, a run keeps its slot. Outside a
 * sweep (runNow) there is no slot to free.
 */
import type { JobRun } from '../../src/flows/scheduler';
import { Scheduler, YIELDED_AT_ONCE } from '../../src/flows/scheduler';
import { JOBS_AT_ONCE } from '../../src/flows/scheduler-run-limit';
import type { ScheduledJob } from '../../src/domain/ports';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, MINUTE, SECOND } from './support/fake-clock';

const log = createLogger({ level: 'silent' });
const idOf = (n: number) => `access.expire:R-${String(n).padStart(3, '0')}`;

/** A promise and its resolver. */
function signal() {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** `count` jobs due a second apart (#1 the earliest) and a scheduler running them with `handler`. */
async function setup(count: number, handler: (job: ScheduledJob, run: JobRun) => Promise<void>) {
  const clock = new FakeClock('2026-12-07T17:00:00Z');
  const jobs = new MemoryScheduleStore();
  const scheduler = new Scheduler(jobs, new MemoryLeaseStore(() => clock.now()), clock, log, {
    instanceId: 'a',
    sweepIntervalMs: 0,
    leaseTtlMs: MINUTE,
  });
  scheduler.register('access.expire', handler);
  for (let n = 1; n <= count; n++)
    await scheduler.schedule({
      id: idOf(n),
      kind: 'access.expire',
      dueAt: new Date(clock.now().getTime() - (count - n) * SECOND),
    });
  return { clock, jobs, scheduler };
}

test('runs that freed their slot go on beside the next jobs; written back when they settle, and the sweep waits for them', async () => {
  // The first JOBS_AT_ONCE runs free their slot, then wait (their notice, throttled) until the
  // test lets them go, after the last job started: with their slots held, it could not start.
  const count = 2 * JOBS_AT_ONCE;
  const lastStarted = signal();
  const go = signal();
  const stillStored: boolean[] = [];
  const { jobs, scheduler } = await setup(count, async (job, run) => {
    if (job.id === idOf(count)) {
      // The waiting runs' jobs are still stored: nothing is written back before they settle.
      for (let n = 1; n <= JOBS_AT_ONCE; n++) stillStored.push((await jobs.get(idOf(n))) !== undefined);
      lastStarted.resolve();
      return;
    }
    if (Number(job.id.slice(-3)) > JOBS_AT_ONCE) return;
    expect(run.yieldSlot?.()).toBe(true);
    await go.promise;
  });

  let swept = false;
  const sweep = scheduler.runDue().finally(() => (swept = true));
  await lastStarted.promise;
  // A turn of the event loop: every other run has ended by then (memory stores), the sweep not.
  await new Promise((resolve) => setImmediate(resolve));
  expect(swept).toBe(false);
  go.resolve();

  expect(await sweep).toBe(count);
  expect(stillStored).toEqual(Array(JOBS_AT_ONCE).fill(true));
  // Each job written back once its run settled (done: deleted).
  expect(await jobs.due(new Date('2026-12-08T00:00:00Z'), 100)).toEqual([]);
});

test('past YIELDED_AT_ONCE runs going on, a run keeps its slot', async () => {
  // Runs whose slot was freed wait until the last job started; one refused ends at once.
  const count = YIELDED_AT_ONCE + 2 * JOBS_AT_ONCE;
  const lastStarted = signal();
  let freed = 0;
  let freedAtLast = 0;
  const { scheduler } = await setup(count, async (job, run) => {
    if (job.id === idOf(count)) {
      freedAtLast = freed;
      lastStarted.resolve();
      return;
    }
    if (!run.yieldSlot?.()) return;
    freed++;
    // Asked again: freed once.
    expect(run.yieldSlot?.()).toBe(false);
    await lastStarted.promise;
  });

  expect(await scheduler.runDue()).toBe(count);
  expect(freedAtLast).toBe(YIELDED_AT_ONCE);
});

test("runs that freed their slot and settled count no more: a later sweep's run frees its slot again", async () => {
  // The first sweep's YIELDED_AT_ONCE runs each free their slot and end; were they still
  // counted as going on, the next sweep's run would keep its slot.
  const freed: boolean[] = [];
  const { clock, scheduler } = await setup(YIELDED_AT_ONCE, async (_job, run) => {
    freed.push(run.yieldSlot?.() ?? false);
  });
  expect(await scheduler.runDue()).toBe(YIELDED_AT_ONCE);
  expect(freed).toEqual(Array(YIELDED_AT_ONCE).fill(true));

  freed.length = 0;
  await scheduler.schedule({ id: idOf(YIELDED_AT_ONCE + 1), kind: 'access.expire', dueAt: clock.now() });
  expect(await scheduler.runDue()).toBe(1);
  expect(freed).toEqual([true]);
});

test('runNow has no slot to free', async () => {
  let offered: boolean | undefined;
  const { jobs, scheduler } = await setup(1, async (_job, run) => {
    offered = run.yieldSlot !== undefined;
  });

  expect(await scheduler.runNow(idOf(1))).toBe(true);
  expect(offered).toBe(false);
  expect(await jobs.get(idOf(1))).toBeUndefined();
});
