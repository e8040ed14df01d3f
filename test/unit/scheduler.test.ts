import type { ScheduledJob, ScheduleStore } from '../../src/domain/ports';
import { LeaseLostError } from '../../src/domain/ports';
import { Scheduler, type JobRun, type SchedulerOptions } from '../../src/flows/scheduler';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, MINUTE, SECOND } from './support/fake-clock';
import { within } from '../helpers/within';

const log = createLogger({ level: 'silent' });

/** Log lines written at `error`, parsed (pino writes each line synchronously to `write`). */
function errorLines() {
  const lines: Array<{ msg: string; jobId?: string; err?: { message: string; aggregateErrors?: unknown[] } }> = [];
  const logger = createLogger({
    level: 'error',
    destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
  });
  return { lines, logger };
}

/**
 * The memory store with a hook run at the start of every delete: another instance's write
 * landing between what the scheduler last read and its delete.
 */
class DeleteInterleaving implements ScheduleStore {
  beforeDelete: (() => Promise<void>) | undefined;
  constructor(private readonly inner: ScheduleStore) {}
  put(job: ScheduledJob): Promise<void> {
    return this.inner.put(job);
  }
  putIfUnchanged(job: ScheduledJob, revision: string): Promise<boolean> {
    return this.inner.putIfUnchanged(job, revision);
  }
  putIfAbsent(job: ScheduledJob): Promise<boolean> {
    return this.inner.putIfAbsent(job);
  }
  get(id: string): Promise<ScheduledJob | undefined> {
    return this.inner.get(id);
  }
  due(now: Date, limit: number): Promise<ScheduledJob[]> {
    return this.inner.due(now, limit);
  }
  forRequest(requestId: string): Promise<ScheduledJob[]> {
    return this.inner.forRequest(requestId);
  }
  withIdPrefix(prefix: string, limit: number): Promise<ScheduledJob[]> {
    return this.inner.withIdPrefix(prefix, limit);
  }
  async delete(id: string): Promise<void> {
    await this.interleave();
    return this.inner.delete(id);
  }
  async deleteIfUnchanged(id: string, revision: string): Promise<boolean> {
    await this.interleave();
    return this.inner.deleteIfUnchanged(id, revision);
  }
  private async interleave(): Promise<void> {
    const hook = this.beforeDelete;
    this.beforeDelete = undefined;
    await hook?.();
  }
}

function setup(options: Partial<SchedulerOptions> = {}, logger = log) {
  const clock = new FakeClock('2026-11-30T10:00:00Z');
  const jobs = new DeleteInterleaving(new MemoryScheduleStore());
  const leases = new MemoryLeaseStore(() => clock.now());
  const make = (instanceId: string) =>
    new Scheduler(jobs, leases, clock, logger, {
      instanceId,
      sweepIntervalMs: 0,
      leaseTtlMs: MINUTE,
      backoffMs: [10 * SECOND, 60 * SECOND],
      // The whole step, so dueAt is exact here; the jitter is test/unit/retry-jitter.test.ts's.
      random: () => 0,
      ...options,
    });
  return { clock, jobs, leases, scheduler: make('a'), make };
}

describe('Scheduler', () => {
  test('runs a job only once it is due, then removes it', async () => {
    const { clock, jobs, scheduler } = setup();
    const ran: string[] = [];
    scheduler.register('access.expire', async (job) => void ran.push(job.id));
    await scheduler.schedule({
      id: 'access.expire:R-1',
      kind: 'access.expire',
      dueAt: new Date(clock.now().getTime() + MINUTE),
      requestId: 'R-1',
    });
    expect(await scheduler.runDue()).toBe(0);
    expect(ran).toEqual([]);
    clock.advance(MINUTE);
    expect(await scheduler.runDue()).toBe(1);
    expect(ran).toEqual(['access.expire:R-1']);
    expect(await jobs.get('access.expire:R-1')).toBeUndefined();
    expect(await scheduler.runDue()).toBe(0);
  });

  test('schedule is idempotent by id: the second call moves the job, it runs once', async () => {
    const { clock, scheduler } = setup();
    const ran: ScheduledJob[] = [];
    scheduler.register('access.remind', async (job) => void ran.push(job));
    const at = new Date(clock.now().getTime() + MINUTE);
    await scheduler.schedule({ id: 'r', kind: 'access.remind', dueAt: at, payload: { n: 1 } });
    await scheduler.schedule({
      id: 'r',
      kind: 'access.remind',
      dueAt: new Date(at.getTime() + MINUTE),
      payload: { n: 2 },
    });
    clock.advance(MINUTE);
    expect(await scheduler.runDue()).toBe(0);
    clock.advance(MINUTE);
    expect(await scheduler.runDue()).toBe(1);
    expect(ran.map((j) => j.payload)).toEqual([{ n: 2 }]);
  });

  test('cancel removes a job', async () => {
    const { clock, scheduler } = setup();
    const handler = jest.fn(async () => undefined);
    scheduler.register('request.expire', handler);
    await scheduler.schedule({ id: 'x', kind: 'request.expire', dueAt: clock.now() });
    await scheduler.cancel('x');
    await scheduler.cancel('x');
    expect(await scheduler.runDue()).toBe(0);
    expect(handler).not.toHaveBeenCalled();
  });

  test('a failing job stays, with attempts and lastError, retried after the backoff and reported', async () => {
    const reports: ScheduledJob[] = [];
    const { clock, jobs, scheduler } = setup({
      reportAfterAttempts: 2,
      reporter: async (job) => void reports.push(job),
    });
    let fail = true;
    const calls: number[] = [];
    scheduler.register('access.expire', async (job) => {
      calls.push(job.attempts);
      if (fail) throw new Error('ARM answered 503');
    });
    await scheduler.schedule({ id: 'j', kind: 'access.expire', dueAt: clock.now() });
    expect(await scheduler.runDue()).toBe(1);
    let job = (await jobs.get('j'))!;
    expect(job).toMatchObject({ attempts: 1, lastError: 'ARM answered 503' });
    expect(Date.parse(job.dueAt)).toBe(clock.now().getTime() + 10 * SECOND);
    expect(reports).toEqual([]);
    // Not yet due again: the backoff holds it back.
    expect(await scheduler.runDue()).toBe(0);
    clock.advance(10 * SECOND);
    expect(await scheduler.runDue()).toBe(1);
    job = (await jobs.get('j'))!;
    expect(job.attempts).toBe(2);
    expect(Date.parse(job.dueAt)).toBe(clock.now().getTime() + 60 * SECOND);
    expect(reports.map((r) => r.attempts)).toEqual([2]);
    // The backoff stops growing at its last step; the job is never dropped.
    clock.advance(60 * SECOND);
    await scheduler.runDue();
    expect(Date.parse((await jobs.get('j'))!.dueAt)).toBe(clock.now().getTime() + 60 * SECOND);
    fail = false;
    clock.advance(60 * SECOND);
    expect(await scheduler.runDue()).toBe(1);
    expect(calls).toEqual([0, 1, 2, 3]);
    expect(await jobs.get('j')).toBeUndefined();
  });

  test('a secret inside the failure text is not stored with the job (a SAS in a storage error)', async () => {
    const { clock, jobs, scheduler } = setup();
    scheduler.register('access.expire', async () => {
      throw new Error('GET https://acct.table.core.windows.net/jobs?sv=2024-08-04&sig=SENTINEL-sig-1 answered 403');
    });
    await scheduler.schedule({ id: 'j', kind: 'access.expire', dueAt: clock.now() });
    await scheduler.runDue();
    const { lastError } = (await jobs.get('j'))!;
    expect(lastError).toBe('GET https://acct.table.core.windows.net/jobs?sv=2024-08-04&sig=[redacted] answered 403');
  });

  // A job with no handler (a kind a newer version scheduled): scheduler-unknown-kind.test.ts.

  test('two instances sweeping at once run each job exactly once (lease job:<id>)', async () => {
    const { clock, make } = setup();
    const a = make('a');
    const b = make('b');
    const ran: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    for (const s of [a, b])
      s.register('access.expire', async (job) => {
        ran.push(job.id);
        await gate;
      });
    for (let i = 0; i < 5; i++) await a.schedule({ id: `job-${i}`, kind: 'access.expire', dueAt: clock.now() });
    const both = Promise.all([a.runDue(), b.runDue()]);
    release();
    const [na, nb] = await both;
    expect(na + nb).toBe(5);
    expect([...ran].sort()).toEqual(['job-0', 'job-1', 'job-2', 'job-3', 'job-4']);
  });

  test('a job whose lease another instance holds is left to that instance until the lease expires', async () => {
    const { clock, leases, scheduler } = setup();
    const handler = jest.fn(async () => undefined);
    scheduler.register('access.expire', handler);
    await scheduler.schedule({ id: 'held', kind: 'access.expire', dueAt: clock.now() });
    // Another instance took the job and then crashed (never released).
    expect(await leases.acquire('job:held', 'crashed', MINUTE)).toBeDefined();
    expect(await scheduler.runDue()).toBe(0);
    clock.advance(MINUTE + 1);
    expect(await scheduler.runDue()).toBe(1);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  test('runNow while the sweep of the same instance runs that job does not run it a second time at once', async () => {
    const { clock, scheduler } = setup();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let running = 0;
    let mostAtOnce = 0;
    let secondRun!: () => void;
    const overlapped = new Promise<'ran a second time'>((resolve) => (secondRun = () => resolve('ran a second time')));
    scheduler.register('access.expire', async () => {
      mostAtOnce = Math.max(mostAtOnce, ++running);
      if (running > 1) secondRun();
      await gate;
      running--;
    });
    await scheduler.schedule({ id: 'access.expire:R-1', kind: 'access.expire', dueAt: clock.now() });
    const sweep = scheduler.runDue();
    // The sweep is inside the handler (memory stores: a turn or two; bounded, so a sweep that
    // never gets there fails here rather than spinning); a revoke confirmed now asks for the same job.
    for (let i = 0; i < 200 && running === 0; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(running).toBe(1);
    const now = scheduler.runNow('access.expire:R-1');
    try {
      // runNow answers false once its lease is refused; let through, it would start the handler a
      // second time instead (and wait at the gate, so `now` alone would never answer).
      expect(await within(Promise.race([now, overlapped]), 'runNow to answer or run the job')).toBe(false);
      expect(mostAtOnce).toBe(1);
    } finally {
      release();
    }
    expect(await sweep).toBe(1);
  });

  test('a handler that reschedules its own id keeps the job for later', async () => {
    const { clock, jobs, scheduler } = setup();
    scheduler.register('access.remind', async (job) => {
      await scheduler.schedule({ id: job.id, kind: job.kind, dueAt: new Date(clock.now().getTime() + MINUTE) });
    });
    await scheduler.schedule({ id: 'chain', kind: 'access.remind', dueAt: clock.now() });
    await scheduler.runDue();
    expect(await jobs.get('chain')).toBeDefined();
  });

  describe('a job written by another instance while one instance runs it is kept (the newer version wins)', () => {
    const id = 'access.expire:R-1';
    const revoke = { by: { objectId: 'approver-1', name: 'Ada' }, reason: 'left the team' };

    /** Instance b, where a revoke is confirmed: moves the job to now with who and why, as `revokeSoon` does. */
    async function confirmRevokeOn(b: Scheduler, clock: FakeClock): Promise<void> {
      await b.schedule({ id, kind: 'access.expire', dueAt: clock.now(), requestId: 'R-1', payload: revoke });
      // a holds the job's lease: b cannot run it now and trusts the job to carry the revoke.
      expect(await b.runNow(id)).toBe(false);
    }

    /**
     * a's run of the plain expiry ends with the revoke still stored as b wrote it (due now, not
     * yet failed), and a's next sweep runs it and deletes it.
     */
    async function expectRevokeKeptThenRun(
      a: Scheduler,
      jobs: Pick<ScheduleStore, 'get'>,
      ran: (Record<string, unknown> | undefined)[],
    ): Promise<void> {
      expect(await a.runDue()).toBe(1);
      expect(await jobs.get(id)).toMatchObject({ payload: revoke, attempts: 0 });
      expect(await a.runDue()).toBe(1);
      expect(ran).toEqual([undefined, revoke]);
      expect(await jobs.get(id)).toBeUndefined();
    }

    test('a failed attempt does not put back the job it read over the revoke written meanwhile', async () => {
      const { clock, jobs, make } = setup();
      const a = make('a');
      const b = make('b');
      const ran: (Record<string, unknown> | undefined)[] = [];
      for (const s of [a, b])
        s.register('access.expire', async (job) => {
          ran.push(job.payload);
          if (job.payload) return;
          await confirmRevokeOn(b, clock);
          throw new Error('an extension is being granted right now');
        });
      await a.schedule({ id, kind: 'access.expire', dueAt: clock.now(), requestId: 'R-1' });
      expect(await a.runDue()).toBe(1);
      // The revoke is still there as b wrote it: due now, with who and why, no failure counted.
      expect(await jobs.get(id)).toMatchObject({
        payload: revoke,
        attempts: 0,
        dueAt: clock.now().toISOString(),
      });
      expect((await jobs.get(id))!.lastError).toBeUndefined();
      // It runs at its own due time (now), as b's revoke.
      expect(await a.runDue()).toBe(1);
      expect(ran).toEqual([undefined, revoke]);
      expect(await jobs.get(id)).toBeUndefined();
    });

    test('a successful run does not delete the revoke written meanwhile (same due time, no failures)', async () => {
      const { clock, jobs, make } = setup();
      const a = make('a');
      const b = make('b');
      const ran: (Record<string, unknown> | undefined)[] = [];
      for (const s of [a, b])
        s.register('access.expire', async (job) => {
          ran.push(job.payload);
          if (!job.payload) await confirmRevokeOn(b, clock);
        });
      await a.schedule({ id, kind: 'access.expire', dueAt: clock.now(), requestId: 'R-1' });
      await expectRevokeKeptThenRun(a, jobs, ran);
    });

    test('a write landing between the run’s end and its delete is not deleted', async () => {
      const { clock, jobs, make } = setup();
      const a = make('a');
      const b = make('b');
      const ran: (Record<string, unknown> | undefined)[] = [];
      for (const s of [a, b]) s.register('access.expire', async (job) => void ran.push(job.payload));
      await a.schedule({ id, kind: 'access.expire', dueAt: clock.now(), requestId: 'R-1' });
      jobs.beforeDelete = () => confirmRevokeOn(b, clock);
      await expectRevokeKeptThenRun(a, jobs, ran);
    });

    test('a job cancelled while it ran is not brought back by its failure', async () => {
      const { clock, jobs, make } = setup();
      const a = make('a');
      const b = make('b');
      a.register('request.expire', async () => {
        // Approved on b meanwhile: the approval window's job is cancelled there.
        await b.cancel('request.expire:R-1');
        throw new Error('store busy');
      });
      await a.schedule({ id: 'request.expire:R-1', kind: 'request.expire', dueAt: clock.now(), requestId: 'R-1' });
      expect(await a.runDue()).toBe(1);
      expect(await jobs.get('request.expire:R-1')).toBeUndefined();
    });

    test('a failed attempt of an unchanged job still counts, backs off and keeps its payload', async () => {
      const { clock, jobs, scheduler } = setup();
      scheduler.register('access.expire', async () => {
        throw new Error('ARM answered 503');
      });
      await scheduler.schedule({ id, kind: 'access.expire', dueAt: clock.now(), requestId: 'R-1', payload: revoke });
      await scheduler.runDue();
      expect(await jobs.get(id)).toMatchObject({ payload: revoke, attempts: 1, lastError: 'ARM answered 503' });
      expect(Date.parse((await jobs.get(id))!.dueAt)).toBe(clock.now().getTime() + 10 * SECOND);
    });
  });

  describe('a run whose lease was lost (it expired, another instance took the job over)', () => {
    const id = 'approval.remind:R-1';

    /**
     * a's handler runs `whileRunning` once its lease expired unrenewed (a stalled process: the
     * heartbeat got nothing through) and b, sweeping, took the job over and is inside its own
     * handler, which fails once released.
     */
    function takenOverWhileRunning(whileRunning: (run: JobRun) => Promise<void>) {
      const { clock, jobs, make } = setup();
      const a = make('a');
      const b = make('b');
      let releaseB!: () => void;
      const gateB = new Promise<void>((resolve) => (releaseB = resolve));
      let bStarted!: () => void;
      const bInside = new Promise<void>((resolve) => (bStarted = resolve));
      let bSweep: Promise<number> | undefined;
      b.register('approval.remind', async () => {
        bStarted();
        await gateB;
        throw new Error('Teams answered 503');
      });
      a.register('approval.remind', async (_job, run) => {
        clock.advance(MINUTE + 1);
        bSweep = b.runDue();
        await bInside;
        await whileRunning(run);
      });
      return {
        clock,
        jobs,
        a,
        /** Lets b's run end (failing) and returns what its sweep ran. */
        finishB: async () => {
          releaseB();
          return bSweep!;
        },
      };
    }

    test('the handler is told (check() throws LeaseLostError, the signal is aborted) before its side effects', async () => {
      let checked: unknown;
      let aborted: unknown;
      const t = takenOverWhileRunning(async (run) => {
        checked = await run.check().catch((err: unknown) => err);
        aborted = run.signal.aborted && run.signal.reason;
      });
      await t.a.schedule({ id, kind: 'approval.remind', dueAt: t.clock.now(), requestId: 'R-1' });
      await t.a.runDue();
      expect(checked).toBeInstanceOf(LeaseLostError);
      expect(aborted).toBeInstanceOf(LeaseLostError);
      expect(await t.finishB()).toBe(1);
    });

    test('a run that ends after losing its lease leaves the job to the new holder, whose failure is recorded', async () => {
      const t = takenOverWhileRunning(async () => undefined);
      await t.a.schedule({ id, kind: 'approval.remind', dueAt: t.clock.now(), requestId: 'R-1' });
      // a's handler returns without noticing: it must not delete the job b is running.
      expect(await t.a.runDue()).toBe(1);
      expect(await t.jobs.get(id)).toMatchObject({ attempts: 0 });
      expect(await t.finishB()).toBe(1);
      expect(await t.jobs.get(id)).toMatchObject({ attempts: 1, lastError: 'Teams answered 503' });
    });

    test('renewals the store fails count as lost once too little of the lease is left to write, even with nobody taking over yet', async () => {
      const { clock, jobs, leases, scheduler } = setup();
      jest.spyOn(leases, 'renew').mockRejectedValue(new Error('store unreachable'));
      const checks: unknown[] = [];
      const check = (run: { check(): Promise<void> }) =>
        run.check().then(
          () => 'held',
          (err: unknown) => err,
        );
      scheduler.register('access.expire', async (_job, run) => {
        // Within the lease's first tenth the check trusts it; then it must be renewed.
        checks.push(await check(run));
        clock.advance(MINUTE / 4);
        checks.push(await check(run));
        clock.advance(MINUTE / 4);
        checks.push(await check(run));
        clock.advance(MINUTE / 2);
        checks.push(await check(run));
      });
      await scheduler.schedule({ id: 'x', kind: 'access.expire', dueAt: clock.now() });
      expect(await scheduler.runDue()).toBe(1);
      expect(checks[0]).toBe('held');
      // Not renewed, 45 s of 60 left: nobody can take it before a write would be done (a warning).
      expect(checks[1]).toBe('held');
      // 30 s left: too little to start a write safely, though nobody has taken it yet.
      expect(checks[2]).toBeInstanceOf(LeaseLostError);
      expect((checks[2] as Error).cause).toMatchObject({ message: 'store unreachable' });
      // Expired.
      expect(checks[3]).toBeInstanceOf(LeaseLostError);
      // Nothing written back: the job stays due, as it was, for whoever holds the lease next.
      expect(await jobs.get('x')).toMatchObject({ attempts: 0 });
    });
  });

  describe('a store error around one job', () => {
    test('is logged with the job id and the sweep runs the other due jobs', async () => {
      const { lines, logger } = errorLines();
      const { clock, jobs, scheduler } = setup({}, logger);
      const ran: string[] = [];
      scheduler.register('access.expire', async (job) => void ran.push(job.id));
      for (const n of [1, 2, 3]) await scheduler.schedule({ id: `j${n}`, kind: 'access.expire', dueAt: clock.now() });
      const get = jobs.get.bind(jobs);
      jest.spyOn(jobs, 'get').mockImplementation(async (id) => {
        if (id === 'j1') throw new Error('store busy');
        return get(id);
      });
      expect(await scheduler.runDue()).toBe(2);
      expect(ran).toEqual(['j2', 'j3']);
      expect(lines).toEqual([
        expect.objectContaining({ jobId: 'j1', err: expect.objectContaining({ message: 'store busy' }) }),
      ]);
      expect(await get('j1')).toBeDefined();
    });

    test('a delete failing after a successful run is logged with the job id; the job stays for the next sweep', async () => {
      const { lines, logger } = errorLines();
      const { clock, jobs, scheduler } = setup({}, logger);
      const ran: string[] = [];
      scheduler.register('access.expire', async (job) => void ran.push(job.id));
      for (const n of [1, 2]) await scheduler.schedule({ id: `j${n}`, kind: 'access.expire', dueAt: clock.now() });
      jobs.beforeDelete = async () => {
        throw new Error('store busy');
      };
      expect(await scheduler.runDue()).toBe(2);
      expect(ran).toEqual(['j1', 'j2']);
      expect(lines).toEqual([
        expect.objectContaining({
          jobId: 'j1',
          msg: expect.stringMatching(/removing it failed/),
          err: expect.objectContaining({ message: 'store busy' }),
        }),
      ]);
      expect(await jobs.get('j1')).toMatchObject({ attempts: 0 });
      expect(await jobs.get('j2')).toBeUndefined();
    });

    test('a failure that cannot be recorded is logged with both errors, and the sweep goes on', async () => {
      const { lines, logger } = errorLines();
      const { clock, jobs, scheduler } = setup({}, logger);
      scheduler.register('access.expire', async (job) => {
        if (job.id === 'j1') throw new Error('ARM answered 503');
      });
      for (const n of [1, 2]) await scheduler.schedule({ id: `j${n}`, kind: 'access.expire', dueAt: clock.now() });
      jest.spyOn(jobs, 'putIfUnchanged').mockRejectedValue(new Error('store busy'));
      expect(await scheduler.runDue()).toBe(2);
      expect(lines).toHaveLength(1);
      expect(JSON.stringify(lines[0])).toMatch(/ARM answered 503[\s\S]*store busy/);
      expect(await jobs.get('j2')).toBeUndefined();
    });
  });

  test('start() sweeps on its interval until stop()', async () => {
    const { clock, scheduler } = setup({ sweepIntervalMs: 5 });
    const ran = new Promise<string>((resolve) => scheduler.register('request.expire', async (job) => resolve(job.id)));
    await scheduler.schedule({ id: 'tick', kind: 'request.expire', dueAt: clock.now() });
    scheduler.start();
    expect(await ran).toBe('tick');
    await scheduler.stop();
  });
});
