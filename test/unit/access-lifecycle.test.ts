/**
 * AccessLifecycle against memory stores and a fake role-assignment port: overlapping grants
 * revoked at the same moment (G17) — the assignment is deleted exactly once, by the last one.
 */
import type { RoleAssignmentInfo } from '../../src/domain/azure-model';
import type { JobSpec } from '../../src/flows/scheduler';
import type { AccessRequest } from '../../src/domain/request';
import { AccessLifecycle } from '../../src/flows/access-lifecycle';
import type { SecretRunnerPorts } from '../../src/flows/secret-runner';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, HOUR } from './support/fake-clock';
import { APPROVER, OUTSIDER, pendingRequest, REQUESTER } from './support/requests';

function setup(withLeases: boolean) {
  const clock = new FakeClock('2026-11-30T10:00:00Z');
  const store = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  const schedule = new MemoryScheduleStore();
  let assignment: RoleAssignmentInfo | undefined;
  let deletes = 0;
  const ports = {
    roleAssignments: {
      listForPrincipal: async () => (assignment ? [assignment] : []),
      create: async () => ({ id: 'x' }),
      canAssignRoles: async () => true,
      delete: async () => {
        // Slow enough that two revocations would interleave without the lease.
        await new Promise((r) => setImmediate(r));
        deletes++;
        assignment = undefined;
      },
    },
  } as unknown as SecretRunnerPorts;
  const silent = {
    requestChanged: async () => undefined,
    tellRequester: async () => undefined,
    reportToApprovers: async () => undefined,
  };
  const jobs = {
    schedule: (j: JobSpec) => schedule.put({ ...j, dueAt: j.dueAt.toISOString(), attempts: 0 }),
    cancel: (id: string) => schedule.delete(id),
  };
  const lifecycle = new AccessLifecycle(
    store,
    audit,
    clock,
    jobs,
    ports,
    silent,
    silent,
    createLogger({ level: 'silent' }),
    {
      remindersMs: [],
      ...(withLeases ? { leases: { store: new MemoryLeaseStore(() => clock.now()), owner: 'one-process' } } : {}),
    },
  );
  const granted = (id: string, by = REQUESTER): AccessRequest => {
    return pendingRequest({
      id,
      requester: by,
      state: 'succeeded',
      decision: { by: APPROVER, at: clock.now().toISOString(), approved: true },
      access: { durationMs: 30 * 24 * HOUR, expiresAt: new Date(clock.now().getTime() + 30 * 24 * HOUR).toISOString() },
      outcome: { summary: 'granted', azureRequestIds: [], createdIds: ['x'] },
    });
  };
  const plant = async (r: AccessRequest) => {
    await store.create(r);
    const p = r.plan as Extract<AccessRequest['plan'], { kind: 'grant' }>;
    assignment = {
      id: `${p.scope}/providers/Microsoft.Authorization/roleAssignments/${p.roleAssignmentName}`,
      name: p.roleAssignmentName,
      scope: p.scope,
      roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${p.role.id}`,
      principalId: p.identity.objectId,
    };
  };
  return { lifecycle, store, plant, granted, deletes: () => deletes, exists: () => assignment !== undefined };
}

describe('AccessLifecycle: overlapping grants revoked at the same moment', () => {
  test('with the assignment lease, exactly one revocation deletes it (the other is refused and retried)', async () => {
    const t = setup(true);
    const a = t.granted('R-AAAAAAAA');
    const b = t.granted('R-BBBBBBBB', OUTSIDER);
    await t.plant(a);
    await t.plant(b);
    const results = await Promise.allSettled([
      t.lifecycle.revoke(a, APPROVER, 'incident', false),
      t.lifecycle.revoke(b, APPROVER, 'incident', false),
    ]);
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect(String((refused[0] as PromiseRejectedResult).reason)).toMatch(/another revocation/);
    // The scheduler would retry the refused one: it is now the last holder and deletes.
    const retry = results[0].status === 'rejected' ? a : b;
    await t.lifecycle.revoke((await t.store.get(retry.id))!, APPROVER, 'incident', false);
    expect(t.deletes()).toBe(1);
    expect(t.exists()).toBe(false);
    expect((await t.store.get(a.id))!.state).toBe('revoked');
    expect((await t.store.get(b.id))!.state).toBe('revoked');
  });
});
