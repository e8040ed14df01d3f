/**
 * The orphan watch when the registry is back but its grants are too many to list whole: none of
 * those read holds the assignment, another might. Nothing is deleted and nothing audited, and the
 * watch looks again the next day instead of stopping for good (which left the assignment giving
 * pull with no end when, in fact, nothing held it).
 */
import type { RoleAssignmentInfo } from '../../src/domain/azure-model';
import type { JobSpec } from '../../src/flows/scheduler';
import { GRANTING_RETRY_MS, watchOrphanedAssignment } from '../../src/flows/orphan-watch';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { FakeClock } from './support/fake-clock';
import { watchDeps, watchJob } from './support/orphan-watch';
import { grantPlan, pendingRequest } from './support/requests';

const DAY = 24 * 60 * 60 * 1000;

test('a registry whose grants are too many to list whole: nothing deleted or audited, and the watch looks again the next day', async () => {
  const clock = new FakeClock();
  const store = new MemoryRequestStore();
  const plan = grantPlan();
  const request = pendingRequest({ plan, state: 'revoked' });
  await store.create(request);
  // 1,000 live grants of other identities on the registry: the holder listing's bound.
  for (let i = 0; i < 1000; i++) {
    const other = { ...plan, roleAssignmentName: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` };
    await store.create(pendingRequest({ id: `R-${String(i).padStart(8, '0')}`, plan: other, state: 'succeeded' }));
  }
  const scheduled: JobSpec[] = [];
  const deleted: unknown[] = [];
  const audit = new MemoryAuditLog(clock);
  const assignment: RoleAssignmentInfo = {
    id: `${plan.scope}/providers/Microsoft.Authorization/roleAssignments/${plan.roleAssignmentName}`,
    name: plan.roleAssignmentName,
    scope: plan.scope,
    principalId: plan.identity.objectId,
    roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${plan.role.id}`,
  } as RoleAssignmentInfo;
  const deps = watchDeps({
    store,
    clock,
    audit,
    scheduled,
    roleAssignments: {
      scopeExists: async () => true,
      listForPrincipal: async () => [assignment],
      delete: async (ref: unknown) => {
        deleted.push(ref);
        return {};
      },
    },
  });
  const job = watchJob(request.id, clock);

  await watchOrphanedAssignment(deps, job, undefined, () => 0);

  expect(deleted).toEqual([]);
  expect(await audit.latest(10)).toEqual([]);
  expect(scheduled.map((j) => [j.id, j.dueAt.getTime() - clock.now().getTime()])).toEqual([[job.id, DAY]]);
});

test('a registry with too many grants under way to tell whether one is of this assignment: not looked at now, nothing listed', async () => {
  const clock = new FakeClock();
  const store = new MemoryRequestStore();
  const plan = grantPlan();
  const request = pendingRequest({ plan, state: 'revoked' });
  await store.create(request);
  for (let i = 0; i < 1000; i++) {
    const other = { ...plan, roleAssignmentName: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` };
    await store.create(pendingRequest({ id: `R-${String(i).padStart(8, '0')}`, plan: other, state: 'executing' }));
  }
  const scheduled: JobSpec[] = [];
  let listed = 0;
  const deps = watchDeps({
    store,
    clock,
    scheduled,
    roleAssignments: {
      scopeExists: async () => true,
      listForPrincipal: async () => {
        listed++;
        return [];
      },
    },
  });
  const job = watchJob(request.id, clock);

  await watchOrphanedAssignment(deps, job, undefined, () => 0);

  expect(listed).toBe(0);
  expect(scheduled.map((j) => j.dueAt.getTime() - clock.now().getTime())).toEqual([GRANTING_RETRY_MS]);
});
