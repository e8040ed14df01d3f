/**
 * Which reminders of an end are scheduled, and what they remind of (access-reminders.ts): every
 * reminder still in the future and none at or past now, whatever the order of the configured
 * ones; a permanent pull secret's credential expiry is reminded of (nothing renews it); a
 * credential expiring with the term is the term's end, reminded as such.
 */
import type { AccessRequest } from '../../src/domain/request';
import { memoryWorld, quietLifecycle, recordingJobs, tellingMessenger } from './support/access-lifecycle';
import { HOUR } from './support/fake-clock';
import { APPROVER, pendingRequest, secretPlan } from './support/requests';

const DAY = 24 * HOUR;
const NOW = '2025-02-12T10:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(NOW) + ms).toISOString();

/** A lifecycle at {@link NOW} reminding `remindersMs` before an end, recording the jobs written and the notices sent. */
function lifecycle(remindersMs: number[]) {
  const { clock, store, audit } = memoryWorld(NOW);
  const told: unknown[] = [];
  const { jobs, written } = recordingJobs();
  const messenger = tellingMessenger((_request, notice) => {
    told.push(notice);
  });
  const life = quietLifecycle(clock, {
    store,
    audit,
    jobs,
    messenger,
    settings: { remindersMs },
  });
  const reminders = () => written.filter((j) => j.kind === 'access.remind').map((j) => j.dueAt.toISOString());
  return { store, life, reminders, told, audit, clock };
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

describe('scheduleReminders', () => {
  test('each reminder at its time before the end; a past one skipped, not the later ones', async () => {
    const { life, reminders } = lifecycle([7 * DAY, DAY]);
    await life.requestChanged(grantedUntil({ durationMs: 30 * DAY, expiresAt: at(2 * DAY) }));
    expect(reminders()).toEqual([at(DAY)]);
  });

  test('a reminder that would fall exactly now is not scheduled', async () => {
    const { life, reminders } = lifecycle([DAY]);
    await life.requestChanged(grantedUntil({ durationMs: 30 * DAY, expiresAt: at(DAY) }));
    expect(reminders()).toEqual([]);
  });

  test("a permanent pull secret is reminded of its credential's expiry", async () => {
    const { life, reminders } = lifecycle([DAY]);
    await life.requestChanged(
      grantedUntil({ permanent: true }, { plan: secretPlan({ expiresAt: at(3 * DAY) }), extendsRequestId: undefined }),
    );
    expect(reminders()).toEqual([at(2 * DAY)]);
  });
});

/** The one-day reminder job of `request`, due at {@link NOW}. */
const reminderJob = (request: AccessRequest) => ({
  id: `access.remind:${request.id}:${DAY}`,
  kind: 'access.remind' as const,
  dueAt: NOW,
  requestId: request.id,
  attempts: 0,
});

describe('sendReminder', () => {
  test.each<[string, { state: AccessRequest['state']; revokingSince?: string }]>([
    ['a revocation began', { state: 'succeeded', revokingSince: NOW }],
    ['the grant failed', { state: 'failed' }],
  ])('nothing is sent once %s', async (_why, { state, revokingSince }) => {
    const { store, life, told } = lifecycle([DAY]);
    const request = grantedUntil({ durationMs: 30 * DAY, expiresAt: at(DAY), revokingSince }, { state });
    await store.create(request);
    await life.onReminder(reminderJob(request));
    expect(told).toEqual([]);
  });

  test('the same reminder job is sent again for an end an extension moved, once per end', async () => {
    const { store, life, told, clock } = lifecycle([DAY]);
    const request = grantedUntil({ durationMs: 30 * DAY, expiresAt: at(DAY) });
    await store.create(request);
    await life.onReminder(reminderJob(request));
    await life.onReminder(reminderJob(request));
    expect(told).toHaveLength(1);
    await store.update({
      ...request,
      version: request.version + 1,
      access: { ...request.access, expiresAt: at(8 * DAY) },
    });
    clock.set(at(7 * DAY));
    await life.onReminder({ ...reminderJob(request), dueAt: at(7 * DAY) });
    expect(told).toEqual([
      expect.objectContaining({ kind: 'expiring' }),
      expect.objectContaining({ kind: 'expiring', inMs: DAY }),
    ]);
  });

  test('nothing is sent at the very end', async () => {
    const { store, life, told } = lifecycle([DAY]);
    const request = grantedUntil({ durationMs: 30 * DAY, expiresAt: NOW });
    await store.create(request);
    await life.onReminder(reminderJob(request));
    expect(told).toEqual([]);
  });

  test("a credential's reminder is not audited as without Extend for a grant's drift", async () => {
    const { store, life, audit } = lifecycle([DAY]);
    const request = grantedUntil(
      { durationMs: 30 * DAY, expiresAt: at(10 * DAY), driftDetectedAt: NOW },
      { plan: secretPlan({ expiresAt: at(DAY) }) },
    );
    await store.create(request);
    await life.onReminder(reminderJob(request));
    const [entry] = (await audit.forRequest(request.id)).filter((e) => e.action === 'access.reminded');
    expect(entry.detail).toContain('credential');
    expect(entry.detail).not.toContain('removed outside acrbot');
  });

  test('a credential expiring with the term is reminded as the end of the term', async () => {
    const { store, life, told } = lifecycle([DAY]);
    const request = grantedUntil(
      { durationMs: 30 * DAY, expiresAt: at(DAY) },
      { plan: secretPlan({ expiresAt: at(DAY) }) },
    );
    await store.create(request);
    await life.onReminder(reminderJob(request));
    expect(told).toEqual([expect.objectContaining({ kind: 'expiring', inMs: DAY })]);
  });
});
