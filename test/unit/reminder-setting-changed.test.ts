/**
 * ACRBOT_EXPIRY_REMINDERS changed while grants live (access-reminders.ts): a reminder job of an
 * offset the setting does not list sends nothing when due, ends, and has the grant's reminders
 * scheduled as the setting says now; scheduling a grant's reminders (an extension moving its
 * end, or an instance of the other value during a rolling restart) cancels no job of another
 * offset, so neither side of a rolling restart loses the other's reminders; an extension's move
 * of its original's end cancels the extension's own reminder jobs and moves every one of the
 * original's, of any offset, to as long before the new end; the end of the access cancels every
 * reminder job of the request, old offsets' too. Real memory stores and the real Scheduler, on a fake clock; the grant is
 * scheduled under 7d,1d, then read by a process started with the new setting. */
import type { AccessRequest } from '../../src/domain/request';
import { markRevoked } from '../../src/flows/access-end-notice';
import { applyExtension } from '../../src/flows/access-extensions';
import type { LifecycleDeps } from '../../src/flows/access-lifecycle-deps';
import { accessReminderJobId, scheduleEnd, sendReminder } from '../../src/flows/access-reminders';
import { accessReminderJobPrefix } from '../../src/flows/reminder-end';
import { Scheduler } from '../../src/flows/scheduler';
import type { SecretRunnerPorts } from '../../src/flows/secret-runner';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { createLogger } from '../../src/observability/logger';
import { memoryWorld } from './support/access-lifecycle';
import { HOUR, MINUTE } from './support/fake-clock';
import { DAY, granted, NOW } from './support/reminder-lifecycle';
import { APPROVER } from './support/requests';

const at = (ms: number) => new Date(Date.parse(NOW) + ms).toISOString();

/**
 * One store and schedule, and `deps(remindersMs)`: the lifecycle's parts as a process started
 * with that ACRBOT_EXPIRY_REMINDERS has them. `told`: what the requester was told.
 */
function world() {
  const { clock, store, audit } = memoryWorld(NOW);
  const log = createLogger({ level: 'silent' });
  const schedule = new MemoryScheduleStore();
  const jobs = new Scheduler(schedule, new MemoryLeaseStore(() => clock.now()), clock, log, {
    instanceId: 'test',
    sweepIntervalMs: 0,
    leaseTtlMs: MINUTE,
  });
  const told: unknown[] = [];
  const quiet = { requestChanged: async () => undefined, reportToApprovers: async () => undefined };
  const deps = (remindersMs: number[]): LifecycleDeps => ({
    store,
    audit,
    clock,
    jobs,
    ports: {} as SecretRunnerPorts,
    cards: quiet as unknown as LifecycleDeps['cards'],
    messenger: {
      ...quiet,
      tellRequester: async (_request: AccessRequest, notice: unknown) => {
        told.push(notice);
        return undefined;
      },
    } as unknown as LifecycleDeps['messenger'],
    log,
    settings: { remindersMs },
  });
  /**
   * Runs the job `id` now through the scheduler, as an instance with `remindersMs` runs it (the
   * scheduler removes it once the run succeeds, unless the run wrote it again).
   */
  const run = async (id: string, remindersMs: number[]) => {
    jobs.register('access.remind', (job, r) => sendReminder(deps(remindersMs), job, r));
    expect(await jobs.runNow(id)).toBe(true);
  };
  /** `requestId`'s reminder jobs, as `<beforeMs in days>d due <time>`, in that order. */
  const reminders = async (requestId: string) =>
    (await schedule.withIdPrefix(accessReminderJobPrefix(requestId), 100))
      .map((j) => `${Number(j.payload?.beforeMs) / DAY}d due ${j.dueAt}`)
      .sort();
  return { clock, store, audit, schedule, deps, told, reminders, run };
}

/** {@link granted}, ending `endsInMs` from {@link NOW}, stored and its end scheduled under 7d,1d. */
async function grantedUnderOldSetting(w: ReturnType<typeof world>, endsInMs = 20 * DAY, id = granted.id) {
  const request: AccessRequest = { ...granted, id, access: { durationMs: 30 * DAY, expiresAt: at(endsInMs) } };
  await w.store.create(request);
  await scheduleEnd(w.deps([7 * DAY, DAY]), request);
  expect(await w.reminders(id)).toEqual([`1d due ${at(endsInMs - DAY)}`, `7d due ${at(endsInMs - 7 * DAY)}`]);
  return request;
}

test('set to none: a reminder scheduled before sends nothing when due and ends; the grant’s other one ends alike', async () => {
  const w = world();
  const request = await grantedUnderOldSetting(w);
  const job = (await w.schedule.get(accessReminderJobId(request.id, 7 * DAY)))!;
  w.clock.set(new Date(job.dueAt));

  await w.run(job.id, []);

  expect(w.told).toEqual([]);
  expect((await w.audit.forRequest(request.id)).map((e) => e.action)).not.toContain('access.reminded');
  // This one ended; the day-before job of the old setting stays, to end itself when due.
  expect(await w.reminders(request.id)).toEqual([`1d due ${at(19 * DAY)}`]);
  w.clock.set(new Date(at(19 * DAY)));
  await w.run(accessReminderJobId(request.id, DAY), []);
  expect(w.told).toEqual([]);
  expect(await w.reminders(request.id)).toEqual([]);
});

test('changed to 3d: a reminder of the old setting sends nothing and schedules the grant’s 3d reminder', async () => {
  const w = world();
  const request = await grantedUnderOldSetting(w);
  const job = (await w.schedule.get(accessReminderJobId(request.id, 7 * DAY)))!;
  w.clock.set(new Date(job.dueAt));

  await w.run(job.id, [3 * DAY]);

  expect(w.told).toEqual([]);
  expect(await w.reminders(request.id)).toEqual([`1d due ${at(19 * DAY)}`, `3d due ${at(17 * DAY)}`]);
  w.clock.set(new Date(at(17 * DAY)));
  await w.run(accessReminderJobId(request.id, 3 * DAY), [3 * DAY]);
  expect(w.told).toEqual([expect.objectContaining({ kind: 'expiring', inMs: 3 * DAY })]);
});

test('changed to 3d: its end scheduled again (moved) reminds 3 days before the new end; scheduling leaves the old offsets’ jobs where they were, and they send nothing', async () => {
  const w = world();
  const request = await grantedUnderOldSetting(w);
  const moved: AccessRequest = {
    ...request,
    version: request.version + 1,
    access: { ...request.access!, expiresAt: at(50 * DAY) },
  };
  await w.store.update(moved);

  await scheduleEnd(w.deps([3 * DAY]), moved);

  expect(await w.reminders(request.id)).toEqual([
    `1d due ${at(19 * DAY)}`,
    `3d due ${at(47 * DAY)}`,
    `7d due ${at(13 * DAY)}`,
  ]);
  // The 7d job, due 37 days before the moved end, ends without a word.
  w.clock.set(new Date(at(13 * DAY)));
  await w.run(accessReminderJobId(request.id, 7 * DAY), [3 * DAY]);
  expect(w.told).toEqual([]);
  expect(await w.reminders(request.id)).toEqual([`1d due ${at(19 * DAY)}`, `3d due ${at(47 * DAY)}`]);
});

test('a rolling restart from 7d,1d to 3d: each side schedules the grant’s reminders and cancels none of the other’s; the new setting’s reminder is sent', async () => {
  const w = world();
  const request = await grantedUnderOldSetting(w);
  const oldSide = w.deps([7 * DAY, DAY]);
  const newSide = w.deps([3 * DAY]);

  // Both run on one schedule until the restart is done: a new instance schedules the grant's
  // reminders, then an old one does (an extension applied on each, or a reminder of the
  // other's offset meeting it), in either order.
  await scheduleEnd(newSide, request);
  await scheduleEnd(oldSide, request);
  await scheduleEnd(newSide, request);

  const all = [`1d due ${at(19 * DAY)}`, `3d due ${at(17 * DAY)}`, `7d due ${at(13 * DAY)}`];
  expect(await w.reminders(request.id)).toEqual(all);
  // The restart is done: only instances of 3d are left. The old 7d job ends without a word, the
  // 3d one is sent, the old 1d one ends without a word.
  w.clock.set(new Date(at(13 * DAY)));
  await w.run(accessReminderJobId(request.id, 7 * DAY), [3 * DAY]);
  expect(w.told).toEqual([]);
  w.clock.set(new Date(at(17 * DAY)));
  await w.run(accessReminderJobId(request.id, 3 * DAY), [3 * DAY]);
  expect(w.told).toEqual([expect.objectContaining({ kind: 'expiring', inMs: 3 * DAY })]);
  w.clock.set(new Date(at(19 * DAY)));
  await w.run(accessReminderJobId(request.id, DAY), [3 * DAY]);
  expect(w.told).toHaveLength(1);
  expect(await w.reminders(request.id)).toEqual([]);
});

test('a reminder of an offset still listed is sent as before', async () => {
  const w = world();
  const request = await grantedUnderOldSetting(w);
  const job = (await w.schedule.get(accessReminderJobId(request.id, 7 * DAY)))!;
  w.clock.set(new Date(job.dueAt));

  await sendReminder(w.deps([7 * DAY]), job);

  expect(w.told).toEqual([expect.objectContaining({ kind: 'expiring', inMs: 7 * DAY })]);
});

test('the end of the access cancels its reminder jobs of every offset, those of the old setting too', async () => {
  const w = world();
  const request = await grantedUnderOldSetting(w);

  await markRevoked(w.deps([3 * DAY]), request, { by: APPROVER, reason: 'done with it', expired: false }, {});

  expect((await w.store.get(request.id))?.state).toBe('revoked');
  expect(await w.reminders(request.id)).toEqual([]);
});

test('an extension applied under a new setting cancels its own reminder jobs of the old offsets', async () => {
  const w = world();
  const original = await grantedUnderOldSetting(w);
  // The extension succeeded (and its reminders were scheduled) under 7d,1d; its move of the
  // original's end is applied by a process started with 3d.
  const extension = await grantedUnderOldSetting(w, 50 * DAY, 'R-EXTEND01');
  await w.store.update({ ...extension, version: extension.version + 1, extendsRequestId: original.id });
  const stored = (await w.store.get(extension.id))!;

  await applyExtension(w.deps([3 * DAY]), stored, async () => undefined);

  expect((await w.store.get(original.id))?.access?.expiresAt).toBe(at(50 * DAY));
  expect(await w.reminders(extension.id)).toEqual([]);
  // The original's jobs of the old offsets stay, moved with its end, to end themselves when due
  // on an instance of 3d (or remind on time on one of 7d,1d).
  expect(await w.reminders(original.id)).toEqual([
    `1d due ${at(49 * DAY)}`,
    `3d due ${at(47 * DAY)}`,
    `7d due ${at(43 * DAY)}`,
  ]);
});

test('a rolling restart: an extension applied on an instance of 3d moves the 7d,1d jobs to the new end, so an instance of 7d,1d reminds on time, not early', async () => {
  const w = world();
  const original = await grantedUnderOldSetting(w);
  // The extension's move of the original's end (to day 50) is applied by an instance of 3d.
  const extension = await grantedUnderOldSetting(w, 50 * DAY, 'R-EXTEND01');
  await w.store.update({ ...extension, version: extension.version + 1, extendsRequestId: original.id });
  await applyExtension(w.deps([3 * DAY]), (await w.store.get(extension.id))!, async () => undefined);
  expect((await w.store.get(original.id))?.access?.expiresAt).toBe(at(50 * DAY));

  // Every reminder job of the original, of either setting, reminds as long before the new end.
  expect(await w.reminders(original.id)).toEqual([
    `1d due ${at(49 * DAY)}`,
    `3d due ${at(47 * DAY)}`,
    `7d due ${at(43 * DAY)}`,
  ]);
  // The old 7d time (day 13) comes and goes: nothing is due, nothing is said.
  w.clock.set(new Date(at(13 * DAY)));
  expect(await w.schedule.get(accessReminderJobId(original.id, 7 * DAY))).toMatchObject({ dueAt: at(43 * DAY) });
  // An instance of 7d,1d (still in the rollout, or the setting changed back) runs the 7d job at
  // its time: 7 days before the end, not 37; and its 1d job is still owed, and sent.
  w.clock.set(new Date(at(43 * DAY)));
  await w.run(accessReminderJobId(original.id, 7 * DAY), [7 * DAY, DAY]);
  expect(w.told).toEqual([expect.objectContaining({ kind: 'expiring', inMs: 7 * DAY })]);
  w.clock.set(new Date(at(49 * DAY)));
  await w.run(accessReminderJobId(original.id, DAY), [7 * DAY, DAY]);
  expect(w.told).toEqual([
    expect.objectContaining({ kind: 'expiring', inMs: 7 * DAY }),
    expect.objectContaining({ kind: 'expiring', inMs: DAY }),
  ]);
});

test('an extension moving the end leaves a reminder job of another setting whose time at the new end is past where it is: due, it reminds now', async () => {
  const w = world();
  const original = await grantedUnderOldSetting(w);
  // Half a day before its end, an extension (scheduled nothing: the test's) moves it by 6 hours.
  w.clock.set(new Date(at(19 * DAY + 12 * HOUR)));
  const extension: AccessRequest = {
    ...granted,
    id: 'R-EXTEND01',
    extendsRequestId: original.id,
    access: { durationMs: DAY, expiresAt: at(20 * DAY + 6 * HOUR) },
  };
  await w.store.create(extension);
  await applyExtension(w.deps([3 * DAY]), extension, async () => undefined);
  expect((await w.store.get(original.id))?.access?.expiresAt).toBe(at(20 * DAY + 6 * HOUR));
  // Its 1d and 7d times at the new end (day 19 6h, day 13 6h) have passed: both stay, due, where they were.
  expect(await w.reminders(original.id)).toEqual([`1d due ${at(19 * DAY)}`, `7d due ${at(13 * DAY)}`]);
});
