/**
 * Object ids are GUIDs, compared without regard to case: an approver a policy file lists in
 * capitals decides with the lower-case id Teams sends.
 */
import type { PolicyProvider } from '../../src/domain/policy';
import { isNamedApprover } from '../../src/domain/policy';
import { RequestService } from '../../src/flows/request-service';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { FakeClock } from './support/fake-clock';
import { fakeDirectory } from './support/fake-directory';
import { policy, rule, settings, TENANT } from './support/policy-fixtures';
import { grantPlan, OUTSIDER, REQUESTER } from './support/requests';

const usersOnly = rule('users-only', { approvers: { users: [OUTSIDER.objectId.toUpperCase()], groups: [] } });

test('isNamedApprover: a user listed in capitals is the same user', () => {
  expect(OUTSIDER.objectId).not.toBe(OUTSIDER.objectId.toUpperCase());
  expect(isNamedApprover(usersOnly, OUTSIDER)).toBe(true);
  expect(isNamedApprover(usersOnly, REQUESTER)).toBe(false);
});

test('an approver listed in capitals approves with the id Teams sends', async () => {
  const clock = new FakeClock('2026-11-30T09:00:00.000Z');
  const store = new MemoryRequestStore();
  const policies: PolicyProvider = { current: () => policy([usersOnly]) };
  const service = new RequestService(
    store,
    new MemoryAuditLog(clock),
    fakeDirectory(),
    clock,
    settings,
    { requestChanged: async () => undefined },
    createLogger({ level: 'silent' }),
    undefined,
    policies,
  );
  const request = await service.create({
    requester: REQUESTER,
    tenantId: TENANT,
    reason: 'deploy payments-api',
    plan: grantPlan(),
    origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
  });
  const decided = await service.decide({
    requestId: request.id,
    acting: { actor: OUTSIDER, tenantId: TENANT },
    approve: true,
  });
  expect(decided).toMatchObject({ kind: 'decided' });
  expect((await store.get(request.id))!.state).toBe('approved');
});
