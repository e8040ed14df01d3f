/**
 * A grant extension's check of its original waits while a revocation of the same role
 * assignment holds the access lease (`assignment:<name>`), then sees how it ended; it gives up,
 * changing nothing, when the lease stays held past the wait. It never takes the lease itself.
 */
import { isUserFacing } from '../../src/domain/errors';
import type { Outcome } from '../../src/domain/request';
import type { PlanRunner, RunContext } from '../../src/flows/executor';
import { accessLeaseKey } from '../../src/flows/access-lease';
import { ExtensionAwareGrantRunner } from '../../src/flows/extension-runner';
import type { GrantRecheck } from '../../src/flows/grant-runner';
import { MemoryLeaseStore } from '../../src/integrations/store/memory-coordination';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { FakeClock } from './support/fake-clock';
import { APPROVER, grantPlan, pendingRequest } from './support/requests';

function setup() {
  const clock = new FakeClock('2026-11-30T10:00:00Z');
  const store = new MemoryRequestStore();
  const leases = new MemoryLeaseStore(() => clock.now());
  const waits: number[] = [];
  let onWait: (() => Promise<void>) | undefined;
  const sleep = async (ms: number) => {
    waits.push(ms);
    await onWait?.();
  };
  const grants: PlanRunner & GrantRecheck = {
    run: async (): Promise<Outcome> => {
      throw new Error('an extension must not run the grant runner');
    },
    // The plan holds (extension-runner-recheck.test.ts covers one that no longer does).
    recheck: async () => undefined,
  };
  // The assignment is there as recorded (extension-drift-unswept.test.ts covers one that is not).
  const runner = new ExtensionAwareGrantRunner(
    grants,
    store,
    { store: leases, sleep },
    { assignmentDrift: async () => undefined },
  );
  const audited: string[] = [];
  const ctx = {
    requestId: 'R-UNITTEST',
    audit: async (e: { action: string; outcome: string }) => void audited.push(`${e.action}:${e.outcome}`),
    recordCreated: async () => undefined,
    created: () => [],
    log: createLogger({ level: 'silent' }),
  } as RunContext;
  const original = pendingRequest({
    id: 'R-ORIGINAL',
    state: 'succeeded',
    decision: { by: APPROVER, at: clock.now().toISOString(), approved: true },
    outcome: { summary: 'granted', azureRequestIds: [], createdIds: ['x'] },
  });
  const extension = pendingRequest({ id: 'R-EXTENSION', state: 'executing', extendsRequestId: original.id });
  const key = accessLeaseKey(grantPlan());
  return {
    clock,
    store,
    leases,
    runner,
    ctx,
    audited,
    original,
    extension,
    key,
    waits,
    setWait: (f: typeof onWait) => (onWait = f),
  };
}

describe('ExtensionAwareGrantRunner: the original checked once no revocation holds the access lease', () => {
  test('waits while a revocation holds the lease, then sees the original revoked (extend.notActive)', async () => {
    const t = setup();
    await t.store.create(t.original);
    const held = (await t.leases.acquire(t.key, 'instance-b|R-ORIGINAL', 60_000))!;
    // The revocation finishes while the run waits: the original says revoked, the lease is free.
    t.setWait(async () => {
      if (t.waits.length < 3) return;
      const current = (await t.store.get(t.original.id))!;
      await t.store.update({ ...current, version: current.version + 1, state: 'revoked' });
      await t.leases.release(held);
    });
    const failure = await t.runner.run(t.extension, t.ctx).catch((err: unknown) => err);
    expect(isUserFacing(failure) && failure.code).toBe('extend.notActive');
    expect(t.waits).toEqual([50, 100, 200]);
    expect(t.audited).toEqual([]);
    // The run never held the lease: the next revocation takes it at once.
    expect(await t.leases.acquire(t.key, 'instance-c|R-OTHER', 60_000)).toMatchObject({ fence: 2 });
  });

  test('an original still active is extended (nothing re-created), without taking the lease', async () => {
    const t = setup();
    await t.store.create(t.original);
    const outcome = await t.runner.run(t.extension, t.ctx);
    expect(outcome).toMatchObject({ alreadyPresent: true, azureRequestIds: [] });
    expect(t.audited).toEqual(['access.extend.checked:active']);
    expect(await t.leases.acquire(t.key, 'instance-c|R-OTHER', 60_000)).toMatchObject({ fence: 1 });
  });

  test('a lease held past the wait (a revocation renewing it) makes the run give up with a clear error, having read nothing', async () => {
    const t = setup();
    await t.store.create(t.original);
    await t.leases.acquire(t.key, 'instance-b|R-ORIGINAL', 10 * 60_000);
    const get = jest.spyOn(t.store, 'get');
    const failure = await t.runner.run(t.extension, t.ctx).catch((err: unknown) => err);
    expect(isUserFacing(failure) && failure.code).toBe('access.revocationRunning');
    expect((failure as Error).message).toContain('ask again once it is done');
    expect(t.waits.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(75_000);
    expect(get).not.toHaveBeenCalled();
    expect(t.audited).toEqual([]);
  });
});
