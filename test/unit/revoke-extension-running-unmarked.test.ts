/**
 * A revocation someone asks for does not wait for an extension whose run stopped and waits to be
 * resumed (revocation-guards.ts): `executing`, marked `waiting`, its execution lease free. An
 * extension `executing` without that mark is not known to have stopped (its holder may have passed
 * its check of the original and stalled past its lease): it is waited for, the revocation deferred
 * (`revoke.grantRunning`) and nothing deleted. AccessLifecycle on memory stores with leases and a
 * fake role-assignment port.
 */
import type { GrantPlan } from '../../src/domain/plan';
import type { AccessRequest } from '../../src/domain/request';
import { executionLeaseKey } from '../../src/flows/access-lease';
import { MemoryLeaseStore } from '../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { fakeRoleAssignments, quietLifecycle } from './support/access-lifecycle';
import { FakeClock, HOUR } from './support/fake-clock';
import { APPROVER, pendingRequest } from './support/requests';

test('an executing extension with no waiting mark and no lease holder defers a revoke (revoke.grantRunning)', async () => {
  const clock = new FakeClock('2026-11-30T10:00:00Z');
  const store = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  const leases = new MemoryLeaseStore(() => clock.now());
  const decision = { by: APPROVER, at: clock.now().toISOString(), approved: true };
  const original: AccessRequest = pendingRequest({
    id: 'R-AAAAAAAA',
    state: 'succeeded',
    decision,
    access: { durationMs: 30 * 24 * HOUR, expiresAt: new Date(clock.now().getTime() + 30 * 24 * HOUR).toISOString() },
    outcome: { summary: 'granted', azureRequestIds: [], createdIds: ['x'] },
  });
  await store.create(original);
  const extension = pendingRequest({
    id: 'R-EEEEEEEE',
    state: 'executing',
    decision,
    extendsRequestId: original.id,
    access: { durationMs: 60 * 24 * HOUR },
  });
  await store.create(extension);
  expect(extension.waiting).toBeUndefined();
  expect(await leases.holder(executionLeaseKey(extension.id))).toBeUndefined();

  const { ports, deletes } = fakeRoleAssignments(original.plan as GrantPlan);
  const lifecycle = quietLifecycle(clock, {
    store,
    audit,
    ports,
    settings: { leases: { store: leases, owner: 'one-process' } },
  });

  await expect(lifecycle.revoke(original, APPROVER, 'token leaked', false)).rejects.toMatchObject({
    code: 'revoke.grantRunning',
  });
  expect(deletes).toEqual([]);
  expect((await store.get(original.id))!.state).toBe('succeeded');
  expect((await audit.forRequest(original.id)).map((e) => `${e.action}:${e.outcome}`)).toContain(
    'access.revoke.deferred:deferred',
  );
});
