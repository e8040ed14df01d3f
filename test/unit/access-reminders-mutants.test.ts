/**
 * Edges of access-reminders.ts the other reminder tests leave open (found by mutation testing):
 * the end job goes at the end itself; the reminders are stored before the change that scheduled
 * them is done with; only an extension still waiting for approval keeps Extend out (one approved
 * and being applied moves the end instead); and a credential's reminder carries the pause, the
 * waiting extension and its own end and time left, not the term's.
 */
import type { AccessPause } from '../../src/domain/ports';
import type { AccessRequest } from '../../src/domain/request';
import type { JobSpec } from '../../src/flows/scheduler';
import { MemoryPauseStore } from '../../src/integrations/store/memory-pause-store';
import { memoryWorld, quietLifecycle, recordingJobs, tellingMessenger } from './support/access-lifecycle';
import { HOUR } from './support/fake-clock';
import { APPROVER, pendingRequest, secretPlan } from './support/requests';

const DAY = 24 * HOUR;
const NOW = '2025-02-12T10:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(NOW) + ms).toISOString();

/** A lifecycle at {@link NOW} reminding a day before an end, with the jobs it stores and the notices it sends. */
function lifecycle(jobs = recordingJobs()) {
  const { clock, store, audit } = memoryWorld(NOW);
  const pauses = new MemoryPauseStore();
  const told: unknown[] = [];
  const life = quietLifecycle(clock, {
    store,
    audit,
    jobs: jobs.jobs,
    messenger: tellingMessenger((_request, notice) => void told.push(notice)),
    settings: { remindersMs: [DAY], pauses },
  });
  return { store, audit, pauses, life, told, written: jobs.written };
}

function grantedUntil(access: AccessRequest['access'], overrides: Partial<AccessRequest> = {}): AccessRequest {
  return pendingRequest({
    state: 'succeeded',
    version: 4,
    decision: { by: APPROVER, at: '2025-01-14T10:00:00.000Z', approved: true },
    access,
    ...overrides,
  });
}

/** The one-day reminder job of `request`, due at {@link NOW}. */
const reminderJob = (request: AccessRequest) => ({
  id: `access.remind:${request.id}:${DAY}`,
  kind: 'access.remind' as const,
  dueAt: NOW,
  requestId: request.id,
  attempts: 0,
});

/** An extension of `original` by its requester, in `state`. */
const extensionOf = (original: AccessRequest, state: AccessRequest['state']): AccessRequest =>
  pendingRequest({ id: 'R-EXTEND01', state, extendsRequestId: original.id, access: { durationMs: 30 * DAY } });

describe('scheduleEnd', () => {
  test('the end job is due at the end of the term itself, the reminder a day before', async () => {
    const { life, written } = lifecycle();
    await life.requestChanged(grantedUntil({ durationMs: 30 * DAY, expiresAt: at(2 * DAY) }));
    expect(written.map((j) => [j.kind, j.dueAt.toISOString()])).toEqual([
      ['access.expire', at(2 * DAY)],
      ['access.remind', at(DAY)],
    ]);
  });

  test('the reminders are stored before the change that schedules them is done with', async () => {
    // A store that answers later than the next turn: a reminder not waited for is not stored yet.
    const written: JobSpec[] = [];
    const slow = recordingJobs();
    slow.jobs.schedule = async (job: JobSpec) => {
      await new Promise((resolve) => setImmediate(resolve));
      written.push(job);
    };
    const { life } = lifecycle({ jobs: slow.jobs, written });
    await life.requestChanged(grantedUntil({ durationMs: 30 * DAY, expiresAt: at(2 * DAY) }));
    expect(written.map((j) => j.kind)).toEqual(['access.expire', 'access.remind']);
  });
});

describe('sendReminder', () => {
  test('an extension approved and being applied leaves Extend in: it moves the end, it does not wait', async () => {
    const { store, life, told } = lifecycle();
    const request = grantedUntil({ durationMs: 30 * DAY, expiresAt: at(DAY) });
    await store.create(request);
    await store.create(extensionOf(request, 'approved'));
    await life.onReminder(reminderJob(request));
    expect(told).toEqual([{ kind: 'expiring', inMs: DAY }]);
  });

  test("a credential's reminder carries its own end and time left, the pause and the extension waiting", async () => {
    const { store, pauses, life, told, audit } = lifecycle();
    // The credential expires in a day, the term in ten.
    const request = grantedUntil(
      { durationMs: 30 * DAY, expiresAt: at(10 * DAY) },
      { plan: secretPlan({ expiresAt: at(DAY) }) },
    );
    await store.create(request);
    await store.create(extensionOf(request, 'pending'));
    const pause: AccessPause = {
      since: '2025-02-12T09:30:00.000Z',
      by: { objectId: APPROVER.objectId, name: 'Alex' },
      reason: 'not for the requester',
    };
    await pauses.pause(pause);
    await life.onReminder(reminderJob(request));
    expect(told).toEqual([
      {
        kind: 'credentialExpiring',
        inMs: DAY,
        at: at(DAY),
        paused: { since: pause.since, by: { name: 'Alex' } },
        extensionWaiting: 'R-EXTEND01',
      },
    ]);
    const [entry] = (await audit.forRequest(request.id)).filter((e) => e.action === 'access.reminded');
    expect(entry!.detail).toBe(
      `expires ${at(DAY)} (the pull secret’s credential, before the term ends); without Extend: new access is paused, and extension R-EXTEND01 waits for approval`,
    );
  });
});
