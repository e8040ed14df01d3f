/**
 * `access` (chat and the tab's cells) and `check` read the registry's network the same way: an
 * unreachable registry gives no cluster pull, whatever its roles; anonymous pull gives every
 * cluster that reaches it pull, with no role.
 */
import { buildCells, type AccessCell, type InventoryRegistry } from '../../src/domain/access-inventory';
import type { RegistryInfo, RegistryNetwork, RoleAssignmentInfo } from '../../src/domain/azure-model';
import { diagnosePull } from '../../src/domain/pull-diagnosis';
import { toRegistry } from '../../src/flows/access-inventory';
import { clusterAccessCard, registryAccessCard } from '../../src/views/access-view';
import { matrixRows } from '../../src/tab/tab-rows';
import { cluster, identity, KUBELET, NOW, open, registry, SUB, ACR_PULL } from './support/pull-diagnosis-fixtures';

const NAME = 'aaaaaaaa-0000-4000-8000-000000000001';
/** AcrPull for the kubelet identity on the registry, granted outside acrbot. */
const acrPull: RoleAssignmentInfo = {
  id: `${registry.id}/providers/Microsoft.Authorization/roleAssignments/${NAME}`,
  name: NAME,
  scope: registry.id,
  roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${ACR_PULL.guid}`,
  principalId: KUBELET,
  principalType: 'ServicePrincipal',
  listedIn: [SUB],
};

/** The registry as the flow hands it to the inventory, with `network`. */
function withNetwork(network: RegistryNetwork): InventoryRegistry {
  return toRegistry({ ...(registry as RegistryInfo), network });
}

function cellsFor(reg: InventoryRegistry, assignments: RoleAssignmentInfo[]): AccessCell[] {
  return buildCells({
    clusters: [{ cluster, identity }],
    registries: [reg],
    assignmentsByIdentity: new Map([[KUBELET, assignments]]),
    roles: new Map([[ACR_PULL.guid, ACR_PULL]]),
    requests: [],
    now: NOW,
  });
}

const text = (card: unknown) => JSON.stringify(card);

test('the inventory registry carries the network the flow read', () => {
  const network = { ...open, publicNetworkAccess: 'Disabled' };
  expect(withNetwork(network).network).toEqual(network);
});

test('public access disabled and no private endpoint: access says it cannot pull, as check does, in check words', () => {
  const reg = withNetwork({ ...open, publicNetworkAccess: 'Disabled' });
  const [cell] = cellsFor(reg, [acrPull]);
  const d = diagnosePull({ cluster, registry: reg, identity, cell, now: NOW });
  expect(d.canPull).toBe(false);
  expect(cell.canPull).toBe(d.canPull);
  const why =
    'Public network access to contosoacr is disabled and it has no approved private endpoint, so nothing can reach it.';
  expect(cell.unreachable).toBe(why);
  expect(d.findings).toContainEqual({ topic: 'network', level: 'fail', text: why });
  const card = text(clusterAccessCard({ cluster, identity, cells: [cell], generatedAt: NOW.toISOString() }, false));
  expect(card).toContain('Registry unreachable');
  expect(card).not.toContain('"Active"');
  expect(card).toContain(why);
});

test('a firewall that denies every address, with no private endpoint, is unreachable too', () => {
  const reg = withNetwork({ ...open, defaultAction: 'Deny' });
  const [cell] = cellsFor(reg, [acrPull]);
  expect(cell.canPull).toBe(false);
  expect(cell.unreachable).toContain('denies by default and allows no IP range');
});

test('reachable through a private endpoint: the roles count', () => {
  const reg = withNetwork({ ...open, publicNetworkAccess: 'Disabled', privateEndpoints: 1 });
  const [cell] = cellsFor(reg, [acrPull]);
  expect(cell.canPull).toBe(true);
  expect(cell.unreachable).toBeUndefined();
});

test('anonymous pull and no role: access REGISTRY does not say no cluster can pull', () => {
  const reg = withNetwork({ ...open, anonymousPullEnabled: true });
  const d = diagnosePull({ cluster, registry: reg, identity, now: NOW });
  expect(d.canPull).toBe(true);
  const card = text(
    registryAccessCard({ registry: reg, cells: [], unresolvedClusters: [], generatedAt: NOW.toISOString() }, false),
  );
  expect(card).not.toContain('can pull from contosoacr.');
  expect(card).toContain(
    'Anonymous pull is enabled: anyone who can reach contosoacr.azurecr.io can pull without a role.',
  );
});

test('anonymous pull and no role: access CLUSTER lists the registry instead of telling the user to grant', () => {
  const reg = withNetwork({ ...open, anonymousPullEnabled: true });
  const card = text(
    clusterAccessCard(
      { cluster, identity, cells: cellsFor(reg, []), anonymousRegistries: [reg], generatedAt: NOW.toISOString() },
      false,
    ),
  );
  expect(card).not.toContain('cannot pull from any registry');
  expect(card).toContain('Anonymous pull');
  expect(card).toContain('anyone who can reach contosoacr.azurecr.io can pull without a role');
});

test('anonymous pull on a registry nothing can reach gives no pull, as check says', () => {
  const reg = withNetwork({ ...open, publicNetworkAccess: 'Disabled', anonymousPullEnabled: true });
  expect(diagnosePull({ cluster, registry: reg, identity, now: NOW }).canPull).toBe(false);
  const card = text(
    registryAccessCard({ registry: reg, cells: [], unresolvedClusters: [], generatedAt: NOW.toISOString() }, false),
  );
  expect(card).toContain('No cluster in the subscriptions acrbot manages can pull from contosoacr.');
  expect(card).not.toContain('can pull anonymously');
});

test("the tab's rows carry the same words: unreachable says it does not pull, anonymous pull is named", () => {
  const closed = withNetwork({ ...open, publicNetworkAccess: 'Disabled' });
  const [closedCell] = cellsFor(closed, [acrPull]);
  const matrix = (cell: AccessCell) => ({
    clusters: [cluster],
    registries: [cell.registry],
    unresolvedClusters: [],
    generatedAt: NOW.toISOString(),
    cells: [cell],
  });
  const [closedRow] = matrixRows(matrix(closedCell!));
  expect(closedRow!.notes).toContain(`does not pull: ${closedCell!.unreachable}`);
  const anonymous = withNetwork({ ...open, anonymousPullEnabled: true });
  const [anonymousCell] = cellsFor(anonymous, [acrPull]);
  const [anonymousRow] = matrixRows(matrix(anonymousCell!));
  expect(anonymousRow!.notes).toContain(anonymousCell!.anonymousPull);
});

test('a firewall that denies by default but lets virtual network subnets in is not unreachable', () => {
  const reg = withNetwork({ ...open, defaultAction: 'Deny', vnetRuleCount: 2 });
  const [cell] = cellsFor(reg, [acrPull]);
  expect(cell!.canPull).toBe(true);
  expect(cell!.unreachable).toBeUndefined();
  const d = diagnosePull({ cluster, registry: reg, identity, cell, now: NOW });
  expect(d.findings).toContainEqual({
    topic: 'network',
    level: 'warn',
    text: "The registry firewall denies by default and allows 0 IP ranges and 2 virtual network subnets; the cluster's outbound IP, or its nodes' subnet, must be one of them (acrbot cannot see them).",
  });
});
