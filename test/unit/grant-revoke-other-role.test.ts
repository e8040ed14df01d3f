/**
 * G15 at a grant's end: the assignment under acrbot's planned name is deleted only while it is
 * still the one acrbot made: name, scope, principal and role. One with another role there now
 * (made again outside acrbot, as AcrPush) is someone else's: recorded `absent`, never deleted.
 * AccessLifecycle on memory stores and a fake role-assignment port.
 */
import type { RoleAssignmentInfo } from '../../src/domain/azure-model';
import type { GrantPlan } from '../../src/domain/plan';
import type { SecretRunnerPorts } from '../../src/flows/secret-runner';
import { MemoryLeaseStore } from '../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { quietLifecycle } from './support/access-lifecycle';
import { FakeClock, HOUR } from './support/fake-clock';
import { APPROVER, pendingRequest } from './support/requests';

const ACR_PUSH = '8311e382-0749-4cb8-b61a-753f48ed7ae1';

test('an assignment under the planned name with another role (AcrPush) is recorded absent and not deleted', async () => {
  const clock = new FakeClock('2026-11-30T10:00:00Z');
  const store = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  const granted = pendingRequest({
    id: 'R-AAAAAAAA',
    state: 'succeeded',
    decision: { by: APPROVER, at: clock.now().toISOString(), approved: true },
    access: { durationMs: 30 * 24 * HOUR, expiresAt: new Date(clock.now().getTime() + 30 * 24 * HOUR).toISOString() },
    outcome: { summary: 'granted', azureRequestIds: [], createdIds: ['x'] },
  });
  await store.create(granted);
  const plan = granted.plan as GrantPlan;
  expect(plan.role.id).not.toBe(ACR_PUSH);
  // The name, scope and principal acrbot planned; the role is not the one it assigned.
  const there: RoleAssignmentInfo = {
    id: `${plan.scope}/providers/Microsoft.Authorization/roleAssignments/${plan.roleAssignmentName}`,
    name: plan.roleAssignmentName,
    scope: plan.scope,
    roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${ACR_PUSH}`,
    principalId: plan.identity.objectId,
  };
  const deletes: unknown[] = [];
  const ports = {
    roleAssignments: {
      listForPrincipal: async () => [there],
      delete: async (target: unknown) => {
        deletes.push(target);
        return {};
      },
    },
  } as unknown as SecretRunnerPorts;
  const lifecycle = quietLifecycle(clock, {
    store,
    audit,
    ports,
    settings: { leases: { store: new MemoryLeaseStore(() => clock.now()), owner: 'one-process' } },
  });

  await lifecycle.revoke(granted, APPROVER, 'incident', false);

  expect(deletes).toEqual([]);
  expect((await store.get(granted.id))!.state).toBe('revoked');
  const step = (await audit.forRequest(granted.id)).find((e) => e.action === 'access.revoke.roleAssignment');
  expect(step).toMatchObject({
    outcome: 'absent',
    detail: 'no assignment with the name, principal, role and scope acrbot created; nothing deleted',
  });
});
