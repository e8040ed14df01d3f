/**
 * A registry whose network lets a cluster in only on a condition acrbot cannot see (a firewall
 * that allows some IP ranges, or public access closed with a private endpoint): `check` warns,
 * and the plan, the approver's card, the outcome's hint, the `access` cards and the tab's rows
 * say the same, so none of them promises a pull that depends on it. Plans stored before the
 * condition was recorded render as they did.
 */
import { buildCells, type AccessCell, type AccessMatrix } from '../../src/domain/access-inventory';
import type { RegistryInfo, RegistryNetwork, RoleAssignmentInfo } from '../../src/domain/azure-model';
import { plannedRegistry, type GrantPlan } from '../../src/domain/plan';
import { diagnosePull } from '../../src/domain/pull-diagnosis';
import { matrixRows } from '../../src/tab/tab-rows';
import { clusterAccessCard, registryAccessCard } from '../../src/views/access-view';
import { outcomeCard, requestCard } from '../../src/views/request-view';
import { cluster, identity, KUBELET, NOW, open, registry, SUB, ACR_PULL } from './support/pull-diagnosis-fixtures';
import { APPROVER, grantPlan, pendingRequest } from './support/requests';

const ipFiltered: RegistryNetwork = { ...open, defaultAction: 'Deny', ipRuleCount: 2 };
const endpointOnly: RegistryNetwork = { ...open, publicNetworkAccess: 'Disabled', privateEndpoints: 1 };
const IP_TEXT =
  "The registry firewall denies by default and allows 2 IP ranges; the cluster's outbound IP must be one of them (acrbot cannot see it).";
const ENDPOINT_TEXT =
  "Public network access is disabled; the nodes must reach contosoacr through its private endpoint: the cluster's network must resolve contosoacr.azurecr.io and its data endpoints (contosoacr.REGION.data.azurecr.io, one per replica region) to it.";

const acrPull: RoleAssignmentInfo = {
  id: `${registry.id}/providers/Microsoft.Authorization/roleAssignments/aaaaaaaa-0000-4000-8000-000000000001`,
  name: 'aaaaaaaa-0000-4000-8000-000000000001',
  scope: registry.id,
  roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${ACR_PULL.guid}`,
  principalId: KUBELET,
  principalType: 'ServicePrincipal',
};
const text = (card: unknown) => JSON.stringify(card);

function cellOn(network: RegistryNetwork): AccessCell {
  const [c] = buildCells({
    clusters: [{ cluster, identity }],
    registries: [{ ...registry, network }],
    assignmentsByIdentity: new Map([[KUBELET, [acrPull]]]),
    roles: new Map([[ACR_PULL.guid, ACR_PULL]]),
    requests: [],
    now: NOW,
  });
  return c;
}

/** A grant plan on a registry whose plan recorded `networkCondition` (undefined: as stored before it was). */
function planWith(networkCondition: string | undefined): GrantPlan {
  const plan = grantPlan();
  return { ...plan, registry: { ...plan.registry, ...(networkCondition && { networkCondition }) } };
}

const granted = (plan: GrantPlan) =>
  pendingRequest({
    plan,
    state: 'succeeded',
    decision: { by: APPROVER, at: '2025-01-15T10:00:00.000Z', approved: true },
    outcome: { summary: 'Granted AcrPull on contosoacr.', azureRequestIds: [] },
  });

test.each([
  ['a firewall with IP rules', ipFiltered, IP_TEXT],
  ['public access closed, one private endpoint', endpointOnly, ENDPOINT_TEXT],
])('%s: the plan records check’s warning', (_name, network, condition) => {
  const planned = plannedRegistry({ ...registry, network } as RegistryInfo);
  expect(planned.networkCondition).toBe(condition);
  expect(planned.unreachable).toBeUndefined();
});

test('an open, closed or unknown network records no condition', () => {
  expect(plannedRegistry({ ...registry, network: open } as RegistryInfo).networkCondition).toBeUndefined();
  const closed = { ...open, publicNetworkAccess: 'Disabled' };
  expect(plannedRegistry({ ...registry, network: closed } as RegistryInfo).networkCondition).toBeUndefined();
  expect(plannedRegistry(registry as RegistryInfo).networkCondition).toBeUndefined();
});

test("the approver's card and the outcome say pods pull only if the network gets through", () => {
  const plan = planWith(IP_TEXT);
  const card = text(requestCard(pendingRequest({ plan }), { showActions: true }));
  expect(card).toContain(
    `When this was requested: ${IP_TEXT} acrbot cannot check that, so this access pulls only if the cluster's network gets through.`,
  );
  const outcome = text(outcomeCard(granted(plan)));
  expect(outcome).toContain(
    "Pods in aks-prod pull from contosoacr.azurecr.io once Azure has applied the role (usually within minutes), but only if the cluster's network reaches the registry; no imagePullSecrets needed.",
  );
  expect(outcome).toContain(`When this was requested: ${IP_TEXT}`);
  expect(outcome).not.toContain('can pull from contosoacr.azurecr.io');
});

test('a plan stored before the condition was recorded renders as before', () => {
  const plan = planWith(undefined);
  expect(text(requestCard(pendingRequest({ plan }), { showActions: true }))).not.toContain('"Network"');
  expect(text(outcomeCard(granted(plan)))).toContain(
    'Pods in aks-prod can pull from contosoacr.azurecr.io once Azure has applied the role (usually within minutes); no imagePullSecrets needed.',
  );
});

test.each([
  ['a firewall with IP rules', ipFiltered, IP_TEXT],
  ['public access closed, one private endpoint', endpointOnly, ENDPOINT_TEXT],
])('%s: the cell, the access cards and the tab carry the condition', (_name, network, condition) => {
  const cell = cellOn(network);
  expect(cell).toMatchObject({ canPull: true, networkCondition: condition });
  const line = `Pulls only if the cluster's network gets through: ${condition}`;
  const generatedAt = NOW.toISOString();
  expect(text(clusterAccessCard({ cluster, identity, cells: [cell], generatedAt }, false))).toContain(line);
  expect(
    text(registryAccessCard({ registry: cell.registry, cells: [cell], unresolvedClusters: [], generatedAt }, false)),
  ).toContain(line);
  const matrix: AccessMatrix = {
    clusters: [cluster],
    registries: [cell.registry],
    cells: [cell],
    unresolvedClusters: [],
    generatedAt,
  };
  expect(matrixRows(matrix)[0].notes).toContain(`pulls only if the cluster's network gets through: ${condition}`);
});

test('an open registry adds no condition anywhere', () => {
  const cell = cellOn(open);
  expect(cell.networkCondition).toBeUndefined();
  expect(
    text(clusterAccessCard({ cluster, identity, cells: [cell], generatedAt: NOW.toISOString() }, false)),
  ).not.toContain('Pulls only if');
});

test("check's verdict hangs on the private endpoint when it is the only way in", () => {
  const cell = cellOn(endpointOnly);
  const d = diagnosePull({ cluster, registry: cell.registry, identity, cell, now: NOW });
  expect(d.verdict).toBe(
    'aks-prod can pull from contosoacr, if its nodes reach it through a private endpoint: AcrPull on the registry itself — granted outside acrbot.',
  );
});
