/**
 * The lost-end net's jobs port (src/flows/access-end-net.ts) writes only through
 * `scheduleIfAbsent`: there is no read-then-write path left for a port without it, which a
 * revoke confirmed between the read and the write would lose (replaced by a plain end). The
 * type says so (a port without `scheduleIfAbsent` does not compile: checked by `tsc`, which
 * `npm test` runs first), and AccessLifecycle's pass, which hands the net its JobScheduling,
 * keeps such a revoke.
 */
import type { AuditEvent } from '../../src/domain/audit-chain';
import type { AccessRequest } from '../../src/domain/request';
import type { LostEndPorts } from '../../src/flows/access-end-net';
import { accessExpiryJobId } from '../../src/flows/access-jobs';
import type { JobScheduling } from '../../src/flows/request-jobs';
import { MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { memoryJobs } from './support/memory-jobs';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { quietLifecycle } from './support/access-lifecycle';
import { FakeClock, HOUR } from './support/fake-clock';
import { APPROVER, pendingRequest } from './support/requests';

const NOW = '2025-02-12T10:00:00.000Z';
const ENDS = '2025-02-13T10:00:00.000Z';

const granted: AccessRequest = pendingRequest({
  state: 'succeeded',
  version: 4,
  decision: { by: APPROVER, at: '2025-02-12T09:00:00.000Z', approved: true },
  access: { durationMs: 25 * HOUR, expiresAt: ENDS },
});

/** The audit log with a hook run once before the first `access.end.rescheduled` is appended (after the net's last read). */
class AuditWithHook extends MemoryAuditLog {
  beforeRescheduled: (() => Promise<void>) | undefined;
  override async append(event: AuditEvent) {
    if (event.action === 'access.end.rescheduled') {
      const hook = this.beforeRescheduled;
      this.beforeRescheduled = undefined;
      await hook?.();
    }
    return super.append(event);
  }
}

describe('the lost-end net writes an end job only where none is', () => {
  test('a JobScheduling without scheduleIfAbsent is no port for it (no read-then-write fallback)', () => {
    const schedule = new MemoryScheduleStore();
    const { get, schedule: write, cancel } = memoryJobs(schedule);
    // @ts-expect-error scheduleIfAbsent is required: a read then a write could replace a revoke.
    const withoutIt: JobScheduling = { get, schedule: write, cancel };
    // @ts-expect-error the net's port too.
    const portWithoutIt: LostEndPorts['jobs'] = { get, schedule: write };
    // What the net needs, and nothing it could overwrite with.
    const enough: LostEndPorts['jobs'] = { get, scheduleIfAbsent: memoryJobs(schedule).scheduleIfAbsent };
    expect([withoutIt, portWithoutIt, enough].every(Boolean)).toBe(true);
  });

  test('AccessLifecycle’s pass keeps a revoke written between the net’s read and its write', async () => {
    const clock = new FakeClock(NOW);
    const store = new MemoryRequestStore();
    await store.create(granted);
    const audit = new AuditWithHook(clock);
    const schedule = new MemoryScheduleStore();
    const jobs = memoryJobs(schedule);
    const lifecycle = quietLifecycle(clock, { store, audit, jobs });
    const id = accessExpiryJobId(granted.id);
    audit.beforeRescheduled = () =>
      jobs.schedule({
        id,
        kind: 'access.expire',
        dueAt: clock.now(),
        requestId: granted.id,
        payload: { by: APPROVER, reason: 'left the team' },
      });

    expect(await lifecycle.scheduleLostEnds()).toEqual([]);
    expect(await schedule.get(id)).toMatchObject({ dueAt: NOW, payload: { by: APPROVER, reason: 'left the team' } });
    const trail = (await audit.forRequest(granted.id)).filter((e) => e.action === 'access.end.rescheduled');
    expect(trail.map((e) => e.outcome)).toEqual(['scheduled', 'kept']);
  });

  test('with no job written meanwhile, the pass writes the lost end job once, at the grant’s end', async () => {
    const clock = new FakeClock(NOW);
    const store = new MemoryRequestStore();
    await store.create(granted);
    const schedule = new MemoryScheduleStore();
    const lifecycle = quietLifecycle(clock, { store, audit: new MemoryAuditLog(clock), jobs: memoryJobs(schedule) });

    expect(await lifecycle.scheduleLostEnds()).toEqual([granted.id]);
    expect(await schedule.get(accessExpiryJobId(granted.id))).toMatchObject({ dueAt: ENDS, attempts: 0 });
    // A second pass finds it and writes nothing.
    expect(await lifecycle.scheduleLostEnds()).toEqual([]);
  });
});
