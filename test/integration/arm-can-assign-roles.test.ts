/**
 * canAssignRoles answers from ARM's permissions on the scope whether acrbot may write role
 * assignments there: rights that only read (a Reader), or that exclude the write, are "no", so a
 * grant is refused up front rather than failing at the create. The real adapter over HTTPS
 * against a local server answering the permissions listing.
 */
import type { ArmConnection } from '../../src/integrations/azure/arm-connection';
import { ArmRoleAssignments } from '../../src/integrations/azure/arm-role-assignments';
import { createSandboxTls } from '../../src/sandbox/tls';
import { connectionTo, HttpsService, json } from '../helpers/https-service';

const SUB = '00000000-0000-0000-0000-000000000001';
const REGISTRY_ID = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr1`;

const tls = createSandboxTls();
const arm = new HttpsService();
let connection: ArmConnection;
let roles: ArmRoleAssignments;

beforeAll(async () => {
  await arm.start(tls);
  connection = connectionTo(arm, tls.caPem, 'bearer-can-assign');
  roles = new ArmRoleAssignments(connection);
});
afterAll(async () => {
  connection.agent?.destroy();
  await arm.stop();
});
beforeEach(() => {
  arm.requests.length = 0;
});

/** Answers the permissions listing with these sets. */
const permissions = (value: { actions: string[]; notActions: string[] }[]) => {
  arm.handler = (_req, res) => json(res, 200, { value });
};

test('a Reader’s rights are no right to assign roles', async () => {
  permissions([{ actions: ['*/read'], notActions: [] }]);
  await expect(roles.canAssignRoles(REGISTRY_ID)).resolves.toBe(false);
  expect(arm.requests[0]!.url).toMatch(/\/registries\/acr1\/providers\/Microsoft\.Authorization\/permissions\?/);
});

test('rights whose notActions exclude the role assignment write are no right either', async () => {
  permissions([{ actions: ['*'], notActions: ['Microsoft.Authorization/*/Write'] }]);
  await expect(roles.canAssignRoles(REGISTRY_ID)).resolves.toBe(false);
});

test('the role assignment write granted is the right', async () => {
  permissions([
    { actions: ['*/read'], notActions: [] },
    { actions: ['Microsoft.Authorization/roleAssignments/write'], notActions: [] },
  ]);
  await expect(roles.canAssignRoles(REGISTRY_ID)).resolves.toBe(true);
});
