/**
 * A grant's role assignment belongs to its identity, and one identity can be the pull identity of
 * several clusters (a user-assigned kubelet identity given to each, or one service principal):
 * planning records the other clusters that pull with it, the card says approving gives them pull
 * too, and a subscription whose clusters could not be listed is said to be unchecked. A cluster
 * nobody shares with plans and shows as before. The policy side: request-creation-shared-identity.
 */
import type { AzureResourceReader, RoleAssignmentPort } from '../../src/domain/ports';
import type { ClusterInfo, RegistryInfo } from '../../src/domain/azure-model';
import { GrantPlanner, type PlanningReads } from '../../src/flows/grant-planner';
import { ResourceResolver } from '../../src/flows/resource-resolver';
import { planFacts, requestCard } from '../../src/views/request-view';
import { fakeDirectory } from './support/fake-directory';
import { pendingRequest } from './support/requests';

const SUB_DEV = '11111111-1111-4111-8111-111111111111';
const SUB_PROD = '22222222-2222-4222-8222-222222222222';
const SUB_GONE = '33333333-3333-4333-8333-333333333333';
const SHARED_KUBELET = '0d000000-0000-4000-8000-0000000000d1';
const OWN_KUBELET = '0d000000-0000-4000-8000-0000000000d2';
const LONE_KUBELET = '0d000000-0000-4000-8000-0000000000d3';
const APP = '0f000000-0000-4000-8000-0000000000f2';
const APP_OBJECT = '0f100000-0000-4000-8000-0000000000f3';

function cluster(name: string, sub: string, env: string, identity: ClusterInfo['identity']): ClusterInfo {
  return {
    id: `/subscriptions/${sub}/resourceGroups/rg-${env}/providers/Microsoft.ContainerService/managedClusters/${name}`,
    name,
    subscriptionId: sub,
    resourceGroup: `rg-${env}`,
    tags: { env },
    identity,
    aadEnabled: false,
  };
}
const kubelet = (objectId: string) => ({
  identityType: 'UserAssigned',
  servicePrincipalClientId: 'msi',
  kubeletObjectId: objectId,
});
const servicePrincipal = { servicePrincipalClientId: APP };

const registry: RegistryInfo = {
  id: `/subscriptions/${SUB_PROD}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/devacr`,
  name: 'devacr',
  subscriptionId: SUB_PROD,
  resourceGroup: 'rg-acr',
  loginServer: 'devacr.azurecr.io',
  roleAssignmentMode: 'LegacyRegistryPermissions',
};

/** A planner over the real resolver: `clusters` per subscription, a listing refused where absent. */
function plannerOver(clusters: Record<string, ClusterInfo[]>, subscriptions = [SUB_DEV, SUB_PROD]) {
  const listed: string[] = [];
  const azure = {
    listClusters: async (s: string) => {
      listed.push(s);
      const found = clusters[s];
      if (!found) throw Object.assign(new Error('AuthorizationFailed'), { statusCode: 403 });
      return found;
    },
    getCluster: async (s: string, group: string, name: string) => {
      if (!clusters[s]) throw Object.assign(new Error('AuthorizationFailed'), { statusCode: 403 });
      return clusters[s].find((c) => c.resourceGroup === group && c.name === name);
    },
    listRegistries: async (s: string) => (s === SUB_PROD ? [registry] : []),
  } as unknown as AzureResourceReader;
  const ports = {
    listAssignedToAt: async () => [],
    canAssignRoles: async () => true,
  } as unknown as RoleAssignmentPort & PlanningReads;
  const directory = fakeDirectory({}, { servicePrincipalObjectId: async () => APP_OBJECT });
  return { planner: new GrantPlanner(new ResourceResolver(azure, subscriptions), ports, directory), listed };
}

const identityRow = (plan: unknown) =>
  planFacts(pendingRequest({ plan: plan as never })).find((f) => f.label === 'Identity')!.value;

describe('planning a grant on an identity other clusters pull with', () => {
  const dev = cluster('aks-dev', SUB_DEV, 'dev', kubelet(SHARED_KUBELET));
  const prod = cluster('aks-prod', SUB_PROD, 'prod', kubelet(SHARED_KUBELET));
  const other = cluster('aks-other', SUB_PROD, 'other', kubelet(OWN_KUBELET));

  test('a shared kubelet identity: the plan records the other cluster, and the card says approving gives it pull', async () => {
    const { planner, listed } = plannerOver({ [SUB_DEV]: [dev], [SUB_PROD]: [prod, other] });
    const result = await planner.plan('aks-dev', 'devacr');
    expect(result.status).toBe('planned');
    expect(result.plan.sharedWith).toEqual({
      clusters: [
        { id: prod.id, name: 'aks-prod', subscriptionId: SUB_PROD, resourceGroup: 'rg-prod', tags: { env: 'prod' } },
      ],
      more: 0,
      unchecked: [],
    });
    // The name resolved by listing; the sharing look reads the same listings: one per subscription.
    expect(listed.sort()).toEqual([SUB_DEV, SUB_PROD].sort());
    expect(identityRow(result.plan)).toContain(
      `Also the pull identity of cluster aks-prod (resource group rg-prod, subscription ${SUB_PROD}): approving gives it pull on devacr too`,
    );
    expect(JSON.stringify(requestCard(pendingRequest({ plan: result.plan }), { showActions: true }))).toContain(
      'aks-prod',
    );
  });

  test('a service principal: clusters with the same app id share it (no Graph lookup for them)', async () => {
    const legacyA = cluster('aks-legacy-a', SUB_DEV, 'a', servicePrincipal);
    const legacyB = cluster('aks-legacy-b', SUB_PROD, 'b', { servicePrincipalClientId: APP.toUpperCase() });
    const { planner } = plannerOver({ [SUB_DEV]: [legacyA, dev], [SUB_PROD]: [legacyB, prod] });
    const result = await planner.plan('aks-legacy-a', 'devacr');
    expect(result.plan.identity).toMatchObject({ kind: 'servicePrincipal', objectId: APP_OBJECT, appId: APP });
    expect(result.plan.sharedWith?.clusters.map((c) => c.name)).toEqual(['aks-legacy-b']);
  });

  test('a subscription whose clusters cannot be listed: the grant is planned, and the card says sharing was not checked there', async () => {
    const { planner } = plannerOver({ [SUB_DEV]: [dev], [SUB_PROD]: [other] }, [SUB_DEV, SUB_PROD, SUB_GONE]);
    const result = await planner.plan(`rg-dev/aks-dev`, 'devacr');
    expect(result.status).toBe('planned');
    expect(result.plan.sharedWith).toEqual({ clusters: [], more: 0, unchecked: [SUB_GONE] });
    expect(identityRow(result.plan)).toContain(
      `Whether other clusters pull with it could not be checked in subscription ${SUB_GONE} (acrbot could not list their clusters)`,
    );
    expect(identityRow(result.plan)).not.toContain('Also the pull identity');
  });

  test('more clusters than a plan records: the first are recorded, the rest counted, and the card names ten', async () => {
    const many = Array.from({ length: 23 }, (_, i) =>
      cluster(`aks-fleet-${i}`, SUB_PROD, `f${i}`, kubelet(SHARED_KUBELET)),
    );
    const { planner } = plannerOver({ [SUB_DEV]: [dev], [SUB_PROD]: many });
    const result = await planner.plan('aks-dev', 'devacr');
    expect(result.plan.sharedWith?.clusters).toHaveLength(20);
    expect(result.plan.sharedWith?.more).toBe(3);
    const row = identityRow(result.plan);
    expect(row).toContain('aks-fleet-9 (resource group rg-f9');
    expect(row).not.toContain('aks-fleet-10 ');
    expect(row).toContain('and 13 more: approving gives them pull on devacr too');
  });

  test('an identity no other cluster pulls with: the plan and its card are as before', async () => {
    const { planner } = plannerOver({
      [SUB_DEV]: [cluster('aks-dev', SUB_DEV, 'dev', kubelet(LONE_KUBELET))],
      [SUB_PROD]: [prod, other],
    });
    const result = await planner.plan('aks-dev', 'devacr');
    expect(result.plan).not.toHaveProperty('sharedWith');
    expect(identityRow(result.plan)).toBe(`kubelet managed identity (user-assigned cluster): ${LONE_KUBELET}`);
  });
});
