/**
 * `access CLUSTER`'s and `access REGISTRY`'s row of a cell whose every way of pulling goes with a
 * revocation under way reads "Being revoked", not "Active", as the tab's matrix row of each does
 * (src/domain/live-drift.ts: a revocation under way says how the access ends), drifted or not.
 * A way that stays after it (another grant behind the same assignment, one made outside acrbot)
 * keeps the cell's own state.
 */
import type { AccessCell, InventoryRegistry, PullPath } from '../../src/domain/access-inventory';
import { cellOf } from '../../src/domain/access-inventory';
import { BEING_REVOKED_LABEL } from '../../src/domain/live-drift';
import { matrixRows } from '../../src/tab/tab-rows';
import { registryAccessCard } from '../../src/views/access-view';
import { cardTexts } from '../helpers/capturing-connector';
import { oneCellCardTexts } from './support/cluster-access-card';
import { ASSIGNMENTS, acrbotRole, inventoryCluster, requestRef } from './support/inventory-fixtures';
import { grantPlan } from './support/requests';

const registry = grantPlan().registry as InventoryRegistry;
const GENERATED = '2025-01-15T10:00:00.000Z';
const REVOKING = '2025-01-15T09:00:00.000Z';
const revoking = (requestId = 'R-AAAAAAA1') => requestRef({ requestId, revokingSince: REVOKING });

/** The cell of aks-a and the registry with `paths`, and the texts of its `access CLUSTER` and `access REGISTRY` cards. */
function cardsOf(paths: PullPath[]): { cell: AccessCell; texts: string[][] } {
  const cell = cellOf(inventoryCluster('aks-a'), registry, paths);
  const byRegistry = registryAccessCard(
    { registry, cells: [cell], unresolvedClusters: [], generatedAt: GENERATED },
    false,
  );
  return { cell, texts: [oneCellCardTexts(registry, paths), cardTexts(byRegistry.body)] };
}

/** The tab's matrix rows' states for the cell. */
const tabStates = (cell: AccessCell) =>
  matrixRows({ clusters: [], registries: [], cells: [cell], unresolvedClusters: [], generatedAt: GENERATED }).map(
    (r) => r.state,
  );

test('a live grant being revoked reads "Being revoked" on both cards, as its tab row does', () => {
  const { cell, texts } = cardsOf([acrbotRole({ requests: [revoking()] })]);
  expect(tabStates(cell)).toEqual(['revoking']);
  for (const t of texts) {
    expect(t).toContain(BEING_REVOKED_LABEL);
    expect(t).not.toContain('Active');
  }
});

test('a pull secret being revoked reads "Being revoked" too', () => {
  const secret: PullPath = {
    kind: 'pullSecret',
    namespace: 'payments',
    secretName: 'acr-auth',
    credentialKind: 'token',
    request: revoking('R-SECRET01'),
    state: 'active',
  };
  const { cell, texts } = cardsOf([secret]);
  expect(tabStates(cell)).toEqual(['revoking']);
  for (const t of texts) expect(t).toContain(BEING_REVOKED_LABEL);
});

test('another grant behind the same assignment, or a way made outside acrbot, keeps the cell Active', () => {
  const shared = acrbotRole({ requests: [revoking(), requestRef({ requestId: 'R-AAAAAAA2' })] });
  const outside = acrbotRole({ assignmentId: `${ASSIGNMENTS}/9`, origin: 'outside', requests: [] });
  for (const paths of [[shared], [acrbotRole({ requests: [revoking()] }), outside]]) {
    const { texts } = cardsOf(paths);
    for (const t of texts) {
      expect(t).toContain('Active');
      expect(t).not.toContain(BEING_REVOKED_LABEL);
    }
  }
});
