/**
 * The bounds on an end's late listing of what else lets the cluster pull (late-listings.ts): at
 * most LATE_LISTINGS_AT_ONCE are awaited in the background at once, an end over the cap starts
 * none and is told by its end job (the net, 15 minutes on); and a listing that never answers is
 * given up at its deadline, logged once with the end job's correlation id, and the net tells it.
 * AccessLifecycle against memory stores and a counting fake of the listing port (as
 * access-lifecycle.test.ts), on fake timers: no wait is real.
 */
import type { RoleAssignmentInfo, RoleDefinitionInfo } from '../../src/domain/azure-model';
import type { AccessRequest } from '../../src/domain/request';
import type { ScheduledJob } from '../../src/domain/ports';
import { AccessLifecycle } from '../../src/flows/access-lifecycle';
import { LATE_LISTING_DEADLINE_MS, LATE_LISTINGS_AT_ONCE } from '../../src/flows/late-listings';
import type { JobSpec } from '../../src/flows/scheduler';
import type { SecretRunnerPorts } from '../../src/flows/secret-runner';
import { MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { withCorrelation } from '../../src/observability/correlation';
import { createLogger } from '../../src/observability/logger';
import { FakeClock, HOUR, MINUTE } from './support/fake-clock';
import { APPROVER, grantPlan, pendingRequest, SUB } from './support/requests';

const plan = grantPlan();
const ACR_PULL: RoleDefinitionInfo = {
  guid: plan.role.id,
  roleName: 'AcrPull',
  roleType: 'BuiltInRole',
  permissions: [
    {
      actions: ['Microsoft.ContainerRegistry/registries/pull/read'],
      notActions: [],
      dataActions: [],
      notDataActions: [],
    },
  ],
};

/** Terraform's AcrPull for `principalId` on the registry's resource group: not acrbot's. */
function outsideAcrPull(principalId: string): RoleAssignmentInfo {
  const scope = `/subscriptions/${SUB}/resourceGroups/rg-acr`;
  return {
    id: `${scope}/providers/Microsoft.Authorization/roleAssignments/7e1a0000-0000-4000-8000-000000000001`,
    name: '7e1a0000-0000-4000-8000-000000000001',
    scope,
    roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${ACR_PULL.guid}`,
    principalId,
  };
}

/**
 * A lifecycle whose listing of what else lets the cluster pull is counted and answers only when
 * `answer` says so (a held call resolves once released; `never` never does).
 */
function setup() {
  const clock = new FakeClock('2026-11-30T10:00:00Z');
  const store = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  const schedule = new MemoryScheduleStore();
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({ level: 'info', destination: { write: (l: string) => void lines.push(JSON.parse(l)) } });
  const assignments = new Map<string, RoleAssignmentInfo>();
  const listing = {
    mode: 'hold' as 'hold' | 'answer' | 'never',
    started: 0,
    inFlight: 0,
    mostAtOnce: 0,
    held: [] as Array<() => void>,
  };
  const pullReads = {
    listAssignedToAt: async (_scope: string, objectId: string) => {
      listing.started++;
      listing.inFlight++;
      listing.mostAtOnce = Math.max(listing.mostAtOnce, listing.inFlight);
      try {
        if (listing.mode === 'never') await new Promise(() => undefined);
        if (listing.mode === 'hold') await new Promise<void>((resolve) => listing.held.push(resolve));
        return [outsideAcrPull(objectId)];
      } finally {
        listing.inFlight--;
      }
    },
    getRoleDefinition: async () => ACR_PULL,
  };
  const ports = {
    roleAssignments: {
      listForPrincipal: async (_scope: string, principalId: string) =>
        [...assignments.values()].filter((a) => a.principalId === principalId),
      delete: async ({ id }: { id: string }) => {
        assignments.delete(id);
        return {};
      },
    },
  } as unknown as SecretRunnerPorts;
  const jobs = {
    schedule: (j: JobSpec) => schedule.put({ ...j, dueAt: j.dueAt.toISOString(), attempts: 0 }),
    scheduleIfAbsent: (j: JobSpec) => schedule.putIfAbsent({ ...j, dueAt: j.dueAt.toISOString(), attempts: 0 }),
    cancel: (id: string) => schedule.delete(id),
    get: (id: string) => schedule.get(id),
    moveIfUnchanged: (job: ScheduledJob, dueAt: Date) =>
      schedule.putIfUnchanged({ ...job, dueAt: dueAt.toISOString(), attempts: 0 }, job.revision ?? ''),
  };
  const told: Array<{ id: string; outside: number }> = [];
  const quiet = {
    requestChanged: async () => undefined,
    tellRequester: async () => undefined,
    reportToApprovers: async () => undefined,
  };
  const messenger = {
    ...quiet,
    tellRequester: async (r: AccessRequest, news: { outsidePulls?: readonly unknown[] }) =>
      void told.push({ id: r.id, outside: news.outsidePulls?.length ?? 0 }),
  };
  const lifecycle = new AccessLifecycle(store, audit, clock, jobs, ports, quiet, messenger as never, log, {
    remindersMs: [],
    pullReads,
  });
  /** An active grant of its own identity and assignment (acrbot's, in Azure), stored. */
  const granted = async (n: number): Promise<AccessRequest> => {
    const objectId = `0d000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    const name = `00000000-0000-5000-8000-${String(n).padStart(12, '0')}`;
    const id = `${plan.scope}/providers/Microsoft.Authorization/roleAssignments/${name}`;
    const request = pendingRequest({
      id: `R-END${String(n).padStart(5, '0')}`,
      state: 'succeeded',
      plan: { ...plan, identity: { ...plan.identity, objectId }, roleAssignmentName: name },
      decision: { by: APPROVER, at: clock.now().toISOString(), approved: true },
      access: { durationMs: HOUR, expiresAt: new Date(clock.now().getTime() + HOUR).toISOString() },
      outcome: { summary: 'granted', azureRequestIds: [], createdIds: [id] },
    });
    await store.create(request);
    assignments.set(id, {
      id,
      name,
      scope: plan.scope,
      roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${plan.role.id}`,
      principalId: objectId,
    });
    return request;
  };
  return { lifecycle, clock, schedule, audit, lines, listing, told, granted };
}

/** Turns of the real event loop, the fake clock moved `stepMs` each time, until `done` holds (at most 50). */
async function until(done: () => boolean, stepMs = 500): Promise<void> {
  for (let i = 0; i < 50 && !done(); i++) {
    await jest.advanceTimersByTimeAsync(stepMs);
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(done()).toBe(true);
}

/** `work`, its promise settled with the fake clock moving (an end waits up to 2 s for its listing). */
async function settled<T>(work: Promise<T>): Promise<T> {
  let done = false;
  void work.then(
    () => (done = true),
    () => (done = true),
  );
  await until(() => done);
  return work;
}

describe('late listings of what else lets the cluster pull', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  test(`more late ends than the cap: ${LATE_LISTINGS_AT_ONCE} listings awaited at once, the rest left to their end jobs, which tell them`, async () => {
    const t = setup();
    const ends = await Promise.all(Array.from({ length: LATE_LISTINGS_AT_ONCE + 2 }, (_, n) => t.granted(n + 1)));
    // ARM throttles: no listing answers until the test lets them go. One end after another, as a sweep.
    for (const r of ends) await settled(t.lifecycle.revoke(r, APPROVER, 'incident', false));
    expect(t.listing.started).toBe(LATE_LISTINGS_AT_ONCE);
    expect(t.listing.mostAtOnce).toBe(LATE_LISTINGS_AT_ONCE);
    expect(t.told).toEqual([]);
    const over = ends.slice(LATE_LISTINGS_AT_ONCE);
    const deferred = t.lines.filter((l) => /as many late listings as allowed/.test(String(l.msg)));
    expect(deferred.map((l) => l.requestId)).toEqual(over.map((r) => r.id));
    for (const r of ends) {
      expect((await t.schedule.get(`access.expire:${r.id}`))?.dueAt).toBe(
        new Date(t.clock.now().getTime() + 15 * MINUTE).toISOString(),
      );
    }

    // ARM answers: the ends awaited here are told, with what else pulls, and their nets cancelled.
    t.listing.mode = 'answer';
    for (const release of t.listing.held.splice(0)) release();
    await until(() => t.told.length === LATE_LISTINGS_AT_ONCE);
    for (const r of ends.slice(0, LATE_LISTINGS_AT_ONCE))
      expect(await t.schedule.get(`access.expire:${r.id}`)).toBeUndefined();

    // The ends over the cap: told by their end jobs, when due.
    t.clock.advance(15 * MINUTE);
    for (const r of over) await settled(t.lifecycle.onExpire((await t.schedule.get(`access.expire:${r.id}`))!));
    expect(t.told).toHaveLength(ends.length);
    expect(t.told.filter((x) => over.some((r) => r.id === x.id))).toEqual(over.map((r) => ({ id: r.id, outside: 1 })));
  });

  test('a listing that never answers is given up at its deadline, logged once with its correlation id, and the net tells the end', async () => {
    const t = setup();
    const r = await t.granted(1);
    t.listing.mode = 'never';
    await settled(withCorrelation(() => t.lifecycle.revoke(r, APPROVER, 'incident', false), 'corr-hung'));
    expect(t.told).toEqual([]);

    await jest.advanceTimersByTimeAsync(LATE_LISTING_DEADLINE_MS);
    await until(() => t.lines.some((l) => /given up at its deadline/.test(String(l.msg))));
    const given = t.lines.filter((l) => /given up at its deadline/.test(String(l.msg)));
    expect(given).toHaveLength(1);
    expect(given[0]).toMatchObject({ requestId: r.id, correlationId: 'corr-hung' });
    expect(t.told).toEqual([]);

    // The end job, due 15 minutes after the end, finds the end not told and tells it (ARM answers now).
    t.listing.mode = 'answer';
    t.clock.advance(15 * MINUTE);
    const net = (await t.schedule.get(`access.expire:${r.id}`))!;
    expect(net.dueAt).toBe(t.clock.now().toISOString());
    await settled(t.lifecycle.onExpire(net));
    expect(t.told).toEqual([{ id: r.id, outside: 1 }]);
    expect((await t.audit.forRequest(r.id)).filter((e) => e.action === 'access.end.told')).toHaveLength(1);
  });
});
