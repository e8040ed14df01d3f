/**
 * AccessLifecycle.scheduleRevoke, the durable half of every revoke: its end job is written before
 * its `access.revoke.requested` entry (a failure between never leaves the entry without the
 * revoke), and a job that carries a revoke already keeps its revoker's who and why: a second
 * revoke, even one at the same moment, is refused as `revoke.running`, and one asked for with an
 * idempotency key (the system's) leaves it unaudited.
 */
import type { ScheduledJob } from '../../src/domain/ports';
import { isUserFacing } from '../../src/domain/errors';
import type { JobSpec } from '../../src/flows/scheduler';
import { MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { MemoryAuditLog } from '../../src/integrations/store/memory-stores';
import { quietLifecycle } from './support/access-lifecycle';
import { FakeClock } from './support/fake-clock';
import { APPROVER, OUTSIDER, pendingRequest } from './support/requests';

function setup(failWrites = false) {
  const clock = new FakeClock('2026-11-30T10:00:00Z');
  const schedule = new MemoryScheduleStore();
  const audit = new MemoryAuditLog(clock);
  const stored = (j: JobSpec) => ({ ...j, dueAt: j.dueAt.toISOString(), attempts: 0 });
  const failing = async () => {
    throw new Error('job store unavailable');
  };
  const jobs = {
    schedule: failWrites ? failing : (j: JobSpec) => schedule.put(stored(j)),
    scheduleIfAbsent: failWrites ? failing : (j: JobSpec) => schedule.putIfAbsent(stored(j)),
    cancel: (id: string) => schedule.delete(id),
    get: (id: string) => schedule.get(id),
    // As the Scheduler does it: conditional on the revision read.
    moveIfUnchanged: (job: ScheduledJob, dueAt: Date) =>
      schedule.putIfUnchanged({ ...job, dueAt: dueAt.toISOString(), attempts: 0 }, job.revision ?? ''),
  };
  const lifecycle = quietLifecycle(clock, { audit, jobs });
  const request = pendingRequest({ id: 'R-REVOKE01', state: 'succeeded' });
  const entries = async () => (await audit.forRequest(request.id)).map((e) => [e.action, e.outcome, e.actor.name]);
  const job = () => schedule.get(`access.expire:${request.id}`);
  /** Stores the plain expiry a granted request has: a month away, with `extra` (its failures, say). */
  const plainExpiry = (extra: Partial<ScheduledJob> = {}) =>
    schedule.put({
      id: `access.expire:${request.id}`,
      kind: 'access.expire',
      dueAt: '2026-12-30T10:00:00.000Z',
      requestId: request.id,
      attempts: 0,
      ...extra,
    });
  return { lifecycle, schedule, audit, request, entries, job, clock, plainExpiry };
}

const codeOf = (result: PromiseSettledResult<unknown>) =>
  result.status === 'fulfilled' ? 'scheduled' : isUserFacing(result.reason) ? result.reason.code : 'error';

describe('AccessLifecycle.scheduleRevoke', () => {
  test('two revokes of one request at the same moment: one is scheduled, the other refused as running; the first revoker stays', async () => {
    const t = setup();
    const results = await Promise.allSettled([
      t.lifecycle.scheduleRevoke(t.request, APPROVER, 'token leaked'),
      t.lifecycle.scheduleRevoke(t.request, OUTSIDER, 'another reason'),
    ]);
    expect(results.map(codeOf).sort()).toEqual(['revoke.running', 'scheduled']);
    const winner = results[0]!.status === 'fulfilled' ? APPROVER : OUTSIDER;
    const loser = winner === APPROVER ? OUTSIDER : APPROVER;
    expect((await t.job())?.payload).toMatchObject({ by: winner });
    expect(await t.entries()).toEqual(
      expect.arrayContaining([
        ['access.revoke.requested', 'scheduled', winner.name],
        ['revoke.refused', 'revoke.running', loser.name],
      ]),
    );
    expect((await t.entries()).length).toBe(2);
  });

  test('two revokes at the same moment of a granted request (its plain expiry stored): one moves it, the other is refused', async () => {
    const t = setup();
    // As a granted request has it: a plain expiry a month away, which failed passingly once.
    await t.plainExpiry({ lastError: 'ARM answered 503' });
    const results = await Promise.allSettled([
      t.lifecycle.scheduleRevoke(t.request, APPROVER, 'token leaked'),
      t.lifecycle.scheduleRevoke(t.request, OUTSIDER, 'another reason'),
    ]);
    expect(results.map(codeOf).sort()).toEqual(['revoke.running', 'scheduled']);
    const winner = results[0]!.status === 'fulfilled' ? APPROVER : OUTSIDER;
    const job = await t.job();
    expect(job).toMatchObject({ dueAt: t.clock.now().toISOString(), payload: { by: winner } });
    // The revoke starts with none of the plain expiry's failures.
    expect(job?.lastError).toBeUndefined();
    expect((await t.entries()).filter(([action]) => action === 'access.revoke.requested')).toEqual([
      ['access.revoke.requested', 'scheduled', winner.name],
    ]);
  });

  test('a second revoke after the first (its run not begun, so no mark yet) is refused, naming who asked; who and why stay', async () => {
    const t = setup();
    // A plain expiry a month away, as a granted request has it: moved to now, with who and why.
    await t.plainExpiry();
    await t.lifecycle.scheduleRevoke(t.request, APPROVER, 'token leaked');
    await expect(t.lifecycle.scheduleRevoke(t.request, OUTSIDER, 'another reason')).rejects.toMatchObject({
      code: 'revoke.running',
      message: expect.stringContaining(`already being revoked (asked for by ${APPROVER.name})`),
    });
    expect(await t.job()).toMatchObject({
      dueAt: t.clock.now().toISOString(),
      payload: { by: APPROVER, reason: 'token leaked' },
    });
    expect(await t.entries()).toEqual([
      ['access.revoke.requested', 'scheduled', APPROVER.name],
      ['revoke.refused', 'revoke.running', OUTSIDER.name],
    ]);
  });

  test('a second revoke whose refusal cannot be audited is still refused as running (the refusal stands)', async () => {
    const t = setup();
    await t.lifecycle.scheduleRevoke(t.request, APPROVER, 'token leaked');
    jest.spyOn(t.audit, 'append').mockRejectedValueOnce(new Error('audit store: connection reset'));
    await expect(t.lifecycle.scheduleRevoke(t.request, OUTSIDER, 'another reason')).rejects.toMatchObject({
      code: 'revoke.running',
    });
    expect((await t.job())?.payload).toMatchObject({ by: APPROVER, reason: 'token leaked' });
  });

  test('acrbot ending an extension with its revoked original leaves the revoke stored: no refusal, who and why kept', async () => {
    const t = setup();
    await t.lifecycle.scheduleRevoke(t.request, APPROVER, 'token leaked');
    await t.lifecycle.revokeSoon(t.request, OUTSIDER, 'its original was revoked', { leaveRunning: true });
    expect((await t.job())?.payload).toMatchObject({ by: APPROVER, reason: 'token leaked' });
    expect(await t.entries()).toEqual([['access.revoke.requested', 'scheduled', APPROVER.name]]);
  });

  test('asked for again with an idempotency key (the system’s): the revoke stored stays, nothing more audited', async () => {
    const t = setup();
    await t.lifecycle.scheduleRevoke(t.request, APPROVER, 'token leaked');
    await t.lifecycle.scheduleRevoke(t.request, OUTSIDER, 'replaced', { idempotencyKey: 'k:R-REVOKE01' });
    expect((await t.job())?.payload).toMatchObject({ by: APPROVER });
    expect(await t.entries()).toEqual([['access.revoke.requested', 'scheduled', APPROVER.name]]);
  });

  test('the job first: when it cannot be written, no entry says a revoke was scheduled', async () => {
    const t = setup(true);
    await expect(t.lifecycle.scheduleRevoke(t.request, APPROVER, 'token leaked')).rejects.toThrow(
      'job store unavailable',
    );
    expect(await t.entries()).toEqual([]);
  });

  test('an entry that cannot be written after the job was: the asker is told the revoke runs, not that nothing was revoked', async () => {
    const t = setup();
    jest.spyOn(t.audit, 'append').mockRejectedValueOnce(new Error('audit store: connection reset'));
    const refused = await t.lifecycle.scheduleRevoke(t.request, APPROVER, 'token leaked').catch((err: unknown) => err);
    expect(isUserFacing(refused) && refused.code).toBe('revoke.unaudited');
    expect((refused as Error).message).toContain('The revoke of R-REVOKE01 is stored and runs shortly');
    expect((refused as Error).message).not.toContain('audit store: connection reset');
    // The revoke itself stands: due now, carrying who and why.
    expect((await t.job())?.payload).toEqual({ by: APPROVER, reason: 'token leaked' });
  });
});
