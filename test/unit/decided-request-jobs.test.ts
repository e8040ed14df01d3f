/**
 * An approval, a rejection or an expiry cancels the jobs only a pending request needs (`pendingRequestJobIds`:
 * its expiry, reminder, escalation and announcement), after its conditional write and its audit
 * entry stood: a click that loses the race, or whose decision is undone, cancels nothing, and a
 * failed cancel leaves the decision standing with one log line. Jobs an approved request still
 * needs stay. Real memory stores and the real Scheduler.
 */
import type { AuditEvent } from '../../src/domain/audit-chain';
import type { AccessRequest } from '../../src/domain/request';
import { transition } from '../../src/domain/request';
import { accessExpiryJobId } from '../../src/flows/access-jobs';
import { breakGlassReviewJobId, pendingRequestJobIds } from '../../src/flows/request-jobs';
import { RequestService } from '../../src/flows/request-service';
import { Scheduler } from '../../src/flows/scheduler';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { withCorrelation } from '../../src/observability/correlation';
import { LogCapture } from '../helpers/log-capture';
import { FakeClock, HOUR, MINUTE } from './support/fake-clock';
import { fakeDirectory } from './support/fake-directory';
import { APPROVERS_GROUP, DAY, policy, rule, settings, TENANT } from './support/policy-fixtures';
import { APPROVER, grantPlan, OUTSIDER, REQUESTER, secretPlan } from './support/requests';

const ACTING = { actor: APPROVER, tenantId: TENANT };
const ORIGIN = { conversationId: '19:general@thread.tacv2', conversationType: 'channel' as const };

interface Options {
  /** Runs before each store update (a rival's write that lands first). */
  beforeUpdate?: (next: AccessRequest, inner: MemoryRequestStore) => Promise<void>;
  /** Audit actions whose append fails. */
  failingActions?: string[];
  /** Makes every job cancel fail. */
  cancelFails?: boolean;
  approvalsRequired?: number;
}

function setup(options: Options = {}) {
  const clock = new FakeClock('2026-11-30T09:00:00.000Z');
  const logs = new LogCapture();
  const log = logs.logger('info');
  const inner = new MemoryRequestStore();
  // Only `update` is intercepted: every other call reaches the real store.
  const store = new Proxy(inner, {
    get(target, key) {
      if (key === 'update')
        return async (next: AccessRequest) => {
          await options.beforeUpdate?.(next, target);
          return target.update(next);
        };
      const value = Reflect.get(target, key) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  const memoryAudit = new MemoryAuditLog(clock);
  const audit = new Proxy(memoryAudit, {
    get(target, key) {
      if (key === 'append')
        return async (event: AuditEvent) => {
          if (options.failingActions?.includes(event.action)) throw new Error('audit store unavailable');
          return target.append(event);
        };
      const value = Reflect.get(target, key) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  const schedule = new MemoryScheduleStore();
  const scheduler = new Scheduler(schedule, new MemoryLeaseStore(() => clock.now()), clock, log, {
    instanceId: 'test',
    sweepIntervalMs: 0,
    leaseTtlMs: MINUTE,
  });
  if (options.cancelFails)
    scheduler.cancel = async () => {
      throw new Error('schedule store unavailable');
    };
  // A rule with both nudges, so its pending requests hold every kind of job a pending request can.
  const nudging = policy([
    rule('prod', {
      remindAfterMs: 2 * HOUR,
      escalateAfterMs: 8 * HOUR,
      approvalsRequired: options.approvalsRequired ?? 1,
      approvers: { users: [APPROVER.objectId, OUTSIDER.objectId], groups: [APPROVERS_GROUP], name: 'Approvers' },
    }),
  ]);
  const service = new RequestService(
    store,
    audit,
    fakeDirectory({ [APPROVERS_GROUP]: [APPROVER.objectId] }),
    clock,
    settings,
    { requestChanged: async () => undefined },
    log,
    scheduler,
    { current: () => nudging },
  );
  const create = (extra: Partial<Parameters<RequestService['create']>[0]> = {}) =>
    service.create({
      requester: REQUESTER,
      tenantId: TENANT,
      reason: 'deploy payments-api',
      plan: grantPlan(),
      origin: ORIGIN,
      ...extra,
    });
  const jobIds = async (id: string) => (await schedule.forRequest(id)).map((j) => j.id).sort();
  const pendingJobs = (id: string) => [...pendingRequestJobIds(id)].sort();
  return { clock, inner, service, scheduler, create, jobIds, pendingJobs, logs, memoryAudit };
}

test('an approval cancels the pending-only jobs and leaves the jobs of its access', async () => {
  const t = setup();
  const request = await t.create();
  expect(await t.jobIds(request.id)).toEqual(t.pendingJobs(request.id));
  // Jobs an approved request holds later (its end, a review): never among those a decision cancels.
  const later = [accessExpiryJobId(request.id), breakGlassReviewJobId(request.id)];
  for (const id of later)
    await t.scheduler.schedule({ id, kind: 'access.expire', dueAt: new Date(Date.now() + DAY), requestId: request.id });

  const result = await t.service.decide({ requestId: request.id, acting: ACTING, approve: true });

  expect(result).toMatchObject({ kind: 'decided', request: { state: 'approved' } });
  expect(await t.jobIds(request.id)).toEqual([...later].sort());
});

test('a rejection cancels the pending-only jobs', async () => {
  const t = setup();
  const request = await t.create();

  const result = await t.service.decide({
    requestId: request.id,
    acting: ACTING,
    approve: false,
    reason: 'not this week',
  });

  expect(result).toMatchObject({ kind: 'decided', request: { state: 'rejected' } });
  expect(await t.jobIds(request.id)).toEqual([]);
});

test("a secret request's approval cancels them too", async () => {
  const t = setup();
  const request = await t.create({ plan: secretPlan() });
  expect(await t.jobIds(request.id)).toEqual(t.pendingJobs(request.id));

  await t.service.decide({ requestId: request.id, acting: ACTING, approve: true });

  expect(await t.jobIds(request.id)).toEqual([]);
});

test("an extension's approval and rejection cancel them too", async () => {
  const t = setup();
  const original = await t.create({ access: { durationMs: 7 * DAY } });
  const active = { ...original, version: original.version + 1, state: 'succeeded' as const };
  active.access = { durationMs: 7 * DAY, expiresAt: new Date(t.clock.now().getTime() + 7 * DAY).toISOString() };
  await t.inner.update(active);
  for (const approve of [true, false]) {
    t.clock.advance(MINUTE);
    const extension = await t.create({ access: { durationMs: 8 * DAY }, extendsRequestId: original.id });
    expect(await t.jobIds(extension.id)).toEqual(t.pendingJobs(extension.id));

    const result = await t.service.decide({ requestId: extension.id, acting: ACTING, approve, reason: 'fine' });

    expect(result).toMatchObject({ kind: 'decided', request: { state: approve ? 'approved' : 'rejected' } });
    expect(await t.jobIds(extension.id)).toEqual([]);
  }
});

test('an approval short of the quorum keeps them: the request still waits', async () => {
  const t = setup({ approvalsRequired: 2 });
  const request = await t.create();

  const result = await t.service.decide({ requestId: request.id, acting: ACTING, approve: true });

  expect(result.kind).toBe('recorded');
  expect(await t.jobIds(request.id)).toEqual(t.pendingJobs(request.id));
});

test("a click that loses the race cancels nothing: the winner's jobs are the winner's to end", async () => {
  let rivalWrote = false;
  const t = setup({
    // Another instance's rejection lands between this click's read and its write (and stopped
    // before cancelling anything), so this approval's conditional write loses.
    beforeUpdate: async (next, inner) => {
      if (rivalWrote || next.state !== 'approved') return;
      rivalWrote = true;
      const current = (await inner.get(next.id))!;
      await inner.update(transition(current, { type: 'reject', by: OUTSIDER, at: new Date(), reason: 'no' }));
    },
  });
  const request = await t.create();

  const result = await t.service.decide({ requestId: request.id, acting: ACTING, approve: true });

  expect(rivalWrote).toBe(true);
  expect(result).toMatchObject({ kind: 'refused', reason: 'stale' });
  expect(await t.jobIds(request.id)).toEqual(t.pendingJobs(request.id));
});

test('a decision undone because its audit entry failed cancels nothing: the request is pending again', async () => {
  const t = setup({ failingActions: ['request.approved'] });
  const request = await t.create();

  await expect(t.service.decide({ requestId: request.id, acting: ACTING, approve: true })).rejects.toThrow(
    'acrbot changed nothing',
  );

  expect((await t.inner.get(request.id))!.state).toBe('pending');
  // Its expiry above all: without it the undone request would never expire (G6).
  expect(await t.jobIds(request.id)).toEqual(t.pendingJobs(request.id));
});

test('a cancel that fails leaves the decision standing, logged once with the correlation id', async () => {
  const t = setup({ cancelFails: true });
  const request = await t.create();

  const result = await withCorrelation(
    () => t.service.decide({ requestId: request.id, acting: ACTING, approve: false, reason: 'not this week' }),
    'corr-decide-1',
  );

  expect(result).toMatchObject({ kind: 'decided', request: { state: 'rejected' } });
  expect((await t.inner.get(request.id))!.state).toBe('rejected');
  expect((await t.memoryAudit.forRequest(request.id)).map((e) => e.action)).toContain('request.rejected');
  // The jobs are left for their runs to find the request decided, as before.
  expect(await t.jobIds(request.id)).toEqual(t.pendingJobs(request.id));
  const lines = t.logs.entries().filter((e) => /could not be cancelled/.test(String(e.msg)));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({
    level: 40,
    requestId: request.id,
    correlationId: 'corr-decide-1',
    jobIds: pendingRequestJobIds(request.id),
  });
});

test('an expiry cancels every pending-only job, not only its own', async () => {
  const t = setup();
  const request = await t.create();
  expect(await t.jobIds(request.id)).toEqual(t.pendingJobs(request.id));
  t.clock.advance(30 * DAY);
  expect(await t.service.expireIfDue(request.id)).toBe(true);
  expect((await t.inner.get(request.id))!.state).toBe('expired');
  expect(await t.jobIds(request.id)).toEqual([]);
});
