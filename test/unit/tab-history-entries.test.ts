/**
 * The drawer's audit trail of a revoked request, by who reads it (history-entries.ts): its
 * requester reads its course (who approved and why, an approval withdrawn, who revoked it and why, what acrbot removed)
 * and their own entries, refused ones too; not another person's refused Revoke, an approval no
 * longer counted (naming a former approver), nor an action the list does not name. An approver
 * reads them all, and an entry's tenant is compared whatever its case.
 */
import type { AuditEvent } from '../../src/domain/audit-chain';
import type { TabApiDeps } from '../../src/tab/tab-api';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { FakeClock } from './support/fake-clock';
import { bearer, testTabApi } from './support/tab-api';
import { APPROVER, OUTSIDER, pendingRequest, REGISTRY_ID, REQUESTER } from './support/requests';

const FORMER = { objectId: '0a000000-0000-4000-8000-00000000f0f0', name: 'Former Approver' };

async function setUp(extra: Partial<TabApiDeps> = {}) {
  const clock = new FakeClock('2025-03-01T09:00:00.000Z');
  const store = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  const pending = pendingRequest({ id: 'R-HIST0001' });
  const decidedAt = '2025-03-01T08:00:00.000Z';
  await store.create({
    ...pending,
    state: 'revoked',
    decision: { by: APPROVER, at: decidedAt, approved: true, reason: 'fine for the release' },
    approvals: [{ by: APPROVER, at: decidedAt, reason: 'fine for the release' }],
    access: {
      durationMs: 86_400_000,
      expiresAt: '2025-03-02T08:00:00.000Z',
      revokedAt: '2025-03-01T08:30:00.000Z',
      revokedBy: APPROVER,
      revokeReason: 'migration finished',
    },
  });
  const entry = (e: Partial<AuditEvent> & Pick<AuditEvent, 'actor' | 'action' | 'outcome'>) =>
    audit.append({ tenantId: pending.tenantId, requestId: pending.id, targetIds: [REGISTRY_ID], ...e });
  await entry({ actor: REQUESTER, action: 'request.created', outcome: 'pending', detail: pending.reason });
  await entry({
    actor: { objectId: 'acrbot', name: 'rule prod' },
    action: 'approval.discounted',
    outcome: 'discounted',
    detail: `not counted, no longer approvers of rule prod: ${FORMER.name} (${FORMER.objectId})`,
  });
  // An approval withdrawn by its approver before the decision: part of the course, as the card's count.
  await entry({ actor: APPROVER, action: 'approval.withdrawn', outcome: 'withdrawn', detail: '0 of 1 still counted' });
  await entry({ actor: APPROVER, action: 'request.approved', outcome: 'approved', detail: 'fine for the release' });
  await entry({ actor: { objectId: 'acrbot', name: 'acrbot' }, action: 'request.succeeded', outcome: 'succeeded' });
  await entry({ actor: OUTSIDER, action: 'revoke.refused', outcome: 'revoke.notAllowed', detail: 'revoke R-HIST0001' });
  await entry({ actor: REQUESTER, action: 'extend.refused.permanent', outcome: 'refused' });
  await entry({ actor: OUTSIDER, action: 'someday.new', outcome: 'done', detail: 'OSCAR-NEW' });
  await entry({
    actor: APPROVER,
    action: 'access.revoke.requested',
    outcome: 'scheduled',
    detail: 'migration finished',
  });
  await entry({ actor: APPROVER, action: 'access.revoke.roleAssignment', outcome: 'deleted' });
  await entry({
    actor: APPROVER,
    action: 'access.revoked',
    outcome: 'revoked',
    detail: 'migration finished',
    tenantId: pending.tenantId.toUpperCase(),
  });
  return { api: testTabApi(clock, store, { audit, ...extra }), clock, id: pending.id };
}

const trail = (body: any) => body.audit.map((e: any) => `${e.action} ${e.actor.name} ${e.detail ?? ''}`.trim());

test("its requester reads the request's course and their own entries, none of another person's refusals", async () => {
  const { api, clock, id } = await setUp();
  const res = await api.history(await bearer(REQUESTER, clock), id);
  expect(res.status).toBe(200);
  expect(trail(res.body)).toEqual([
    'request.created Riley Requester deploy payments-api to prod',
    'approval.withdrawn Alex Approver 0 of 1 still counted',
    'request.approved Alex Approver fine for the release',
    'request.succeeded acrbot',
    'extend.refused.permanent Riley Requester',
    'access.revoke.requested Alex Approver migration finished',
    'access.revoke.roleAssignment Alex Approver',
    'access.revoked Alex Approver migration finished',
  ]);
  expect(JSON.stringify(res.body)).not.toMatch(new RegExp(`${OUTSIDER.objectId}|${FORMER.objectId}|Former Approver`));
  // Who revoked it and why, as the drawer's `ended` and their notice say.
  expect((res.body as any).ended).toMatchObject({ by: { name: APPROVER.name }, reason: 'migration finished' });
});

test('an approver reads every entry of the request', async () => {
  const { api, clock, id } = await setUp({
    roles: { isApprover: async () => true, isApproverOf: async () => true, isAuditor: () => false },
  });
  const res = await api.history(await bearer(APPROVER, clock), id);
  expect(res.status).toBe(200);
  expect((res.body as any).audit).toHaveLength(11);
});
