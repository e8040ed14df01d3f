/**
 * Each role assignment listing asks ARM for what its name says (CONTRACTS §7a): the principal's
 * own assignments (`principalId eq`), those it holds through groups (`assignedTo`), or all at or
 * above the scope (`atScope()`). A revocation reads the principal's listing: one that answered
 * every assignment on the registry would hand it other people's. The real adapter over HTTPS
 * against a local server that records the query.
 */
import { REGISTRY_ID, useArmStandIn } from '../helpers/arm-stand-in';
import { json } from '../helpers/https-service';

const PRINCIPAL = '22222222-2222-2222-2222-222222222222';

const standIn = useArmStandIn('bearer-role-filters');
const { arm } = standIn;

arm.handler = (_req, res) => json(res, 200, { value: [] });

/** The `$filter` of the one request made. */
function sentFilter(): string | null {
  expect(arm.requests).toHaveLength(1);
  return new URL(arm.requests[0]!.url, arm.url).searchParams.get('$filter');
}

test('listForPrincipal asks for that principal only', async () => {
  await standIn.roles.listForPrincipal(REGISTRY_ID, PRINCIPAL);
  expect(sentFilter()).toBe(`principalId eq '${PRINCIPAL}'`);
  expect(arm.requests[0]!.url).toMatch(
    /^\/subscriptions\/[^/]+\/resourceGroups\/rg\/providers\/Microsoft\.ContainerRegistry\/registries\/acr1\/providers\/Microsoft\.Authorization\/roleAssignments\?/,
  );
});

test('listAssignedToAt asks for what the principal holds, groups included; listAtOrAbove for the scope', async () => {
  await standIn.roles.listAssignedToAt(REGISTRY_ID, PRINCIPAL);
  expect(sentFilter()).toBe(`assignedTo('${PRINCIPAL}')`);
  arm.requests.length = 0;
  await standIn.roles.listAtOrAbove(REGISTRY_ID);
  expect(sentFilter()).toBe('atScope()');
});
