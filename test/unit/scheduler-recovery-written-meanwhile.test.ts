/**
 * G17: the recovery pass moves failing ends forward only while nobody wrote them since they were
 * listed. A job another instance wrote meanwhile (a revoke confirmed, an extension moving the end)
 * is newer work and keeps what its writer gave it. Found by mutation testing: an unconditional
 * write in the pass (putting back the job as listed) passed every existing test.
 */
import type { ScheduledJob } from '../../src/domain/ports';
import { bringForwardAfterRecovery } from '../../src/flows/scheduler-recovery';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, MINUTE, SECOND } from './support/fake-clock';

const log = createLogger({ level: 'silent' });

/** The memory schedule, with a hook run right after the pass lists the failing jobs. */
class ListThenWrite extends MemoryScheduleStore {
  afterList: (() => Promise<void>) | undefined;
  override async withIdPrefix(prefix: string, limit: number): Promise<ScheduledJob[]> {
    const listed = await super.withIdPrefix(prefix, limit);
    const hook = this.afterList;
    this.afterList = undefined;
    await hook?.();
    return listed;
  }
}

test('a failing end written by another instance after the pass listed it keeps the newer version; the others move', async () => {
  const clock = new FakeClock('2026-11-30T10:00:00Z');
  const jobs = new ListThenWrite();
  const later = new Date(clock.now().getTime() + 20 * MINUTE).toISOString();
  const failing = (id: string): ScheduledJob => ({
    id,
    kind: 'access.expire',
    dueAt: later,
    attempts: 6,
    lastError: '503 ServiceUnavailable',
    lastFailurePassing: true,
  });
  await jobs.put(failing('access.expire:R-1'));
  await jobs.put(failing('access.expire:R-2'));
  const revoke = {
    id: 'access.expire:R-2',
    kind: 'access.expire' as const,
    dueAt: new Date(clock.now().getTime() + 5 * MINUTE).toISOString(),
    attempts: 0,
    payload: { revokedBy: 'approver-1', reason: 'left the team' },
  };
  // Another instance confirms a revoke of R-2 between the pass's listing and its writes.
  jobs.afterList = () => jobs.put(revoke);

  const succeeded = { ...failing('access.expire:R-0'), revision: 'r0' };
  const moved = await bringForwardAfterRecovery(
    {
      jobs,
      leases: new MemoryLeaseStore(() => clock.now()),
      log,
      owner: 'a#1',
      sweepIntervalMs: 30 * SECOND,
    },
    succeeded,
    clock.now().getTime(),
  );

  expect(moved).toBe(1);
  expect((await jobs.get('access.expire:R-1'))?.dueAt).toBe(clock.now().toISOString());
  expect(await jobs.get('access.expire:R-2')).toMatchObject({
    dueAt: revoke.dueAt,
    attempts: 0,
    payload: revoke.payload,
  });
  expect((await jobs.get('access.expire:R-2'))?.lastError).toBeUndefined();
});
