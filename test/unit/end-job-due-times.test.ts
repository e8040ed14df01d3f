/**
 * When the end job comes due (access-lifecycle.ts): a grant that failed unconfirmed is cleaned up
 * now even though its provisional end (written when its run began) is stored, a job already
 * retrying keeping its backoff; an end job that meets its request still being granted looks again
 * a minute later, not at once (which would run it again on every sweep), and one that meets a
 * request that never ran ends quietly (a refused revocation would be retried for ever); an
 * extension whose original a later extension carries on waits for that end, not revoked alone; a
 * revocation that waits for an extension being granted is not "failing" to its requester.
 */
import type { ScheduledJob } from '../../src/domain/ports';
import type { AccessRequest } from '../../src/domain/request';
import { endJobOf, memoryWorld, quietLifecycle, recordingJobs, tellingMessenger } from './support/access-lifecycle';
import { HOUR } from './support/fake-clock';
import { grantPlan, pendingRequest } from './support/requests';

const NOW = '2025-02-12T10:00:00.000Z';

function setUp(stored?: Partial<ScheduledJob>) {
  const { clock, store } = memoryWorld(NOW);
  const { jobs, written } = recordingJobs(
    async (id: string) => stored && ({ id, kind: 'access.expire', dueAt: NOW, attempts: 0, ...stored } as ScheduledJob),
  );
  const due = () => written.filter((j) => j.kind === 'access.expire').map((j) => j.dueAt.toISOString());
  const told: unknown[] = [];
  const messenger = tellingMessenger((_request, notice) => {
    told.push(notice);
  });
  return { store, due, told, lifecycle: quietLifecycle(clock, { store, jobs, messenger }) };
}

/** A grant whose PUT's answer was lost (azure.writeUnconfirmed), its assignment recorded as maybe made. */
function unconfirmed(): AccessRequest {
  const plan = grantPlan();
  return pendingRequest({
    state: 'failed',
    access: { durationMs: 30 * 24 * HOUR },
    outcome: { summary: 'unconfirmed', azureRequestIds: [], errorCode: 'azure.writeUnconfirmed' },
    created: [{ kind: 'roleAssignment', id: 'ra-id', name: plan.roleAssignmentName, recordedAt: NOW }],
  });
}

describe('a grant that failed unconfirmed', () => {
  test('its end job is moved to now over the provisional end', async () => {
    const { due, lifecycle } = setUp({ dueAt: '2025-03-14T10:00:00.000Z', attempts: 0 });
    await lifecycle.requestChanged(unconfirmed());
    expect(due()).toEqual([NOW]);
  });

  test('a job already retrying keeps its backoff', async () => {
    const { due, lifecycle } = setUp({ dueAt: '2025-02-12T10:30:00.000Z', attempts: 2 });
    await lifecycle.requestChanged(unconfirmed());
    expect(due()).toEqual([]);
  });
});

test.each<AccessRequest['state']>(['approved', 'executing'])(
  'an end job meeting its request %s looks again a minute later',
  async (state) => {
    const { store, due, lifecycle } = setUp();
    const request = pendingRequest({ state, access: { durationMs: HOUR } });
    await store.create(request);
    await lifecycle.onExpire(endJobOf(request, NOW));
    expect(due()).toEqual(['2025-02-12T10:01:00.000Z']);
  },
);

test('an end job meeting a request that never ran does nothing, and does not fail', async () => {
  const { store, due, lifecycle } = setUp();
  const request = pendingRequest({ state: 'cancelled', access: { durationMs: HOUR, expiresAt: NOW } });
  await store.create(request);
  await expect(lifecycle.onExpire(endJobOf(request, NOW))).resolves.toBeUndefined();
  expect(due()).toEqual([]);
  expect((await store.get(request.id))?.state).toBe('cancelled');
});

test("an extension due while a later extension carries its original's end waits for that end", async () => {
  const { store, due, lifecycle } = setUp();
  const later = '2025-03-01T10:00:00.000Z';
  const granted = (id: string, access: AccessRequest['access'], extendsRequestId?: string) =>
    pendingRequest({ id, state: 'succeeded', version: 3, access, ...(extendsRequestId && { extendsRequestId }) });
  await store.create(
    granted('R-ORIGINAL', { durationMs: HOUR, expiresAt: later, extendedBy: ['R-FIRST', 'R-SECOND'] }),
  );
  const first = granted('R-FIRST', { durationMs: HOUR, expiresAt: NOW }, 'R-ORIGINAL');
  await store.create(first);
  await store.create(granted('R-SECOND', { durationMs: HOUR, expiresAt: later }, 'R-ORIGINAL'));
  await lifecycle.onExpire(endJobOf(first, NOW)).catch(() => undefined);
  expect(due()).toEqual([later]);
  expect((await store.get(first.id))?.state).toBe('succeeded');
});

test('a revocation waiting for an extension being granted is not told to the requester as failing', async () => {
  const { store, told, lifecycle } = setUp();
  const original = pendingRequest({
    id: 'R-ORIGINAL',
    state: 'succeeded',
    version: 3,
    access: { durationMs: HOUR, expiresAt: NOW },
  });
  await store.create(original);
  await store.create(
    pendingRequest({
      id: 'R-EXTENSION',
      state: 'executing',
      extendsRequestId: original.id,
      access: { durationMs: HOUR },
    }),
  );
  // The third attempt: one that fails is told to the requester.
  const job = endJobOf(original, NOW, 2);
  await expect(lifecycle.onExpire(job)).rejects.toMatchObject({ code: 'revoke.grantRunning' });
  expect(told).toEqual([]);
});
