/**
 * Where RoleDefinitions reads a role: at its assignment's own scope (a custom role assignable only
 * at a resource group or resource is 404 at its subscription), the subscription after that, a
 * management group's assignment under the subscription; one read per distinct role.
 */
import type { RoleAssignmentInfo, RoleDefinitionInfo } from '../../src/domain/azure-model';
import { ROLE_IDS } from '../../src/domain/roles';
import { definitionScopes, RoleDefinitions } from '../../src/flows/role-definitions';
import { acrPullDefinition, customPullDefinition } from './support/role-definitions';

const SUB = 'aaaaaaaa-0000-4000-8000-00000000000a';
const SUBSCRIPTION = `/subscriptions/${SUB}`;
const RG = `${SUBSCRIPTION}/resourceGroups/rg-acr`;
const REGISTRY = `${RG}/providers/Microsoft.ContainerRegistry/registries/contosoacr`;
const MG = '/providers/Microsoft.Management/managementGroups/platform';
const CUSTOM = '3c000000-0000-4000-8000-0000000000e1';

const custom: RoleDefinitionInfo = customPullDefinition(CUSTOM, 'group puller');

function assignment(scope: string, guid: string, name = 'a1'): RoleAssignmentInfo {
  return {
    id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
    name,
    scope,
    roleDefinitionId: `${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${guid}`,
    principalId: '0b000000-0000-4000-8000-0000000000c1',
    principalType: 'ServicePrincipal',
  };
}

/**
 * ARM as seen through the port: `custom` known only at and below `knownAt`, AcrPull everywhere;
 * nothing at a `gone` scope (404 ResourceGroupNotFound, which the port answers as undefined).
 */
function armWithCustomAt(knownAt: string, gone?: string) {
  const reads: string[] = [];
  const definitions = new RoleDefinitions(async (scope, guid) => {
    reads.push(`${scope} ${guid}`);
    if (scope === gone) return undefined;
    if (guid === ROLE_IDS.acrPull) return acrPullDefinition();
    const s = scope.toLowerCase();
    return guid === CUSTOM && (s === knownAt.toLowerCase() || s.startsWith(`${knownAt.toLowerCase()}/`))
      ? custom
      : undefined;
  });
  return { definitions, reads };
}

describe('definitionScopes', () => {
  test('the assignment’s own scope first (trailing slash dropped), then its subscription', () => {
    expect(definitionScopes(assignment(`${RG}/`, CUSTOM), SUB)).toEqual([RG, SUBSCRIPTION]);
    expect(definitionScopes(assignment(REGISTRY, CUSTOM), SUB)).toEqual([REGISTRY, SUBSCRIPTION]);
  });

  test('a subscription-scope assignment is read once there', () => {
    expect(definitionScopes(assignment(SUBSCRIPTION.toUpperCase(), CUSTOM), SUB)).toEqual([SUBSCRIPTION.toUpperCase()]);
  });

  test('a management group’s assignment is read under the subscription given, never at the group', () => {
    expect(definitionScopes(assignment(MG, CUSTOM), SUB)).toEqual([SUBSCRIPTION]);
  });
});

describe('RoleDefinitions.of', () => {
  test('a role assignable only at the resource group is found, with one read at the group', async () => {
    const { definitions, reads } = armWithCustomAt(RG);
    const roles = await definitions.of([assignment(RG, CUSTOM)], (a) => definitionScopes(a, SUB));
    expect(roles.get(CUSTOM)).toEqual(custom);
    expect(reads).toEqual([`${RG} ${CUSTOM}`]);
  });

  test('one read per distinct role, however many assignments share it', async () => {
    const { definitions, reads } = armWithCustomAt(RG);
    await definitions.of(
      [assignment(RG, CUSTOM, 'a1'), assignment(REGISTRY, CUSTOM, 'a2'), assignment(RG, ROLE_IDS.acrPull, 'a3')],
      (a) => definitionScopes(a, SUB),
    );
    expect(reads.filter((r) => r.endsWith(CUSTOM))).toHaveLength(1);
    expect(reads.filter((r) => r.endsWith(ROLE_IDS.acrPull))).toHaveLength(1);
  });

  test('not known at the assignment’s scope: read at the subscription next', async () => {
    // As when the group was deleted after the listing and ARM answers 404 there.
    const gone = `${SUBSCRIPTION}/resourceGroups/rg-gone`;
    const { definitions, reads } = armWithCustomAt(SUBSCRIPTION, gone);
    const roles = await definitions.of([assignment(gone, CUSTOM)], (a) => definitionScopes(a, SUB));
    expect(roles.get(CUSTOM)).toEqual(custom);
    expect(reads).toEqual([`${gone} ${CUSTOM}`, `${SUBSCRIPTION} ${CUSTOM}`]);
    // Known nowhere: left out, after those two reads.
    const { definitions: none, reads: tried } = armWithCustomAt('/subscriptions/elsewhere');
    expect((await none.of([assignment(RG, CUSTOM)], (a) => definitionScopes(a, SUB))).has(CUSTOM)).toBe(false);
    expect(tried).toEqual([`${RG} ${CUSTOM}`, `${SUBSCRIPTION} ${CUSTOM}`]);
  });

  test('a 403 at the assignment’s scope (no Reader on its group) falls back to the subscription; a 403 there is thrown', async () => {
    const forbidden = Object.assign(new Error('AuthorizationFailed'), { statusCode: 403 });
    const reads: string[] = [];
    const definitions = new RoleDefinitions(async (scope, guid) => {
      reads.push(scope);
      if (scope === RG) throw forbidden;
      return guid === CUSTOM ? custom : undefined;
    });
    const roles = await definitions.of([assignment(RG, CUSTOM)], (a) => definitionScopes(a, SUB));
    expect(roles.get(CUSTOM)).toEqual(custom);
    expect(reads).toEqual([RG, SUBSCRIPTION]);
    const refusing = new RoleDefinitions(async () => {
      throw forbidden;
    });
    await expect(refusing.of([assignment(RG, CUSTOM)], (a) => definitionScopes(a, SUB))).rejects.toBe(forbidden);
  });

  test('known nowhere: the most specific scope’s answer stands, a 404 at the registry over 403s above it, a 403 at the group over a 404 above it', async () => {
    const forbidden = Object.assign(new Error('AuthorizationFailed'), { statusCode: 403 });
    // The registry (where acrbot reads) says "not found"; its group and subscription refuse.
    const reads: string[] = [];
    const notAtRegistry = new RoleDefinitions(async (scope) => {
      reads.push(scope);
      if (scope === REGISTRY) return undefined;
      throw forbidden;
    });
    const roles = await notAtRegistry.of([assignment(RG, CUSTOM)], (a) => definitionScopes(a, SUB, REGISTRY));
    expect(roles.has(CUSTOM)).toBe(false);
    expect(reads).toEqual([REGISTRY, RG, SUBSCRIPTION]);
    // The group refuses; the subscription's 404 says nothing of a role assignable only there.
    const refusedAtGroup = new RoleDefinitions(async (scope) => {
      if (scope === RG) throw forbidden;
      return undefined;
    });
    await expect(refusedAtGroup.of([assignment(RG, CUSTOM)], (a) => definitionScopes(a, SUB))).rejects.toBe(forbidden);
  });

  test('built-in roles are cached by id; custom roles are read again on every call', async () => {
    const { definitions, reads } = armWithCustomAt(RG);
    const both = [assignment(RG, CUSTOM, 'a1'), assignment(REGISTRY, ROLE_IDS.acrPull, 'a2')];
    await definitions.of(both, (a) => definitionScopes(a, SUB));
    await definitions.of(both, (a) => definitionScopes(a, SUB));
    expect(reads.filter((r) => r.endsWith(ROLE_IDS.acrPull))).toHaveLength(1);
    expect(reads.filter((r) => r.endsWith(CUSTOM))).toHaveLength(2);
  });
});
