/**
 * Role assignment listing with `$filter` at subscription, resource-group and resource scope, and
 * role definitions with permissions, through the real `@azure/arm-authorization` client; bad
 * filters get ARM's 400 `UnsupportedQuery`.
 */
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import type { TokenCredential } from '@azure/core-auth';
import { BUILT_IN_ROLES } from '../../src/sandbox/arm/role-definitions';
import {
  SANDBOX_CLUSTERS,
  SANDBOX_REGISTRIES,
  SANDBOX_SUBSCRIPTIONS,
  sandboxResourceId,
} from '../../src/sandbox/fixtures';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';
import { sandboxCredential } from '../../src/sandbox/identity/access-tokens';

const credential: TokenCredential = sandboxCredential;
const sub = SANDBOX_SUBSCRIPTIONS.platform;
const registryId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);
const rg = `/subscriptions/${sub}/resourceGroups/rg-acr`;
const kubelet = SANDBOX_CLUSTERS.prod.kubeletObjectId;
const other = SANDBOX_CLUSTERS.dev.kubeletObjectId;
const GROUP = '0b000000-0000-4000-8000-0000000000d9';

let sandbox: Sandbox;
let auth: AuthorizationManagementClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  auth = new AuthorizationManagementClient(credential, sub, {
    $host: sandbox.armUrl,
    endpoint: sandbox.armUrl,
    tlsOptions: { ca: sandbox.tls.caPem },
  });
  const { state } = sandbox.arm;
  sandbox.directory.addGroup({ id: GROUP, displayName: 'g', members: [kubelet] });
  state.roleAssignments.clear();
  state.addRoleAssignment({
    name: 'a0000000-0000-4000-8000-000000000001',
    scope: registryId,
    roleDefinitionGuid: BUILT_IN_ROLES.acrPull,
    principalId: kubelet,
  });
  state.addRoleAssignment({
    name: 'a0000000-0000-4000-8000-000000000002',
    scope: rg,
    roleDefinitionGuid: BUILT_IN_ROLES.acrPush,
    principalId: GROUP,
    principalType: 'Group',
  });
  state.addRoleAssignment({
    name: 'a0000000-0000-4000-8000-000000000003',
    scope: `/subscriptions/${sub}`,
    roleDefinitionGuid: BUILT_IN_ROLES.reader,
    principalId: kubelet,
  });
  state.addRoleAssignment({
    name: 'a0000000-0000-4000-8000-000000000004',
    scope: registryId,
    roleDefinitionGuid: BUILT_IN_ROLES.acrPull,
    principalId: other,
  });
});
afterAll(() => sandbox.stop());
beforeEach(() => {
  sandbox.arm.state.pageSize = 50;
});

async function names(iter: AsyncIterable<{ name?: string }>): Promise<string[]> {
  const out: string[] = [];
  for await (const a of iter) out.push(a.name!.slice(-1));
  return out.sort();
}

describe('role assignment $filter', () => {
  it("assignedTo('{id}') at subscription scope: direct and through groups, at every scope below, following nextLink", async () => {
    sandbox.arm.state.pageSize = 1;
    expect(await names(auth.roleAssignments.listForSubscription({ filter: `assignedTo('${kubelet}')` }))).toEqual([
      '1',
      '2',
      '3',
    ]);
  });

  it("principalId eq '{id}' returns direct assignments only", async () => {
    expect(await names(auth.roleAssignments.listForSubscription({ filter: `principalId eq '${kubelet}'` }))).toEqual([
      '1',
      '3',
    ]);
  });

  it('at resource-group scope: above and below it; atScope() only at or above', async () => {
    expect(
      await names(auth.roleAssignments.listForResourceGroup('rg-acr', { filter: `assignedTo('${kubelet}')` })),
    ).toEqual(['1', '2', '3']);
    expect(
      await names(
        auth.roleAssignments.listForResourceGroup('rg-acr', { filter: `atScope() and assignedTo('${kubelet}')` }),
      ),
    ).toEqual(['2', '3']);
  });

  it('at resource scope (the registry)', async () => {
    expect(
      await names(
        auth.roleAssignments.listForResource('rg-acr', 'Microsoft.ContainerRegistry', 'registries', 'contosoacr', {
          filter: `principalId eq '${other}'`,
        }),
      ),
    ).toEqual(['4']);
  });

  it('no filter at subscription scope: every assignment in it', async () => {
    expect(await names(auth.roleAssignments.listForSubscription())).toEqual(['1', '2', '3', '4']);
  });

  it.each([
    `principalId eq ${kubelet}`, // unquoted: the spec's own example, which ARM refuses
    `atScope() and principalId eq '${kubelet}'`,
    `roleDefinitionId eq 'x'`,
    `assignedTo('${kubelet}') and assignedTo('${other}')`,
  ])('refuses %s with 400 UnsupportedQuery', async (filter) => {
    await expect(names(auth.roleAssignments.listForSubscription({ filter }))).rejects.toMatchObject({
      statusCode: 400,
      code: 'UnsupportedQuery',
      message: expect.stringContaining("Supported filters are either 'atScope()'"),
    });
  });

  it('a listing under a missing resource group is 403 without subscription rights, 404 ResourceGroupNotFound with Reader there', async () => {
    // ARM authorizes on the group before looking it up: without a role at the subscription (the
    // sandbox's acrbot has none) it cannot tell a missing group from one it may not read.
    await expect(names(auth.roleAssignments.listForResourceGroup('rg-nope'))).rejects.toMatchObject({
      statusCode: 403,
      code: 'AuthorizationFailed',
    });
    const subscription = `/subscriptions/${sub}`;
    sandbox.arm.state.assignCallerRole(subscription, BUILT_IN_ROLES.reader);
    try {
      await expect(names(auth.roleAssignments.listForResourceGroup('rg-nope'))).rejects.toMatchObject({
        statusCode: 404,
        code: 'ResourceGroupNotFound',
      });
    } finally {
      sandbox.arm.state.unassignCaller(subscription, 'Reader');
    }
  });
});

describe('role definitions', () => {
  it('GET returns permissions; a custom role only where it is assignable; unknown is 404 RoleDefinitionDoesNotExist', async () => {
    const pull = await auth.roleDefinitions.get(`subscriptions/${sub}`, BUILT_IN_ROLES.acrPull);
    expect(pull).toMatchObject({ roleName: 'AcrPull', roleType: 'BuiltInRole' });
    expect(pull.permissions![0].actions).toEqual(['Microsoft.ContainerRegistry/registries/pull/read']);
    expect(pull.id).toBe(
      `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES.acrPull}`,
    );
    const reader = await auth.roleDefinitions.get(
      `subscriptions/${sub}`,
      BUILT_IN_ROLES.containerRegistryRepositoryReader,
    );
    expect(reader.permissions![0].dataActions).toContain(
      'Microsoft.ContainerRegistry/registries/repositories/content/read',
    );

    const custom = 'c0000000-0000-4000-8000-0000000000c1';
    sandbox.arm.state.addRoleDefinition(custom, {
      roleName: 'puller',
      permissions: [{ actions: ['Microsoft.ContainerRegistry/registries/pull/read'] }],
    });
    expect((await auth.roleDefinitions.get(`subscriptions/${sub}`, custom)).roleType).toBe('CustomRole');
    await expect(
      auth.roleDefinitions.get(`subscriptions/${sub}`, 'd0000000-0000-4000-8000-0000000000d0'),
    ).rejects.toMatchObject({
      statusCode: 404,
      code: 'RoleDefinitionDoesNotExist',
    });
  });

  it('lists with roleName eq and type eq filters; other filters are 400', async () => {
    const found: string[] = [];
    for await (const d of auth.roleDefinitions.list(`subscriptions/${sub}`, { filter: "roleName eq 'AcrPush'" }))
      found.push(d.name!);
    expect(found).toEqual([BUILT_IN_ROLES.acrPush]);
    const builtIns: string[] = [];
    for await (const d of auth.roleDefinitions.list(`subscriptions/${sub}`, { filter: "type eq 'BuiltInRole'" }))
      builtIns.push(d.roleName!);
    expect(builtIns).toEqual(expect.arrayContaining(['AcrPull', 'Owner', 'Contributor']));
    await expect(
      (async () => {
        for await (const _ of auth.roleDefinitions.list(`subscriptions/${sub}`, { filter: "description eq 'x'" }))
          void _;
      })(),
    ).rejects.toMatchObject({ statusCode: 400, code: 'UnsupportedQuery' });
  });
});
