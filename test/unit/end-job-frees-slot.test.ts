/**
 * An end job frees its sweep slot once the end is written (JobRun.yieldSlot, scheduler.ts), before
 * it is made known: the notice and the cards (Teams, throttled in a mass end) then no longer hold
 * up the next due revocation. Not before: the access is revoked and recorded when it frees it.
 */
import type { JobRun } from '../../src/flows/scheduler';
import {
  endJobOf,
  fakeRoleAssignments,
  memoryWorld,
  quietLifecycle,
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
