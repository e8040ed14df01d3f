/**
 * One role assignment can be a way of pulling in several cells: an AcrPull at resource-group or
 * subscription scope covers every registry there, and one held by a group (or a kubelet identity
 * two clusters share) lets several clusters pull. Each cell shows it, so each of its rows needs a
 * key of its own: the page keeps one row per key (web/src/matrix-loader.ts, which drops the
 * repeats that paging can bring), and rows sharing a key vanished from every cell but one, so the
 * matrix said those clusters could not pull when they could.
 */
import type {
  AccessCell,
  AccessMatrix,
  InventoryCluster,
  InventoryRegistry,
  PullPath,
} from '../../src/domain/access-inventory';
import { matrixRows } from '../../src/tab/tab-rows';
import { loadMatrix } from '../../web/src/matrix-loader';
import { cellKey, gridModel } from '../../web/src/matrix-model';

const SUB = '/subscriptions/s';
const cluster = (name: string): InventoryCluster => ({
  id: `${SUB}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/${name}`,
  name,
  subscriptionId: 's',
  resourceGroup: 'rg-aks',
});
const registry = (name: string): InventoryRegistry => ({
  id: `${SUB}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/${name}`,
  name,
  subscriptionId: 's',
  resourceGroup: 'rg-acr',
  loginServer: `${name}.azurecr.io`,
  roleAssignmentMode: 'LegacyRegistryPermissions',
});
const outside = (assignmentId: string, scope: string, scopeLevel: 'resourceGroup' | 'subscription'): PullPath => ({
  kind: 'roleAssignment',
  assignmentId,
  roleGuid: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
  roleName: 'AcrPull',
  scope,
  scopeLevel,
  conditional: false,
  honoured: true,
  origin: 'outside',
  requests: [],
  state: 'active',
});
const cell = (c: InventoryCluster, r: InventoryRegistry, paths: PullPath[]): AccessCell => ({
  cluster: c,
  registry: r,
  state: 'active',
  canPull: true,
  paths,
});

const [aks, aks2] = [cluster('aks-prod'), cluster('aks-batch')];
const [acr1, acr2, acr3] = [registry('acrone'), registry('acrtwo'), registry('acrthree')];
// aks-prod holds AcrPull on the subscription (every registry); aks-batch on rg-acr through a group.
const bySubscription = outside(`${SUB}/providers/Microsoft.Authorization/roleAssignments/ra-sub`, SUB, 'subscription');
const byGroup = outside(
  `${SUB}/resourceGroups/rg-acr/providers/Microsoft.Authorization/roleAssignments/ra-grp`,
  `${SUB}/resourceGroups/rg-acr`,
  'resourceGroup',
);
const matrix: AccessMatrix = {
  clusters: [aks, aks2],
  registries: [acr1, acr2, acr3],
  unresolvedClusters: [],
  generatedAt: '2026-01-01T00:00:00.000Z',
  cells: [
    ...[acr1, acr2, acr3].map((r) => cell(aks, r, [bySubscription])),
    ...[acr1, acr2, acr3].map((r) => cell(aks2, r, [byGroup])),
  ],
};

afterEach(() => jest.restoreAllMocks());

test('an assignment shown in several cells has a key of its own in each', () => {
  const rows = matrixRows(matrix);
  expect(rows).toHaveLength(6);
  expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
});

test('the page shows it in every cell it covers, loaded in one page or several', async () => {
  const rows = matrixRows(matrix);
  for (const pageSize of [rows.length, 2]) {
    jest.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      const offset = Number(new URL(String(input), 'http://tab').searchParams.get('offset'));
      const end = offset + pageSize;
      const page = {
        clusters: offset === 0 ? matrix.clusters : [],
        registries: offset === 0 ? matrix.registries : [],
        unresolvedClusters: [],
        generatedAt: 'g1',
        rows: rows.slice(offset, end),
        total: rows.length,
        offset,
        ...(end < rows.length && { nextOffset: end }),
      };
      return new Response(JSON.stringify(page), { status: 200, headers: { 'Content-Type': 'application/json' } });
    });
    const data = await loadMatrix({ token: async () => 't' });
    expect(data.incomplete).toBeUndefined();
    const grid = gridModel(data, data.rows, false);
    for (const c of [aks, aks2])
      for (const r of [acr1, acr2, acr3])
        expect(grid.cells.get(cellKey(c.id, r.id))?.map((row) => row.how)).toEqual(['outside-role']);
    jest.restoreAllMocks();
  }
});
