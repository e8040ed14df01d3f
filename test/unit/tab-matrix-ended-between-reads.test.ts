/**
 * An approver's matrix without the inventory reads everyone's live requests, then the ended ones:
 * a request revoked between the two reads is in both. It is shown once, as the later read has it
 * (revoked: no Revoke or Extend offered on access that is gone), and counted once.
 */
import { transition } from '../../src/domain/request';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import type { TabMatrixPage } from '../../src/tab/tab-wire';
import { FakeClock } from './support/fake-clock';
import { APPROVER, pendingRequest } from './support/requests';
import { bearer, testTabApi } from './support/tab-api';

test('a request revoked between the live and the ended read is one row, revoked', async () => {
  const clock = new FakeClock('2025-03-01T09:00:00.000Z');
  const store = new MemoryRequestStore();
  const live = pendingRequest({
    id: 'R-LIVE0001',
    state: 'succeeded',
    version: 4,
    createdAt: '2025-02-28T09:00:00.000Z',
    access: { durationMs: 30 * 86_400_000, expiresAt: '2025-03-30T09:00:00.000Z' } as never,
    decision: { by: APPROVER, at: '2025-02-28T09:00:00.000Z', approved: true } as never,
  });
  await store.create(live);
  const list = store.listByState.bind(store);
  let calls = 0;
  jest.spyOn(store, 'listByState').mockImplementation(async (...args) => {
    const out = await list(...args);
    // Another instance revokes it right after the live read.
    if (++calls === 1) await store.update(transition(live, { type: 'revoke', at: clock.now(), by: APPROVER }));
    return out;
  });
  const api = testTabApi(clock, store, {
    roles: { isApprover: async () => true, isApproverOf: async () => true, isAuditor: () => false },
  });

  const page = (await api.matrix(await bearer(APPROVER, clock))).body as TabMatrixPage;

  expect(calls).toBe(2);
  expect(page.rows.map((r) => [r.requestId, r.state])).toEqual([['R-LIVE0001', 'revoked']]);
  expect(page.rows[0]).not.toMatchObject({ canRevoke: true });
  expect(page.rows[0]).not.toMatchObject({ canExtend: true });
  expect(page.total).toBe(1);
});
