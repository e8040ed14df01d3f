/**
 * A requester's tab shows their own tenant's requests only (G2): the store holds every allowed
 * tenant's, and its requester index is by object id alone, so a request recorded under the same
 * object id in another tenant must not appear in My access, in their matrix, or as a request
 * they may open, extend or revoke.
 */
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import type { TabMatrixPage, TabMyAccess } from '../../src/tab/tab-wire';
import { FakeClock } from './support/fake-clock';
import { bearer, testTabApi } from './support/tab-api';
import { APPROVER, pendingRequest, REQUESTER } from './support/requests';

const OTHER_TENANT = '7c2f0000-0000-4000-8000-00000000b0b0';

function grantOf(id: string, tenantId?: string) {
  return pendingRequest({
    id,
    state: 'succeeded',
    ...(tenantId && { tenantId }),
    reason: tenantId ? 'TENANT-B REASON' : 'deploy payments-api to prod',
    decision: { by: APPROVER, at: '2025-01-15T09:10:00.000Z', approved: true },
    outcome: { summary: 'granted', azureRequestIds: [] },
    access: { durationMs: 7 * 86_400_000, expiresAt: '2025-01-22T09:10:00.000Z' },
  });
}

test("a requester sees none of their object id's requests recorded in another tenant", async () => {
  const clock = new FakeClock('2025-01-16T09:00:00.000Z');
  const store = new MemoryRequestStore();
  await store.create(grantOf('R-OWNGRNT1'));
  await store.create(grantOf('R-ELSEWHR1', OTHER_TENANT));
  const revoked: string[] = [];
  const api = testTabApi(clock, store, {
    actions: {
      extend: async () => ({ message: 'asked' }),
      revoke: async ({ requestId }) => {
        revoked.push(requestId);
        return { message: 'revoked' };
      },
      canExtend: () => true,
    },
  });
  const auth = await bearer(REQUESTER, clock);

  const mine = (await api.myAccess(auth)).body as TabMyAccess;
  expect(mine.requests.map((r) => r.requestId)).toEqual(['R-OWNGRNT1']);
  expect(mine.grants.map((r) => r.requestId)).toEqual(['R-OWNGRNT1']);

  const matrix = await api.matrix(auth);
  expect(matrix.status).toBe(200);
  expect((matrix.body as TabMatrixPage).rows.map((r) => r.requestId)).toEqual(['R-OWNGRNT1']);
  expect(JSON.stringify([mine, matrix.body])).not.toContain('TENANT-B');

  expect((await api.history(auth, 'R-ELSEWHR1')).status).toBe(404);
  expect((await api.extend(auth, 'R-ELSEWHR1', { duration: '7d' })).status).toBe(404);
  expect((await api.revoke(auth, 'R-ELSEWHR1', { reason: 'no longer needed' })).status).toBe(404);
  expect(revoked).toEqual([]);
  // Their own is theirs to act on.
  expect((await api.revoke(auth, 'R-OWNGRNT1', { reason: 'no longer needed' })).status).toBe(200);
  expect(revoked).toEqual(['R-OWNGRNT1']);
});
