/**
 * canAssignRoles answers from ARM's permissions on the scope whether acrbot may write role
 * assignments there: rights that only read (a Reader), or that exclude the write, are "no", so a
 * grant is refused up front rather than failing at the create. The real adapter over HTTPS
 * against a local server answering the permissions listing.
 */
import { REGISTRY_ID, useArmStandIn } from '../helpers/arm-stand-in';
import { json } from '../helpers/https-service';

const standIn = useArmStandIn('bearer-can-assign');
const { arm } = standIn;

/** Answers the permissions listing with these sets. */
const permissions = (value: { actions: string[]; notActions: string[] }[]) => {
  arm.handler = (_req, res) => json(res, 200, { value });
};

test('a Reader’s rights are no right to assign standIn.roles', async () => {
  permissions([{ actions: ['*/read'], notActions: [] }]);
  await expect(standIn.roles.canAssignRoles(REGISTRY_ID)).resolves.toBe(false);
  expect(arm.requests[0]!.url).toMatch(/\/registries\/acr1\/providers\/Microsoft\.Authorization\/permissions\?/);
});

test('rights whose notActions exclude the role assignment write are no right either', async () => {
  permissions([{ actions: ['*'], notActions: ['Microsoft.Authorization/*/Write'] }]);
  await expect(standIn.roles.canAssignRoles(REGISTRY_ID)).resolves.toBe(false);
});

test('the role assignment write granted is the right', async () => {
  permissions([
    { actions: ['*/read'], notActions: [] },
    { actions: ['Microsoft.Authorization/roleAssignments/write'], notActions: [] },
  ]);
  await expect(standIn.roles.canAssignRoles(REGISTRY_ID)).resolves.toBe(true);
});
