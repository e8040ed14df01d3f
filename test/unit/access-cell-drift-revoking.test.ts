/**
 * `access CLUSTER`'s row of a cell whose drifted grants are all being revoked reads "Being
 * revoked", as the tab's row and the request's `access` row do (src/domain/live-drift.ts: a
 * revocation under way says how the access ends, over a drift); one drifted grant not being
 * revoked keeps the cell's drift badge.
 */
import type { EndedGrantPath, InventoryRegistry } from '../../src/domain/access-inventory';
import { BEING_REVOKED_LABEL, DRIFT_LABEL } from '../../src/domain/live-drift';
import { driftedGrant, oneCellCardTexts } from './support/cluster-access-card';
import { grantPlan } from './support/requests';

const registry = grantPlan().registry as InventoryRegistry;
const drifted = (id: string, reason: 'deleted' | 'identityChanged', revokingSince?: string): EndedGrantPath =>
  driftedGrant(id, reason, { requestId: id, ...(revokingSince && { revokingSince }) });
const labels = (paths: EndedGrantPath[]) => oneCellCardTexts(registry, paths);

test.each(['deleted', 'identityChanged'] as const)('a drift %s being revoked reads "Being revoked"', (reason) => {
  const texts = labels([drifted('R-DRIFTED1', reason, '2025-01-15T09:00:00.000Z')]);
  expect(texts).toContain(BEING_REVOKED_LABEL);
  expect(texts).not.toContain(DRIFT_LABEL.removed);
  expect(texts).not.toContain(DRIFT_LABEL.noLongerPulls);
});

test('a drifted grant not being revoked keeps the drift badge', () => {
  // The row of access that ended is badged by its newest end (access-view.ts endedRow): each alone.
  const texts = labels([drifted('R-DRIFTED2', 'identityChanged')]);
  expect(texts).toContain(DRIFT_LABEL.noLongerPulls);
  expect(texts).not.toContain(BEING_REVOKED_LABEL);
});
