/**
 * The matrix's filters and grid compare resource ids in any case: ARM ids are case-insensitive,
 * the API lists an axis entry once whatever the case, and each row keeps its own spelling.
 */
import { cellKey, cellState, filterRows, gridModel, type MatrixFilters } from '../../web/src/matrix-model';
import type { Row } from '../../web/src/types';

const CLUSTER = '/subscriptions/s1/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-prod';
const REGISTRY = '/subscriptions/s1/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/contosoacr';

const row = (key: string, over: Partial<Row> = {}): Row => ({
  key,
  kind: 'grant',
  how: 'acrbot-role',
  howText: 'AcrPull role on the registry by acrbot',
  state: 'active',
  cluster: { id: CLUSTER, name: 'aks-prod', subscriptionId: 's1' },
  registry: { id: REGISTRY, name: 'contosoacr' },
  approvers: [],
  ...over,
});

// An old request, revoked, spelt as the axis is; a new one, active, whose ids another read spelt otherwise.
const old = row('R-OLD', { state: 'revoked' });
const fresh = row('R-NEW', {
  cluster: {
    id: CLUSTER.replace('resourceGroups/rg-aks', 'resourcegroups/RG-AKS'),
    name: 'aks-prod',
    subscriptionId: 's1',
  },
  registry: { id: REGISTRY.toUpperCase(), name: 'contosoacr' },
});
const axes = { clusters: [old.cluster], registries: [old.registry] };
const none: MatrixFilters = { cluster: '', registry: '', requester: '', state: '', q: '', sort: 'expiry' };

describe('ids in another case', () => {
  test("a row is in its cell though its ids are spelt otherwise than the axis's: the cell shows it active", () => {
    for (const filtered of [false, true]) {
      const grid = gridModel(axes, [old, fresh], filtered);
      expect(grid.clusters).toEqual(axes.clusters);
      expect(grid.registries).toEqual(axes.registries);
      const here = grid.cells.get(cellKey(CLUSTER, REGISTRY));
      expect(here?.map((r) => r.key).sort()).toEqual(['R-NEW', 'R-OLD']);
      expect(cellState(here!)).toBe('active');
    }
    // Filtered to the new row alone, its cluster and registry are still on the grid.
    const only = gridModel(axes, [fresh], true);
    expect(only.clusters).toHaveLength(1);
    expect(only.registries).toHaveLength(1);
    expect(only.cells.get(cellKey(CLUSTER, REGISTRY))).toEqual([fresh]);
  });

  test('the cluster and registry filters (axis ids) keep the rows spelt otherwise', () => {
    const keys = (f: Partial<MatrixFilters>) =>
      filterRows([old, fresh], { ...none, ...f })
        .map((r) => r.key)
        .sort();
    expect(keys({ cluster: CLUSTER })).toEqual(['R-NEW', 'R-OLD']);
    expect(keys({ registry: REGISTRY })).toEqual(['R-NEW', 'R-OLD']);
    expect(keys({ cluster: CLUSTER, registry: REGISTRY, state: 'active' })).toEqual(['R-NEW']);
    expect(keys({ cluster: CLUSTER.replace('aks-prod', 'aks-dev') })).toEqual([]);
  });
});

describe('sort by expiry', () => {
  test('revoking first, then the soonest end, no end, ended last; one end by key', () => {
    const rows = [
      row('R-ENDED', { state: 'revoked', endedAt: '2026-01-01T00:00:00Z' }),
      row('R-NOEND'),
      row('R-LATE', { expiresAt: '2026-03-01T00:00:00Z' }),
      row('R-SOON-B', { expiresAt: '2026-02-01T00:00:00Z' }),
      row('R-SOON-A', { expiresAt: '2026-02-01T00:00:00Z' }),
      row('R-REVOKING', { state: 'revoking', revokingSince: '2026-01-15T00:00:00Z' }),
    ];
    expect(filterRows(rows, none).map((r) => r.key)).toEqual([
      'R-REVOKING',
      'R-SOON-A',
      'R-SOON-B',
      'R-LATE',
      'R-NOEND',
      'R-ENDED',
    ]);
  });
});
