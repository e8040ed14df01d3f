/**
 * AccessLifecycle against memory stores and a fake role-assignment port: overlapping grants
 * revoked at the same moment (G17) — the assignment is deleted exactly once, by the last one.
 */
import type { RoleAssignmentInfo } from '../../src/domain/azure-model';
import type { JobSpec } from '../../src/flows/scheduler';
import type { AccessRequest } from '../../src/domain/request';
import type { SecretRunnerPorts } from '../../src/flows/secret-runner';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { quietLifecycle } from './support/access-lifecycle';
import { FakeClock, HOUR } from './support/fake-clock';
import { APPROVER, grantPlan, OUTSIDER, pendingRequest, REQUESTER } from './support/requests';
import { LeaseLostError, type ScheduledJob } from '../../src/domain/ports';

function setup(withLeases: boolean, onDelete?: () => Promise<void>) {
  const clock = new FakeClock('2026-11-30T10:00:00Z');
  const store = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  const schedule = new MemoryScheduleStore();
  const leases = new MemoryLeaseStore(() => clock.now());
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
        await onDelete?.();
        return {};
      },
    },
  } as unknown as SecretRunnerPorts;
  const jobs = {
    schedule: (j: JobSpec) => schedule.put({ ...j, dueAt: j.dueAt.toISOString(), attempts: 0 }),
    scheduleIfAbsent: (j: JobSpec) => schedule.putIfAbsent({ ...j, dueAt: j.dueAt.toISOString(), attempts: 0 }),
    cancel: (id: string) => schedule.delete(id),
    get: (id: string) => schedule.get(id),
    // As the Scheduler does it: conditional on the revision the run read.
    moveIfUnchanged: (job: ScheduledJob, dueAt: Date) =>
      schedule.putIfUnchanged({ ...job, dueAt: dueAt.toISOString(), attempts: 0 }, job.revision ?? ''),
  };
  const lifecycle = quietLifecycle(clock, {
    store,
    audit,
    jobs,
    ports,
    settings: withLeases ? { leases: { store: leases, owner: 'one-process' } } : {},
  });
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
  return {
    lifecycle,
    store,
    audit,
    clock,
    schedule,
    leases,
    plant,
    granted,
    deletes: () => deletes,
    exists: () => assignment !== undefined,
  };
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

describe('AccessLifecycle: the access lease', () => {
  test('a revocation that stalled past its lease, which another took over meanwhile, stops before deleting anything', async () => {
    const t = setup(true);
    const a = t.granted('R-AAAAAAAA');
    await t.plant(a);
    // While it reads the request's extensions (just before its look for requests being granted
    // the same access), the process stalls for longer than the lease lasts and another
    // revocation takes the lease.
    const listByTarget = t.store.listByTarget.bind(t.store);
    t.store.listByTarget = async (...args) => {
      t.store.listByTarget = listByTarget;
      t.clock.advance(61_000);
      expect(
        await t.leases.acquire(`assignment:${grantPlan().roleAssignmentName}`, 'other|R-OTHER', 60_000),
      ).toBeDefined();
      return listByTarget(...args);
    };
    await expect(t.lifecycle.revoke(a, APPROVER, 'incident', false)).rejects.toBeInstanceOf(LeaseLostError);
    expect(t.deletes()).toBe(0);
    const after = (await t.store.get(a.id))!;
    expect({ state: after.state, revoking: after.access?.revokingSince }).toEqual({
      state: 'succeeded',
      revoking: undefined,
    });
  });
  test('a revocation whose lease was taken over while it deleted does not write "revoked": the mark stays, and the retry finishes', async () => {
    let takeOver = async () => {};
    const t = setup(true, () => takeOver());
    takeOver = async () => {
      t.clock.advance(61_000);
      await t.leases.acquire(`assignment:${grantPlan().roleAssignmentName}`, 'other|R-OTHER', 60_000);
    };
    const a = t.granted('R-AAAAAAAA');
    await t.plant(a);
    await expect(t.lifecycle.revoke(a, APPROVER, 'incident', false)).rejects.toBeInstanceOf(LeaseLostError);
    expect(t.deletes()).toBe(1);
    const after = (await t.store.get(a.id))!;
    expect({ state: after.state, begun: Boolean(after.access?.revokingSince) }).toEqual({
      state: 'succeeded',
      begun: true,
    });
    // The retry, once the other holder's lease has run out, finishes: nothing left to delete.
    takeOver = async () => {};
    t.clock.advance(61_000);
    await expect(t.lifecycle.revoke(after, APPROVER, 'incident', false)).resolves.toMatchObject({ state: 'revoked' });
    expect(t.deletes()).toBe(1);
  });
});

describe('AccessLifecycle: the access lease through a slow revocation', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  test('a delete that takes three minutes keeps the lease (renewed while it waits): no one else takes it meanwhile, and the revocation finishes', async () => {
    const key = `assignment:${grantPlan().roleAssignmentName}`;
    const takenMeanwhile: unknown[] = [];
    // The cluster is slow: three minutes (three lease TTLs) pass inside the delete, 20 s at a time.
    const t = setup(true, async () => {
      for (let i = 0; i < 9; i++) {
        t.clock.advance(20_000);
        await jest.advanceTimersByTimeAsync(20_000);
        takenMeanwhile.push(await t.leases.acquire(key, 'other|R-OTHER', 60_000));
      }
    });
    const a = t.granted('R-AAAAAAAA');
    await t.plant(a);
    await expect(t.lifecycle.revoke(a, APPROVER, 'incident', false)).resolves.toMatchObject({ state: 'revoked' });
    expect(takenMeanwhile).toEqual(Array(9).fill(undefined));
    expect(t.deletes()).toBe(1);
    // Released when it finished.
    expect(await t.leases.acquire(key, 'other|R-OTHER', 60_000)).toBeDefined();
  });
});

describe('AccessLifecycle: who holds a role assignment', () => {
  test('when the registry has too many active requests to list them all, the assignment is kept (another may hold it), and says why', async () => {
    const t = setup(true);
    const a = t.granted('R-AAAAAAAA');
    await t.plant(a);
    // A thousand active grants on the same registry, for other identities (other assignments).
    for (let n = 0; n < 1000; n++) {
      const other = t.granted(`R-O${String(n).padStart(7, '0')}`);
      await t.store.create({ ...other, plan: { ...grantPlan(), roleAssignmentName: `other-${n}` } });
    }
    await t.lifecycle.revoke(a, APPROVER, 'incident', false);
    expect(t.deletes()).toBe(0);
    expect((await t.store.get(a.id))!.state).toBe('revoked');
    const kept = (await t.audit.forRequest(a.id)).find((e) => e.action === 'access.revoke.roleAssignment');
    expect(kept).toMatchObject({ outcome: 'kept', detail: expect.stringMatching(/cannot rule out another holder/) });
  });
});

describe('AccessLifecycle: who created a role assignment (G15)', () => {
  test('an extension that created nothing deletes what its original created, even when the original is beyond the registry listing', async () => {
    const t = setup(true);
    const original = { ...t.granted('R-AAAAAAAA'), state: 'revoked' as const };
    await t.plant(original);
    const extension = {
      ...t.granted('R-EEEEEEEE'),
      extendsRequestId: original.id,
      outcome: { summary: 'extended', azureRequestIds: [], createdIds: [], alreadyPresent: true },
    };
    await t.store.create(extension);
    // The registry's history is read a thousand requests at a time, oldest first: the original
    // is not among those read (a busy registry).
    t.store.listByRegistry = async () => [];
    await t.lifecycle.revoke(extension, APPROVER, 'incident', false);
    expect(t.deletes()).toBe(1);
    const step = (await t.audit.forRequest(extension.id)).findLast((e) => e.action === 'access.revoke.roleAssignment');
    expect(step).toMatchObject({ outcome: 'deleted' });
  });
});

describe('AccessLifecycle: an access.expire run that moves its own job', () => {
  /** Stores `request`'s plain expiry job, due now, and returns it as a run reads it. */
  async function plainExpiryDueNow(t: ReturnType<typeof setup>, request: AccessRequest): Promise<ScheduledJob> {
    const id = `access.expire:${request.id}`;
    await t.schedule.put({
      id,
      kind: 'access.expire',
      dueAt: t.clock.now().toISOString(),
      requestId: request.id,
      attempts: 0,
    });
    return (await t.schedule.get(id))!;
  }

  test('a revoke written while the plain expiry ran is not put back to the later end (who and why stay, due now)', async () => {
    const t = setup(true);
    const a = t.granted('R-AAAAAAAA');
    await t.plant(a);
    // The run read the plain expiry (the end moved since, so it will move the job to the end)…
    const read = await plainExpiryDueNow(t, a);
    // …and meanwhile another instance confirms a revoke, due now with who and why.
    await t.schedule.put({ ...read, payload: { by: OUTSIDER, reason: 'token leaked' }, revision: undefined });
    await t.lifecycle.onExpire(read);
    expect(await t.schedule.get(`access.expire:${a.id}`)).toMatchObject({
      dueAt: t.clock.now().toISOString(),
      payload: { by: OUTSIDER, reason: 'token leaked' },
    });
  });

  test('unchanged, the job is moved to the end as before', async () => {
    const t = setup(true);
    const a = t.granted('R-AAAAAAAA');
    await t.plant(a);
    await t.lifecycle.onExpire(await plainExpiryDueNow(t, a));
    expect(await t.schedule.get(`access.expire:${a.id}`)).toMatchObject({ dueAt: a.access!.expiresAt });
  });
});

describe('AccessLifecycle: a revoke someone asked for', () => {
  test('written again when a moved end replaced it before it ran (an extension on another instance)', async () => {
    const clock = new FakeClock('2026-11-30T10:00:00Z');
    const schedule = new MemoryScheduleStore();
    const ran: string[] = [];
    let movedEnd = true;
    const jobs = {
      schedule: (j: JobSpec) => schedule.put({ ...j, dueAt: j.dueAt.toISOString(), attempts: 0 }),
      scheduleIfAbsent: (j: JobSpec) => schedule.putIfAbsent({ ...j, dueAt: j.dueAt.toISOString(), attempts: 0 }),
      cancel: (id: string) => schedule.delete(id),
      get: (id: string) => schedule.get(id),
      // Another instance moves the end between the revoke's write and its run: a plain expiry
      // a month away, which is not due, so the run does nothing.
      runNow: async (id: string) => {
        const job = (await schedule.get(id))!;
        if (movedEnd) {
          movedEnd = false;
          await schedule.put({ ...job, payload: undefined, dueAt: '2026-12-30T10:00:00.000Z' });
          return false;
        }
        ran.push(`${id} by ${(job.payload as { by?: { name: string } }).by?.name}`);
        return true;
      },
    };
    const lifecycle = quietLifecycle(clock, { jobs });
    const request = pendingRequest({ id: 'R-REVOKE01', state: 'succeeded' });
    await lifecycle.revokeSoon(request, OUTSIDER, 'token leaked');
    expect(ran).toEqual([`access.expire:R-REVOKE01 by ${OUTSIDER.name}`]);
  });
});
