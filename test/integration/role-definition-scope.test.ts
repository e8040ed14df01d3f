/**
 * A custom role whose assignable scopes are only a resource group (or one resource) exists in ARM
 * there and below, and is 404 at its subscription (Get-AzRoleAssignment shows such roles nameless
 * unless given the group's scope, Azure/azure-powershell#16991). acrbot reads each role beneath
 * its assignment (at the registry it covers, else where the assignment is), so such a role
 * carrying pull counts:
 * - the emulator answers as ARM does (read through the real adapter and SDK client);
 * - end to end, the cluster's kubelet identity holds one on the registry's resource group:
 *   `check` says it can pull (not "cannot tell"), `access` lists it, and `grant` says access
 *   already exists, with one role definition GET per distinct role.
 */
import type { RoleDefinitionInfo } from '../../src/domain/azure-model';
import type { ArmConnection } from '../../src/integrations/azure/arm-connection';
import { ArmRoleAssignments } from '../../src/integrations/azure/arm-role-assignments';
import { BUILT_IN_ROLES } from '../../src/sandbox/arm/role-definitions';
import { SANDBOX_CLUSTERS, SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';
import { type Harness, startHarness, users } from '../helpers/harness';
import { sandboxArm } from '../helpers/sandbox-arm';

const contoso = SANDBOX_REGISTRIES.contoso;
const contosoId = sandboxResourceId('registry', contoso);
const subscription = `/subscriptions/${contoso.subscriptionId}`;
const registryGroup = `${subscription}/resourceGroups/${contoso.resourceGroup}`;
const kubelet = SANDBOX_CLUSTERS.prod.kubeletObjectId;
const PULL = 'Microsoft.ContainerRegistry/registries/pull/read';
const GROUP_PULLER = '3c000000-0000-4000-8000-0000000000d1';
const REGISTRY_PULLER = '3c000000-0000-4000-8000-0000000000d2';

/** A custom role carrying pull, assignable only at `scope`. */
function addPuller(sandbox: Sandbox, guid: string, roleName: string, scope: string): void {
  sandbox.arm.state.addRoleDefinition(guid, {
    roleName,
    permissions: [{ actions: [PULL] }],
    assignableScopes: [scope],
  });
}

describe('the emulator: a custom role assignable at a resource group, read as ARM reads it', () => {
  let sandbox: Sandbox;
  let connection: ArmConnection;
  let roles: ArmRoleAssignments;

  beforeAll(async () => {
    sandbox = await startSandbox();
    connection = sandboxArm(sandbox).conn;
    roles = new ArmRoleAssignments(connection);
    addPuller(sandbox, GROUP_PULLER, 'group puller', registryGroup);
  });
  afterAll(async () => {
    connection.agent?.destroy();
    await sandbox.stop();
  });

  const roleAt = (scope: string, guid: string): Promise<RoleDefinitionInfo | undefined> =>
    roles.getRoleDefinition(scope, guid);

  test('known at the group and at a resource in it; 404 (not found) at the subscription', async () => {
    sandbox.arm.clearRequests();
    expect(await roleAt(registryGroup, GROUP_PULLER)).toMatchObject({
      guid: GROUP_PULLER,
      roleName: 'group puller',
      roleType: 'CustomRole',
      permissions: [expect.objectContaining({ actions: [PULL] })],
    });
    expect(await roleAt(contosoId, GROUP_PULLER)).toMatchObject({ roleName: 'group puller' });
    expect(await roleAt(subscription, GROUP_PULLER)).toBeUndefined();
    const gets = sandbox.arm.requests.filter((r) => r.operation === 'roleDefinitions.get');
    expect(gets.map((r) => r.status)).toEqual([200, 200, 404]);
  });

  test('unknown in another resource group of the same subscription', async () => {
    expect(await roleAt(`${subscription}/resourceGroups/rg-shared`, GROUP_PULLER)).toBeUndefined();
  });

  test('built-in roles are known at every scope', async () => {
    for (const scope of [subscription, registryGroup, contosoId])
      expect(await roleAt(scope, BUILT_IN_ROLES.acrPull)).toMatchObject({
        roleName: 'AcrPull',
        roleType: 'BuiltInRole',
      });
  });

  test('a role assignment outside the role’s assignable scopes is a seeding mistake, refused', () => {
    expect(() =>
      sandbox.arm.state.addRoleAssignment({
        scope: subscription,
        roleDefinitionGuid: GROUP_PULLER,
        principalId: kubelet,
      }),
    ).toThrow(`Role definition ${GROUP_PULLER} is not assignable at ${subscription}`);
  });
});

describe('check, access and grant: a custom role carrying pull, assignable only where it is assigned', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.stop());

  const definitionGets = () => h.app.sandbox!.arm.requests.filter((r) => r.operation === 'roleDefinitions.get');

  test('on the registry’s resource group: check says it can pull, access lists it, grant says access already exists', async () => {
    const sandbox = h.app.sandbox!;
    addPuller(sandbox, GROUP_PULLER, 'group puller', registryGroup);
    const held = sandbox.arm.state.addRoleAssignment({
      scope: registryGroup,
      roleDefinitionGuid: GROUP_PULLER,
      principalId: kubelet,
    });

    sandbox.arm.clearRequests();
    const check = await h.ask(users.requester, 'check aks-prod contosoacr');
    expect(check).toContain('aks-prod can pull from contosoacr: group puller');
    expect(check).not.toContain('cannot tell');
    // One GET for the one role, at the registry beneath its assignment (where acrbot has Reader),
    // where ARM knows it: it is assignable at the registry's group, so at everything in it.
    expect(definitionGets().map((r) => [r.path.toLowerCase(), r.status])).toEqual([
      [`${contosoId}/providers/Microsoft.Authorization/roleDefinitions/${GROUP_PULLER}`.toLowerCase(), 200],
    ]);

    const access = await h.app.services.inventory.forCluster('aks-prod');
    const cell = access.cells.find((c) => c.registry.id.toLowerCase() === contosoId.toLowerCase());
    expect(cell).toMatchObject({ canPull: true, paths: [expect.objectContaining({ roleName: 'group puller' })] });

    sandbox.arm.clearRequests();
    const answer = await h.ask(users.requester, 'grant aks-prod contosoacr deploy payments-api');
    expect(answer).toContain('Access already exists');
    expect(answer).toContain(held.name);
    expect(answer).toContain('group puller');
    expect(definitionGets()).toHaveLength(1);
    expect(await h.app.store.listByState(['pending'])).toHaveLength(0);
  });

  test('on the registry itself, assignable only there: check says it can pull', async () => {
    const sandbox = h.app.sandbox!;
    addPuller(sandbox, REGISTRY_PULLER, 'registry puller', contosoId);
    sandbox.arm.state.addRoleAssignment({
      scope: contosoId,
      roleDefinitionGuid: REGISTRY_PULLER,
      principalId: kubelet,
    });
    expect(await h.ask(users.requester, 'check aks-prod contosoacr')).toContain(
      'aks-prod can pull from contosoacr: registry puller',
    );
  });
});
