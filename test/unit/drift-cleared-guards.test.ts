/**
 * The guards on a drift mark coming off (drift-detector.ts `clear`): the mark stays when the
 * grant's expiry is due (the revocation runs next), when the request moved between the sweep's
 * read and its write (revoking, or marked again), and when the audit entry fails (the mark is put
 * back and the next sweep clears it under the same key). A store failure other than a version
 * conflict fails the run. Memory stores, with the request store wrapped to change one answer
 * (support/drift-guard-world.ts).
 */
import { VersionConflictError } from '../../src/domain/ports';
import { assignmentOf, clusterPulling } from './support/drift-azure';
import {
  driftGuardWorld,
  type DriftGuardWorld,
  grantedRequest,
  guardedPlan as plan,
} from './support/drift-guard-world';

const ID = 'R-CLEARGRD';
const MARKED_AT = '2025-01-15T08:00:00.000Z';

describe('a drift mark coming off: the guards (drift-detector clear)', () => {
  let w: DriftGuardWorld;

  beforeEach(async () => {
    // The change undone: the cluster pulls as the granted identity, the registry honours AcrPull.
    w = await driftGuardWorld(
      ID,
      { expiresAt: '2025-03-01T00:00:00.000Z', driftDetectedAt: MARKED_AT, driftReason: 'identityChanged' },
      clusterPulling(plan, plan.identity.objectId),
    );
  });

  const cleared = async () =>
    (await w.audit.forRequest(ID)).filter((e) => e.action === 'access.drift' && e.outcome === 'cleared');

  test('the sweep clears the mark when nothing stands in the way', async () => {
    await w.drift.sweep();
    expect((await w.store.get(ID))!.access?.driftDetectedAt).toBeUndefined();
    expect(await cleared()).toHaveLength(1);
  });

  test('the expiry job due now but not yet run: the mark stays, no cleared entry', async () => {
    await w.expireDueNow();
    await w.drift.sweep();
    expect((await w.store.get(ID))!.access).toMatchObject({
      driftDetectedAt: MARKED_AT,
      driftReason: 'identityChanged',
    });
    expect(await cleared()).toEqual([]);
  });

  test('the request re-read already revoking: nothing written, no entry', async () => {
    expect(
      await w.sweepRereading((r) => ({ ...r, access: { ...r.access!, revokingSince: w.clock.now().toISOString() } })),
    ).toBe(false);
    expect(await cleared()).toEqual([]);
  });

  test('the request re-read marked again since the sweep read it: left for the next sweep', async () => {
    expect(
      await w.sweepRereading((r) => ({ ...r, access: { ...r.access!, driftDetectedAt: w.clock.now().toISOString() } })),
    ).toBe(false);
    expect(await cleared()).toEqual([]);
  });

  test('the store failing with anything but a version conflict: the run fails, the mark stays', async () => {
    w.nextUpdateError = new Error('table storage unavailable');
    await expect(w.drift.sweep()).rejects.toThrow();
    expect((await w.store.get(ID))!.access?.driftDetectedAt).toBe(MARKED_AT);
    expect(await cleared()).toEqual([]);
  });

  test('another instance moving the request first (a version conflict): the sweep goes on, the mark stays, no entry', async () => {
    w.nextUpdateError = new VersionConflictError(ID);
    await expect(w.drift.sweep()).resolves.toEqual([]);
    expect((await w.store.get(ID))!.access).toMatchObject({
      driftDetectedAt: MARKED_AT,
      driftReason: 'identityChanged',
    });
    expect(await cleared()).toEqual([]);
  });

  test('a drift mark losing its write to another instance: record() marks nothing, no entry', async () => {
    const OTHER = 'R-MARKCONF';
    await w.store.create(grantedRequest(OTHER, { expiresAt: '2025-03-01T00:00:00.000Z' }));
    w.nextUpdateError = new VersionConflictError(OTHER);
    const finding = { requestId: OTHER, assignmentId: assignmentOf(plan).id, kind: 'deleted' as const, detail: 'gone' };
    expect(await w.drift.record([finding], 'sweeper')).toEqual([]);
    expect((await w.store.get(OTHER))!.access?.driftDetectedAt).toBeUndefined();
    expect(await w.audit.forRequest(OTHER)).toEqual([]);
  });

  test('the cleared entry failing: the mark is put back, the next sweep clears it under the same key', async () => {
    const append = w.audit.append.bind(w.audit);
    w.audit.append = async (event) => {
      if (event.idempotencyKey === `access.drift:${ID}:cleared`) throw new Error('audit store unavailable');
      return append(event);
    };
    await expect(w.drift.sweep()).rejects.toThrow(/could not audit the drift mark/);
    expect((await w.store.get(ID))!.access).toMatchObject({
      driftDetectedAt: MARKED_AT,
      driftReason: 'identityChanged',
    });
    w.audit.append = append;

    await w.drift.sweep();
    expect((await w.store.get(ID))!.access?.driftDetectedAt).toBeUndefined();
    expect((await cleared()).map((e) => e.idempotencyKey)).toEqual([`access.drift:${ID}:cleared`]);
  });
});
