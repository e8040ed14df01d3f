/**
 * The sweep that reads a grant's cluster gone (`access.clusterGoneAt`, drift-detector.ts) closes
 * the extensions of that grant still waiting for approval, as a drift mark does
 * (close-pending-extensions.ts): an Approve of one is refused (approval.refused.clusterGone), so
 * it does not wait out its own deadline with approvers reminded of it. Each expires recorded with
 * the note's time (`originalClusterGoneAt`), audited in the note's words, its jobs cancelled
 * (its approval reminders with them) and every copy of its card updated; its requester is told
 * why in the note's words, never that approvers ran out of time. Other pending requests on the
 * pair are left alone; a note taken off closes nothing. One the close left pending (filed as the
 * note was written, or its close failed) expires at its own deadline as the close would have
 * closed it. Through the real DriftDetector on memory stores.
 */
import type { ClusterInfo } from '../../src/domain/azure-model';
import { clusterGoneNote } from '../../src/domain/cluster-gone';
import { LISTING_LAG_GRACE_MS } from '../../src/domain/listing-lag';
import { describeState } from '../../src/domain/request';
import { DriftDetector } from '../../src/flows/drift-detector';
import { RequestAudit } from '../../src/flows/request-audit';
import { expireRequest } from '../../src/flows/request-expiry';
import { pendingRequestJobIds, requestExpiryJobId } from '../../src/flows/request-jobs';
import { MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { requesterNewsCard } from '../../src/views/lifecycle-view';
import { requestCard } from '../../src/views/request-view';
import { assignmentOf, clusterPulling, registryIn } from './support/drift-azure';
import { FakeClock } from './support/fake-clock';
import { grantPlan, pendingRequest } from './support/requests';

async function world() {
  const plan = grantPlan();
  const clock = new FakeClock();
  const requests = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  const schedule = new MemoryScheduleStore();
  let clusterThere = true;
  const cardUpdates: string[] = [];
  const drift = new DriftDetector(
    {
      requests,
      audit,
      roleAssignments: {
        listAssignedToAt: async (_scope, objectId) => [assignmentOf(plan)].filter((a) => a.principalId === objectId),
      },
      resources: {
        getCluster: async () =>
          clusterThere ? (clusterPulling(plan, plan.identity.objectId) as ClusterInfo) : undefined,
        getRegistry: async () => registryIn(plan, 'LegacyRegistryPermissions'),
      },
      schedule,
      clock,
    },
    { requestChanged: async (r, o) => void cardUpdates.push(`${r.id} ${r.state}${o?.markOnly ? ' markOnly' : ''}`) },
    createLogger({ level: 'silent' }),
    60_000,
  );
  const original = pendingRequest({
    id: 'R-AAAAAAAA',
    plan,
    state: 'succeeded',
    outcome: { summary: 'Granted', azureRequestIds: [] },
    access: { durationMs: 45 * 86_400_000, expiresAt: '2025-03-01T00:00:00.000Z' },
  });
  await requests.create(original);
  clock.advance(LISTING_LAG_GRACE_MS);
  const extension = pendingRequest({
    id: 'R-EXTENSN1',
    plan,
    createdAt: clock.now().toISOString(),
    updatedAt: clock.now().toISOString(),
    extendsRequestId: original.id,
    extendsAccess: { endsAt: '2025-03-01T00:00:00.000Z', extendedTimes: 0 },
    access: { durationMs: 7 * 86_400_000 },
  });
  const other = pendingRequest({ id: 'R-OTHERNEW', plan });
  const elsewhere = pendingRequest({ id: 'R-EXTENSN2', plan, extendsRequestId: 'R-BBBBBBBB' });
  for (const r of [extension, other, elsewhere]) await requests.create(r);
  for (const id of pendingRequestJobIds(extension.id))
    await schedule.put({
      id,
      kind: 'request.expire',
      dueAt: extension.expiresAt,
      requestId: extension.id,
      attempts: 0,
    });
  const setCluster = (there: boolean) => void (clusterThere = there);
  return { clock, requests, audit, schedule, drift, cardUpdates, original, extension, setCluster };
}

test("the sweep that notes a grant's cluster gone closes its pending extension, in the note's words", async () => {
  const w = await world();
  w.clock.advance(60_000);
  w.setCluster(false);

  expect(await w.drift.sweep()).toEqual([]);

  const noted = (await w.requests.get(w.original.id))!;
  const goneAt = noted.access?.clusterGoneAt;
  expect(goneAt).toBe(w.clock.now().toISOString());
  const closed = (await w.requests.get(w.extension.id))!;
  expect(closed).toMatchObject({ state: 'expired', originalClusterGoneAt: goneAt });
  expect(closed).not.toHaveProperty('originalEnded');
  expect(closed).not.toHaveProperty('originalDrifted');
  const note = `cluster aks-prod no longer exists (seen 2025-01-15 09:16 UTC), so ${w.original.id} gives nothing and cannot be extended; its role assignment is deleted at its end`;
  expect(clusterGoneNote(noted)).toBe(`C${note.slice(1)}.`);
  // Audited once, in the note's words.
  const entries = (await w.audit.forRequest(w.extension.id)).filter((e) => e.action === 'request.expired');
  expect(entries).toHaveLength(1);
  expect(entries[0]).toMatchObject({ outcome: 'expired', actor: expect.objectContaining({ objectId: 'acrbot' }) });
  expect(entries[0].detail).toBe(`${note}; closed without a decision`);
  // Its jobs go (its approval reminders with them); its cards are redrawn as an expiry's.
  for (const id of [requestExpiryJobId(w.extension.id), ...pendingRequestJobIds(w.extension.id)])
    expect(await w.schedule.get(id)).toBeUndefined();
  expect(w.cardUpdates).toEqual([`${w.original.id} succeeded markOnly`, `${w.extension.id} expired`]);
  // The requester is told why in the note's words: closed by acrbot, not expired.
  const news = JSON.stringify(requesterNewsCard(closed, { kind: 'expiredUnapproved' }));
  expect(news).toContain(`Closed without a decision: ${w.extension.id}`);
  expect(news).toContain(`${clusterGoneNote(noted)} Nothing was extended.`);
  expect(news).not.toMatch(/Expired|Nobody decided|@acrbot extend/);
  expect(describeState(closed)).toBe(
    `closed without a decision: cluster aks-prod of the access it extends (${w.original.id}) no longer exists`,
  );
  for (const showActions of [true, false]) {
    const card = JSON.stringify(requestCard(closed, { showActions }));
    expect(card).toContain('"Closed"');
    expect(card).not.toMatch(/"Expired"|expired without/);
  }
  // Nothing else on the pair is touched.
  expect((await w.requests.get('R-OTHERNEW'))!.state).toBe('pending');
  expect((await w.requests.get('R-EXTENSN2'))!.state).toBe('pending');
});

test('a note already written closes nothing again; a note taken off closes nothing', async () => {
  const w = await world();
  w.clock.advance(60_000);
  w.setCluster(false);
  await w.drift.sweep();
  // Filed after the note (the typed `extend` refuses that; a store row stands in for one that raced it).
  const late = pendingRequest({
    id: 'R-EXTENSN3',
    plan: w.original.plan,
    extendsRequestId: w.original.id,
    extendsAccess: { endsAt: '2025-03-01T00:00:00.000Z', extendedTimes: 0 },
  });
  await w.requests.create(late);
  await w.drift.sweep();
  expect((await w.requests.get(late.id))!.state).toBe('pending');

  w.clock.advance(60_000);
  w.setCluster(true);
  await w.drift.sweep();
  expect((await w.requests.get(w.original.id))!.access?.clusterGoneAt).toBeUndefined();
  expect((await w.requests.get(late.id))!.state).toBe('pending');
});

test("an extension the close left pending expires at its deadline as the close would have, in the note's words", async () => {
  const w = await world();
  w.clock.advance(60_000);
  w.setCluster(false);
  await w.drift.sweep();
  const noted = (await w.requests.get(w.original.id))!;
  // Filed as the note was written: the sweeps after it find the note there and close nothing.
  const late = pendingRequest({
    id: 'R-EXTENSN3',
    plan: w.original.plan,
    extendsRequestId: w.original.id,
    extendsAccess: { endsAt: '2025-03-01T00:00:00.000Z', extendedTimes: 0 },
    access: { durationMs: 7 * 86_400_000 },
  });
  await w.requests.create(late);
  await w.drift.sweep();
  const log = createLogger({ level: 'silent' });
  const told: string[] = [];
  const ports = {
    store: w.requests,
    clock: w.clock,
    auditing: new RequestAudit(w.audit, w.requests, w.clock, log),
    notifier: {
      requestChanged: async (r: Parameters<typeof requesterNewsCard>[0]) =>
        void told.push(JSON.stringify(requesterNewsCard(r, { kind: 'expiredUnapproved' }))),
    },
    log,
  };

  const at = new Date(Date.parse(late.expiresAt) + 1000);
  expect(await expireRequest(ports, (await w.requests.get(late.id))!, at)).toBe(true);

  const goneAt = noted.access!.clusterGoneAt!;
  const expired = (await w.requests.get(late.id))!;
  expect(expired).toMatchObject({ state: 'expired', originalClusterGoneAt: goneAt });
  expect(expired).not.toHaveProperty('originalEnded');
  const entries = (await w.audit.forRequest(late.id)).filter((e) => e.action === 'request.expired');
  expect(entries.map((e) => e.detail)).toEqual([
    `cluster aks-prod no longer exists (seen 2025-01-15 09:16 UTC), so ${w.original.id} gives nothing and cannot be extended; its role assignment is deleted at its end; closed without a decision`,
  ]);
  // Its requester is told why in the note's words, not sent to an `extend` that is refused.
  expect(told).toHaveLength(1);
  expect(told[0]).toContain(`${clusterGoneNote(noted)} Nothing was extended.`);
  expect(told[0]).not.toMatch(/Nobody decided|@acrbot extend/);
});
