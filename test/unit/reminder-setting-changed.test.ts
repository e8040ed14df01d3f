/**
 * ACRBOT_EXPIRY_REMINDERS changed while grants live (access-reminders.ts): a reminder job of an
 * offset the setting no longer lists sends nothing when due and has the grant's reminders
 * scheduled as the setting says now; scheduling a grant's reminders again (an extension moving
 * its end) drops the jobs of the old offsets; the end of the access and an extension's move of
 * its original's end cancel every reminder job of the request, old offsets' too. Real memory
 * stores and the real Scheduler, on a fake clock; the grant is scheduled under 7d,1d, then read
 * by a process started with the new setting.
 */
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
import { MINUTE } from './support/fake-clock';
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
  /** `requestId`'s reminder jobs, as `<beforeMs in days>d due <time>`, in that order. */
  const reminders = async (requestId: string) =>
    (await schedule.withIdPrefix(accessReminderJobPrefix(requestId), 100))
      .map((j) => `${Number(j.payload?.beforeMs) / DAY}d due ${j.dueAt}`)
      .sort();
  return { clock, store, audit, schedule, deps, told, reminders };
}

/** {@link granted}, ending `endsInMs` from {@link NOW}, stored and its end scheduled under 7d,1d. */
async function grantedUnderOldSetting(w: ReturnType<typeof world>, endsInMs = 20 * DAY, id = granted.id) {
  const request: AccessRequest = { ...granted, id, access: { durationMs: 30 * DAY, expiresAt: at(endsInMs) } };
  await w.store.create(request);
  await scheduleEnd(w.deps([7 * DAY, DAY]), request);
  expect(await w.reminders(id)).toEqual([`1d due ${at(endsInMs - DAY)}`, `7d due ${at(endsInMs - 7 * DAY)}`]);
  return request;
}

test('set to none: a reminder scheduled before sends nothing when due, and the grant’s other one goes', async () => {
  const w = world();
  const request = await grantedUnderOldSetting(w);
  const job = (await w.schedule.get(accessReminderJobId(request.id, 7 * DAY)))!;
  w.clock.set(new Date(job.dueAt));

  await expect(sendReminder(w.deps([]), job)).resolves.toBeUndefined();

  expect(w.told).toEqual([]);
  expect((await w.audit.forRequest(request.id)).map((e) => e.action)).not.toContain('access.reminded');
  // The day-before job of the old setting went with it (it would have reminded too), and so did
  // this one: the scheduler, finding it gone once the run ends, leaves it so.
  expect(await w.reminders(request.id)).toEqual([]);
});

test('changed to 3d: a reminder of the old setting sends nothing and schedules the grant’s 3d reminder', async () => {
  const w = world();
  const request = await grantedUnderOldSetting(w);
  const job = (await w.schedule.get(accessReminderJobId(request.id, 7 * DAY)))!;
  w.clock.set(new Date(job.dueAt));

  await sendReminder(w.deps([3 * DAY]), job);

  expect(w.told).toEqual([]);
  expect(await w.reminders(request.id)).toEqual([`3d due ${at(17 * DAY)}`]);
});

test('changed to 3d: an extension moving the end drops the old offsets’ jobs and reminds 3 days before the new end', async () => {
  const w = world();
  const request = await grantedUnderOldSetting(w);
  const moved: AccessRequest = {
    ...request,
    version: request.version + 1,
    access: { ...request.access!, expiresAt: at(50 * DAY) },
  };
  await w.store.update(moved);

  await scheduleEnd(w.deps([3 * DAY]), moved);

  // Kept, the 7d job would remind 37 days before the moved end.
  expect(await w.reminders(request.id)).toEqual([`3d due ${at(47 * DAY)}`]);
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
  expect(await w.reminders(original.id)).toEqual([`3d due ${at(47 * DAY)}`]);
});
