/**
 * The guards on a cluster-gone note (drift-detector.ts `noteClusterGone`): the note is written
 * only on a live grant as the sweep read it (not one revoking, nor one noted meanwhile by another
 * instance), not when its expiry is due (the revocation runs next), and each note has its own
 * `access.clusterGone` entry naming the grant's role assignment. Memory stores, with the request
 * store wrapped to change one answer, and a cluster read that answers "gone" (undefined) at will
 * (support/drift-guard-world.ts).
 */
import { assignmentOf, clusterPulling } from './support/drift-azure';
import { driftGuardWorld, type DriftGuardWorld, guardedPlan as plan } from './support/drift-guard-world';

const ID = 'R-GONEGRD';
const KEY = `access.clusterGone:${ID}`;

describe('a cluster-gone note: the guards (drift-detector noteClusterGone)', () => {
  let w: DriftGuardWorld;

  beforeEach(async () => {
    w = await driftGuardWorld(ID, { expiresAt: '2025-03-01T00:00:00.000Z' }, undefined);
  });

  const entries = async () => (await w.audit.forRequest(ID)).filter((e) => e.action === 'access.clusterGone');

  test('the cluster gone: noted once, its entry names the role assignment', async () => {
    await w.drift.sweep();
    expect((await w.store.get(ID))!.access?.clusterGoneAt).toBe(w.clock.now().toISOString());
    const [entry, ...more] = await entries();
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ idempotencyKey: KEY, outcome: 'noted', targetIds: [assignmentOf(plan).id] });
  });

  test('the request re-read already revoking: nothing written, no entry', async () => {
    expect(
      await w.sweepRereading((r) => ({ ...r, access: { ...r.access!, revokingSince: w.clock.now().toISOString() } })),
    ).toBe(false);
    expect(await entries()).toEqual([]);
  });

  test('the request re-read noted meanwhile by another instance: nothing written, no entry', async () => {
    expect(
      await w.sweepRereading((r) => ({ ...r, access: { ...r.access!, clusterGoneAt: '2025-01-01T00:00:00.000Z' } })),
    ).toBe(false);
    expect(await entries()).toEqual([]);
  });

  test('the expiry job due now but not yet run: no note, no entry', async () => {
    await w.expireDueNow();
    await w.drift.sweep();
    expect((await w.store.get(ID))!.access?.clusterGoneAt).toBeUndefined();
    expect(await entries()).toEqual([]);
  });

  test('gone, back, gone again: each note and its clearing under its own key', async () => {
    await w.drift.sweep();
    w.clock.advance(60_000);
    w.cluster = clusterPulling(plan, plan.identity.objectId);
    await w.drift.sweep();
    expect((await w.store.get(ID))!.access?.clusterGoneAt).toBeUndefined();
    w.clock.advance(60_000);
    w.cluster = undefined;
    await w.drift.sweep();

    expect((await w.store.get(ID))!.access?.clusterGoneAt).toBe(w.clock.now().toISOString());
    expect((await entries()).map((e) => [e.outcome, e.idempotencyKey])).toEqual([
      ['noted', KEY],
      ['cleared', `${KEY}:cleared`],
      ['noted', `${KEY}:2`],
    ]);
  });
});
