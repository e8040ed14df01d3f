/**
 * The access inventory end to end: real SDK clients against the ARM/Graph emulators, a grant
 * made through acrbot (approved) next to one made outside acrbot (seeded AcrPull on a resource
 * group), group-held and custom roles, the registry view, the user's own view and the matrix.
 */
import { BUILT_IN_ROLES } from '../../src/sandbox/arm/role-definitions';
import {
  SANDBOX_CLUSTERS,
  SANDBOX_OUTSIDE_GRANT,
  SANDBOX_REGISTRIES,
  sandboxResourceId,
} from '../../src/sandbox/fixtures';
import type { AccessCell, RoleAssignmentPath } from '../../src/domain/access-inventory';
import { type Harness, startHarness, users } from '../helpers/harness';

const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);
const sharedPlatformId = sandboxResourceId('registry', SANDBOX_REGISTRIES.sharedPlatform);

const prodId = sandboxResourceId('cluster', SANDBOX_CLUSTERS.prod);

function cellFor(cells: AccessCell[], registryId: string): AccessCell | undefined {
  return cells.find((c) => c.registry.id.toLowerCase() === registryId.toLowerCase());
}

describe('access inventory', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.stop());

  async function grantApproved(args: string) {
    const request = await h.requestGrant(users.requester, args);
    await h.click(users.approver, 'approve', { requestId: request.id });
    return h.settle(request.id);
  }

  test('a cluster with one acrbot grant and one made outside acrbot lists both, marked by origin', async () => {
    const granted = await grantApproved('aks-legacy contosoacr deploy billing');
    expect(granted.state).toBe('succeeded');
    const report = await h.app.services.inventory.forCluster('aks-legacy');
    expect(report.identity).toMatchObject({
      kind: 'servicePrincipal',
      objectId: SANDBOX_CLUSTERS.legacy.servicePrincipalObjectId,
    });
    const mine = cellFor(report.cells, contosoId)!;
    expect(mine.canPull).toBe(true);
    expect(mine.paths).toHaveLength(1);
    expect(mine.paths[0]).toMatchObject({
      kind: 'roleAssignment',
      origin: 'acrbot',
      roleName: 'AcrPull',
      scopeLevel: 'registry',
      honoured: true,
    });
    expect((mine.paths[0] as RoleAssignmentPath).requests[0]).toMatchObject({
      requestId: granted.id,
      approvedBy: users.approver.name,
    });
    const outside = cellFor(report.cells, sharedPlatformId)!;
    expect(outside.paths[0]).toMatchObject({
      kind: 'roleAssignment',
      origin: 'outside',
      scopeLevel: 'resourceGroup',
      roleName: 'AcrPull',
    });
    expect((outside.paths[0] as RoleAssignmentPath).assignmentId).toContain(SANDBOX_OUTSIDE_GRANT.name);
    // Only those two: the ABAC registry in the same subscription is not covered by either.
    expect(report.cells.map((c) => c.registry.name).sort()).toEqual(['contosoacr', 'sharedacr']);
    expect(report.drift).toEqual([]);
  });

  test('group-held and custom roles count when their permissions carry pull; Reader does not', async () => {
    const { arm, directory } = h.app.sandbox!;
    const kubelet = SANDBOX_CLUSTERS.prod.kubeletObjectId;
    const groupId = '0b000000-0000-4000-8000-0000000000c7';
    directory.addGroup({ id: groupId, displayName: 'pullers', members: [kubelet] });
    arm.state.addRoleAssignment({
      scope: contosoId,
      roleDefinitionGuid: BUILT_IN_ROLES.acrPush,
      principalId: groupId,
      principalType: 'Group',
    });
    const customGuid = '3c000000-0000-4000-8000-0000000000c1';
    arm.state.addRoleDefinition(customGuid, {
      roleName: 'image puller',
      permissions: [{ actions: ['Microsoft.ContainerRegistry/registries/pull/read'] }],
    });
    arm.state.addRoleAssignment({ scope: sharedPlatformId, roleDefinitionGuid: customGuid, principalId: kubelet });
    arm.state.addRoleAssignment({
      scope: `/subscriptions/${SANDBOX_CLUSTERS.prod.subscriptionId}`,
      roleDefinitionGuid: BUILT_IN_ROLES.reader,
      principalId: kubelet,
    });

    const report = await h.app.services.inventory.forCluster('aks-prod');
    const viaGroup = cellFor(report.cells, contosoId)!.paths[0] as RoleAssignmentPath;
    expect(viaGroup).toMatchObject({ roleName: 'AcrPush', viaGroupId: groupId, origin: 'outside' });
    expect(cellFor(report.cells, sharedPlatformId)!.paths[0]).toMatchObject({ roleName: 'image puller' });
    // Reader at subscription scope covers everything but carries no pull: no other cells.
    expect(report.cells).toHaveLength(2);

    // The registry view and the matrix find the same, from one subscription-wide listing.
    const byRegistry = await h.app.services.inventory.forRegistry(contosoId);
    expect(byRegistry.cells.map((c) => c.cluster.id.toLowerCase())).toEqual([prodId.toLowerCase()]);
    const matrix = await h.app.services.inventory.matrix();
    const pairs = matrix.cells.map((c) => `${c.cluster.name}→${c.registry.name}:${c.state}`).sort();
    expect(pairs).toEqual(['aks-legacy→sharedacr:active', 'aks-prod→contosoacr:active', 'aks-prod→sharedacr:active']);
  });

  test('the matrix lists each subscription once, never per cell; built-in roles are read once per process', async () => {
    await grantApproved('aks-prod contosoacr deploy payments');
    const { arm } = h.app.sandbox!;
    const count = (operation: string) => arm.requests.filter((r) => r.operation === operation).length;
    arm.clearRequests();
    await h.app.services.inventory.matrix();
    expect(count('roleAssignments.listForScope')).toBe(2); // two allowed subscriptions
    expect(count('roleDefinitions.get')).toBe(1); // AcrPull, the only role among the relevant assignments
    arm.clearRequests();
    await h.app.services.inventory.matrix();
    expect(count('roleAssignments.listForScope')).toBe(2);
    expect(count('roleDefinitions.get')).toBe(0);
  });

  test('access REGISTRY lists the clusters that can pull; the user sees only their own', async () => {
    const granted = await grantApproved('aks-prod contosoacr deploy payments');
    const report = await h.app.services.inventory.forRegistry('contosoacr');
    expect(report.cells).toHaveLength(1);
    expect(report.cells[0].cluster.id.toLowerCase()).toBe(prodId.toLowerCase());
    expect(report.cells[0].paths[0]).toMatchObject({ origin: 'acrbot' });

    const own = await h.app.services.inventory.forUser({ objectId: users.requester.objectId, name: 'x' });
    expect(own.entries.map((e) => e.request.requestId)).toEqual([granted.id]);
    const other = await h.app.services.inventory.forUser({ objectId: users.outsider.objectId, name: 'x' });
    expect(other.entries).toEqual([]);
  });
});
