/**
 * My access's "Waiting for your approval" (`approvals`) lists only what the caller may still
 * decide: pending requests of their own tenant, not their own (G4), not those they already
 * approved towards a quorum (matched whatever the case of the recorded id). The tab filters these
 * itself, before it asks the approver question: here `isApproverOf` says yes to everything, so
 * only the tab's own filters stand between the caller and the rows.
 */
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import type { TabMyAccess } from '../../src/tab/tab-wire';
import { FakeClock } from './support/fake-clock';
import { bearer, testTabApi } from './support/tab-api';
import { APPROVER, OUTSIDER, pendingRequest, REQUESTER } from './support/requests';

const OTHER_TENANT = '7c2f0000-0000-4000-8000-00000000b0b0';

async function approvalsOf(roles: { approver: boolean; auditor: boolean }): Promise<string[]> {
  const clock = new FakeClock('2025-01-15T10:00:00.000Z');
  const store = new MemoryRequestStore();
  const requests = [
    pendingRequest({ id: 'R-WAITS001' }),
    // Another approver's approval does not take it off the caller's list.
    pendingRequest({
      id: 'R-HALFWAY1',
      approvals: [{ by: OUTSIDER, at: '2025-01-15T09:30:00.000Z' }],
    }),
    pendingRequest({
      id: 'R-APPROVD1',
      approvals: [{ by: { ...APPROVER, objectId: APPROVER.objectId.toUpperCase() }, at: '2025-01-15T09:30:00.000Z' }],
    }),
    pendingRequest({ id: 'R-OWNREQ01', requester: APPROVER }),
    pendingRequest({ id: 'R-ELSEWHR1', tenantId: OTHER_TENANT }),
  ];
  for (const r of requests) await store.create(r);
  const api = testTabApi(clock, store, {
    roles: {
      isApprover: async () => roles.approver,
      isApproverOf: async () => true,
      isAuditor: () => roles.auditor,
    },
  });
  const res = await api.myAccess(await bearer(APPROVER, clock));
  expect(res.status).toBe(200);
  return (res.body as TabMyAccess).approvals.map((r) => r.requestId ?? '').sort();
}

describe('Waiting for your approval', () => {
  test("lists an approver's tenant's pending requests that are not theirs and not yet approved by them", async () => {
    await expect(approvalsOf({ approver: true, auditor: false })).resolves.toEqual(['R-HALFWAY1', 'R-WAITS001']);
  });

  test('is empty for an auditor who is no approver', async () => {
    await expect(approvalsOf({ approver: false, auditor: true })).resolves.toEqual([]);
  });

  test('requester-only callers see none of the pending requests of others', async () => {
    const clock = new FakeClock('2025-01-15T10:00:00.000Z');
    const store = new MemoryRequestStore();
    await store.create(pendingRequest({ id: 'R-WAITS001' }));
    const res = await testTabApi(clock, store).myAccess(await bearer(REQUESTER, clock));
    expect((res.body as TabMyAccess).approvals).toEqual([]);
  });
});
