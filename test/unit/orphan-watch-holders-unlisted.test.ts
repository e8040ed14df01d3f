/**
 * The orphan watch when the registry is back but its grants are too many to list whole: none of
 * those read holds the assignment, another might. Nothing is deleted and nothing audited, and the
 * watch looks again the next day instead of stopping for good (which left the assignment giving
 * pull with no end when, in fact, nothing held it).
 */
import type { RoleAssignmentInfo } from '../../src/domain/azure-model';
import type { ScheduledJob } from '../../src/domain/ports';
import type { LifecycleDeps } from '../../src/flows/access-lifecycle-deps';
import type { JobSpec } from '../../src/flows/scheduler';
import {
  GRANTING_RETRY_MS,
  ORPHAN_WATCH_KIND,
  orphanWatchJobId,
  watchOrphanedAssignment,
} from '../../src/flows/orphan-watch';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { FakeClock } from './support/fake-clock';
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
  const deps = {
    store,
    audit,
    clock,
    log: createLogger({ level: 'silent' }),
    settings: { remindersMs: [] },
    jobs: { schedule: async (job: JobSpec) => void scheduled.push(job) },
    ports: {
      roleAssignments: {
        scopeExists: async () => true,
        listForPrincipal: async () => [assignment],
        delete: async (ref: unknown) => void deleted.push(ref),
      },
    },
  } as unknown as LifecycleDeps;
  const job = {
    id: orphanWatchJobId(request.id),
    kind: ORPHAN_WATCH_KIND,
    dueAt: clock.now().toISOString(),
    requestId: request.id,
    payload: { until: new Date(clock.now().getTime() + 30 * DAY).toISOString() },
    attempts: 0,
  } as ScheduledJob;

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
  const deps = {
    store,
    audit: new MemoryAuditLog(clock),
    clock,
    log: createLogger({ level: 'silent' }),
    settings: { remindersMs: [] },
    jobs: { schedule: async (job: JobSpec) => void scheduled.push(job) },
    ports: {
      roleAssignments: {
        scopeExists: async () => true,
        listForPrincipal: async () => {
          listed++;
          return [];
        },
      },
    },
  } as unknown as LifecycleDeps;
  const job = {
    id: orphanWatchJobId(request.id),
    kind: ORPHAN_WATCH_KIND,
    dueAt: clock.now().toISOString(),
    requestId: request.id,
    payload: { until: new Date(clock.now().getTime() + 30 * DAY).toISOString() },
    attempts: 0,
  } as ScheduledJob;

  await watchOrphanedAssignment(deps, job, undefined, () => 0);

  expect(listed).toBe(0);
  expect(scheduled.map((j) => j.dueAt.getTime() - clock.now().getTime())).toEqual([GRANTING_RETRY_MS]);
});
