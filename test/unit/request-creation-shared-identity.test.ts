/**
 * The policy side of a shared pull identity (request-creation.ts `sharedIdentityRefusal`), on the
 * example policy: a grant whose identity other clusters pull with is granted under one rule only
 * when every one of them selects it; otherwise (another rule, no rule, or clusters beyond what the
 * plan records) it is refused naming them. The end to end refusal, stored nothing and audited:
 * test/integration/grant-shared-identity-policy.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePolicy } from '../../src/config/policy-file';
import type { ClusterInfo, RegistryInfo } from '../../src/domain/azure-model';
import { choosePullIdentity } from '../../src/domain/identity';
import { factsOf, selectRule } from '../../src/domain/policy';
import { type GrantPlan, plannedCluster } from '../../src/domain/plan';
import { buildGrantPlan } from '../../src/flows/grant-planner';
import { sharedIdentityRefusal } from '../../src/flows/request-creation';

const SUB_DEV = '11111111-1111-4111-8111-111111111111';
const SUB_PROD = '22222222-2222-4222-8222-222222222222';
const SHARED_KUBELET = '0d000000-0000-4000-8000-0000000000d1';

const policy = parsePolicy(
  readFileSync(join(__dirname, '../../docs/policy.example.yaml'), 'utf8'),
  'policy.example.yaml',
);

function cluster(name: string, sub: string, env: string): ClusterInfo {
  return {
    id: `/subscriptions/${sub}/resourceGroups/rg-${env}/providers/Microsoft.ContainerService/managedClusters/${name}`,
    name,
    subscriptionId: sub,
    resourceGroup: `rg-${env}`,
    tags: { env },
    identity: { identityType: 'UserAssigned', servicePrincipalClientId: 'msi', kubeletObjectId: SHARED_KUBELET },
    aadEnabled: false,
  };
}
const devacr: RegistryInfo = {
  id: `/subscriptions/${SUB_PROD}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/devacr`,
  name: 'devacr',
  subscriptionId: SUB_PROD,
  resourceGroup: 'rg-acr',
  loginServer: 'devacr.azurecr.io',
  roleAssignmentMode: 'LegacyRegistryPermissions',
  tags: { env: 'dev' },
};

/** `named`'s grant plan, recording `sharing` as the clusters that pull with its identity. */
function planOf(named: ClusterInfo, sharing: ClusterInfo[], more = 0): GrantPlan {
  const plan = buildGrantPlan(named, devacr, choosePullIdentity(named) as never);
  return { ...plan, sharedWith: { clusters: sharing.map(plannedCluster), more, unchecked: [] } };
}
const refusal = (plan: GrantPlan) => sharedIdentityRefusal(policy, plan, selectRule(policy, factsOf(plan)));

describe('a grant on an identity other clusters pull with, under the example policy', () => {
  const dev = cluster('aks-dev', SUB_DEV, 'dev');
  const dev2 = cluster('aks-dev-2', SUB_DEV, 'dev');
  const prod = cluster('aks-prod', SUB_PROD, 'prod');

  test('dev-auto for aks-dev, default for aks-prod: refused, naming the cluster, both rules and the ways out', () => {
    const message = refusal(planOf(dev, [prod]));
    expect(message).toContain(
      `also the pull identity of aks-prod (resource group rg-prod, subscription ${SUB_PROD}) under rule default`,
    );
    expect(message).toContain('aks-dev falls under rule dev-auto');
    expect(message).toContain('nothing was requested');
    expect(message).toContain('@acrbot secret aks-dev devacr');
    expect(message).toContain('az aks update --assign-kubelet-identity');
  });

  test('asked from the prod side it is refused too (no approver of one rule grants another rule\u2019s cluster)', () => {
    expect(refusal(planOf(prod, [dev]))).toContain('aks-dev (resource group rg-dev');
  });

  test('every sharing cluster under the same rule: no refusal, the rule applies as for one cluster', () => {
    expect(refusal(planOf(dev, [dev2]))).toBeUndefined();
  });

  test('more sharing clusters than the plan records: their rules are unknown, so refused', () => {
    expect(refusal(planOf(dev, [dev2], 4))).toContain('4 more clusters whose rules acrbot did not check');
  });

  test('no sharing recorded (or only unchecked subscriptions): no refusal', () => {
    expect(refusal(buildGrantPlan(dev, devacr, choosePullIdentity(dev) as never))).toBeUndefined();
    expect(
      refusal({ ...planOf(dev, []), sharedWith: { clusters: [], more: 0, unchecked: [SUB_PROD] } }),
    ).toBeUndefined();
  });
});
