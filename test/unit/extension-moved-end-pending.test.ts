/**
 * A pending extension whose original's end another extension moved (moved-end-waits.ts): its
 * record and card follow the new end ("Now ends", and "Decide by" when its wait was cut to the
 * old end), its expiry job with them; and an approver's click past the old end, before anything
 * followed it, is decided on the access as it is (still running), not refused as ended, while
 * anyone else's click there changes nothing. A follow the process stopped before, or whose read
 * failed, is made when the extension is applied again. Through the real RequestService, memory
 * stores, Scheduler and the real move of the end (applyExtension), on a fake clock.
 */
import { VersionConflictError } from '../../src/domain/ports';
import { type AccessRequest, transition } from '../../src/domain/request';
import { applyExtension } from '../../src/flows/access-extensions';
import type { LifecycleDeps } from '../../src/flows/access-lifecycle-deps';
import { requestExpiryJobId } from '../../src/flows/request-jobs';
import type { Logger } from '../../src/observability/logger';
import { createLogger } from '../../src/observability/logger';
import { decideByValue, pendingExtensionFacts } from '../../src/views/extension-facts';
import { breakGlassService } from './support/break-glass-service';
import { HOUR } from './support/fake-clock';
import { logLines } from './support/log-lines';
import { DAY, granted, OLIVE, policy, rule, TENANT } from './support/policy-fixtures';
import { APPROVER, grantPlan, REQUESTER } from './support/requests';

const ORIGIN = { conversationId: '19:general@thread.tacv2', conversationType: 'channel' };

/**
 * Riley's original, ending in an hour; an extension of it that succeeded (its end `firstMs` on)
 * without its move of the end applied yet; a second extension filed then (its wait cut to the
 * hour). `move` applies the first's move, with the approval TTL (a day) known to it or not.
 */
async function cutWait(firstMs = 3 * DAY, disabledUserIds: readonly string[] = []) {
  // What runs while a click is decided, between its first check and its re-check (the pause is
  // read between them): nothing unless a test sets it.
  let whileDeciding: (() => Promise<void>) | undefined;
  const pauses = {
    current: async () => {
      const run = whileDeciding;
      whileDeciding = undefined;
      await run?.();
      return undefined;
    },
  };
  // Set by `failAccountReads`: the directory is down from then on.
  let directoryDown = false;
  const t = breakGlassService({
    policies: { current: () => policy([rule('prod')]) },
    pauses,
    disabledUserIds,
    accountReadFails: () => directoryDown,
  });
  const ask = (reason: string, durationMs: number, extendsRequestId?: string) =>
    t.service.create({
      requester: REQUESTER,
      tenantId: TENANT,
      reason,
      plan: grantPlan(),
      origin: ORIGIN,
      access: { durationMs },
      ...(extendsRequestId && { extendsRequestId }),
    });
  const filed = await ask('deploy payments-api', HOUR);
  const done = await granted(t.store, { ...filed, state: 'approved' }, t.clock.now());
  const original: AccessRequest = {
    ...done,
    version: done.version + 1,
    access: { durationMs: HOUR, expiresAt: new Date(t.clock.now().getTime() + HOUR).toISOString() },
  };
  await t.store.update(original);
  const first = await ask('release slipped', firstMs, original.id);
  const approved = transition(first, { type: 'approve', by: APPROVER, at: t.clock.now() });
  await t.store.update(approved);
  const ran = await granted(t.store, approved, t.clock.now());
  const firstDone: AccessRequest = {
    ...ran,
    version: ran.version + 1,
    access: { durationMs: firstMs, expiresAt: new Date(t.clock.now().getTime() + firstMs).toISOString() },
  };
  await t.store.update(firstDone);
  const second = await ask('and the hotfix', 7 * DAY, original.id);
  expect(second.expiresAt).toBe(original.access!.expiresAt);
  const redrawn: AccessRequest[] = [];
  const move = async (approvalTtlMs?: number, log: Logger = createLogger({ level: 'silent' })) => {
    const deps = {
      store: t.store,
      audit: t.audit,
      clock: t.clock,
      jobs: t.scheduler,
      cards: { requestChanged: async (r: AccessRequest) => void redrawn.push(r) },
      log,
      settings: { remindersMs: [], ...(approvalTtlMs !== undefined && { approvalTtlMs }) },
    } as unknown as LifecycleDeps;
    await applyExtension(deps, firstDone, async () => undefined);
    expect((await t.store.get(original.id))!.access!.expiresAt).toBe(firstDone.access!.expiresAt);
  };
  const approve = (actor = APPROVER) =>
    t.service.decide({
      requestId: second.id,
      acting: { actor, tenantId: TENANT },
      approve: true,
      reason: 'hotfix needs it',
    });
  const duringDecision = (run: () => Promise<void>) => {
    whileDeciding = run;
  };
  const failAccountReads = () => {
    directoryDown = true;
  };
  return { ...t, original, firstDone, second, move, redrawn, approve, duringDecision, failAccountReads };
}

test("the move of the end cuts a waiting extension's wait again, to its approval window, and its card says the new end", async () => {
  const t = await cutWait();
  await t.move(DAY);

  const stored = (await t.store.get(t.second.id))!;
  expect(stored).toMatchObject({
    state: 'pending',
    expiresAt: '2026-12-01T09:00:00.000Z',
    extendsAccess: { endsAt: t.firstDone.access!.expiresAt, extendedTimes: 1 },
  });
  expect(decideByValue(stored)).toBe('2026-12-01 09:00 UTC');
  expect(pendingExtensionFacts(stored)).toEqual([
    { label: 'Now ends', value: `2026-12-03 09:00 UTC (${t.original.id})` },
    { label: 'Would end', value: 'at least 4 days later (7 days after approval)' },
    { label: 'Extended before', value: '1 time' },
  ]);
  expect((await t.jobs.get(requestExpiryJobId(t.second.id)))!.dueAt).toBe('2026-12-01T09:00:00.000Z');
  expect(t.redrawn.map((r) => r.id)).toContain(t.second.id);
  expect(t.redrawn.find((r) => r.id === t.second.id)).toEqual(stored);
  // Its old deadline passes and nothing closes it.
  t.clock.advance(HOUR);
  expect(await t.service.expireIfDue(t.second.id)).toBe(false);
});

test('moved to an end before its approval window closes, the wait is cut to that end and says so', async () => {
  const t = await cutWait(3 * HOUR);
  await t.move(DAY);

  const stored = (await t.store.get(t.second.id))!;
  expect(stored.expiresAt).toBe('2026-11-30T12:00:00.000Z');
  expect(decideByValue(stored)).toBe('2026-11-30 12:00 UTC, when the access it extends ends');
  expect(pendingExtensionFacts(stored)[0]).toEqual({
    label: 'Now ends',
    value: `2026-11-30 12:00 UTC (${t.original.id})`,
  });
});

test('a waiting extension whose wait was not cut keeps its deadline, and its card says the new end', async () => {
  const t = await cutWait();
  // Filed with its approval window ending before the original: not cut.
  const uncut: AccessRequest = {
    ...t.second,
    version: t.second.version + 1,
    expiresAt: '2026-11-30T09:30:00.000Z',
  };
  await t.store.update(uncut);
  await t.move(DAY);

  const stored = (await t.store.get(t.second.id))!;
  expect(stored.expiresAt).toBe('2026-11-30T09:30:00.000Z');
  expect(stored.extendsAccess).toEqual({ endsAt: t.firstDone.access!.expiresAt, extendedTimes: 1 });
});

test('an approval clicked past the cut deadline, before anything followed the moved end, is decided: the access still runs', async () => {
  const t = await cutWait();
  // The move knows no approval window: the waiting extension's wait stays cut to the hour.
  await t.move();
  expect((await t.store.get(t.second.id))!.expiresAt).toBe(t.original.access!.expiresAt);
  t.clock.advance(HOUR);

  const result = await t.approve();

  expect(result).toMatchObject({ kind: 'decided', request: { state: 'approved' } });
  const actions = (await t.audit.latest(30)).map((e) => e.action);
  expect(actions).toContain('request.approved');
  expect(actions).not.toContain('approval.refused.expired');
  expect(actions).not.toContain('request.expired');
});

test("a click past the approval window of an extension whose cut wait the end's move left is refused as expired, not as ended", async () => {
  const t = await cutWait();
  await t.move();
  t.clock.advance(DAY);

  const result = await t.approve();

  expect(result).toMatchObject({
    kind: 'refused',
    reason: 'expired',
    message: `Extension ${t.second.id} expired at 2026-12-01 09:00 UTC without a decision, and nothing was extended; ask the requester to extend ${t.original.id} again while its access runs, or to make a new request once it has ended.`,
    request: { state: 'expired' },
  });
  expect(result.request).not.toHaveProperty('originalEnded');
});

test('a click whose wait cannot follow the moved end is told the access still runs and can be extended again', async () => {
  const t = await cutWait();
  await t.move();
  t.clock.advance(HOUR);
  // Every write of the waiting extension's new deadline loses.
  const update = t.store.update.bind(t.store);
  t.store.update = async (r: AccessRequest) => {
    if (r.id === t.second.id && r.state === 'pending' && r.expiresAt !== t.second.expiresAt)
      throw new VersionConflictError(r.id);
    return update(r);
  };

  const result = await t.approve();

  const said = `Extension ${t.second.id} could be decided until 2026-11-30 10:00 UTC, the end the access of ${t.original.id} had when it was asked for; another extension has moved that end since and the access still runs, until 2026-12-03 09:00 UTC, but this extension closed without a decision and nothing was extended: ask the requester to extend ${t.original.id} again.`;
  expect(result).toMatchObject({ kind: 'refused', reason: 'expired', message: said });
  expect(await t.store.get(t.second.id)).toMatchObject({ state: 'expired', originalWentOn: true });
  const [refusal] = (await t.audit.latest(30)).filter((e) => e.action === 'approval.refused.expired');
  expect(refusal.detail).toBe(said);
});

test("a click checked before the cut deadline, re-checked past it after another extension moved the original's end: told the access still runs", async () => {
  const t = await cutWait();
  // Checked first at 09:30, before the wait's cut deadline (10:00, the original's end then)...
  t.clock.advance(HOUR / 2);
  // ...then, while its lookups run, the first extension moves the original's end and 10:00 passes.
  t.duringDecision(async () => {
    await t.move();
    t.clock.advance(HOUR);
  });

  const result = await t.approve();

  const said = `Extension ${t.second.id} could be decided until 2026-11-30 10:00 UTC, the end the access of ${t.original.id} had when it was asked for; another extension has moved that end since and the access still runs, until 2026-12-03 09:00 UTC, but this extension closed without a decision and nothing was extended: ask the requester to extend ${t.original.id} again.`;
  expect(result).toMatchObject({ kind: 'refused', reason: 'expired', message: said });
  const [refusal] = (await t.audit.latest(30)).filter((e) => e.action === 'approval.refused.expired');
  expect(refusal.detail).toBe(said);
  expect((await t.audit.latest(30)).map((e) => e.action)).not.toContain('request.approved');
});

test('applied again after the process stopped between the move of the end and the follow, the waiting extension follows', async () => {
  const t = await cutWait();
  // The first extension's move was written; the process stopped before its extensions followed.
  const original = (await t.store.get(t.original.id))!;
  const end = t.firstDone.access!.expiresAt!;
  await t.store.update(
    transition(original, {
      type: 'extend',
      at: t.clock.now(),
      expiresAt: end,
      durationMs: Date.parse(end) - Date.parse(original.access!.expiresAt!),
      by: t.firstDone.id,
    }),
  );
  expect((await t.store.get(t.second.id))!.extendsAccess!.endsAt).toBe(t.original.access!.expiresAt);

  await t.move(DAY);

  expect(await t.store.get(t.second.id)).toMatchObject({
    state: 'pending',
    expiresAt: '2026-12-01T09:00:00.000Z',
    extendsAccess: { endsAt: end, extendedTimes: 1 },
  });
  expect((await t.jobs.get(requestExpiryJobId(t.second.id)))!.dueAt).toBe('2026-12-01T09:00:00.000Z');
});

test('a failed read of the waiting extensions leaves the move applied, is logged once, and the next application follows', async () => {
  const t = await cutWait();
  const list = t.store.listByTarget.bind(t.store);
  let failing = true;
  t.store.listByTarget = async (...args: Parameters<typeof list>) => {
    if (failing && args[2].length === 1 && args[2][0] === 'pending') throw new Error('store unavailable');
    return list(...args);
  };
  const { lines, logger } = logLines();

  await t.move(DAY, logger);

  expect(lines.filter((l) => l.level >= 40).map((l) => [l.msg, l.original, l.err?.message])).toEqual([
    [
      "a pending extension could not follow its original's moved end; its card keeps the old end",
      t.original.id,
      'store unavailable',
    ],
  ]);
  expect((await t.store.get(t.second.id))!.extendsAccess!.endsAt).toBe(t.original.access!.expiresAt);

  failing = false;
  await t.move(DAY);

  expect(await t.store.get(t.second.id)).toMatchObject({
    expiresAt: '2026-12-01T09:00:00.000Z',
    extendsAccess: { endsAt: t.firstDone.access!.expiresAt },
  });
});

test("a non-approver's click past the cut deadline is told they are no approver, and changes nothing", async () => {
  const t = await cutWait();
  await t.move();
  t.clock.advance(HOUR);
  const before = (await t.store.get(t.second.id))!;
  const job = await t.jobs.get(requestExpiryJobId(t.second.id));

  const result = await t.approve(OLIVE);

  expect(result).toMatchObject({ kind: 'refused', reason: 'notApprover', request: { state: 'pending' } });
  expect(await t.store.get(t.second.id)).toEqual(before);
  expect(await t.jobs.get(requestExpiryJobId(t.second.id))).toEqual(job);
  const actions = (await t.audit.latest(30)).map((e) => e.action);
  expect(actions).toContain('approval.refused.notApprover');
  expect(actions).not.toContain('request.expired');
});

test("a non-approver's click past the approval window is told it expired in the words an approver's is, not at the cut deadline", async () => {
  const t = await cutWait();
  await t.move();
  t.clock.advance(DAY);

  const result = await t.approve(OLIVE);

  expect(result).toMatchObject({
    kind: 'refused',
    reason: 'expired',
    message: `Extension ${t.second.id} expired at 2026-12-01 09:00 UTC without a decision, and nothing was extended; ask the requester to extend ${t.original.id} again while its access runs, or to make a new request once it has ended.`,
  });
});

test("a disabled approver's Reject past the cut deadline is refused, and changes nothing", async () => {
  const t = await cutWait(3 * DAY, [APPROVER.objectId]);
  await t.move();
  t.clock.advance(HOUR);
  const before = (await t.store.get(t.second.id))!;
  const job = await t.jobs.get(requestExpiryJobId(t.second.id));

  const result = await t.service.decide({
    requestId: t.second.id,
    acting: { actor: APPROVER, tenantId: TENANT },
    approve: false,
    reason: 'not needed after all',
  });

  expect(result).toMatchObject({ kind: 'refused', reason: 'disabledOrGone', request: { state: 'pending' } });
  expect(await t.store.get(t.second.id)).toEqual(before);
  expect(await t.jobs.get(requestExpiryJobId(t.second.id))).toEqual(job);
});

test("a disabled approver's Approve past the cut deadline is refused before the moved end is written", async () => {
  const t = await cutWait(3 * DAY, [APPROVER.objectId]);
  await t.move();
  t.clock.advance(HOUR);
  const before = (await t.store.get(t.second.id))!;
  const job = await t.jobs.get(requestExpiryJobId(t.second.id));
  const redrawn = t.redrawn.length;

  const result = await t.approve();

  expect(result).toMatchObject({ kind: 'refused', reason: 'disabledOrGone', request: { state: 'pending' } });
  // Not followed on its behalf: no version bump, no moved end, no moved expiry job, no redrawn card.
  expect(await t.store.get(t.second.id)).toEqual(before);
  expect(await t.jobs.get(requestExpiryJobId(t.second.id))).toEqual(job);
  expect(t.redrawn).toHaveLength(redrawn);
  expect((await t.audit.latest(5)).map((e) => e.action).at(-1)).toBe('approval.refused.disabledOrGone');
});

test("an approver's Approve past the cut deadline, their account unread (Graph down), fails before the moved end is written", async () => {
  const t = await cutWait();
  await t.move();
  t.clock.advance(HOUR);
  const before = (await t.store.get(t.second.id))!;
  const job = await t.jobs.get(requestExpiryJobId(t.second.id));
  const redrawn = t.redrawn.length;
  t.failAccountReads();

  // Not let through as a rejection is: an approval must not be written on an account nobody read.
  await expect(t.approve()).rejects.toThrow(
    /^The directory \(Microsoft Graph\) could not be read to check that your account is still enabled, so your approval was not recorded; try again in a few minutes/,
  );

  expect(await t.store.get(t.second.id)).toEqual(before);
  expect(await t.jobs.get(requestExpiryJobId(t.second.id))).toEqual(job);
  expect(t.redrawn).toHaveLength(redrawn);
  expect((await t.audit.latest(30)).map((e) => e.action)).not.toContain('request.approved');
});

test('one lost write while following the moved end is tried again on a fresh read, and followed', async () => {
  const t = await cutWait();
  const update = t.store.update.bind(t.store);
  let conflicts = 0;
  t.store.update = async (r: AccessRequest) => {
    if (r.id === t.second.id && conflicts === 0) {
      conflicts++;
      throw new VersionConflictError(r.id);
    }
    return update(r);
  };

  await t.move(DAY);

  expect(conflicts).toBe(1);
  expect((await t.store.get(t.second.id))!.extendsAccess!.endsAt).toBe(t.firstDone.access!.expiresAt);
  expect(t.redrawn.map((r) => r.id)).toContain(t.second.id);
});

test("a click refused past the cut deadline words its refusal on the original the moved end's check read", async () => {
  const t = await cutWait();
  await t.move();
  t.clock.advance(HOUR);
  const update = t.store.update.bind(t.store);
  t.store.update = async (r: AccessRequest) => {
    if (r.id === t.second.id && r.state === 'pending' && r.expiresAt !== t.second.expiresAt)
      throw new VersionConflictError(r.id);
    return update(r);
  };
  const get = t.store.get.bind(t.store);
  let originalReads = 0;
  t.store.get = async (id: string) => {
    if (id === t.original.id) originalReads++;
    return get(id);
  };

  const result = await t.approve();

  expect(result).toMatchObject({ kind: 'refused', reason: 'expired' });
  // Once for the moved end (whose read words the refusal too), once as it expires (request-expiry.ts).
  expect(originalReads).toBe(2);
});
