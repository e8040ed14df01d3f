/**
 * A role assignment DELETE is sent only while the run still holds its leases, checked right before
 * it: nothing fences an ARM DELETE, and the name is the same for every grant of a pair, so a run
 * frozen past its lease (a GC pause, a stopped VM) while another instance finished the work and a
 * new grant of the pair was made would delete that grant's assignment when it woke. Each of the
 * three deleters (a revocation, the clean-up of an unconfirmed grant, the orphan watch) loses a
 * lease after its last read and before its DELETE: none is sent.
 */
import type { RoleAssignmentInfo } from '../../src/domain/azure-model';
import { LeaseLostError } from '../../src/domain/ports';
import type { AccessRequest } from '../../src/domain/request';
import { watchOrphanedAssignment } from '../../src/flows/orphan-watch';
import { UNCONFIRMED_GRANT } from '../../src/flows/run-resumption';
import type { SecretRunnerPorts } from '../../src/flows/secret-runner';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { FakeClock, HOUR } from './support/fake-clock';
import { leaseLostWorld, losableJobRun } from './support/lease-lost-world';
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

/** A lifecycle over memory stores whose role assignment port counts the DELETEs it is sent. */
function world(withLeases: boolean) {
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
  const base = leaseLostWorld(ports, withLeases);
  /** Runs `freeze` once, as the `deleting` mark is stored: the run's last step before its DELETE. */
  const atMark = (freeze: () => Promise<void>) => base.atAppend((e) => e.outcome === 'deleting', freeze);
  return { ...base, deleted, atMark };
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
    const job = losableJobRun();
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
  const job = losableJobRun();
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
  const job = losableJobRun();
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
