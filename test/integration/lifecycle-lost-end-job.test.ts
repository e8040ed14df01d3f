/**
 * G17's safety net for ends (src/flows/access-end-net.ts): an active time-boxed grant whose
 * `access.expire` row was lost (a store restored from an older backup, a row deleted) gets its
 * end job back — from the start's pass and from every `drift.check` run — and is revoked at its
 * end. An existing job keeps its time; a permanent grant and an ended one get none. The real app
 * with a test clock over the sandbox emulators: restarted on one SQLite file and one sandbox, or
 * one instance whose drift check runs.
 */
import { join } from 'node:path';
import type { GrantPlan } from '../../src/domain/plan';
import { type AccessRequest, transition } from '../../src/domain/request';
import { accessExpiryJobId } from '../../src/flows/access-jobs';
import { LOST_END_RECHECK_MS } from '../../src/flows/access-end-net';
import { SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox';
import { CapturingConnector } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import { TempDirs } from '../helpers/temp-dirs';

const MINUTE = 60_000;
const START = new Date('2026-11-30T10:00:00Z');
let now = START;
const clock = { now: () => now };
const advanceTo = (at: string) => (now = new Date(at));
const sharedDataId = sandboxResourceId('registry', SANDBOX_REGISTRIES.sharedData);
const ENV = { ACRBOT_MIN_ACCESS_DURATION: '1m', ACRBOT_EXPIRY_REMINDERS: 'none', ACRBOT_ALLOW_PERMANENT: 'true' };

/** Requests a grant as the requester and has the approver approve it; it succeeded. */
async function grant(h: Harness, args: string): Promise<AccessRequest> {
  const request = await h.requestGrant(users.requester, args);
  await h.click(users.approver, 'approve', { requestId: request.id });
  const done = await h.settle(request.id);
  expect(done.state).toBe('succeeded');
  return done;
}

/** `action:outcome` of every audit entry of `id`, oldest first. */
async function actions(h: Harness, id: string): Promise<string[]> {
  return (await h.app.audit.forRequest(id)).map((e) => `${e.action}:${e.outcome}`);
}

/** Whether the grant's role assignment is in the ARM emulator. */
const assigned = (sandbox: Sandbox, request: AccessRequest) =>
  sandbox.arm.state.roleAssignments.get((request.plan as GrantPlan).roleAssignmentName) !== undefined;

describe('G17: an end job that was lost is scheduled again', () => {
  const tempDirs = new TempDirs();
  let sandbox: Sandbox | undefined;
  let connector: CapturingConnector | undefined;
  let h: Harness | undefined;
  beforeEach(() => {
    now = START;
  });
  afterEach(async () => {
    try {
      await h?.stop();
      await sandbox?.stop();
      await connector?.stop();
    } finally {
      h = sandbox = connector = undefined;
      tempDirs.removeAll();
    }
  });

  test('at start: the lost end job is back at the grant’s end, audited, and revokes it then; an existing job, a permanent grant and an ended one are left as they are', async () => {
    sandbox = await startSandbox();
    const dir = tempDirs.make('acrbot-lost-end-');
    const env = { ...ENV, ACRBOT_STORAGE: `sqlite:${join(dir, 'acrbot.db')}` };
    // One sandbox and one Bot Connector for every start, as Azure and Teams outlive a restart.
    connector = new CapturingConnector();
    await connector.start();
    const begin = () => startHarness(env, { clock, sandbox, sweepIntervalMs: 0 }, { connector: connector! });
    const restart = async () => {
      await h!.stop();
      h = await begin();
    };
    h = await begin();
    const lost = await grant(h, 'aks-prod contosoacr --for 1h deploy payments-api');
    const kept = await grant(h, 'aks-legacy contosoacr --for 2h deploy billing');
    const permanent = await grant(h, 'aks-dev contosoacr --for permanent deploy the dev tools');
    const ended = await grant(h, `aks-prod ${sharedDataId} --for 1m deploy shared tools`);
    advanceTo('2026-11-30T10:01:00Z');
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(ended.id))!.state).toBe('revoked');

    // The lost row; an existing job that differs from what the net would write (a failing attempt
    // backed off past the end): it must keep its time, attempts and revision.
    const schedule = () => h!.app.stores.schedule;
    await schedule().delete(accessExpiryJobId(lost.id));
    const keptId = accessExpiryJobId(kept.id);
    await schedule().put({ ...(await schedule().get(keptId))!, dueAt: '2026-11-30T12:05:00.000Z', attempts: 2 });
    const keptJob = (await schedule().get(keptId))!;
    expect(await schedule().get(accessExpiryJobId(permanent.id))).toBeUndefined();

    // The start's pass runs in the background; a stop waits for it.
    await restart();
    const firstRestart = h.logs;
    await restart();
    expect(await schedule().get(accessExpiryJobId(lost.id))).toMatchObject({
      kind: 'access.expire',
      requestId: lost.id,
      dueAt: lost.access!.expiresAt,
      attempts: 0,
    });
    expect(await schedule().get(keptId)).toEqual(keptJob);
    expect(await schedule().get(accessExpiryJobId(permanent.id))).toBeUndefined();
    expect(await schedule().get(accessExpiryJobId(ended.id))).toBeUndefined();
    // Audited once: the second start found the job there.
    expect((await actions(h, lost.id)).filter((a) => a.startsWith('access.end.rescheduled'))).toEqual([
      'access.end.rescheduled:scheduled',
    ]);
    expect(firstRestart.entries().filter((e) => /missing access end jobs/.test(String(e.msg)))).toEqual([
      expect.objectContaining({ level: 40, ends: 1, requestIds: [lost.id] }),
    ]);
    for (const other of [kept, permanent, ended])
      expect(await actions(h, other.id)).not.toContain('access.end.rescheduled:scheduled');

    // Never early; at its end it is revoked and its assignment deleted.
    advanceTo('2026-11-30T10:59:00Z');
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(lost.id))!.state).toBe('succeeded');
    advanceTo('2026-11-30T11:00:00Z');
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(lost.id))!.state).toBe('revoked');
    expect(assigned(sandbox, lost)).toBe(false);
    expect(await actions(h, lost.id)).toEqual(
      expect.arrayContaining(['access.revoke.roleAssignment:deleted', 'access.expired:revoked']),
    );
    expect({ kept: (await h.app.store.get(kept.id))!.state, assigned: assigned(sandbox, kept) }).toEqual({
      kept: 'succeeded',
      assigned: true,
    });
  });

  test('with the drift check: a lost end still ahead is scheduled at it, one already passed at once; at most every LOST_END_RECHECK_MS; both end', async () => {
    h = await startHarness({ ...ENV }, { clock, sweepIntervalMs: 0 });
    const arm = h.app.sandbox!;
    const ahead = await grant(h, 'aks-prod contosoacr --for 1h deploy payments-api');
    const passed = await grant(h, 'aks-legacy contosoacr --for 30m deploy billing');
    const schedule = h.app.stores.schedule;
    for (const r of [ahead, passed]) await schedule.delete(accessExpiryJobId(r.id));

    // The first drift check (15 minutes after start) gives the one still ahead its end job.
    advanceTo('2026-11-30T10:15:00Z');
    await h.app.scheduler.runDue();
    expect(await schedule.get(accessExpiryJobId(ahead.id))).toMatchObject({ dueAt: ahead.access!.expiresAt });
    expect(await actions(h, ahead.id)).toContain('access.end.rescheduled:scheduled');
    await schedule.delete(accessExpiryJobId(passed.id)); // lost again, and found after its end

    // The next drift check (10:30, run at 10:40) comes too soon after the pass to look again.
    advanceTo('2026-11-30T10:40:00Z');
    await h.app.scheduler.runDue();
    expect(await schedule.get(accessExpiryJobId(passed.id))).toBeUndefined();

    // The first drift check LOST_END_RECHECK_MS after the pass looks: the 30-minute grant ended
    // long ago, so its job is due now.
    advanceTo(new Date(Date.parse('2026-11-30T10:15:00Z') + LOST_END_RECHECK_MS + 60_000).toISOString());
    await h.app.scheduler.runDue();
    expect(await schedule.get(accessExpiryJobId(passed.id))).toMatchObject({ dueAt: now.toISOString() });
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(passed.id))!.state).toBe('revoked');
    expect(assigned(arm, passed)).toBe(false);
    expect((await h.app.store.get(ahead.id))!.state).toBe('revoked');
    expect(assigned(arm, ahead)).toBe(false);
  });

  test('two passes at once (two instances starting): one looks, the end job is written and audited once', async () => {
    h = await startHarness({ ...ENV }, { clock, sweepIntervalMs: 0 });
    const lost = await grant(h, 'aks-prod contosoacr --for 1h deploy payments-api');
    await h.app.stores.schedule.delete(accessExpiryJobId(lost.id));
    const lifecycle = h.app.services.lifecycle.flow;
    const found = await Promise.all([lifecycle.scheduleLostEnds(), lifecycle.scheduleLostEnds()]);
    expect(found.flat()).toEqual([lost.id]);
    expect(await h.app.stores.schedule.get(accessExpiryJobId(lost.id))).toMatchObject({
      dueAt: lost.access!.expiresAt,
    });
    expect((await actions(h, lost.id)).filter((a) => a.startsWith('access.end.rescheduled'))).toHaveLength(1);
  });

  test('a failed grant whose PUT answer was lost gets its lost clean-up job back, due now, and the assignment Azure made goes; once cleaned up, it gets none', async () => {
    h = await startHarness({ ...ENV }, { clock, sweepIntervalMs: 0 });
    const arm = h.app.sandbox!;
    // A permanent grant Azure made whose answer was lost (500 after applying, on every SDK try) and
    // could not be read back; its clean-up job, due now, is lost before it runs.
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr --for permanent deploy payments-api');
    arm.arm.faults.add({ operation: 'roleAssignments.create', status: 500, afterApply: true, count: 4 });
    arm.arm.faults.add({ operation: 'roleAssignments.listForScope', status: 403 });
    await h.click(users.approver, 'approve', { requestId: request.id });
    const lost = await h.settle(request.id);
    expect(lost.outcome?.errorCode).toBe('azure.writeUnconfirmed');
    expect(assigned(arm, lost)).toBe(true);
    await h.app.stores.schedule.delete(accessExpiryJobId(lost.id));

    const lifecycle = h.app.services.lifecycle.flow;
    expect(await lifecycle.scheduleLostEnds()).toEqual([lost.id]);
    expect(await h.app.stores.schedule.get(accessExpiryJobId(lost.id))).toMatchObject({ dueAt: now.toISOString() });
    expect(await actions(h, lost.id)).toContain('access.end.rescheduled:scheduled');
    await h.app.scheduler.runDue();
    expect(assigned(arm, lost)).toBe(false);
    expect((await h.app.store.get(lost.id))!.state).toBe('failed');
    // Done: the next pass finds the finished clean-up in the audit and schedules nothing.
    expect(await lifecycle.scheduleLostEnds()).toEqual([]);
  });

  test('a grant whose revocation had begun gets its end job due now; one whose audit entry cannot be written gets no job until it can', async () => {
    h = await startHarness({ ...ENV }, { clock, sweepIntervalMs: 0 });
    const revoking = await grant(h, 'aks-prod contosoacr --for 1h deploy payments-api');
    const unaudited = await grant(h, 'aks-legacy contosoacr --for 1h deploy billing');
    await h.app.store.update(transition(revoking, { type: 'beginRevoke', at: now }));
    for (const r of [revoking, unaudited]) await h.app.stores.schedule.delete(accessExpiryJobId(r.id));
    const audit = h.app.audit;
    const append = audit.append.bind(audit);
    audit.append = (event) =>
      event.requestId === unaudited.id ? Promise.reject(new Error('audit table offline')) : append(event);
    const lifecycle = h.app.services.lifecycle.flow;
    await expect(lifecycle.scheduleLostEnds()).rejects.toThrow('1 of 2 lost end jobs could not be scheduled again');
    expect(await h.app.stores.schedule.get(accessExpiryJobId(revoking.id))).toMatchObject({ dueAt: now.toISOString() });
    expect(await h.app.stores.schedule.get(accessExpiryJobId(unaudited.id))).toBeUndefined();
    audit.append = append;
    expect(await lifecycle.scheduleLostEnds()).toEqual([unaudited.id]);
    expect(await h.app.stores.schedule.get(accessExpiryJobId(unaudited.id))).toMatchObject({
      dueAt: unaudited.access!.expiresAt,
    });
  });
});
