/**
 * The pending requests approvers' lists are narrowed from (waiting-for-approvers.ts,
 * listPending): only `pending` is read, and the bound is said to be reached only past it.
 */
import type { AccessRequest, RequestState } from '../../src/domain/request';
import { listPending, WAITING_SCAN_LIMIT } from '../../src/flows/waiting-for-approvers';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { pendingRequest } from './support/requests';

test('only pending requests are listed: an approved one waits for no approver', async () => {
  const store = new MemoryRequestStore();
  await store.create(pendingRequest({ id: 'R-PENDING2', createdAt: '2025-01-15T09:00:00.000Z' }));
  await store.create(pendingRequest({ id: 'R-APPROVD2', state: 'approved', createdAt: '2025-01-15T08:00:00.000Z' }));
  await store.create(pendingRequest({ id: 'R-EXECUTN2', state: 'executing', createdAt: '2025-01-15T08:30:00.000Z' }));
  const found = await listPending(store);
  expect(found.requests.map((r) => r.id)).toEqual(['R-PENDING2']);
  expect(found.boundReached).toBe(false);
});

test('exactly as many pending requests as the bound: all listed, the bound not said to be reached', async () => {
  const all = Array.from({ length: WAITING_SCAN_LIMIT }, (_, i) =>
    pendingRequest({ id: `R-P${String(i).padStart(7, '0')}` }),
  );
  const store = {
    listByState: async (states: RequestState[], limit?: number): Promise<AccessRequest[]> =>
      states.includes('pending') ? all.slice(0, limit) : [],
  };
  const found = await listPending(store);
  expect(found.requests).toHaveLength(WAITING_SCAN_LIMIT);
  expect(found.boundReached).toBe(false);
});
