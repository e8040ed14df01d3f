import { Scheduler } from '../../src/flows/scheduler';
import { SweepFailureLog } from '../../src/flows/scheduler-sweep-log';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { FakeClock, MINUTE, SECOND } from './support/fake-clock';
import { ERROR, INFO, logLines } from './support/log-lines';

afterEach(() => jest.useRealTimers());

describe('sweeps failing through a store outage', () => {
  test('ten failed sweeps log at most two errors, then one line once the store answers again', async () => {
    jest.useFakeTimers();
    const { lines, logger } = logLines();
    const clock = new FakeClock('2026-11-30T10:00:00Z');
    const jobs = new MemoryScheduleStore();
    const scheduler = new Scheduler(jobs, new MemoryLeaseStore(() => clock.now()), clock, logger, {
      instanceId: 'a',
      sweepIntervalMs: 30 * SECOND,
      leaseTtlMs: MINUTE,
    });
    const due = jest.spyOn(jobs, 'due');
    for (let i = 0; i < 10; i++) due.mockRejectedValueOnce(new Error('store unreachable'));
    scheduler.start();
    for (let i = 0; i < 12; i++) {
      clock.advance(30 * SECOND);
      await jest.advanceTimersByTimeAsync(30 * SECOND);
    }
    await scheduler.stop();
    expect(due).toHaveBeenCalledTimes(12);
    const errors = lines.filter((l) => l.level === ERROR);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors.length).toBeLessThanOrEqual(2);
    expect(errors[0]!.msg).toMatch(/^scheduler sweep failed/);
    expect(lines.filter((l) => l.level === INFO)).toEqual([
      expect.objectContaining({ msg: expect.stringMatching(/store reachable again/), failedSweeps: 10 }),
    ]);
  });

  test('a long outage logs one error per interval with the count of failed sweeps', () => {
    const { lines, logger } = logLines();
    const clock = new FakeClock('2026-11-30T10:00:00Z');
    const sweeps = new SweepFailureLog(logger, () => clock.now().getTime());
    // An hour of sweeps every 30 s.
    for (let i = 0; i < 120; i++) {
      sweeps.failed(new Error('store unreachable'));
      clock.advance(30 * SECOND);
    }
    sweeps.succeeded();
    sweeps.succeeded();
    const errors = lines.filter((l) => l.level === ERROR);
    expect(errors).toHaveLength(6);
    expect(errors[1]).toMatchObject({ msg: 'scheduler sweeps still failing', failedSweeps: 21 });
    expect(lines.filter((l) => l.level === INFO)).toEqual([expect.objectContaining({ failedSweeps: 120 })]);
  });
});
