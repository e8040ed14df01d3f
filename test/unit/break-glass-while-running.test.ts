/**
 * Which break-glass grant refuses a member's next --break-glass (request-creation.ts,
 * readRunningBreakGlass): their own, on the same registry from the same cluster or another
 * pulling with the same identity, while it is approved, being granted, or granted and neither
 * being revoked nor past its end. Another member's grant on the pair refuses nothing. Moved on a
 * fake clock over the memory stores.
 */
import type { GrantPlan } from '../../src/domain/plan';
import { transition, type AccessRequest, type Actor } from '../../src/domain/request';
import { RequestService } from '../../src/flows/request-service';
import { Scheduler } from '../../src/flows/scheduler';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, HOUR, MINUTE } from './support/fake-clock';
import { fakeDirectory } from './support/fake-directory';
import {
  APPROVERS_GROUP,
  granted,
  OLIVE,
  ONCALL_GROUP,
  policy,
  rule,
  SAM,
  settings,
  TENANT,
} from './support/policy-fixtures';
import { APPROVER, grantPlan } from './support/requests';

/**
 * Another cluster: its kubelet runs as aks-prod's identity, as its plan found (`shared`: in
 * `sharedWith`) or without recording it (`unrecorded`: a plan of an older release, or one past the
 * few `sharedWith` holds); else (`own`) as an identity of its own.
 */
function otherCluster(name: string, identity: 'shared' | 'unrecorded' | 'own'): GrantPlan {
  const plan = grantPlan();
  return {
    ...plan,
    cluster: { ...plan.cluster, id: plan.cluster.id.replace('aks-prod', name), name },
    ...(identity === 'shared' && { sharedWith: { clusters: [plan.cluster], more: 0, unchecked: [] } }),
    ...(identity === 'own' && { identity: { ...plan.identity, objectId: '0d000000-0000-4000-8000-0000000000d9' } }),
  };
}

function setUp() {
  const log = createLogger({ level: 'silent' });
  const clock = new FakeClock('2026-11-30T09:00:00.000Z');
  const store = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  const scheduler = new Scheduler(new MemoryScheduleStore(), new MemoryLeaseStore(() => clock.now()), clock, log, {
    instanceId: 'test',
    sweepIntervalMs: 0,
    leaseTtlMs: MINUTE,
  });
  const p = policy([rule('prod')]);
  const service = new RequestService(
    store,
    audit,
    fakeDirectory({ [APPROVERS_GROUP]: [APPROVER.objectId], [ONCALL_GROUP]: [OLIVE.objectId, SAM.objectId] }),
    clock,
    settings,
    { requestChanged: async () => undefined },
    log,
    scheduler,
    { current: () => p },
  );
  const breakGlass = (requester: Actor = OLIVE, plan: GrantPlan = grantPlan()) =>
    service.create({
      requester,
      tenantId: TENANT,
      reason: 'prod is down, INC-4711',
      plan,
      origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
      breakGlass: true,
    });
  const update = async (r: AccessRequest) => {
    await store.update(r);
    return r;
  };
  return { clock, store, audit, breakGlass, update };
}

test("another member's break-glass grant on the pair refuses nothing: it is theirs", async () => {
  const t = setUp();
  await granted(t.store, await t.breakGlass(OLIVE), t.clock.now());
  t.clock.advance(HOUR);
  await expect(t.breakGlass(SAM)).resolves.toMatchObject({ state: 'approved', policy: { breakGlass: true } });
});

test('a grant still being granted refuses, saying so; one audited refusal, nothing stored', async () => {
  const t = setUp();
  const first = await t.breakGlass();
  const lastSeq = (await t.audit.latest(1))[0].seq;
  await expect(t.breakGlass()).rejects.toMatchObject({
    code: 'breakglass.running',
    message: expect.stringContaining(
      `Your break-glass grant ${first.id} for aks-prod → contosoacr is being granted now, for 4 hours, and break-glass is not extended or renewed while it runs.`,
    ),
  });
  const added = (await t.audit.latest(10)).filter((e) => e.seq > lastSeq);
  expect(added.map((e) => `${e.action}:${e.outcome}`)).toEqual(['breakglass.refused.running:refused']);
  expect((await t.store.listByRequester(OLIVE.objectId, ['approved', 'succeeded'])).map((r) => r.id)).toEqual([
    first.id,
  ]);
});

test("another cluster pulling with the same identity is the same role assignment: refused, naming why; another identity's is not", async () => {
  const t = setUp();
  const first = await granted(t.store, await t.breakGlass(), t.clock.now());
  await expect(t.breakGlass(OLIVE, otherCluster('aks-batch', 'shared'))).rejects.toMatchObject({
    code: 'breakglass.running',
    message: expect.stringContaining(
      `Your break-glass grant ${first.id} for aks-prod → contosoacr (aks-prod pulls with the same identity as aks-batch) runs until 2026-11-30 13:00 UTC`,
    ),
  });
  await expect(t.breakGlass(OLIVE, otherCluster('aks-dev', 'own'))).resolves.toMatchObject({ state: 'approved' });
});

test('the same identity is the same role assignment whether or not either plan recorded the sharing', async () => {
  const t = setUp();
  const first = await granted(t.store, await t.breakGlass(), t.clock.now());
  const lastSeq = (await t.audit.latest(1))[0].seq;
  await expect(t.breakGlass(OLIVE, otherCluster('aks-batch', 'unrecorded'))).rejects.toMatchObject({
    code: 'breakglass.running',
    message: expect.stringContaining(
      `Your break-glass grant ${first.id} for aks-prod → contosoacr (aks-prod pulls with the same identity as aks-batch)`,
    ),
  });
  const added = (await t.audit.latest(10)).filter((e) => e.seq > lastSeq);
  expect(added.map((e) => `${e.action}:${e.outcome}`)).toEqual(['breakglass.refused.running:refused']);
});

test('a grant being revoked, or past its end before its end job ran, no longer runs: break-glass works', async () => {
  const t = setUp();
  const first = await granted(t.store, await t.breakGlass(), t.clock.now());
  t.clock.advance(HOUR);
  await t.update(transition(first, { type: 'beginRevoke', at: t.clock.now() }));
  const second = await granted(t.store, await t.breakGlass(), t.clock.now());
  t.clock.advance(4 * HOUR);
  await expect(t.breakGlass()).resolves.toMatchObject({ state: 'approved' });
  expect(second.id).not.toBe(first.id);
});

test('a grant whose role assignment was removed outside acrbot (drift) gives no access and refuses nothing: break-glass works', async () => {
  const t = setUp();
  const first = await granted(t.store, await t.breakGlass(), t.clock.now());
  t.clock.advance(20 * MINUTE);
  const current = (await t.store.get(first.id))!;
  await t.update({
    ...current,
    version: current.version + 1,
    access: { ...current.access, driftDetectedAt: t.clock.now().toISOString(), driftReason: 'deleted' },
  });
  await expect(t.breakGlass()).resolves.toMatchObject({ state: 'approved', policy: { breakGlass: true } });
});
