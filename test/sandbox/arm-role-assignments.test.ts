/**
 * Role assignments and permissions in the ARM emulator, through the real
 * `@azure/arm-authorization` 9.x client (which needs both `$host` and `endpoint`).
 */
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import type { TokenCredential } from '@azure/core-auth';
import { BUILT_IN_ROLES } from '../../src/sandbox/arm/role-definitions';
import {
  SANDBOX_BOT_OBJECT_ID,
  SANDBOX_CLUSTERS,
  SANDBOX_REGISTRIES,
  SANDBOX_SUBSCRIPTIONS,
  SANDBOX_TENANT_ID,
  SANDBOX_USERS,
  sandboxResourceId,
} from '../../src/sandbox/fixtures';
import { sandboxCredential } from '../../src/sandbox/identity/access-tokens';
import { httpsJson } from '../../src/sandbox/http-util';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';

const credential: TokenCredential = sandboxCredential;
const sub = SANDBOX_SUBSCRIPTIONS.platform;
const registryId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);
const kubelet = SANDBOX_CLUSTERS.prod.kubeletObjectId;
const acrPull = `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES.acrPull}`;
const WRITE = 'Microsoft.Authorization/roleAssignments/write';

let sandbox: Sandbox;
let auth: AuthorizationManagementClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  auth = new AuthorizationManagementClient(credential, sub, {
    $host: sandbox.armUrl,
    endpoint: sandbox.armUrl,
    tlsOptions: { ca: sandbox.tls.caPem },
  });
});
afterAll(() => sandbox.stop());
beforeEach(() => {
  sandbox.arm.clearRequests();
  sandbox.arm.faults.clear();
  sandbox.arm.state.roleAssignments.clear();
  sandbox.arm.state.access.clear();
  sandbox.arm.state.pageSize = 50;
});

function pull(principalId: string = kubelet, principalType: 'ServicePrincipal' | 'User' = 'ServicePrincipal') {
  return { roleDefinitionId: acrPull, principalId, principalType };
}

const NAME_A = '1b2c3d4e-0000-4000-8000-00000000000a';
const NAME_B = '1b2c3d4e-0000-4000-8000-00000000000b';

describe('roleAssignments.create', () => {
  it('creates (201), then accepts an identical re-PUT (200), storing a subscription-qualified role id', async () => {
    const created = await auth.roleAssignments.create(registryId, NAME_A, {
      ...pull(),
      roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES.acrPull}`,
    });
    expect(created.id).toBe(`${registryId}/providers/Microsoft.Authorization/roleAssignments/${NAME_A}`);
    expect(created.roleDefinitionId).toBe(acrPull);
    expect(created.principalId).toBe(kubelet);
    expect(created.scope).toBe(registryId);
    expect(created.updatedBy).toBe(SANDBOX_BOT_OBJECT_ID);
    await auth.roleAssignments.create(registryId, NAME_A, pull());
    expect(sandbox.arm.requests.map((r) => [r.operation, r.status, r.apiVersion])).toEqual([
      ['roleAssignments.create', 201, '2022-04-01'],
      ['roleAssignments.create', 200, '2022-04-01'],
    ]);
    // The SDK sent `//subscriptions/...` for the leading-slash scope; the emulator collapsed it.
    expect(sandbox.arm.requests[0]!.path.startsWith('//subscriptions/')).toBe(true);
    expect(sandbox.arm.state.hasPullAccess(registryId, kubelet)).toBe(true);
  });

  it('answers 409 RoleAssignmentExists naming the existing assignment in 32 hex characters', async () => {
    await auth.roleAssignments.create(registryId, NAME_A, pull());
    await expect(auth.roleAssignments.create(registryId.toLowerCase(), NAME_B, pull())).rejects.toMatchObject({
      statusCode: 409,
      code: 'RoleAssignmentExists',
      message: `The role assignment already exists. The ID of the existing role assignment is ${NAME_A.replace(/-/g, '')}.`,
    });
  });

  it('refuses to reuse a name for another principal or scope', async () => {
    await auth.roleAssignments.create(registryId, NAME_A, pull());
    await expect(
      auth.roleAssignments.create(registryId, NAME_A, pull(SANDBOX_CLUSTERS.dev.kubeletObjectId)),
    ).rejects.toMatchObject({ statusCode: 400, code: 'RoleAssignmentUpdateNotPermitted' });
    const other = sandboxResourceId('registry', SANDBOX_REGISTRIES.abac);
    await expect(auth.roleAssignments.create(other, NAME_A, pull())).rejects.toMatchObject({
      statusCode: 400,
      code: 'RoleAssignmentUpdateNotPermitted',
    });
  });

  it('answers PrincipalNotFound with the exact ARM text for an unknown principal', async () => {
    const ghost = '99999999-0000-4000-8000-000000000999';
    await expect(auth.roleAssignments.create(registryId, NAME_A, pull(ghost))).rejects.toMatchObject({
      statusCode: 400,
      code: 'PrincipalNotFound',
      message: `Principal 99999999000040008000000000000999 does not exist in the directory ${SANDBOX_TENANT_ID}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`,
    });
  });

  it('simulates replication delay: PrincipalNotFound three times, then success', async () => {
    sandbox.arm.faults.add({ operation: 'roleAssignments.create', status: 400, code: 'PrincipalNotFound', count: 3 });
    for (let i = 0; i < 3; i++) {
      await expect(auth.roleAssignments.create(registryId, NAME_A, pull())).rejects.toMatchObject({
        statusCode: 400,
        code: 'PrincipalNotFound',
        message: expect.stringContaining(kubelet.replace(/-/g, '')),
      });
    }
    await expect(auth.roleAssignments.create(registryId, NAME_A, pull())).resolves.toMatchObject({
      principalId: kubelet,
    });
    expect(sandbox.arm.requests.map((r) => r.status)).toEqual([400, 400, 400, 201]);
  });

  it('answers 403 AuthorizationFailed when the caller may not write role assignments on the scope', async () => {
    sandbox.arm.state.denyAction(registryId, WRITE);
    await expect(auth.roleAssignments.create(registryId, NAME_A, pull())).rejects.toMatchObject({
      statusCode: 403,
      code: 'AuthorizationFailed',
      message: `The client '${SANDBOX_BOT_OBJECT_ID}' with object id '${SANDBOX_BOT_OBJECT_ID}' does not have authorization to perform action '${WRITE}' over scope '${registryId}/providers/Microsoft.Authorization/roleAssignments/${NAME_A}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    });
    // Other registries are unaffected; a denial on the resource group reaches every registry in it.
    await expect(
      auth.roleAssignments.create(sandboxResourceId('registry', SANDBOX_REGISTRIES.sharedPlatform), NAME_B, pull()),
    ).resolves.toBeDefined();
    sandbox.arm.state.denyAction(`/subscriptions/${sub}/resourceGroups/rg-shared`, 'Microsoft.Authorization/*');
    await expect(
      auth.roleAssignments.create(
        sandboxResourceId('registry', SANDBOX_REGISTRIES.sharedPlatform),
        NAME_A,
        pull(SANDBOX_USERS.requester.objectId, 'User'),
      ),
    ).rejects.toMatchObject({ statusCode: 403 });
  });

  it('validates the name, role and principal type', async () => {
    await expect(auth.roleAssignments.create(registryId, 'not-a-guid', pull())).rejects.toMatchObject({
      statusCode: 400,
      code: 'InvalidRoleAssignmentId',
    });
    await expect(
      auth.roleAssignments.create(registryId, NAME_A, {
        ...pull(),
        roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${NAME_B}`,
      }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'RoleDefinitionDoesNotExist' });
    await expect(
      auth.roleAssignments.create(registryId, NAME_A, { ...pull(), principalType: 'User' }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'UnmatchedPrincipalType' });
    // A registry that is not there: ARM authorizes the write first, and the caller's rights to
    // write assignments are on the registries it manages; with them on the group, the 404 shows.
    const nope = `/subscriptions/${sub}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/nope1`;
    await expect(auth.roleAssignments.create(nope, NAME_A, pull())).rejects.toMatchObject({
      statusCode: 403,
      code: 'AuthorizationFailed',
    });
    const group = `/subscriptions/${sub}/resourceGroups/rg-acr`;
    sandbox.arm.state.assignCallerRole(group, BUILT_IN_ROLES.rbacAdministrator);
    try {
      await expect(auth.roleAssignments.create(nope, NAME_A, pull())).rejects.toMatchObject({
        statusCode: 404,
        code: 'ResourceNotFound',
      });
    } finally {
      sandbox.arm.state.unassignCaller(group, 'Role Based Access Control Administrator');
    }
  });

  it('does not honour AcrPull on an ABAC registry (hasPullAccess), but Repository Reader', async () => {
    const abacId = sandboxResourceId('registry', SANDBOX_REGISTRIES.abac);
    await auth.roleAssignments.create(abacId, NAME_A, pull());
    expect(sandbox.arm.state.hasPullAccess(abacId, kubelet)).toBe(false);
    const reader = `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES.containerRegistryRepositoryReader}`;
    await auth.roleAssignments.create(abacId, NAME_B, { ...pull(), roleDefinitionId: reader });
    expect(sandbox.arm.state.hasPullAccess(abacId, kubelet)).toBe(true);
  });
});

describe('roleAssignments.get / delete', () => {
  it('gets, deletes (200 with body) and deletes again (204)', async () => {
    await auth.roleAssignments.create(registryId, NAME_A, pull());
    const got = await auth.roleAssignments.get(
      registryId.toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/'),
      NAME_A,
    );
    expect(got.name).toBe(NAME_A);
    const deleted = await auth.roleAssignments.delete(registryId, NAME_A);
    expect(deleted.principalId).toBe(kubelet);
    await auth.roleAssignments.delete(registryId, NAME_A);
    expect(sandbox.arm.requests.filter((r) => r.operation === 'roleAssignments.delete').map((r) => r.status)).toEqual([
      200, 204,
    ]);
    await expect(auth.roleAssignments.get(registryId, NAME_A)).rejects.toMatchObject({
      statusCode: 404,
      code: 'RoleAssignmentNotFound',
    });
  });
});

describe('roleAssignments.listForScope', () => {
  const subScope = `/subscriptions/${sub}`;
  const NAME_C = '1b2c3d4e-0000-4000-8000-00000000000c';

  beforeEach(async () => {
    // One at the registry, one above it (subscription), one for another principal at the registry.
    await auth.roleAssignments.create(registryId, NAME_A, pull());
    await auth.roleAssignments.create(subScope, NAME_B, pull());
    await auth.roleAssignments.create(registryId, NAME_C, pull(SANDBOX_USERS.requester.objectId, 'User'));
  });

  async function names(scope: string, filter?: string): Promise<string[]> {
    const out: string[] = [];
    for await (const ra of auth.roleAssignments.listForScope(scope, filter ? { filter } : {})) out.push(ra.name!);
    return out.sort();
  }

  it('atScope() returns assignments at or above the scope', async () => {
    expect(await names(registryId, 'atScope()')).toEqual([NAME_A, NAME_B, NAME_C].sort());
    expect(await names(subScope, 'atScope()')).toEqual([NAME_B]);
  });

  it("principalId eq '<oid>' returns that principal's assignments at, above and below the scope", async () => {
    expect(await names(subScope, `principalId eq '${kubelet}'`)).toEqual([NAME_A, NAME_B].sort());
    expect(await names(registryId, `principalId eq '${SANDBOX_USERS.requester.objectId}'`)).toEqual([NAME_C]);
  });

  it('pages through nextLink in the SDK iterator', async () => {
    sandbox.arm.state.pageSize = 1;
    sandbox.arm.clearRequests();
    expect(await names(registryId, 'atScope()')).toEqual([NAME_A, NAME_B, NAME_C].sort());
    expect(sandbox.arm.requests.map((r) => r.operation)).toEqual(Array(3).fill('roleAssignments.listForScope'));
  });

  it('rejects unsupported filters', async () => {
    await expect(names(registryId, "roleDefinitionId eq 'x'")).rejects.toMatchObject({ statusCode: 400 });
  });
});

describe('permissions', () => {
  it("reports the caller's rights on a registry and honours denials", async () => {
    const list = async () => {
      const out = [];
      for await (const p of auth.permissions.listForResource(
        'rg-acr',
        'Microsoft.ContainerRegistry',
        '',
        'registries',
        'contosoacr',
      ))
        out.push(p);
      return out;
    };
    // One entry per role acrbot holds there, as the Bicep gives them: Reader (on the resource
    // group), the administrator role and the token operator role (on the registry).
    expect((await list()).map((p) => p.actions)).toEqual([
      ['*/read'],
      [WRITE, 'Microsoft.Authorization/roleAssignments/delete', '*/read', 'Microsoft.Support/*'],
      expect.arrayContaining(['Microsoft.ContainerRegistry/registries/tokens/*']),
    ]);
    expect((await list()).map((p) => p.notActions)).toEqual([[], [], []]);
    sandbox.arm.state.denyAction(registryId, WRITE);
    expect((await list()).map((p) => p.notActions)).toEqual([[WRITE], [WRITE], [WRITE]]);
    expect(sandbox.arm.requests.at(-1)).toMatchObject({ operation: 'permissions.listForResource', status: 200 });
    const rg = [];
    for await (const p of auth.permissions.listForResourceGroup('rg-acr')) rg.push(p);
    expect(rg[0]!.notActions).toEqual([]);
  });
});

describe('throttling', () => {
  it('answers an injected 429 with Retry-After and ARM throttling text', async () => {
    sandbox.arm.faults.add({ operation: 'roleAssignments.listForScope', status: 429 });
    const res = await httpsJson(
      `${sandbox.armUrl}${registryId}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01`,
      { ca: sandbox.tls.caPem, token: sandbox.token },
    );
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.body.error.code).toBe('SubscriptionRequestsThrottled');
    expect(res.body.error.message).toContain(`Number of requests for subscription '${sub}'`);
  });

  // The header itself (Retry-After: 1) is checked in the test above; here the SDK retries once.
  it('lets the SDK absorb a 429 with the plain ARM header (Retry-After: 1 second)', async () => {
    sandbox.arm.faults.add({ operation: 'roleAssignments.get', status: 429 });
    await auth.roleAssignments.create(registryId, NAME_A, pull());
    await expect(auth.roleAssignments.get(registryId, NAME_A)).resolves.toMatchObject({ name: NAME_A });
    expect(sandbox.arm.requests.filter((r) => r.operation === 'roleAssignments.get').map((r) => r.status)).toEqual([
      429, 200,
    ]);
  });

  it('lets the SDK absorb a 429 by retrying after the given delay', async () => {
    sandbox.arm.faults.add({
      operation: 'roleAssignments.create',
      status: 429,
      count: 2,
      headers: { 'retry-after-ms': '20' },
    });
    await expect(auth.roleAssignments.create(registryId, NAME_A, pull())).resolves.toMatchObject({ name: NAME_A });
    expect(sandbox.arm.requests.map((r) => r.status)).toEqual([429, 429, 201]);
  });
});
