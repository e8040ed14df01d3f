/**
 * `check`, `access CLUSTER`, `access REGISTRY` and the tab's matrix with the rights acrbot's
 * deployment gives it (docs/deploy.md, infra/modules/registry-access.bicep and
 * cluster-access.bicep): Reader on each registry and cluster, nothing on their resource groups
 * or subscriptions, so `roleDefinitions/read` and `roleAssignments/read` answer 403 there (run
 * again with only the first refused, as in grant-plan-read-rights.test.ts). A
 * role assignment covering a registry from its resource group has a role definition acrbot may
 * read only at the registry (a role assignable at a scope is known at every scope below it):
 * - AcrPull on contosoacr's resource group → `check` says aks-prod can pull through it, and
 *   both `access` views and the matrix list it, each role read at a registry (200s only);
 * - an unrelated Reader on the subscription, and Contributor on the cluster's resource group
 *   (which covers no registry), break none of them.
 */
import type { AccessCell } from '../../src/domain/access-inventory';
import { BUILT_IN_ROLES } from '../../src/sandbox/arm/role-definitions';
import {
  SANDBOX_CLUSTERS,
  SANDBOX_REGISTRIES,
  SANDBOX_SUBSCRIPTIONS,
  sandboxResourceId,
} from '../../src/sandbox/fixtures';
import { type Harness, startHarness, users } from '../helpers/harness';

const prod = SANDBOX_CLUSTERS.prod;
const kubelet = prod.kubeletObjectId;
const contoso = SANDBOX_REGISTRIES.contoso;
const contosoId = sandboxResourceId('registry', contoso);
const subscription = `/subscriptions/${contoso.subscriptionId}`;
const registryGroup = `${subscription}/resourceGroups/${contoso.resourceGroup}`;
const clusterGroup = `/subscriptions/${prod.subscriptionId}/resourceGroups/${prod.resourceGroup}`;
const READ_DEFINITIONS = 'Microsoft.Authorization/roleDefinitions/read';
const READ_ASSIGNMENTS = 'Microsoft.Authorization/roleAssignments/read';

/** Every subscription, and every resource group holding a seeded registry or cluster. */
function scopesAboveResources(): string[] {
  const groups = [...Object.values(SANDBOX_REGISTRIES), ...Object.values(SANDBOX_CLUSTERS)].map(
    (r) => `/subscriptions/${r.subscriptionId}/resourceGroups/${r.resourceGroup}`,
  );
  const subscriptions = Object.values(SANDBOX_SUBSCRIPTIONS).map((s) => `/subscriptions/${s}`);
  return [...new Set([...subscriptions, ...groups])];
}

// Both refused above the resources (the deployment: assignments are then listed on each registry);
// and role definitions alone (assignments listed subscription-wide, so ones that cover no
// registry, like the cluster's resource group's, are listed too and must not be read).
describe.each([
  ['role definitions and assignments', [READ_DEFINITIONS, READ_ASSIGNMENTS]],
  ['role definitions', [READ_DEFINITIONS]],
])('access and check with %s unreadable above registries and clusters', (_rights, denied) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    for (const scope of scopesAboveResources())
      for (const action of denied) h.app.sandbox!.arm.state.denyActionOnlyAt(scope, action);
  });
  afterEach(() => h.stop());

  const definitionGets = () => h.app.sandbox!.arm.requests.filter((r) => r.operation === 'roleDefinitions.get');
  const prodOnContoso = (cells: AccessCell[]) =>
    cells.find((c) => c.cluster.name === prod.name && c.registry.id.toLowerCase() === contosoId.toLowerCase());

  test('AcrPull on the registry’s resource group: check, access CLUSTER, access REGISTRY and the matrix show it', async () => {
    const held = h.app.sandbox!.arm.state.addRoleAssignment({
      scope: registryGroup,
      roleDefinitionGuid: BUILT_IN_ROLES.acrPull,
      principalId: kubelet,
    });
    h.app.sandbox!.arm.clearRequests();

    const check = await h.ask(users.requester, 'check aks-prod contosoacr');
    expect(check).toContain('aks-prod can pull from contosoacr: AcrPull on its resource group');
    expect(check).not.toContain('Something unexpected went wrong');
    // One GET, at the registry, where acrbot has Reader.
    expect(definitionGets().map((r) => [r.path.toLowerCase(), r.status])).toEqual([
      [`${contosoId}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES.acrPull}`.toLowerCase(), 200],
    ]);

    const byCluster = await h.ask(users.approver, 'access aks-prod');
    expect(byCluster).toContain('What aks-prod can pull');
    expect(byCluster).toContain('contosoacr → contosoacr.azurecr.io');
    expect(byCluster).toContain('AcrPull on resource group rg-acr — granted outside acrbot');

    const byRegistry = await h.ask(users.approver, 'access contosoacr');
    expect(byRegistry).toContain('Who can pull from contosoacr');
    expect(byRegistry).toContain('aks-prod');

    const report = await h.app.services.inventory.forRegistry('contosoacr');
    expect(prodOnContoso(report.cells)).toMatchObject({
      canPull: true,
      paths: [expect.objectContaining({ assignmentId: held.id, scopeLevel: 'resourceGroup' })],
    });
    expect(prodOnContoso((await h.app.services.inventory.matrix()).cells)).toMatchObject({ canPull: true });
    // Nothing was read where the deployment refuses it.
    expect(definitionGets().length).toBeGreaterThan(0);
    expect(definitionGets().filter((r) => r.status !== 200)).toEqual([]);
  });

  test('an unrelated Reader on the subscription and Contributor on the cluster’s resource group break nothing', async () => {
    h.app.sandbox!.arm.state.addRoleAssignment({
      scope: subscription,
      roleDefinitionGuid: BUILT_IN_ROLES.reader,
      principalId: kubelet,
    });
    // A role of its own (not Reader, whose definition the subscription's assignment reads) on a
    // scope above the cluster that covers no registry, as a node resource group's often is.
    h.app.sandbox!.arm.state.addRoleAssignment({
      scope: clusterGroup,
      roleDefinitionGuid: BUILT_IN_ROLES.contributor,
      principalId: kubelet,
    });
    h.app.sandbox!.arm.state.addRoleAssignment({
      scope: registryGroup,
      roleDefinitionGuid: BUILT_IN_ROLES.acrPull,
      principalId: kubelet,
    });

    const check = await h.ask(users.requester, 'check aks-prod contosoacr');
    expect(check).toContain('aks-prod can pull from contosoacr: AcrPull on its resource group');
    expect(check).not.toContain('Something unexpected went wrong');

    const byCluster = await h.ask(users.approver, 'access aks-prod');
    expect(byCluster).toContain('AcrPull on resource group rg-acr — granted outside acrbot');
    expect(byCluster).not.toContain('Something unexpected went wrong');

    const byRegistry = await h.ask(users.approver, 'access contosoacr');
    expect(byRegistry).toContain('aks-prod');
    expect(byRegistry).not.toContain('Something unexpected went wrong');

    expect(prodOnContoso((await h.app.services.inventory.matrix()).cells)).toMatchObject({ canPull: true });
  });

  test('only the unrelated Reader on the subscription: check says there is no pull role', async () => {
    h.app.sandbox!.arm.state.addRoleAssignment({
      scope: subscription,
      roleDefinitionGuid: BUILT_IN_ROLES.reader,
      principalId: kubelet,
    });
    const check = await h.ask(users.requester, 'check aks-prod contosoacr');
    expect(check).toContain('Can aks-prod pull from contosoacr?');
    expect(check).toContain('no role that carries pull on the registry');
    expect(check).not.toContain('cannot tell');
  });
});
