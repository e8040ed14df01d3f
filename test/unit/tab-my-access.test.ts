/**
 * My access's "Your active access" (`grants`): the caller's access that still pulls, and a pull
 * secret whose credential lapsed while its term runs on (still theirs to extend, which rotates a
 * new credential in, or to revoke). Each row is judged by its own request, whatever order the
 * store lists them in and however the answer sorts them.
 */
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import type { TabMyAccess } from '../../src/tab/tab-wire';
import { FakeClock, HOUR } from './support/fake-clock';
import { bearer, testTabApi } from './support/tab-api';
import { APPROVER, pendingRequest, REQUESTER, secretPlan } from './support/requests';

const DAY = 24 * HOUR;

test('a secret whose credential lapsed is in "Your active access", judged by its own request, next to newer requests', async () => {
  const clock = new FakeClock('2025-03-01T09:00:00.000Z');
  const store = new MemoryRequestStore();
  const at = (offsetMs: number) => new Date(clock.now().getTime() + offsetMs).toISOString();
  // The oldest: a pull secret whose credential expired yesterday while its term runs 30 more days.
  await store.create(
    pendingRequest({
      id: 'R-LAPSED01',
      state: 'succeeded',
      createdAt: at(-40 * DAY),
      updatedAt: at(-40 * DAY),
      plan: secretPlan({ expiresAt: at(-DAY) }),
      decision: { by: APPROVER, at: at(-40 * DAY), approved: true },
      outcome: { summary: 'secret written', azureRequestIds: [] },
      access: { durationMs: 70 * DAY, expiresAt: at(30 * DAY) },
    }),
  );
  // Newer requests that gave no access: listed under requests, never under active access.
  for (const [id, state, days] of [
    ['R-REJECTD1', 'rejected', 20],
    ['R-CANCELD1', 'cancelled', 10],
  ] as const)
    await store.create(
      pendingRequest({
        id,
        state,
        createdAt: at(-days * DAY),
        updatedAt: at(-days * DAY),
        decision: state === 'rejected' ? { by: APPROVER, at: at(-days * DAY), approved: false } : undefined,
      }),
    );
  const res = await testTabApi(clock, store, { actions: undefined }).myAccess(await bearer(REQUESTER, clock));
  expect(res.status).toBe(200);
  const body = res.body as TabMyAccess;
  expect(body.requests.map((r) => r.requestId)).toEqual(['R-CANCELD1', 'R-REJECTD1', 'R-LAPSED01']);
  expect(body.grants.map((r) => [r.requestId, r.state, r.credentialEnds])).toEqual([['R-LAPSED01', 'expired', true]]);
});
