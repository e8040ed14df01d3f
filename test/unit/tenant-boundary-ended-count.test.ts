/**
 * The tenant boundary and a re-granted assignment's ended requests: cards only count them, but a
 * count of another tenant's would tell how much access that tenant held, so a reader counts only
 * their own.
 */
import { cellOf, type AcrbotRequestRef, type RoleAssignmentPath } from '../../src/domain/access-inventory';
import { originText } from '../../src/domain/pull-diagnosis';
import { cellsShown } from '../../src/domain/tenant-boundary';

const sub = '00000000-0000-4000-8000-000000000001';
const cluster = {
  id: `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-prod`,
  name: 'aks-prod',
  resourceGroup: 'rg',
  subscriptionId: sub,
} as Parameters<typeof cellOf>[0];
const registry = {
  id: `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/contosoacr`,
  name: 'contosoacr',
  resourceGroup: 'rg',
  subscriptionId: sub,
  loginServer: 'contosoacr.azurecr.io',
} as Parameters<typeof cellOf>[1];
const live = {
  requestId: 'R-AAAAAAAA',
  requesterName: 'Riley Requester',
  requesterId: 'a',
  approvedBy: 'Alex Approver',
  state: 'active',
  expiresAt: '2030-01-01T00:00:00.000Z',
} as unknown as AcrbotRequestRef;

function pathWithEnded(endedRequestIds: string[]): RoleAssignmentPath {
  return {
    kind: 'roleAssignment',
    assignmentId: `${registry.id}/providers/Microsoft.Authorization/roleAssignments/ra`,
    roleGuid: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
    roleName: 'AcrPull',
    scope: registry.id,
    scopeLevel: 'registry',
    conditional: false,
    honoured: true,
    origin: 'acrbot',
    requests: [live],
    endedRequestIds,
    state: 'active',
  } as RoleAssignmentPath;
}

test("a reader of one tenant counts only their own tenant's ended requests behind an assignment", () => {
  const cell = cellOf(cluster, registry, [pathWithEnded(['R-BBBBBBB1', 'R-BBBBBBB2', 'R-AAAAAAA0'])]);
  const own = new Set(['R-AAAAAAAA', 'R-AAAAAAA0']);
  const [shown] = cellsShown([cell], (id) => own.has(id));
  expect(originText(shown!.paths[0]!)).toMatch(/\b1 earlier acrbot request for it ended/);
  expect(originText(shown!.paths[0]!)).not.toMatch(/\b3 earlier/);
});

test("with none of the reader's own among the ended, no count is shown at all", () => {
  const cell = cellOf(cluster, registry, [pathWithEnded(['R-BBBBBBB1', 'R-BBBBBBB2'])]);
  const [shown] = cellsShown([cell], (id) => id === 'R-AAAAAAAA');
  expect(originText(shown!.paths[0]!)).not.toMatch(/earlier acrbot requests? for it ended/);
});

test('a reader who may see every request keeps the whole count', () => {
  const cell = cellOf(cluster, registry, [pathWithEnded(['R-BBBBBBB1', 'R-BBBBBBB2'])]);
  const [shown] = cellsShown([cell], () => true);
  expect(originText(shown!.paths[0]!)).toMatch(/\b2 earlier acrbot requests for it ended/);
});
