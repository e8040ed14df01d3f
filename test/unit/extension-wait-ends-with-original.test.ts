/**
 * An extension waits for a decision no longer than the access it extends runs (its original's
 * end closes it unapproved, and an approval after that end is refused): its `expiresAt`, its
 * `request.expire` job, its card's "Decide by" and the tab's `decideBy` name that end when it
 * comes before the approval TTL. At that end its own expiry and the close of pending extensions
 * race; one conditional write wins, with one `request.expired` entry saying why. Its card shows
 * how much longer approving keeps the access (`extendsAccess`, recorded when filed). Through the
 * real RequestService, memory stores and Scheduler, on a fake clock.
 */
import { driftedExtensionRefusal } from '../../src/domain/drifted-access';
import { type AccessRequest, describeState, transition } from '../../src/domain/request';
import type { LifecycleDeps } from '../../src/flows/access-lifecycle-deps';
import { closePendingExtensions } from '../../src/flows/close-pending-extensions';
import { requestExpiryJobId } from '../../src/flows/request-jobs';
import { requestRow } from '../../src/tab/tab-rows';
import { approvalDetail } from '../../web/src/approval-text';
import { planFacts } from '../../src/views/request-view';
import { requesterNewsCard } from '../../src/views/lifecycle-view';
import { createLogger } from '../../src/observability/logger';
import { breakGlassService } from './support/break-glass-service';
import { HOUR, MINUTE } from './support/fake-clock';
import { DAY, granted, policy, rule, TENANT } from './support/policy-fixtures';
import { APPROVER, grantPlan, REQUESTER } from './support/requests';

const ORIGIN = { conversationId: '19:general@thread.tacv2', conversationType: 'channel' };

/** The service with an original of Riley's granted now, ending in `leftMs`, extended `times` times before. */
async function withOriginal(leftMs: number, times = 0) {
  const t = breakGlassService({ policies: { current: () => policy([rule('prod')]) } });
  const filed = await t.service.create({
    requester: REQUESTER,
    tenantId: TENANT,
    reason: 'deploy payments-api',
    plan: grantPlan(),
    origin: ORIGIN,
    access: { durationMs: leftMs },
  });
  const done = await granted(t.store, { ...filed, state: 'approved' }, t.clock.now());
  const original: AccessRequest = {
    ...done,
    version: done.version + 1,
    access: {
      durationMs: leftMs,
      expiresAt: new Date(t.clock.now().getTime() + leftMs).toISOString(),
      ...(times > 0 && { extendedBy: Array.from({ length: times }, (_, i) => `R-EXTENDED${i}`) }),
    },
  };
  await t.store.update(original);
  const extend = (durationMs: number) =>
    t.service.create({
      requester: REQUESTER,
      tenantId: TENANT,
      reason: 'release slipped',
      plan: grantPlan(),
      origin: ORIGIN,
      access: { durationMs },
      extendsRequestId: original.id,
    });
  return { ...t, original, extend };
}

const fact = (request: AccessRequest, label: string) => planFacts(request).find((f) => f.label === label)?.value;

test('an extension of access ending before the approval TTL must be decided by that end: stored, its expiry job, its card and its tab row', async () => {
  const t = await withOriginal(HOUR, 2);
  const extension = await t.extend(7 * DAY);
  const end = t.original.access!.expiresAt!;

  expect(extension).toMatchObject({
    state: 'pending',
    expiresAt: end,
    extendsAccess: { endsAt: end, extendedTimes: 2 },
  });
  expect((await t.store.get(extension.id))!.expiresAt).toBe(end);
  expect((await t.jobs.get(requestExpiryJobId(extension.id)))!.dueAt).toBe(end);
  expect(fact(extension, 'Decide by')).toBe('2026-11-30 10:00 UTC, when the access it extends ends');
  expect(requestRow(extension, t.clock.now()).decideBy).toBe(end);
  // How much longer approving keeps it: the original's end, the least it adds, how often extended.
  expect(fact(extension, 'Now ends')).toBe(`2026-11-30 10:00 UTC (${t.original.id})`);
  expect(fact(extension, 'Would end')).toBe('at least 6 days later (7 days after approval)');
  expect(fact(extension, 'Extended before')).toBe('2 times');
  expect(fact(extension, 'Requested')).toBe('2026-11-30 09:00 UTC');
  // The tab's approvals row says it in short, in the same words (sent on the row, not worked out again).
  expect(approvalDetail(requestRow(extension, t.clock.now()), t.clock.now().getTime())).toBe(
    'Decide by 2026-11-30 10:00 UTC (in 1 hour) · Now ends 2026-11-30 10:00 UTC · would end at least 6 days later (7 days after approval) · extended before: 2 times · Asked by \u2068Riley Requester\u2069: release slipped',
  );
});

test('an extension of access ending after the approval TTL waits the TTL; its card says it adds only what the term passes the end by', async () => {
  const t = await withOriginal(7 * DAY - HOUR);
  const extension = await t.extend(7 * DAY);

  expect(extension.expiresAt).toBe(new Date(t.clock.now().getTime() + DAY).toISOString());
  expect(extension.extendsAccess).toEqual({ endsAt: t.original.access!.expiresAt, extendedTimes: 0 });
  expect(fact(extension, 'Decide by')).toBe('2026-12-01 09:00 UTC');
  expect(fact(extension, 'Would end')).toBe('at least 1 hour later (7 days after approval)');
  expect(fact(extension, 'Extended before')).toBeUndefined();
});

test.each([
  ['its own expiry job', true],
  ['the close of pending extensions', false],
])(
  "at the original's end the extension expires once, %s first, saying the access it extends ended",
  async (_, jobFirst) => {
    const t = await withOriginal(HOUR);
    const extension = await t.extend(7 * DAY);
    t.clock.advance(HOUR);
    const deps = {
      store: t.store,
      audit: t.audit,
      clock: t.clock,
      jobs: t.scheduler,
      cards: { requestChanged: async () => undefined },
      log: createLogger({ level: 'silent' }),
    } as unknown as LifecycleDeps;
    const close = async () => closePendingExtensions(deps, (await t.store.get(t.original.id))!, []);
    // The two race at that end: whichever comes second finds it closed and writes nothing.
    if (jobFirst) {
      expect(await t.service.expireIfDue(extension.id)).toBe(true);
      await close();
    } else {
      await close();
      expect(await t.service.expireIfDue(extension.id)).toBe(false);
    }

    expect((await t.store.get(extension.id))!.state).toBe('expired');
    const expired = (await t.audit.latest(20)).filter((e) => e.action === 'request.expired');
    expect(expired).toHaveLength(1);
    expect(expired[0]).toMatchObject({ requestId: extension.id });
    expect(expired[0].detail).toBe(
      jobFirst
        ? `the access it extends ended with ${t.original.id} at 2026-11-30 10:00 UTC; closed without a decision`
        : `the access it extends ended with ${t.original.id}; closed without a decision`,
    );
    // Its requester is not sent back to `extend`, which the ended original now refuses.
    const news = JSON.stringify(requesterNewsCard((await t.store.get(extension.id))!, { kind: 'expiredUnapproved' }));
    expect(news).toContain(
      `The access it extends (${t.original.id}) ended before anyone decided, so nothing was extended. If you still need the access, make a new request: \\"@acrbot grant /subscriptions/`,
    );
    expect(news).toContain('contosoacr --for 7d REASON…');
    expect(news).not.toContain('@acrbot extend');
    // Closed with the original's end, not left to expire: its title and state say so.
    expect(news).toContain(`Closed without a decision: ${extension.id}`);
    expect(describeState((await t.store.get(extension.id))!)).toBe(
      `closed without a decision: the access it extends (${t.original.id}) ended`,
    );
  },
);

test("an approver's click past the cut deadline is told the access it extends ended then, and nothing was extended", async () => {
  const t = await withOriginal(HOUR);
  const extension = await t.extend(7 * DAY);
  t.clock.advance(HOUR);

  const result = await t.service.decide({
    requestId: extension.id,
    acting: { actor: APPROVER, tenantId: TENANT },
    approve: true,
    reason: 'release slipped',
  });

  const said = `The access of ${t.original.id} ended at 2026-11-30 10:00 UTC, so its extension ${extension.id} closed without a decision and nothing was extended; ask the requester for a new request if the access is still needed.`;
  expect(result).toMatchObject({ kind: 'refused', reason: 'expired', message: said, request: { state: 'expired' } });
  const [refusal] = (await t.audit.latest(20)).filter((e) => e.action === 'approval.refused.expired');
  expect(refusal.detail).toBe(said);
});

test('an extension its approval TTL closed while its original still runs is asked for again with extend', async () => {
  const t = await withOriginal(7 * DAY - HOUR);
  const extension = await t.extend(7 * DAY);
  t.clock.advance(DAY);

  const result = await t.service.decide({
    requestId: extension.id,
    acting: { actor: APPROVER, tenantId: TENANT },
    approve: true,
  });

  expect(result).toMatchObject({
    kind: 'refused',
    reason: 'expired',
    message: `Extension ${extension.id} expired at 2026-12-01 09:00 UTC without a decision, and nothing was extended; ask the requester to extend ${t.original.id} again while its access runs, or to make a new request once it has ended.`,
  });
  const news = JSON.stringify(requesterNewsCard((await t.store.get(extension.id))!, { kind: 'expiredUnapproved' }));
  expect(news).toContain(`ask again: \\"@acrbot extend ${t.original.id} --for 7d REASON…\\".`);
});

/** `original` revoked early by its requester at the clock's now (the end job done, its notice not yet). */
async function revokeEarly(t: Awaited<ReturnType<typeof withOriginal>>): Promise<AccessRequest> {
  const current = (await t.store.get(t.original.id))!;
  const revoking = transition(current, { type: 'beginRevoke', at: t.clock.now() });
  await t.store.update(revoking);
  const revoked = transition(revoking, { type: 'revoke', at: t.clock.now(), by: REQUESTER, reason: 'done early' });
  await t.store.update(revoked);
  return revoked;
}

const closeDeps = (t: Awaited<ReturnType<typeof withOriginal>>) =>
  ({
    store: t.store,
    audit: t.audit,
    clock: t.clock,
    jobs: t.scheduler,
    cards: { requestChanged: async () => undefined },
    log: createLogger({ level: 'silent' }),
  }) as unknown as LifecycleDeps;

/** The requester's "Expired without a decision" of `id`, as stored now. */
const newsOf = async (t: Awaited<ReturnType<typeof withOriginal>>, id: string) =>
  JSON.stringify(requesterNewsCard((await t.store.get(id))!, { kind: 'expiredUnapproved' }));

/** The news sends its requester to a new grant, never to `extend` of the ended original. */
function expectNewRequest(news: string, originalId: string) {
  expect(news).toContain(
    `The access it extends (${originalId}) ended before anyone decided, so nothing was extended. If you still need the access, make a new request: \\"@acrbot grant /subscriptions/`,
  );
  expect(news).not.toContain('@acrbot extend');
}

test.each([
  ['its own expiry job', true],
  ['the close of pending extensions', false],
])(
  'an extension whose approval TTL passed, then its original revoked early: %s first, its requester is sent to a new request',
  async (_, jobFirst) => {
    // Access ending in 6 days: the extension's wait is its 1-day approval TTL, not cut.
    const t = await withOriginal(6 * DAY);
    const extension = await t.extend(7 * DAY);
    expect(extension.expiresAt).toBe(new Date(t.clock.now().getTime() + DAY).toISOString());
    // Its expiry job is late (the instance was down) past its deadline; meanwhile the original
    // is revoked, long before its end. The close at that end and the late job race.
    t.clock.advance(2 * DAY);
    const revoked = await revokeEarly(t);
    const close = () => closePendingExtensions(closeDeps(t), revoked, []);
    if (jobFirst) {
      expect(await t.service.expireIfDue(extension.id)).toBe(true);
      await close();
    } else {
      await close();
      expect(await t.service.expireIfDue(extension.id)).toBe(false);
    }

    const stored = (await t.store.get(extension.id))!;
    expect(stored).toMatchObject({ state: 'expired', originalEnded: true });
    // One entry, whichever closed it, saying that the access it extends ended.
    const expired = (await t.audit.latest(20)).filter((e) => e.action === 'request.expired');
    expect(expired).toHaveLength(1);
    expect(expired[0].detail).toBe(`the access it extends ended with ${t.original.id}; closed without a decision`);
    // Expired after its own deadline and before the end recorded when filed: only the mark tells.
    expect(Date.parse(stored.updatedAt)).toBeGreaterThan(Date.parse(stored.expiresAt));
    expect(Date.parse(stored.updatedAt)).toBeLessThan(Date.parse(stored.extendsAccess!.endsAt));
    expectNewRequest(await newsOf(t, extension.id), t.original.id);
  },
);

test.each([
  ['being revoked', 'revoking'],
  ['past its end, its end job yet to run', 'pastEnd'],
])(
  'an extension whose expiry job runs late while its original is %s: its requester is sent to a new request',
  async (_, how) => {
    const t = await withOriginal(2 * DAY);
    const extension = await t.extend(7 * DAY);
    if (how === 'revoking') {
      t.clock.advance(DAY + HOUR);
      const current = (await t.store.get(t.original.id))!;
      await t.store.update(transition(current, { type: 'beginRevoke', at: t.clock.now() }));
    } else t.clock.advance(2 * DAY + HOUR);

    expect(await t.service.expireIfDue(extension.id)).toBe(true);

    expect((await t.store.get(extension.id))!).toMatchObject({ state: 'expired', originalEnded: true });
    expectNewRequest(await newsOf(t, extension.id), t.original.id);
    // Its entry says so too, as the close of pending extensions would have (with the end it passed).
    const [expired] = (await t.audit.latest(20)).filter((e) => e.action === 'request.expired');
    expect(expired.detail).toBe(
      how === 'revoking'
        ? `the access it extends ended with ${t.original.id}; closed without a decision`
        : `the access it extends ended with ${t.original.id} at 2026-12-02 09:00 UTC; closed without a decision`,
    );
  },
);

test('an extension whose original drifted, expired by its own deadline: its requester is sent to a new grant, as extend of it is refused', async () => {
  // Access ending in 6 days: the extension's wait is its 1-day approval TTL, not cut.
  const t = await withOriginal(6 * DAY);
  const extension = await t.extend(7 * DAY);
  // Its role assignment removed outside acrbot after the extension was filed (seen by the sweep).
  t.clock.advance(HOUR);
  const current = (await t.store.get(t.original.id))!;
  await t.store.update({
    ...current,
    version: current.version + 1,
    access: { ...current.access!, driftDetectedAt: t.clock.now().toISOString(), driftReason: 'deleted' },
  });
  t.clock.advance(DAY);

  expect(await t.service.expireIfDue(extension.id)).toBe(true);

  const stored = (await t.store.get(extension.id))!;
  expect(stored).toMatchObject({ state: 'expired', originalDrifted: true });
  expect(stored).not.toHaveProperty('originalEnded');
  // The card says what `extend` of it would say (extend.drifted): ask for a new grant.
  const news = await newsOf(t, extension.id);
  expect(news).toContain(
    `The access it extends (${t.original.id}) no longer lets aks-prod pull from contosoacr (its role assignment was removed or changed outside acrbot, or no longer serves), so it cannot be extended and nothing was extended. If you still need the access, make a new request: \\"@acrbot grant /subscriptions/`,
  );
  expect(news).toContain('contosoacr --for 7d REASON…');
  expect(news).not.toContain('@acrbot extend');
  expect(driftedExtensionRefusal((await t.store.get(t.original.id))!)?.message).toContain(
    'Ask for the access again with "@acrbot grant',
  );
  const [expired] = (await t.audit.latest(20)).filter((e) => e.action === 'request.expired');
  expect(expired.detail).toBe(
    `the access it extends (${t.original.id}) was removed or changed outside acrbot, or no longer serves (drift seen 2026-11-30 10:00 UTC); closed without a decision`,
  );
});

test('an extension expired before the mark was recorded, at or after the end recorded when filed: a new request too', async () => {
  const t = await withOriginal(2 * DAY);
  const extension = await t.extend(7 * DAY);
  // Its 1-day TTL job ran late, past the original's end, in a release that did not mark it.
  t.clock.advance(2 * DAY + HOUR);
  const expired = transition(extension, { type: 'expire', at: t.clock.now() });
  expect(expired).not.toHaveProperty('originalEnded');

  expectNewRequest(JSON.stringify(requesterNewsCard(expired, { kind: 'expiredUnapproved' })), t.original.id);
});

test('an extension its expiry job closes while its original still runs is not marked: extend still works', async () => {
  const t = await withOriginal(6 * DAY);
  const extension = await t.extend(7 * DAY);
  t.clock.advance(2 * DAY);

  expect(await t.service.expireIfDue(extension.id)).toBe(true);

  const stored = (await t.store.get(extension.id))!;
  expect(stored.state).toBe('expired');
  expect(stored).not.toHaveProperty('originalEnded');
  expect(await newsOf(t, extension.id)).toContain(`ask again: \\"@acrbot extend ${t.original.id} --for 7d REASON…\\".`);
});

test('a request that extends nothing waits the approval TTL and its expiry says nothing more', async () => {
  const t = await withOriginal(HOUR);
  const other = await t.service.create({
    requester: REQUESTER,
    tenantId: TENANT,
    reason: 'another team',
    plan: grantPlan(),
    origin: ORIGIN,
    access: { durationMs: HOUR },
  });
  expect(other.expiresAt).toBe(new Date(t.clock.now().getTime() + DAY).toISOString());
  expect(other.extendsAccess).toBeUndefined();
  expect(fact(other, 'Now ends')).toBeUndefined();
  t.clock.advance(DAY + MINUTE);
  expect(await t.service.expireIfDue(other.id)).toBe(true);
  const [entry] = (await t.audit.latest(20)).filter((e) => e.action === 'request.expired');
  expect(entry.detail).toBeUndefined();
});
