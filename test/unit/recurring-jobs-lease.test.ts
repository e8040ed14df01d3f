/**
 * The recurring jobs (audit anchor, store purge, drift check) check their run's lease before
 * their work and before scheduling their next run: a holder woken past its lease (a long pause,
 * another instance has run the job since) publishes no extra anchor and leaves the next run the
 * new holder scheduled as it is.
 */
import { registerJobs } from '../../src/composition/scheduler';
import { LeaseLostError, type ScheduledJob } from '../../src/domain/ports';
import type { JobHandler, JobRun } from '../../src/flows/scheduler';
import { createLogger } from '../../src/observability/logger';

const JOB: ScheduledJob = { id: 'audit.anchor', kind: 'audit.anchor', dueAt: '2026-12-05T10:00:00Z', attempts: 0 };
const clock = { now: () => new Date('2026-12-05T10:00:00Z') };
const log = createLogger({ level: 'silent' });

/** A run whose lease is held for its first `held` checks, lost from then on. */
function runLosingAfter(held: number): JobRun & { checks: number } {
  const run = {
    checks: 0,
    signal: new AbortController().signal,
    check: async () => {
      run.checks++;
      if (run.checks > held) throw new LeaseLostError('job:x');
    },
  };
  return run;
}

/** The handlers registerJobs registers, and what they scheduled and did. */
function registered() {
  const handlers = new Map<string, JobHandler>();
  const scheduled: string[] = [];
  const done = { published: 0, purged: 0, swept: 0 };
  const scheduler = {
    register: (kind: string, handler: JobHandler) => void handlers.set(kind, handler),
    schedule: async (job: { id: string }) => void scheduled.push(job.id),
  };
  const flows = {
    requests: { finishStoredDecisions: async () => undefined },
    lifecycle: { scheduleLostEnds: async () => undefined },
    drift: { sweep: async () => void done.swept++, nextRunAt: () => new Date('2026-12-05T16:00:00Z') },
  };
  const stores = {
    dialogs: {
      purgeExpired: async () => {
        done.purged++;
        return 0;
      },
    },
    abuse: { forgetExpiredSightings: async () => 0 },
  };
  registerJobs(
    scheduler as never,
    flows as never,
    { publish: async () => void done.published++, intervalMs: 60_000, clock },
    { stores: stores as never, intervalMs: 60_000, clock, log },
  );
  return { handlers, scheduled, done };
}

describe('recurring jobs run only while their lease is held', () => {
  test('a lease lost before the anchor is published: no anchor, no next run scheduled', async () => {
    const { handlers, scheduled, done } = registered();
    await expect(handlers.get('audit.anchor')!(JOB, runLosingAfter(0))).rejects.toBeInstanceOf(LeaseLostError);
    expect(done.published).toBe(0);
    expect(scheduled).toEqual([]);
  });

  test('a lease lost while the anchor was published: the next run the new holder scheduled stands', async () => {
    const { handlers, scheduled, done } = registered();
    await expect(handlers.get('audit.anchor')!(JOB, runLosingAfter(1))).rejects.toBeInstanceOf(LeaseLostError);
    expect(done.published).toBe(1);
    expect(scheduled).toEqual([]);
  });

  test('a lease lost before or during the purge: nothing purged, or no next run scheduled', async () => {
    const { handlers, scheduled, done } = registered();
    await expect(handlers.get('store.purge')!(JOB, runLosingAfter(0))).rejects.toBeInstanceOf(LeaseLostError);
    expect(done.purged).toBe(0);
    await expect(handlers.get('store.purge')!(JOB, runLosingAfter(1))).rejects.toBeInstanceOf(LeaseLostError);
    expect(done.purged).toBe(1);
    expect(scheduled).toEqual([]);
  });

  test('a lease lost before or during the drift sweep: no sweep, or its next run not scheduled again', async () => {
    const { handlers, scheduled, done } = registered();
    await expect(handlers.get('drift.check')!(JOB, runLosingAfter(0))).rejects.toBeInstanceOf(LeaseLostError);
    expect(done.swept).toBe(0);
    await expect(handlers.get('drift.check')!(JOB, runLosingAfter(1))).rejects.toBeInstanceOf(LeaseLostError);
    expect(done.swept).toBe(1);
    expect(scheduled).toEqual([]);
  });

  test('while the lease is held, each publishes, purges or sweeps once and schedules its next run', async () => {
    const { handlers, scheduled, done } = registered();
    for (const kind of ['audit.anchor', 'store.purge', 'drift.check'])
      await handlers.get(kind)!(JOB, runLosingAfter(9));
    expect(done).toEqual({ published: 1, purged: 1, swept: 1 });
    expect(scheduled).toEqual(['audit.anchor', 'store.purge', 'drift.check']);
  });
});
