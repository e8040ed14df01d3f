/**
 * driftedOnPair: which of a pair's running grants a new grant's approvers are told drifted. The
 * lifecycle's rule (made-again-since-drift.ts): an assignment deleted or changed outside acrbot,
 * or a drift recorded before reasons were (worded "removed", as cards word it); not an intact
 * assignment that no longer serves (`identityChanged`, `modeChanged`).
 */
import type { DriftReason } from '../../src/domain/drift-reason';
import { driftedOnPair } from '../../src/flows/request-gate';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { grantPlan, pendingRequest } from './support/requests';

/** A running grant of the pair, drifted at `at` for `reason` (none: recorded before reasons were). */
function drifted(id: string, at: string, reason?: DriftReason) {
  return pendingRequest({
    id,
    state: 'succeeded',
    access: { durationMs: 3_600_000, driftDetectedAt: at, ...(reason && { driftReason: reason }) },
  });
}

test('a drift recorded without a reason is told, as removed; an intact assignment is not', async () => {
  const store = new MemoryRequestStore();
  for (const r of [
    drifted('R-NOREASON', '2025-01-14T08:30:00.000Z'),
    drifted('R-CHANGED1', '2025-01-13T07:15:00.000Z', 'changed'),
    drifted('R-IDENTITY', '2025-01-14T09:00:00.000Z', 'identityChanged'),
    drifted('R-MODECHNG', '2025-01-14T09:00:00.000Z', 'modeChanged'),
  ])
    await store.create(r);
  expect(await driftedOnPair(store, grantPlan())).toEqual([
    { requestId: 'R-NOREASON', driftDetectedAt: '2025-01-14T08:30:00.000Z', driftReason: 'deleted' },
    { requestId: 'R-CHANGED1', driftDetectedAt: '2025-01-13T07:15:00.000Z', driftReason: 'changed' },
  ]);
});
