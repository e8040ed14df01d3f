/**
 * A role assignment DELETE is sent only while the run still holds its leases, checked right before
 * it: nothing fences an ARM DELETE, and the name is the same for every grant of a pair, so a run
 * frozen past its lease (a GC pause, a stopped VM) while another instance finished the work and a
 * new grant of the pair was made would delete that grant's assignment when it woke. Each of the
 * three deleters (a revocation, the clean-up of an unconfirmed grant, the orphan watch) loses a
 * lease after its last read and before its DELETE: none is sent.
 */
import type { AuditEvent } from '../../src/domain/audit-chain';
import type { RoleAssignmentInfo } from '../../src/domain/azure-model';
import { LeaseLostError, type ScheduledJob } from '../../src/domain/ports';
import type { AccessRequest } from '../../src/domain/request';
import { watchOrphanedAssignment } from '../../src/flows/orphan-watch';
import { UNCONFIRMED_GRANT } from '../../src/flows/run-resumption';
import type { JobRun } from '../../src/flows/scheduler';
import type { SecretRunnerPorts } from '../../src/flows/secret-runner';
import { MemoryLeaseStore } from '../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { quietLifecycle } from './support/access-lifecycle';
import { FakeClock, HOUR } from './support/fake-clock';
import { watchDeps, watchJob } from './support/orphan-watch';
import { APPROVER, grantPlan, pendingRequest } from './support/requests';

const plan = grantPlan();

/** The assignment acrbot made for {@link plan}, as Azure lists it. */
const assignment: RoleAssignmentInfo = {
  id: `${plan.scope}/providers/Microsoft.Authorization/roleAssignments/${plan.roleAssignmentName}`,
  name: plan.roleAssignmentName,
  scope: plan.scope,
  roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${plan.role.id}`,
  principalId: plan.identity.objectId,
};

/** A job's lease that holds until `lose()`, then throws on every check, as the scheduler's does. */
function jobRun(): { run: JobRun; lose(): void; checks(): number } {
  let lost = false;
  let checks = 0;
  const controller = new AbortController();
  return {
    run: {
      check: async () => {
        checks++;
        if (lost) throw new LeaseLostError('job:test');
      },
      signal: controller.signal,
    },
    lose: () => {
      lost = true;
    },
    checks: () => checks,
  };
}

/** A lifecycle over memory stores whose role assignment port counts the DELETEs it is sent. */
function world(withLeases: boolean) {
  const clock = new FakeClock('2026-11-30T10:00:00Z');
  const store = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  const leases = new MemoryLeaseStore(() => clock.now());
  const deleted: unknown[] = [];
  const ports = {
    roleAssignments: {
      listForPrincipal: async () => [assignment],
      delete: async (ref: unknown) => {
        deleted.push(ref);
        return {};
      },
    },
  } as unknown as SecretRunnerPorts;
  const lifecycle = quietLifecycle(clock, {
    store,
    audit,
    ports,
    settings: withLeases ? { leases: { store: leases, owner: 'this-instance' } } : {},
  });
  /** Runs `freeze` once, as the `deleting` mark is stored: the run's last step before its DELETE. */
  const atMark = (freeze: () => Promise<void>) => {
    const append = audit.append.bind(audit);
    audit.append = async (event: AuditEvent) => {
      const stored = await append(event);
      if (event.outcome === 'deleting') {
        audit.append = append;
        await freeze();
      }
      return stored;
    };
  };
  const expireJob = (request: AccessRequest): ScheduledJob => ({
    id: `access.expire:${request.id}`,
    kind: 'access.expire',
    dueAt: clock.now().toISOString(),
    requestId: request.id,
    attempts: 0,
  });
  return { clock, store, leases, lifecycle, deleted, atMark, expireJob };
}

/** A grant that expired an hour ago; its records say it made the assignment. */
function expiredGrant(clock: FakeClock): AccessRequest {
  return pendingRequest({
    id: 'R-AAAAAAAA',
    state: 'succeeded',
    decision: { by: APPROVER, at: clock.now().toISOString(), approved: true },
    access: { durationMs: HOUR, expiresAt: new Date(clock.now().getTime() - HOUR).toISOString() },
    created: [{ kind: 'roleAssignment', id: assignment.id, name: plan.roleAssignmentName, recordedAt: '' }],
    outcome: { summary: 'granted', azureRequestIds: [], createdIds: [assignment.id] },
  });
}

describe('a revocation', () => {
  test('whose access lease another instance took while it stood at its deleting mark sends no DELETE', async () => {
    const t = world(true);
    const request = expiredGrant(t.clock);
    await t.store.create(request);
    t.atMark(async () => {
      // Frozen past the lease's TTL; another revocation of the same access takes it.
      t.clock.advance(61_000);
      expect(await t.leases.acquire(`assignment:${plan.roleAssignmentName}`, 'other|R-OTHER', 60_000)).toBeDefined();
    });

    await expect(t.lifecycle.revoke(request, APPROVER, 'incident', false)).rejects.toBeInstanceOf(LeaseLostError);

    expect(t.deleted).toEqual([]);
    expect((await t.store.get(request.id))!.state).toBe('succeeded');
    // The stale run leaves the other instance's lease as it found it (its stop releases nothing of theirs).
    expect((await t.leases.holder(`assignment:${plan.roleAssignmentName}`))?.owner).toBe('other|R-OTHER');
  });

  test("whose job's lease was lost while it stood at its deleting mark sends no DELETE", async () => {
    const t = world(false);
    const request = expiredGrant(t.clock);
    await t.store.create(request);
    const job = jobRun();
    t.atMark(async () => job.lose());

    await expect(t.lifecycle.onExpire(t.expireJob(request), job.run)).rejects.toBeInstanceOf(LeaseLostError);

    expect(t.deleted).toEqual([]);
    expect((await t.store.get(request.id))!.state).toBe('succeeded');
  });
});

test("the clean-up of an unconfirmed grant whose job's lease was lost at its deleting mark sends no DELETE", async () => {
  const t = world(false);
  const request = pendingRequest({
    id: 'R-BBBBBBBB',
    state: 'failed',
    created: [{ kind: 'roleAssignment', id: assignment.id, name: plan.roleAssignmentName, recordedAt: '' }],
    outcome: { summary: 'failed', azureRequestIds: [], errorCode: UNCONFIRMED_GRANT, error: 'answer lost' },
  });
  await t.store.create(request);
  const job = jobRun();
  t.atMark(async () => job.lose());

  await expect(t.lifecycle.onExpire(t.expireJob(request), job.run)).rejects.toBeInstanceOf(LeaseLostError);

  expect(t.deleted).toEqual([]);
});

test("the orphan watch whose job's lease was lost while it read the assignment's holders sends no DELETE", async () => {
  const clock = new FakeClock('2026-11-30T10:00:00Z');
  const store = new MemoryRequestStore();
  const request = pendingRequest({
    state: 'revoked',
    access: { revokedAt: clock.now().toISOString(), revokingSince: clock.now().toISOString() },
    created: [{ kind: 'roleAssignment', id: assignment.id, name: plan.roleAssignmentName, recordedAt: '' }],
    outcome: { summary: 'granted', azureRequestIds: [], createdIds: [assignment.id] },
  });
  await store.create(request);
  const deleted: unknown[] = [];
  const deps = watchDeps({
    store,
    clock,
    scheduled: [],
    roleAssignments: {
      scopeExists: async () => true,
      listForPrincipal: async () => [assignment],
      delete: async (ref: unknown) => {
        deleted.push(ref);
        return {};
      },
    },
  });
  const job = jobRun();
  // The holders are read after the look's lease checks: the process freezes in that read.
  const listByRegistry = store.listByRegistry.bind(store);
  store.listByRegistry = async (...args) => {
    if (job.checks() > 0) job.lose();
    return listByRegistry(...args);
  };

  await expect(watchOrphanedAssignment(deps, watchJob(request.id, clock), job.run, () => 0)).rejects.toBeInstanceOf(
    LeaseLostError,
  );

  expect(deleted).toEqual([]);
});
