/**
 * A new grant's look for drifted grants on its pair (driftedOnPair) asks SQLite first whether any
 * of the pair's running grants has a drift recorded (`anyDriftOnTarget`): on a pair with none,
 * no document is read or parsed (docs/performance.md round forty-eight: P8's pairs hold every
 * earlier burst's running grants, each read and parsed by every new grant); on a pair with one,
 * the grants are listed and judged as before, so the approvers are told the same.
 */
import type { DriftReason } from '../../src/domain/drift-reason';
import { driftedOnPair } from '../../src/flows/request-gate';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { openSqlite } from '../../src/integrations/store/sqlite-database';
import { SqliteRequestStore } from '../../src/integrations/store/sqlite-request-store';
import { CLUSTER_ID, grantPlan, pendingRequest, REGISTRY_ID } from './support/requests';

/** A running grant of the pair; drifted at `at` for `reason` when `at` is given. */
function running(id: string, at?: string, reason?: DriftReason) {
  return pendingRequest({
    id,
    state: 'succeeded',
    access: { durationMs: 3_600_000, ...(at && { driftDetectedAt: at }), ...(reason && { driftReason: reason }) },
  });
}

async function sqliteWith(...requests: ReturnType<typeof running>[]) {
  const store = new SqliteRequestStore(openSqlite(':memory:'));
  for (const r of requests) await store.create(r);
  return store;
}

describe('driftedOnPair on SQLite: the pair is listed only when a drift is recorded there', () => {
  test('no drift on the pair: nothing listed, none told', async () => {
    const store = await sqliteWith(running('R-RUNNING1'), running('R-RUNNING2'));
    try {
      const listed = jest.spyOn(store, 'listByTarget');
      expect(await driftedOnPair(store, grantPlan())).toEqual([]);
      expect(listed).not.toHaveBeenCalled();
    } finally {
      await store.close();
    }
  });

  test('a drift on the pair: listed and judged as before, the same as the memory store tells', async () => {
    const grants = [
      running('R-RUNNING1'),
      running('R-CHANGED1', '2025-01-13T07:15:00.000Z', 'changed'),
      running('R-IDENTITY', '2025-01-14T09:00:00.000Z', 'identityChanged'),
    ];
    const store = await sqliteWith(...grants);
    const memory = new MemoryRequestStore();
    for (const r of grants) await memory.create(r);
    try {
      const told = await driftedOnPair(store, grantPlan());
      expect(told).toEqual([
        { requestId: 'R-CHANGED1', driftDetectedAt: '2025-01-13T07:15:00.000Z', driftReason: 'changed' },
      ]);
      expect(told).toEqual(await driftedOnPair(memory, grantPlan()));
    } finally {
      await store.close();
    }
  });

  test('anyDriftOnTarget: only the pair and the states asked, ids in any letter case', async () => {
    const elsewhere = pendingRequest({
      id: 'R-ELSEWHER',
      state: 'succeeded',
      plan: { ...grantPlan(), cluster: { ...grantPlan().cluster, id: `${CLUSTER_ID}-2` } },
      access: { durationMs: 3_600_000, driftDetectedAt: '2025-01-13T07:15:00.000Z' },
    });
    const revoked = pendingRequest({
      id: 'R-REVOKED1',
      state: 'revoked',
      access: { durationMs: 3_600_000, driftDetectedAt: '2025-01-13T07:15:00.000Z' },
    });
    const store = await sqliteWith(running('R-RUNNING1'), elsewhere, revoked);
    try {
      expect(await store.anyDriftOnTarget(CLUSTER_ID, REGISTRY_ID, ['succeeded'])).toBe(false);
      expect(await store.anyDriftOnTarget(CLUSTER_ID.toUpperCase(), REGISTRY_ID, ['succeeded', 'revoked'])).toBe(true);
      expect(await store.anyDriftOnTarget(`${CLUSTER_ID}-2`, REGISTRY_ID.toUpperCase(), ['succeeded'])).toBe(true);
      // An id outside ASCII is not sought exactly: said true, so the caller lists as before.
      expect(await store.anyDriftOnTarget(`${CLUSTER_ID}-É`, REGISTRY_ID, ['succeeded'])).toBe(true);
    } finally {
      await store.close();
    }
  });
});
