/**
 * A drift (the grant's role assignment removed outside acrbot, seen by the sweep) closes the
 * extensions of that access still waiting for approval, as its end does (close-pending-extensions.ts):
 * approving one could only fail (extend.drifted), so they do not wait out their own deadline with
 * approvers asked about access that no longer gives pull. Each expires recorded as drifted,
 * audited as its own expiry would say it, its jobs cancelled and every copy of its card updated
 * (its requester's "Closed without a decision", sending them to a new grant, never to `extend`).
 * Other pending requests on the pair are left alone. Through the real DriftDetector on memory stores.
 */
import type { ClusterInfo } from '../../src/domain/azure-model';
import { LISTING_LAG_GRACE_MS } from '../../src/domain/listing-lag';
import type { AccessRequest } from '../../src/domain/request';
import { DriftDetector } from '../../src/flows/drift-detector';
import { requestExpiryJobId } from '../../src/flows/request-jobs';
import { MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { requesterNewsCard } from '../../src/views/lifecycle-view';
import { requestCard } from '../../src/views/request-view';
import { describeState } from '../../src/domain/request';
import { assignmentOf, clusterPulling, registryIn } from './support/drift-azure';
import { FakeClock } from './support/fake-clock';
import { grantPlan, pendingRequest } from './support/requests';

async function world() {
  const plan = grantPlan();
  const clock = new FakeClock();
  const requests = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  const schedule = new MemoryScheduleStore();
  let assignments = [assignmentOf(plan)];
  const cardUpdates: string[] = [];
  const drift = new DriftDetector(
    {
      requests,
      audit,
      roleAssignments: {
        listAssignedToAt: async (_scope, objectId) => assignments.filter((a) => a.principalId === objectId),
      },
      resources: {
        getCluster: async () => clusterPulling(plan, plan.identity.objectId) as ClusterInfo,
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
  // The grant is past the listing's lag (listing-lag.ts); the extension was filed since.
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
  // Someone else's new request for the same pair, and an extension of another grant on it.
  const other = pendingRequest({ id: 'R-OTHERNEW', plan });
  const elsewhere = pendingRequest({ id: 'R-EXTENSN2', plan, extendsRequestId: 'R-BBBBBBBB' });
  for (const r of [extension, other, elsewhere]) await requests.create(r);
  await schedule.put({
    id: requestExpiryJobId(extension.id),
    kind: 'request.expire',
    dueAt: extension.expiresAt,
    requestId: extension.id,
    attempts: 0,
  });
  const removeAssignment = () => void (assignments = []);
  return { clock, requests, audit, schedule, drift, cardUpdates, original, extension, removeAssignment };
}

test("the sweep that marks a grant drifted closes its pending extension, as the grant's end does", async () => {
  const w = await world();
  w.clock.advance(60_000);
  w.removeAssignment();

  const marked = await w.drift.sweep();

  expect(marked.map((r) => r.id)).toEqual([w.original.id]);
  const closed = (await w.requests.get(w.extension.id))!;
  expect(closed).toMatchObject({ state: 'expired', originalDrifted: true });
  expect(closed).not.toHaveProperty('originalEnded');
  // Audited as its own expiry would say it, once.
  const entries = (await w.audit.forRequest(w.extension.id)).filter((e) => e.action === 'request.expired');
  expect(entries).toHaveLength(1);
  expect(entries[0]).toMatchObject({ outcome: 'expired', actor: expect.objectContaining({ objectId: 'acrbot' }) });
  expect(entries[0].detail).toBe(
    `the access it extends (${w.original.id}) was removed or changed outside acrbot, or no longer serves (drift seen 2025-01-15 09:16 UTC); closed without a decision`,
  );
  // Its jobs go; its cards (requester's and approvers') are redrawn as an expiry's.
  expect(await w.schedule.get(requestExpiryJobId(w.extension.id))).toBeUndefined();
  expect(w.cardUpdates).toEqual([`${w.original.id} succeeded markOnly`, `${w.extension.id} expired`]);
  // The requester is sent to a new grant, as `extend` of the drifted original is refused.
  const news = JSON.stringify(requesterNewsCard(closed, { kind: 'expiredUnapproved' }));
  expect(news).toContain(
    `The access it extends (${w.original.id}) no longer lets aks-prod pull from contosoacr (its role assignment was removed or changed outside acrbot, or no longer serves), so it cannot be extended and nothing was extended. If you still need the access, make a new request:`,
  );
  expect(news).not.toContain('@acrbot extend');
  // Closed by acrbot when the drift was seen, maybe days before its deadline: not "Expired".
  expect(news).toContain(`Closed without a decision: ${w.extension.id}`);
  expect(news).not.toContain('Expired');
  for (const showActions of [true, false]) {
    const card = JSON.stringify(requestCard(closed, { showActions }));
    expect(card).toContain('"Closed"');
    expect(card).toContain(
      `Closed without a decision: the access it extends (${w.original.id}) was removed or changed outside acrbot, or no longer serves.`,
    );
    expect(card).not.toMatch(/Expired|expired without/);
  }
  // Other expired requests keep their words.
  const unanswered = { ...closed, originalDrifted: undefined, originalWentOn: true as const };
  expect(describeState(unanswered)).toBe('expired without a decision');
  expect(JSON.stringify(requesterNewsCard(unanswered, { kind: 'expiredUnapproved' }))).toContain(
    `Expired without a decision: ${w.extension.id}`,
  );
  expect(JSON.stringify(requestCard(unanswered, { showActions: false }))).toContain('"Expired"');
  // Nothing else on the pair is touched.
  expect((await w.requests.get('R-OTHERNEW'))!.state).toBe('pending');
  expect((await w.requests.get('R-EXTENSN2'))!.state).toBe('pending');
});

test('a drift recorded twice closes nothing a second time; an extension decided meanwhile is left as it is', async () => {
  const w = await world();
  const approved: AccessRequest = {
    ...w.extension,
    version: w.extension.version + 1,
    state: 'approved',
    decision: { by: { objectId: 'ap', name: 'Alex' }, at: w.clock.now().toISOString(), approved: true },
  };
  await w.requests.update(approved);
  w.clock.advance(60_000);
  w.removeAssignment();

  await w.drift.sweep();
  await w.drift.sweep();

  expect((await w.requests.get(w.extension.id))!.state).toBe('approved');
  expect((await w.audit.forRequest(w.extension.id)).filter((e) => e.action === 'request.expired')).toEqual([]);
});
