/**
 * A drift mark stored without its `access.drift` entry (drift-entry-net.ts, run by the net for
 * half-done decisions): the drift check stores the mark, then appends its entry; a process killed
 * in between left the mark with no entry, and the drift check never looks at a marked grant
 * again. The net's next pass past the grace writes that entry once, under the detector's key; a
 * mark audited by its own process gets none, and a detector's append slow past the grace lands
 * on the net's entry. Real memory stores with conditional writes and the real DriftDetector.
 */
import type { AuditEvent } from '../../src/domain/audit-chain';
import { LISTING_LAG_GRACE_MS } from '../../src/domain/listing-lag';
import type { AccessRequest } from '../../src/domain/request';
import { DriftDetector } from '../../src/flows/drift-detector';
import { driftEntryKey } from '../../src/flows/drift-entry-net';
import { CLICK_GRACE_MS, DecisionNet } from '../../src/flows/review-reject-net';
import { MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { FakeClock } from './support/fake-clock';
import { pendingRequest } from './support/requests';

const ID = 'R-7K2M9QXA';

/** A permanent grant whose assignment is gone from the registry, past the listing's lag; the detector and the net on it. */
async function setup() {
  const clock = new FakeClock();
  clock.advance(LISTING_LAG_GRACE_MS);
  const requests = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  await requests.create(pendingRequest({ state: 'succeeded', outcome: { summary: 'Granted', azureRequestIds: [] } }));
  const log = createLogger({ level: 'silent' });
  const detector = new DriftDetector(
    {
      requests,
      audit,
      roleAssignments: { listAssignedToAt: async () => [] },
      resources: {
        getCluster: async () => {
          throw new Error('no cluster read');
        },
        getRegistry: async () => {
          throw new Error('no registry read');
        },
      },
      schedule: new MemoryScheduleStore(),
      clock,
    },
    { requestChanged: async () => undefined },
    log,
    60_000,
  );
  /** The net of one instance (a fresh one is a next start's). */
  const net = () =>
    new DecisionNet({
      store: requests,
      audit,
      clock,
      log,
      reviewJobId: (id) => `breakglass.review:${id}`,
      reviewEntry: () => {
        throw new Error('no break-glass review here');
      },
      revoke: async () => false,
    });
  const drifts = async () => (await audit.forRequest(ID)).filter((e) => e.action === 'access.drift');
  return { clock, requests, audit, detector, net, drifts };
}

/**
 * The sweep marks the grant and its process dies as the entry is appended: nothing after that
 * point runs (no entry, no undo of the mark). Answers the stored, marked request.
 */
async function sweepDiesBeforeItsEntry(t: Awaited<ReturnType<typeof setup>>): Promise<AccessRequest> {
  let dead = false;
  const append = t.audit.append.bind(t.audit);
  const update = t.requests.update.bind(t.requests);
  const appends = jest.spyOn(t.audit, 'append').mockImplementation(async (event: AuditEvent) => {
    if (event.action !== 'access.drift') return append(event);
    dead = true;
    throw new Error('the process died here');
  });
  const updates = jest.spyOn(t.requests, 'update').mockImplementation(async (next) => {
    if (dead) throw new Error('the process is dead');
    return update(next);
  });
  await expect(t.detector.sweep()).rejects.toThrow();
  appends.mockRestore();
  updates.mockRestore();
  const left = (await t.requests.get(ID))!;
  expect(left.access).toMatchObject({ driftReason: 'deleted', driftDetectedAt: expect.any(String) });
  expect(await t.drifts()).toEqual([]);
  return left;
}

test('a drift mark stored without its entry gets exactly one, from the next pass past the grace', async () => {
  const t = await setup();
  const left = await sweepDiesBeforeItsEntry(t);

  // The drift check skips a marked grant: it never writes the entry.
  expect(await t.detector.sweep()).toEqual([]);
  expect(await t.drifts()).toEqual([]);

  // Moments later the sweep's own process may still be writing it: left alone.
  const net = t.net();
  expect((await net.pass()).drifts).toEqual([]);
  expect(await t.drifts()).toEqual([]);

  t.clock.advance(CLICK_GRACE_MS);
  expect((await net.pass()).drifts).toEqual([ID]);
  expect(await t.drifts()).toEqual([
    expect.objectContaining({
      actor: { objectId: 'acrbot', name: 'acrbot' },
      outcome: 'deleted',
      idempotencyKey: driftEntryKey({ id: ID, access: {} }),
      detail: expect.stringContaining(`the drift was stored at ${left.access!.driftDetectedAt}`),
    }),
  ]);
  expect((await t.requests.get(ID))!.access).toMatchObject({ driftDetectedAt: left.access!.driftDetectedAt });

  // Audited: a later pass, a next start's net and the drift check write nothing more.
  expect((await net.pass()).drifts).toEqual([]);
  expect((await t.net().pass()).drifts).toEqual([]);
  expect(await t.detector.sweep()).toEqual([]);
  expect(await t.drifts()).toHaveLength(1);
});

test('a drift mark audited by its own sweep gets no second entry, and is not written again', async () => {
  const t = await setup();
  expect((await t.detector.sweep()).map((r) => r.id)).toEqual([ID]);
  const stored = (await t.requests.get(ID))!;
  expect(await t.drifts()).toEqual([
    expect.objectContaining({
      idempotencyKey: driftEntryKey({ id: ID, access: {} }),
      detail: expect.stringMatching(/noticed by sweeper/),
    }),
  ]);

  t.clock.advance(CLICK_GRACE_MS);
  expect((await t.net().pass()).drifts).toEqual([]);
  expect(await t.drifts()).toHaveLength(1);
  expect((await t.requests.get(ID))!.version).toBe(stored.version);
});

test("a sweep's append slow past the grace lands on the net's entry: one entry, and the mark stands", async () => {
  const t = await setup();
  const append = t.audit.append.bind(t.audit);
  let first = true;
  jest.spyOn(t.audit, 'append').mockImplementation(async (event: AuditEvent) => {
    if (event.action === 'access.drift' && first) {
      first = false;
      // The append stalls; a start elsewhere runs once the grace is over.
      t.clock.advance(CLICK_GRACE_MS);
      expect((await t.net().pass()).drifts).toEqual([ID]);
    }
    return append(event);
  });
  expect((await t.detector.sweep()).map((r) => r.id)).toEqual([ID]);
  expect(await t.drifts()).toEqual([expect.objectContaining({ detail: expect.stringMatching(/^written late/) })]);
  expect((await t.requests.get(ID))!.access?.driftDetectedAt).toBeDefined();
});
