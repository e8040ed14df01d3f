/**
 * The safety net for ends (src/flows/access-end-net.ts) against a revoke confirmed while it runs:
 * the pass read no end job, then a revoke was written (due now, with who and why; its first run
 * deferred by a grant under way, so the job stays). The net's plain end, due at the grant's end,
 * must not replace it: the revoke would otherwise wait for that end. The revoke lands after the
 * pass read and before the net's own read (caught by the read), or after that read and before the
 * write (caught by the create-only-where-none-is of every store).
 */
import type { AuditEvent } from '../../src/domain/audit-chain';
import type { AccessRequest } from '../../src/domain/request';
import { scheduleLostEnds } from '../../src/flows/access-end-net';
import { Scheduler } from '../../src/flows/scheduler';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, HOUR } from './support/fake-clock';
import { APPROVER, pendingRequest } from './support/requests';

const NOW = '2025-02-12T10:00:00.000Z';
const ENDS = '2025-02-13T10:00:00.000Z';
const endJobId = (id: string) => `access.expire:${id}`;
const log = createLogger({ level: 'silent' });

const granted: AccessRequest = pendingRequest({
  state: 'succeeded',
  version: 4,
  decision: { by: APPROVER, at: '2025-02-12T09:00:00.000Z', approved: true },
  access: { durationMs: 25 * HOUR, expiresAt: ENDS },
});

/** The job `scheduleRevoke` writes for a confirmed revoke: due now, with who and why. */
const revoke = (at: Date) => ({
  id: endJobId(granted.id),
  kind: 'access.expire' as const,
  dueAt: at,
  requestId: granted.id,
  payload: { by: APPROVER, reason: 'left the team' },
});

/** The audit log with a hook run once before the first `access.end.rescheduled` is appended. */
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

/** The request store with a hook run once before the net reads one request afresh (after its pass read the jobs). */
class RequestsWithHook extends MemoryRequestStore {
  beforeGet: (() => Promise<void>) | undefined;
  override async get(id: string) {
    const hook = this.beforeGet;
    this.beforeGet = undefined;
    await hook?.();
    return super.get(id);
  }
}

async function setup() {
  const clock = new FakeClock(NOW);
  const requests = new RequestsWithHook();
  await requests.create(granted);
  const audit = new AuditWithHook(clock);
  const scheduler = new Scheduler(new MemoryScheduleStore(), new MemoryLeaseStore(() => clock.now()), clock, log, {
    instanceId: 'i-1',
    sweepIntervalMs: 0,
    leaseTtlMs: 60_000,
  });
  const pass = () => scheduleLostEnds({ requests, audit, jobs: scheduler, clock, log, endJobId });
  const rescheduled = async () =>
    (await audit.forRequest(granted.id)).filter((e) => e.action === 'access.end.rescheduled').map((e) => e.outcome);
  return { clock, requests, audit, scheduler, pass, rescheduled };
}

describe('the lost-end safety net and a revoke confirmed during its pass', () => {
  test('with no job written meanwhile, the lost end job comes back at the grant’s end, audited', async () => {
    const { scheduler, pass, rescheduled } = await setup();
    expect(await pass()).toEqual([granted.id]);
    expect(await scheduler.get(endJobId(granted.id))).toMatchObject({ dueAt: ENDS, attempts: 0 });
    expect((await scheduler.get(endJobId(granted.id)))!.payload).toBeUndefined();
    expect(await rescheduled()).toEqual(['scheduled']);
  });

  test('a revoke written after the pass read the jobs stays as it is, and nothing is audited as scheduled', async () => {
    const { clock, requests, scheduler, pass, rescheduled } = await setup();
    requests.beforeGet = () => scheduler.schedule(revoke(clock.now()));
    expect(await pass()).toEqual([]);
    expect(await scheduler.get(endJobId(granted.id))).toMatchObject({
      dueAt: NOW,
      payload: { by: APPROVER, reason: 'left the team' },
    });
    expect(await rescheduled()).toEqual([]);
  });

  test('a revoke written between the net’s last read and its write stays as it is; the trail says it was kept', async () => {
    const { clock, audit, scheduler, pass, rescheduled } = await setup();
    audit.beforeRescheduled = () => scheduler.schedule(revoke(clock.now()));
    expect(await pass()).toEqual([]);
    expect(await scheduler.get(endJobId(granted.id))).toMatchObject({
      dueAt: NOW,
      payload: { by: APPROVER, reason: 'left the team' },
    });
    expect(await rescheduled()).toEqual(['scheduled', 'kept']);
  });
});
