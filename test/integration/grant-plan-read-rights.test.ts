/**
 * Planning a grant with the rights acrbot's deployment gives it (docs/deploy.md,
 * infra/modules/registry-access.bicep and cluster-access.bicep): Reader on each registry and
 * cluster, nothing on their resource groups or subscriptions. A role assignment covering the
 * registry from a parent scope has a role definition acrbot may not read at that parent (403
 * `AuthorizationFailed` on `roleDefinitions/read`), but may read at the registry itself: a role
 * assignable at a parent is known at every scope beneath it. So:
 * - AcrPull on the registry's resource group → "Access already exists", no request;
 * - an unrelated Reader on the subscription does not stop the grant from being planned.
 */
import { BUILT_IN_ROLES } from '../../src/sandbox/arm/role-definitions';
import { SANDBOX_CLUSTERS, SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { type Harness, startHarness, users } from '../helpers/harness';

const kubelet = SANDBOX_CLUSTERS.prod.kubeletObjectId;
const contoso = SANDBOX_REGISTRIES.contoso;
const contosoId = sandboxResourceId('registry', contoso);
const subscription = `/subscriptions/${contoso.subscriptionId}`;
const registryGroup = `${subscription}/resourceGroups/${contoso.resourceGroup}`;
const READ_DEFINITIONS = 'Microsoft.Authorization/roleDefinitions/read';

describe('planning a grant with Reader on the registry only (the deployment)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    // No rights on the registry's resource group or subscription, only on what is below them.
    for (const scope of [subscription, registryGroup])
      h.app.sandbox!.arm.state.denyActionOnlyAt(scope, READ_DEFINITIONS);
  });
  afterEach(() => h.stop());

  const definitionGets = () => h.app.sandbox!.arm.requests.filter((r) => r.operation === 'roleDefinitions.get');

  test('AcrPull on the registry’s resource group: access already exists, its role read at the registry', async () => {
    const held = h.app.sandbox!.arm.state.addRoleAssignment({
      scope: registryGroup,
      roleDefinitionGuid: BUILT_IN_ROLES.acrPull,
      principalId: kubelet,
    });
    h.app.sandbox!.arm.clearRequests();
    const answer = await h.ask(users.requester, 'grant aks-prod contosoacr deploy payments-api');
    expect(answer).toContain('Access already exists');
    expect(answer).toContain(held.name);
    expect(answer).not.toContain('Could not plan the grant');
    expect(definitionGets().map((r) => [r.path.toLowerCase(), r.status])).toEqual([
      [`${contosoId}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES.acrPull}`.toLowerCase(), 200],
    ]);
    expect(await h.app.store.listByState(['pending'])).toHaveLength(0);
  });

  test('an unrelated Reader on the subscription: the grant is planned', async () => {
    h.app.sandbox!.arm.state.addRoleAssignment({
      scope: subscription,
      roleDefinitionGuid: BUILT_IN_ROLES.reader,
      principalId: kubelet,
    });
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    expect(request.state).toBe('pending');
    expect(request.plan).toMatchObject({ kind: 'grant', scope: contosoId });
  });
});
