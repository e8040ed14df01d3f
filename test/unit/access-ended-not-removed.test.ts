/**
 * The inventory's cells for a grant past its end that acrbot has not removed yet, for a pull
 * secret listed on a service account, and for anonymous pull with no way of the cluster's own.
 */
import { anonymousPullRegistries, buildCells, type InventoryRegistry } from '../../src/domain/access-inventory';
import type { RoleAssignmentInfo, RoleDefinitionInfo } from '../../src/domain/azure-model';
import { diagnosePull } from '../../src/domain/pull-diagnosis';
import type { AccessRequest } from '../../src/domain/request';
import { clusterAccessCard, registryAccessCard } from '../../src/views/access-view';
import { grantPlan, pendingRequest, secretPlan } from './support/requests';

const plan = grantPlan();
const KUBELET = plan.identity.objectId;
const cluster = { ...plan.cluster };
const identity = plan.identity;
const registry: InventoryRegistry = { ...plan.registry, roleAssignmentMode: 'LegacyRegistryPermissions' };
const NOW = new Date('2027-01-01T00:00:00Z');
const ROLE_ASSIGNMENT = `${plan.scope}/providers/Microsoft.Authorization/roleAssignments/${plan.roleAssignmentName}`;

function role(guid: string, roleName: string, dataActions: string[], actions: string[] = []): RoleDefinitionInfo {
  return {
    guid,
    roleName,
    roleType: 'BuiltInRole',
    permissions: [{ actions, notActions: [], dataActions, notDataActions: [] }],
  };
}
const ACR_PULL = role(plan.role.id, 'AcrPull', [], ['Microsoft.ContainerRegistry/registries/pull/read']);
const REPO_READER = role('b93aa761-3e63-49ed-ac28-beffa264f7ac', 'Container Registry Repository Reader', [
  'Microsoft.ContainerRegistry/registries/repositories/content/read',
]);

function assignment(definition: RoleDefinitionInfo, name = plan.roleAssignmentName): RoleAssignmentInfo {
  return {
    id: `${plan.scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
    name,
    scope: plan.scope,
    roleDefinitionId: `/subscriptions/${registry.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${definition.guid}`,
    principalId: KUBELET,
    principalType: 'ServicePrincipal',
  };
}

/** acrbot's grant, succeeded, whose access ended at 2026-12-31 12:00 (the sweeper has not run). */
const pastItsEnd: AccessRequest = pendingRequest({
  state: 'succeeded',
  decision: { by: { objectId: 'a', name: 'Alex' }, at: '2026-12-01T00:00:00Z', approved: true },
  access: { expiresAt: '2026-12-31T12:00:00Z' },
  created: [{ kind: 'roleAssignment', id: ROLE_ASSIGNMENT }],
} as Partial<AccessRequest>);

function cells(reg: InventoryRegistry, assignments: RoleAssignmentInfo[], requests: AccessRequest[]) {
  return buildCells({
    clusters: [{ cluster, identity }],
    registries: [reg],
    assignmentsByIdentity: new Map([[KUBELET, assignments]]),
    roles: new Map([ACR_PULL, REPO_READER].map((r) => [r.guid, r])),
    requests,
    now: NOW,
  });
}

test('a grant past its end still in Azure: expired with its end, still pulling, "acrbot is removing it"', () => {
  const [cell] = cells(registry, [assignment(ACR_PULL)], [pastItsEnd]);
  expect(cell.paths[0]).toMatchObject({ kind: 'roleAssignment', state: 'expired' });
  expect(cell).toMatchObject({ state: 'expired', canPull: true, expiresAt: '2026-12-31T12:00:00Z' });
  const d = diagnosePull({ cluster, registry, identity, cell, now: NOW });
  expect(d.canPull).toBe(cell.canPull);
  const card = JSON.stringify(
    clusterAccessCard({ cluster, identity, cells: [cell], generatedAt: NOW.toISOString() }, false),
  );
  expect(card).toContain('ended 2026-12-31 12:00 UTC; acrbot is removing it');
  expect(card).not.toContain('"Active"');
});

test('a pull secret names the service accounts acrbot listed it on', () => {
  const secret = pendingRequest({
    id: 'R-SECRET01',
    state: 'succeeded',
    plan: secretPlan({ serviceAccount: 'builder', expiresAt: '2027-02-01T00:00:00Z' }),
    access: { expiresAt: '2027-02-01T00:00:00Z' },
    outcome: { summary: 's', secret: { action: 'created', serviceAccountPatched: true, serviceAccounts: ['builder'] } },
  } as Partial<AccessRequest>);
  const [cell] = cells(registry, [], [secret]);
  expect(cell.paths[0]).toMatchObject({ kind: 'pullSecret', serviceAccounts: ['builder'] });
  const d = diagnosePull({ cluster, registry, identity, cell, now: NOW });
  expect(d.verdict).toContain('(or run as service account builder)');
});

test('anonymous pull with only a role the registry ignores: it pulls anonymously, as check says', () => {
  const reg = {
    ...registry,
    network: { publicNetworkAccess: 'Enabled', ipRuleCount: 0, privateEndpoints: 0, anonymousPullEnabled: true },
  };
  const [cell] = cells(reg, [assignment(REPO_READER, 'bbbbbbbb-0000-4000-8000-000000000002')], []);
  const d = diagnosePull({ cluster, registry: reg, identity, cell, now: NOW });
  expect(d.canPull).toBe(true);
  expect(cell.canPull).toBe(true);
  expect(anonymousPullRegistries([reg, registry])).toEqual([reg]);
  const card = JSON.stringify(
    registryAccessCard({ registry: reg, cells: [cell], unresolvedClusters: [], generatedAt: NOW.toISOString() }, false),
  );
  expect(card).toContain('Anonymous pull');
  expect(card).toContain(
    'Anonymous pull is enabled: anyone who can reach contosoacr.azurecr.io can pull without a role.',
  );
});
