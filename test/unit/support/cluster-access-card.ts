/**
 * `access CLUSTER`'s card (src/views/access-view.ts) of one cell, cluster aks-a and a registry, as
 * the access card tests draw it from the fixtures of ./inventory-fixtures.ts, and the drifted
 * grant they badge; each test builds only the registry and ways of pulling it is about.
 */
import type { AcrbotRequestRef, EndedGrantPath, InventoryRegistry } from '../../../src/domain/access-inventory';
import { cellOf } from '../../../src/domain/access-inventory';
import type { DriftReason } from '../../../src/domain/drift-reason';
import { clusterAccessCard } from '../../../src/views/access-view';
import { cardTexts } from '../../helpers/capturing-connector';
import { ASSIGNMENTS, inventoryCluster, requestRef } from './inventory-fixtures';
import { REGISTRY_ID, grantPlan } from './requests';

/** The card of cluster aks-a (with the fixtures' identity) whose one cell is `registry` with `paths`, as of 2025-01-15 10:00 UTC. */
export const oneCellClusterCard = (registry: InventoryRegistry, paths: Parameters<typeof cellOf>[2]) =>
  clusterAccessCard(
    {
      cluster: inventoryCluster('aks-a'),
      identity: grantPlan().identity,
      cells: [cellOf(inventoryCluster('aks-a'), registry, paths)],
      generatedAt: '2025-01-15T10:00:00.000Z',
    },
    false,
  );

/** The texts of {@link oneCellClusterCard}'s body (its labels, badges and lines). */
export const oneCellCardTexts = (registry: InventoryRegistry, paths: Parameters<typeof cellOf>[2]) =>
  cardTexts(oneCellClusterCard(registry, paths).body);

/**
 * AcrPull on the registry (assignment `assignment`) of a grant the drift check marked drifted for
 * `driftReason` on 2025-01-12 10:00 UTC, as the inventory lists it (an ended-grant path); `over`
 * changes its request.
 */
export const driftedGrant = (
  assignment: string,
  driftReason: DriftReason,
  over: Partial<AcrbotRequestRef> = {},
): EndedGrantPath => ({
  kind: 'endedGrant',
  assignmentId: `${ASSIGNMENTS}/${assignment}`,
  roleName: 'AcrPull',
  scope: REGISTRY_ID,
  request: requestRef({ state: 'drifted', driftDetectedAt: '2025-01-12T10:00:00.000Z', driftReason, ...over }),
  state: 'drifted',
});
