/**
 * An end job frees its sweep slot once the end is written (JobRun.yieldSlot, scheduler.ts), before
 * it is made known: the notice and the cards (Teams, throttled in a mass end) then no longer hold
 * up the next due revocation. Not before: the access is revoked and recorded when it frees it. A
 * retry of a notice Teams did not serve frees it too, before its reads and its posts.
 */
import { CloudApiError } from '../../src/domain/ports';
import type { JobRun } from '../../src/flows/scheduler';
import {
  endJobOf,
  fakeRoleAssignments,
  memoryWorld,
  quietLifecycle,
  recordingJobs,
  tellingMessenger,
} from './support/access-lifecycle';
import { HOUR } from './support/fake-clock';
import { APPROVER, grantPlan, pendingRequest } from './support/requests';

const NOW = '2025-02-12T10:00:00.000Z';

test('the end job frees its slot after the end is written, before the requester is told', async () => {
  const { clock, store, audit } = memoryWorld(NOW);
  const { ports } = fakeRoleAssignments(grantPlan());
  // What the run did, in order: the request's writes (its state), the slot freed, the notice.
  const events: string[] = [];
  const update = store.update.bind(store);
  store.update = async (next) => {
    const written = await update(next);
    events.push(`written ${next.state}`);
    return written;
  };
  const lifecycle = quietLifecycle(clock, {
    store,
    audit,
    ports,
    messenger: tellingMessenger(() => events.push('told')),
  });
  const request = pendingRequest({
    state: 'succeeded',
    version: 4,
    decision: { by: APPROVER, at: '2025-02-01T10:00:00.000Z', approved: true },
    access: { durationMs: 30 * 24 * HOUR, expiresAt: new Date(Date.parse(NOW) - HOUR).toISOString() },
    outcome: { summary: 'granted', azureRequestIds: [], createdIds: ['ra-id'] },
  });
  await store.create(request);
  const run: JobRun = {
    check: async () => undefined,
    signal: new AbortController().signal,
    yieldSlot: () => {
      events.push('slot freed');
      return true;
    },
  };

  await lifecycle.onExpire(endJobOf(request, NOW), run);

  expect(events.slice(events.indexOf('written revoked'))).toEqual(['written revoked', 'slot freed', 'told']);
  expect((await audit.forRequest(request.id)).map((e) => e.action)).toContain('access.end.told');
});

test('a retry of an end notice Teams did not serve frees its slot before it is sent again', async () => {
  const { clock, store, audit } = memoryWorld(NOW);
  const { ports } = fakeRoleAssignments(grantPlan());
  const { jobs, written } = recordingJobs();
  const events: string[] = [];
  let throttled = true;
  const messenger = tellingMessenger(() => {
    // The first post is throttled (a mass end); the retry's goes out.
    if (throttled) {
      throttled = false;
      throw new CloudApiError('TooManyRequests', 429, 'throttled');
    }
    events.push('told');
  });
  const lifecycle = quietLifecycle(clock, { store, audit, jobs, ports, messenger });
  const request = pendingRequest({
    state: 'succeeded',
    version: 4,
    decision: { by: APPROVER, at: '2025-02-01T10:00:00.000Z', approved: true },
    access: { durationMs: 30 * 24 * HOUR, expiresAt: new Date(Date.parse(NOW) - HOUR).toISOString() },
    outcome: { summary: 'granted', azureRequestIds: [], createdIds: ['ra-id'] },
  });
  await store.create(request);
  await lifecycle.onExpire(endJobOf(request, NOW));
  // Not told: the end job is written again, to send the notice later.
  const retry = written.find((j) => j.id === endJobOf(request, NOW).id);
  // The fake messenger throws Teams' error unwrapped, as a failure before the post would come.
  expect(retry?.payload).toEqual({ noticeTries: 1, noticeFailedAt: 'beforePost' });
  expect(events).toEqual([]);
  const run: JobRun = {
    check: async () => undefined,
    signal: new AbortController().signal,
    yieldSlot: () => {
      events.push('slot freed');
      return true;
    },
  };

  await lifecycle.onExpire({ ...endJobOf(request, NOW), payload: retry!.payload }, run);

  expect(events).toEqual(['slot freed', 'told']);
  expect((await audit.forRequest(request.id)).map((e) => e.action)).toContain('access.end.told');
});
