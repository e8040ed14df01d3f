/**
 * Role assignment listings and the caller's `roleAssignments/read`, through the real
 * `@azure/arm-authorization` client: a listing needs the right on its own scope (403 without
 * it); what applies there (at or above it) comes with that right; what lies below shows only
 * where the caller may read it, so a subscription-wide listing answers with what the caller may
 * read instead of refusing.
 */
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { BUILT_IN_ROLES } from '../../src/sandbox/arm/role-definitions';
import {
  SANDBOX_CLUSTERS,
  SANDBOX_REGISTRIES,
  SANDBOX_SUBSCRIPTIONS,
  sandboxResourceId,
} from '../../src/sandbox/fixtures';
import { sandboxCredential } from '../../src/sandbox/identity/access-tokens';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';

const READ = 'Microsoft.Authorization/roleAssignments/read';
const sub = SANDBOX_SUBSCRIPTIONS.platform;
const registryId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);
const kubelet = SANDBOX_CLUSTERS.prod.kubeletObjectId;
const ON_REGISTRY = 'b0000000-0000-4000-8000-000000000001';
const ON_SUBSCRIPTION = 'b0000000-0000-4000-8000-000000000002';

let sandbox: Sandbox;
let auth: AuthorizationManagementClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  auth = new AuthorizationManagementClient(sandboxCredential, sub, {
    $host: sandbox.armUrl,
    endpoint: sandbox.armUrl,
    tlsOptions: { ca: sandbox.tls.caPem },
  });
  const { state } = sandbox.arm;
  state.roleAssignments.clear();
  state.addRoleAssignment({
    name: ON_REGISTRY,
    scope: registryId,
    roleDefinitionGuid: BUILT_IN_ROLES.acrPull,
    principalId: kubelet,
  });
  state.addRoleAssignment({
    name: ON_SUBSCRIPTION,
    scope: `/subscriptions/${sub}`,
    roleDefinitionGuid: BUILT_IN_ROLES.reader,
    principalId: kubelet,
  });
});
afterAll(() => sandbox.stop());
afterEach(() => sandbox.arm.state.access.clear());

async function names(scope: string, filter: string): Promise<string[]> {
  const out: string[] = [];
  for await (const ra of auth.roleAssignments.listForScope(scope, { filter })) out.push(ra.name!);
  return out.sort();
}

const assignedTo = `assignedTo('${kubelet}')`;

it('with read everywhere, the subscription-wide listing has both', async () => {
  expect(await names(`/subscriptions/${sub}`, assignedTo)).toEqual([ON_REGISTRY, ON_SUBSCRIPTION]);
});

it('without read on the registry: the subscription-wide listing leaves its assignment out, the registry refuses', async () => {
  sandbox.arm.state.denyAction(registryId, READ);
  expect(await names(`/subscriptions/${sub}`, assignedTo)).toEqual([ON_SUBSCRIPTION]);
  expect(await names(`/subscriptions/${sub}`, `principalId eq '${kubelet}'`)).toEqual([ON_SUBSCRIPTION]);
  await expect(names(registryId, assignedTo)).rejects.toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });
});

it('with read on the registry only (the deployment): the registry listing has what applies there, inherited included; the subscription refuses', async () => {
  sandbox.arm.state.denyActionOnlyAt(`/subscriptions/${sub}`, READ);
  expect(await names(registryId, assignedTo)).toEqual([ON_REGISTRY, ON_SUBSCRIPTION]);
  expect(await names(registryId, 'atScope()')).toEqual([ON_REGISTRY, ON_SUBSCRIPTION]);
  await expect(names(`/subscriptions/${sub}`, assignedTo)).rejects.toMatchObject({ statusCode: 403 });
});
