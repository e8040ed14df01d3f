/**
 * ARM's input validation in the emulator, as the real service answers it: malformed ids and
 * api-versions are 400s under their own codes, never the 404 or PrincipalNotFound (which callers
 * retry) of well-formed ids that name nothing; a re-PUT of a role assignment under the same name
 * replaces its description and condition. Through the real SDK clients where they can send it.
 */
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import { BUILT_IN_ROLES } from '../../src/sandbox/arm/role-definitions';
import {
  SANDBOX_CLUSTERS,
  SANDBOX_REGISTRIES,
  SANDBOX_SUBSCRIPTIONS,
  sandboxResourceId,
} from '../../src/sandbox/fixtures';
import { ARM_AUDIENCE, sandboxAccessToken, sandboxCredential } from '../../src/sandbox/identity/access-tokens';
import { httpsJson } from '../../src/sandbox/http-util';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';

const sub = SANDBOX_SUBSCRIPTIONS.platform;
const registry = SANDBOX_REGISTRIES.contoso;
const registryId = sandboxResourceId('registry', registry);
const kubelet = SANDBOX_CLUSTERS.prod.kubeletObjectId;
const acrPull = `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES.acrPull}`;
const NAME = '5e1d0000-0000-4000-8000-0000000000f1';

let sandbox: Sandbox;
let auth: AuthorizationManagementClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  auth = new AuthorizationManagementClient(sandboxCredential, sub, {
    $host: sandbox.armUrl,
    endpoint: sandbox.armUrl,
    tlsOptions: { ca: sandbox.tls.caPem },
  });
});
afterAll(() => sandbox.stop());
beforeEach(() => {
  sandbox.arm.clearRequests();
  sandbox.arm.state.roleAssignments.clear();
});

function registries(subscriptionId: string): ContainerRegistryManagementClient {
  return new ContainerRegistryManagementClient(sandboxCredential, subscriptionId, {
    endpoint: sandbox.armUrl,
    tlsOptions: { ca: sandbox.tls.caPem },
  });
}

function armGet(pathAndQuery: string) {
  return httpsJson(`${sandbox.armUrl}${pathAndQuery}`, {
    ca: sandbox.tls.caPem,
    token: sandboxAccessToken(ARM_AUDIENCE),
  });
}

describe('role assignment create refuses malformed ids as such', () => {
  it('answers 400 InvalidPrincipalId for a principal id that is not a GUID (not the retried PrincipalNotFound)', async () => {
    await expect(
      auth.roleAssignments.create(registryId, NAME, {
        roleDefinitionId: acrPull,
        principalId: 'aks-prod-kubelet',
        principalType: 'ServicePrincipal',
      }),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: 'InvalidPrincipalId',
      message: "The Principal ID 'aks-prod-kubelet' is not valid. Principal ID must be a GUID.",
    });
    await expect(
      auth.roleAssignments.create(registryId, NAME, { roleDefinitionId: acrPull, principalId: '' }),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: 'InvalidPrincipalId',
      message: 'A valid principal ID must be provided for role assignment.',
    });
    // A well-formed id that names nobody is still the replication error.
    await expect(
      auth.roleAssignments.create(registryId, NAME, {
        roleDefinitionId: acrPull,
        principalId: '5e1d0000-0000-4000-8000-00000000dead',
        principalType: 'ServicePrincipal',
      }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'PrincipalNotFound' });
    expect(sandbox.arm.state.listRoleAssignments()).toEqual([]);
  });

  it('answers 400 InvalidRoleDefinitionId for a role definition id without a GUID', async () => {
    const roleDefinitionId = `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/AcrPull`;
    await expect(
      auth.roleAssignments.create(registryId, NAME, { roleDefinitionId, principalId: kubelet }),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: 'InvalidRoleDefinitionId',
      message: `The role definition ID '${roleDefinitionId}' is not valid.`,
    });
    // A GUID that is no role is the other error.
    await expect(
      auth.roleAssignments.create(registryId, NAME, {
        roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${NAME}`,
        principalId: kubelet,
      }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'RoleDefinitionDoesNotExist' });
  });
});

describe('a re-PUT under the same name', () => {
  it('replaces description and condition, as `az role assignment update` relies on', async () => {
    const condition = "@Resource[Microsoft.ContainerRegistry/registries/repositories:name] StringEquals 'payments'";
    const base = { roleDefinitionId: acrPull, principalId: kubelet, principalType: 'ServicePrincipal' as const };
    await auth.roleAssignments.create(registryId, NAME, base);
    const updated = await auth.roleAssignments.create(registryId, NAME, {
      ...base,
      description: 'payments only',
      condition,
      conditionVersion: '2.0',
    });
    expect(updated).toMatchObject({ description: 'payments only', condition, conditionVersion: '2.0' });
    expect(await auth.roleAssignments.get(registryId, NAME)).toMatchObject({ description: 'payments only', condition });
    // PUT replaces: what the next body leaves out is gone.
    const cleared = await auth.roleAssignments.create(registryId, NAME, base);
    expect(cleared).toMatchObject({ description: null, condition: null, conditionVersion: null });
    expect(sandbox.arm.requests.map((r) => [r.operation, r.status])).toEqual([
      ['roleAssignments.create', 201],
      ['roleAssignments.create', 200],
      ['roleAssignments.get', 200],
      ['roleAssignments.create', 200],
    ]);
  });
});

describe('subscription ids in the path', () => {
  it('answers 400 InvalidSubscriptionId for one that is not a GUID, 404 SubscriptionNotFound for an unknown GUID', async () => {
    await expect(
      registries('Pay-As-You-Go').registries.get(registry.resourceGroup, registry.name),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: 'InvalidSubscriptionId',
      message: "The provided subscription identifier 'Pay-As-You-Go' is malformed or invalid.",
    });
    await expect(
      registries('5e1d0000-0000-4000-8000-00000000beef').registries.get(registry.resourceGroup, registry.name),
    ).rejects.toMatchObject({ statusCode: 404, code: 'SubscriptionNotFound' });
    // Role assignment scopes are checked the same way.
    const listed = await armGet(
      '/subscriptions/rg-acr/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01',
    );
    expect(listed.status).toBe(400);
    expect(listed.body.error.code).toBe('InvalidSubscriptionId');
    expect(listed.headers['x-ms-request-id']).toEqual(expect.any(String));
  });
});

describe('api-version', () => {
  it('answers 400 InvalidApiVersionParameter for a value that is not a version, and takes any well-formed one', async () => {
    const bad = await armGet(`${registryId}?api-version=latest`);
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      error: {
        code: 'InvalidApiVersionParameter',
        message: expect.stringMatching(/^The api-version 'latest' is invalid\./),
      },
    });
    for (const version of ['2025-11-01', '2019-12-01-preview', '2014-04']) {
      const good = await armGet(`${registryId}?api-version=${version}`);
      expect([version, good.status]).toEqual([version, 200]);
    }
    const missing = await armGet(registryId);
    expect([missing.status, missing.body.error.code]).toEqual([400, 'MissingApiVersionParameter']);
  });
});
