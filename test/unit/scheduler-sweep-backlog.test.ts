/**
 * A backlog longer than one read (150 grant ends falling due in one minute) while some runs are
 * slow (ARM throttling waited inside the run): the sweep keeps its slots busy by reading again as
 * its batch runs low, instead of holding ends #101–150 until the batch's slowest run settles; and
 * an instance whose oldest due jobs another instance is running goes on to the ones behind them.
 * Found by a review's mass-end run: the last end was revoked 152 s late with Retry-After 60 s.
 */
import type { ScheduledJob } from '../../src/domain/ports';
import { OtherRunUnderWay, Scheduler } from '../../src/flows/scheduler';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, MINUTE, SECOND } from './support/fake-clock';

const log = createLogger({ level: 'silent' });
const JOBS = 150;

const idOf = (n: number) => `access.expire:R-${String(n).padStart(3, '0')}`;

/** A promise and its resolver. */
function signal() {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * `JOBS` ends due a second apart (#1 the earliest), instances on one store, and a handler whose
 * first `slow` jobs wait on `gate` (a run waiting out Retry-After).
 */
async function setup(slow: number) {
  const clock = new FakeClock('2026-11-30T17:00:00Z');
  const jobs = new MemoryScheduleStore();
  const leases = new MemoryLeaseStore(() => clock.now());
  const make = (instanceId: string) =>
    new Scheduler(jobs, leases, clock, log, { instanceId, sweepIntervalMs: 0, leaseTtlMs: MINUTE });
  const started: string[] = [];
  const gate = signal();
  const slowStarted = signal();
  const reached = new Map<string, () => void>();
  const handler = async (job: ScheduledJob) => {
    started.push(job.id);
    reached.get(job.id)?.();
    if (Number(job.id.slice(-3)) <= slow) {
      if (started.filter((id) => Number(id.slice(-3)) <= slow).length === slow) slowStarted.resolve();
      await gate.promise;
    }
  };
  /** Resolves when the job with this id has started. */
  const startOf = (id: string) => new Promise<void>((resolve) => reached.set(id, resolve));
  const a = make('a');
  a.register('access.expire', handler);
  for (let n = 1; n <= JOBS; n++)
    await a.schedule({
      id: idOf(n),
      kind: 'access.expire',
      dueAt: new Date(clock.now().getTime() - (JOBS - n) * SECOND),
    });
  return { jobs, a, make, handler, started, gate, slowStarted, startOf };
}

test('ends behind the first batch run while its slow runs still wait: the sweep reads again as its batch runs low', async () => {
  const { jobs, a, started, gate, startOf } = await setup(3);
  const last = startOf(idOf(JOBS));
  const sweep = a.runDue();
  // The three slow runs hold three slots; the fourth goes through #4–#100 and, read again, on to
  // #101–#150 (a sweep that waited for its whole batch first never gets here while they wait:
  // the test times out).
  await last;
  expect(new Set(started).size).toBe(JOBS);
  expect(started).toHaveLength(JOBS);
  gate.resolve();
  expect(await sweep).toBe(JOBS);
  expect(await jobs.due(new Date('2026-12-01T00:00:00Z'), 1000)).toEqual([]);
});

test('an instance whose oldest due jobs another is running runs the ones behind them in the same sweep', async () => {
  const { jobs, a, make, handler, started, gate, slowStarted } = await setup(3);
  // Instance a runs #1–#3 and holds their leases while they wait.
  const held = [1, 2, 3].map((n) => a.runNow(idOf(n)));
  await slowStarted.promise;
  const b = make('b');
  b.register('access.expire', handler);
  // b finds #1–#3 leased, passes over them, and runs the 147 others in one sweep: it reads again
  // beyond the jobs it found held, not the same oldest batch.
  expect(await b.runDue()).toBe(JOBS - 3);
  expect(started.slice(3)).not.toEqual(expect.arrayContaining([idOf(1)]));
  expect(new Set(started).size).toBe(JOBS);
  expect(started).toHaveLength(JOBS);
  gate.resolve();
  expect(await Promise.all(held)).toEqual([true, true, true]);
  expect(await jobs.due(new Date('2026-12-01T00:00:00Z'), 1000)).toEqual([]);
});

test('a scheduler stopping during a backlog starts no more runs and reads no more; the rest stay due', async () => {
  const { jobs, a, started, gate, slowStarted } = await setup(4);
  const reads = jest.spyOn(jobs, 'due');
  const sweep = a.runDue();
  await slowStarted.promise;
  const stopped = a.stop();
  gate.resolve();
  await stopped;
  expect(await sweep).toBe(4);
  expect(started).toEqual([idOf(1), idOf(2), idOf(3), idOf(4)]);
  expect(reads).toHaveBeenCalledTimes(1);
  expect(await jobs.due(new Date('2026-12-01T00:00:00Z'), 1000)).toHaveLength(JOBS - 4);
});

test('a read that fails after the first lets the runs started end, then fails the sweep; the rest stay due', async () => {
  const { jobs, a, started } = await setup(0);
  const read = jobs.due.bind(jobs);
  jest.spyOn(jobs, 'due').mockImplementationOnce(read).mockRejectedValueOnce(new Error('store unreachable'));
  await expect(a.runDue()).rejects.toThrow('store unreachable');
  expect(started).toHaveLength(100);
  expect(await jobs.due(new Date('2026-12-01T00:00:00Z'), 1000)).toHaveLength(JOBS - 100);
});

test('a job still due after its run (its work under way elsewhere) is not run again by the sweep reading on', async () => {
  const clock = new FakeClock('2026-11-30T17:00:00Z');
  const jobs = new MemoryScheduleStore();
  const scheduler = new Scheduler(jobs, new MemoryLeaseStore(() => clock.now()), clock, log, {
    instanceId: 'a',
    sweepIntervalMs: 0,
    leaseTtlMs: MINUTE,
    batchSize: 2,
  });
  const ran: string[] = [];
  scheduler.register('access.expire', async (job) => {
    ran.push(job.id);
    if (job.id === idOf(1)) throw new OtherRunUnderWay('its revocation runs elsewhere');
  });
  for (let n = 1; n <= 5; n++)
    await scheduler.schedule({
      id: idOf(n),
      kind: 'access.expire',
      dueAt: new Date(clock.now().getTime() - (6 - n) * SECOND),
    });
  expect(await scheduler.runDue()).toBe(5);
  expect(ran).toEqual([idOf(1), idOf(2), idOf(3), idOf(4), idOf(5)]);
  // Still due: the next sweep tries it again.
  expect((await jobs.due(clock.now(), 10)).map((j) => j.id)).toEqual([idOf(1)]);
});
