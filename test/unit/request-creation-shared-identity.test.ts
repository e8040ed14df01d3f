/**
 * The policy side of a shared pull identity (request-creation.ts `sharedIdentityRefusal`), on the
 * example policy: a grant whose identity other clusters pull with is granted under one rule only
 * when every one of them selects it; otherwise (another rule, no rule, or clusters beyond what the
 * plan records) it is refused naming them. A subscription whose clusters could not be listed keeps
 * an auto-approving rule from approving by itself: its approvers decide, or (naming none) it is
 * refused. The end to end refusal, stored nothing and audited:
 * test/integration/grant-shared-identity-policy.test.ts; the unchecked subscription end to end:
 * test/integration/grant-shared-identity-unchecked.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePolicy } from '../../src/config/policy-file';
import type { ClusterInfo, RegistryInfo } from '../../src/domain/azure-model';
import { choosePullIdentity } from '../../src/domain/identity';
import { factsOf, type PolicyRule, selectRule } from '../../src/domain/policy';
import { type GrantPlan, type PlannedAsTyped, plannedCluster } from '../../src/domain/plan';
import { buildGrantPlan } from '../../src/flows/grant-planner';
import { sharedIdentityRefusal, withoutAutoApproval } from '../../src/flows/request-creation';

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

/**
 * `named`'s grant plan, recording `sharing` as the clusters that pull with its identity; asked for
 * by bare names (`grant aks-dev devacr …`) unless `typed` says otherwise (null: a plan stored
 * before the form was recorded).
 */
function planOf(
  named: ClusterInfo,
  sharing: ClusterInfo[],
  more = 0,
  typed: PlannedAsTyped | null = { cluster: 'name', registry: 'name' },
): GrantPlan {
  const plan = buildGrantPlan(named, devacr, choosePullIdentity(named) as never, typed ?? undefined);
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

  test('the pull secret command names the pair as the requester did, or by id on a plan that did not record it', () => {
    const asTyped = refusal(planOf(dev, [prod], 0, { cluster: 'groupAndName', registry: 'id' }));
    expect(asTyped).toContain(`(@acrbot secret rg-dev/aks-dev ${devacr.id} --namespace NAMESPACE REASON…)`);
    const stored = refusal(planOf(dev, [prod], 0, null));
    expect(stored).toContain(`(@acrbot secret ${dev.id} ${devacr.id} --namespace NAMESPACE REASON…)`);
  });

  test('with --break-glass: refused too, and the words say break-glass is included and why', () => {
    const plan = planOf(dev, [prod]);
    const message = sharedIdentityRefusal(policy, plan, selectRule(policy, factsOf(plan)), true);
    expect(message).toContain('nothing was granted, break-glass included');
    expect(message).toContain("a break-glass grant is reviewed by one rule's approvers");
    expect(message).not.toContain('nothing was requested');
    expect(message).toContain('@acrbot secret aks-dev devacr');
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

  test('no sharing recorded: no refusal', () => {
    expect(refusal(buildGrantPlan(dev, devacr, choosePullIdentity(dev) as never))).toBeUndefined();
  });

  describe('only subscriptions whose clusters could not be listed (unchecked)', () => {
    const unchecked = (named: ClusterInfo): GrantPlan => ({
      ...planOf(named, []),
      sharedWith: { clusters: [], more: 0, unchecked: [SUB_PROD] },
    });
    const devAuto = policy.rules.find((r) => r.id === 'dev-auto')!;

    test('an auto-approving rule with approvers: not refused, but decided by them (one approval), not by itself', () => {
      const plan = unchecked(dev);
      expect(refusal(plan)).toBeUndefined();
      const decidedBy = withoutAutoApproval(plan, devAuto);
      expect(decidedBy.autoApprove).toBeUndefined();
      expect(decidedBy.approvalsRequired).toBe(1);
      expect(decidedBy.approvers).toEqual(devAuto.approvers);
      // Everything listed: the rule approves by itself as before.
      expect(withoutAutoApproval(planOf(dev, [dev2]), devAuto)).toBe(devAuto);
    });

    test('an auto-approving rule naming nobody: refused, naming the subscription and what to do', () => {
      const alone: PolicyRule = { ...devAuto, approvers: { users: [], groups: [] } };
      const message = sharedIdentityRefusal({ ...policy, rules: [alone] }, unchecked(dev), alone);
      expect(message).toContain(`could not list the clusters of subscription ${SUB_PROD}`);
      expect(message).toContain('names no approvers to ask instead, so nothing was requested');
      expect(message).toContain('Try again later');
      expect(message).toContain('give acrbot Reader on that subscription');
      // Break-glass is the emergency path: not refused for it (its reviewers see the card's row).
      expect(sharedIdentityRefusal({ ...policy, rules: [alone] }, unchecked(dev), alone, true)).toBeUndefined();
    });

    test('a rule with approvers anyway: as before (its card says sharing could not be checked)', () => {
      const plan = unchecked(prod);
      const rule = selectRule(policy, factsOf(plan))!;
      expect(rule.autoApprove).toBeUndefined();
      expect(refusal(plan)).toBeUndefined();
      expect(withoutAutoApproval(plan, rule)).toBe(rule);
    });
  });
});
