/**
 * The ARM emulator's limit of role assignments per subscription (role-assignment-rules.ts), as
 * Azure's fixed 4,000: a new assignment past it is refused with ARM's code and message, an
 * existing one may still be written again, and other subscriptions are not affected.
 */
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { BUILT_IN_ROLES } from '../../src/sandbox/arm/role-definitions';
import { setRoleAssignmentRules } from '../../src/sandbox/arm/role-assignment-rules';
import {
  SANDBOX_CLUSTERS,
  SANDBOX_REGISTRIES,
  SANDBOX_SUBSCRIPTIONS,
  sandboxResourceId,
} from '../../src/sandbox/fixtures';
import { sandboxCredential } from '../../src/sandbox/identity/access-tokens';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';

const platform = SANDBOX_SUBSCRIPTIONS.platform;
const contoso = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);
const shared = sandboxResourceId('registry', SANDBOX_REGISTRIES.sharedData);
const NAME_A = '2c3d4e5f-0000-4000-8000-00000000000a';
const NAME_B = '2c3d4e5f-0000-4000-8000-00000000000b';
const NAME_C = '2c3d4e5f-0000-4000-8000-00000000000c';

let sandbox: Sandbox;
const client = (sub: string) =>
  new AuthorizationManagementClient(sandboxCredential, sub, {
    $host: sandbox.armUrl,
    endpoint: sandbox.armUrl,
    tlsOptions: { ca: sandbox.tls.caPem },
  });
const pull = (sub: string, principalId: string) => ({
  roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES.acrPull}`,
  principalId,
  principalType: 'ServicePrincipal' as const,
});

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.stop());
beforeEach(() => {
  sandbox.arm.state.roleAssignments.clear();
  setRoleAssignmentRules(sandbox.arm.state, platform, {});
});

test('past the limit a new assignment is refused with RoleAssignmentLimitExceeded, 400', async () => {
  const auth = client(platform);
  await auth.roleAssignments.create(contoso, NAME_A, pull(platform, SANDBOX_CLUSTERS.prod.kubeletObjectId));
  setRoleAssignmentRules(sandbox.arm.state, platform, { maxRoleAssignments: 1 });

  await expect(
    auth.roleAssignments.create(contoso, NAME_B, pull(platform, SANDBOX_CLUSTERS.dev.kubeletObjectId)),
  ).rejects.toMatchObject({
    statusCode: 400,
    code: 'RoleAssignmentLimitExceeded',
    message: 'No more role assignments can be created.',
  });
  expect(sandbox.arm.state.roleAssignments.get(NAME_B)).toBeUndefined();
  // A re-PUT of the existing assignment adds none, so the limit does not refuse it.
  await expect(
    auth.roleAssignments.create(contoso, NAME_A, pull(platform, SANDBOX_CLUSTERS.prod.kubeletObjectId)),
  ).resolves.toMatchObject({ name: NAME_A });
  // Another subscription has its own count.
  await expect(
    client(SANDBOX_SUBSCRIPTIONS.data).roleAssignments.create(
      shared,
      NAME_C,
      pull(SANDBOX_SUBSCRIPTIONS.data, SANDBOX_CLUSTERS.dev.kubeletObjectId),
    ),
  ).resolves.toMatchObject({ name: NAME_C });
});

test('cleared rules refuse nothing', async () => {
  setRoleAssignmentRules(sandbox.arm.state, platform, { maxRoleAssignments: 0 });
  setRoleAssignmentRules(sandbox.arm.state, platform, {});
  await expect(
    client(platform).roleAssignments.create(contoso, NAME_A, pull(platform, SANDBOX_CLUSTERS.prod.kubeletObjectId)),
  ).resolves.toMatchObject({ name: NAME_A });
});
