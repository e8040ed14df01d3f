/**
 * The caller's assignments indexed by scope (caller-rights.ts anyAssignmentCovers) answer what
 * asking each assignment answers: at a parent scope, at the root, in any case or spelling, a role
 * whose notActions take the action away, a sibling whose name starts with another's, and after
 * the list grows in place or is replaced.
 */
import { actionMatches } from '../../src/sandbox/arm/access-control';
import {
  anyAssignmentCovers,
  assignmentCovers,
  builtInCallerRole,
  clusterCallerRights,
  registryCallerRights,
  type CallerAssignment,
} from '../../src/sandbox/arm/caller-rights';
import { BUILT_IN_ROLES } from '../../src/sandbox/arm/role-definitions';

const SUB = '/subscriptions/00000000-0000-0000-0000-000000000001';
const REGISTRY = `${SUB}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/acr1`;
const CLUSTER = `${SUB}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks1`;
const READ = 'Microsoft.Authorization/roleAssignments/read';
const WRITE = 'Microsoft.Authorization/roleAssignments/write';

/** A role with every action but role assignment writes (a deny inside the role). */
const NO_WRITES = {
  roleName: 'everything but writes',
  permissions: [{ actions: ['*'], notActions: [WRITE], dataActions: [], notDataActions: [] }],
};

const scan = (list: readonly CallerAssignment[], scope: string, action: string) =>
  list.some((a) => assignmentCovers(a, scope, action, actionMatches));

const SCOPES = [
  '/',
  SUB,
  `${SUB}/resourceGroups/rg-acr`,
  `${SUB}/resourceGroups/rg-acr2`,
  `${SUB}/resourceGroups/RG-ACR/`,
  `${SUB}//resourceGroups/rg-acr`,
  REGISTRY,
  REGISTRY.toUpperCase(),
  `${REGISTRY}/providers/Microsoft.Authorization/roleAssignments/abc`,
  `${REGISTRY}2`,
  CLUSTER,
  `${CLUSTER}/providers/Microsoft.Authorization/roleAssignments/def`,
  `${SUB}/resourceGroups/rg-other/providers/Microsoft.ContainerRegistry/registries/acr9`,
  '/subscriptions/00000000-0000-0000-0000-000000000002/resourceGroups/rg-acr',
];
const ACTIONS = [
  READ,
  WRITE,
  'Microsoft.ContainerRegistry/registries/tokens/write',
  'Microsoft.Resources/subscriptions/resourceGroups/read',
];

function expectSameAnswers(list: readonly CallerAssignment[]): void {
  for (const scope of SCOPES)
    for (const action of ACTIONS)
      expect([scope, action, anyAssignmentCovers(list, scope, action, actionMatches)]).toEqual([
        scope,
        action,
        scan(list, scope, action),
      ]);
}

test('indexed answers are the scan answers: at the resource, under it, at a parent group or subscription, in any case', () => {
  const list = [...registryCallerRights(REGISTRY), ...clusterCallerRights(CLUSTER)];
  expectSameAnswers(list);
  // The registry's rights reach a role assignment below it, not a registry whose name starts with its name.
  expect(
    anyAssignmentCovers(list, `${REGISTRY}/providers/Microsoft.Authorization/roleAssignments/x`, WRITE, actionMatches),
  ).toBe(true);
  expect(anyAssignmentCovers(list, `${REGISTRY}2`, WRITE, actionMatches)).toBe(false);
});

test('an assignment at the subscription, at the root, and one whose notActions take the action away', () => {
  const list: CallerAssignment[] = [
    { scope: `${SUB.toUpperCase()}/`, ...NO_WRITES },
    { scope: `${SUB}/resourceGroups/rg-aks`, ...builtInCallerRole(BUILT_IN_ROLES.reader) },
  ];
  expectSameAnswers(list);
  expect(anyAssignmentCovers(list, REGISTRY, READ, actionMatches)).toBe(true);
  expect(anyAssignmentCovers(list, REGISTRY, WRITE, actionMatches)).toBe(false);
  const withRoot = [...list, { scope: '/', ...builtInCallerRole(BUILT_IN_ROLES.rbacAdministrator) }];
  expectSameAnswers(withRoot);
  expect(anyAssignmentCovers(withRoot, REGISTRY, WRITE, actionMatches)).toBe(true);
});

test('the index follows the list: an assignment pushed, the list replaced, an element swapped', () => {
  const list: CallerAssignment[] = [...clusterCallerRights(CLUSTER)];
  expect(anyAssignmentCovers(list, REGISTRY, WRITE, actionMatches)).toBe(false);
  list.push(...registryCallerRights(REGISTRY));
  expect(anyAssignmentCovers(list, REGISTRY, WRITE, actionMatches)).toBe(true);
  expectSameAnswers(list);
  const without = list.filter((a) => !a.scope.endsWith('acr1'));
  expect(anyAssignmentCovers(without, REGISTRY, WRITE, actionMatches)).toBe(false);
  expectSameAnswers(without);
  // The last element replaced in place (same length): answered afresh, not from the old index.
  without[without.length - 1] = { scope: REGISTRY, ...builtInCallerRole(BUILT_IN_ROLES.rbacAdministrator) };
  expect(anyAssignmentCovers(without, REGISTRY, WRITE, actionMatches)).toBe(true);
  expectSameAnswers(without);
});

test('the index follows the list: a middle assignment spliced out (the last one kept)', () => {
  const list: CallerAssignment[] = [
    { scope: CLUSTER, ...builtInCallerRole(BUILT_IN_ROLES.reader) },
    { scope: REGISTRY, ...builtInCallerRole(BUILT_IN_ROLES.rbacAdministrator) },
    { scope: `${SUB}/resourceGroups/rg-aks`, ...builtInCallerRole(BUILT_IN_ROLES.reader) },
  ];
  expect(anyAssignmentCovers(list, REGISTRY, WRITE, actionMatches)).toBe(true);
  list.splice(1, 1);
  expect(anyAssignmentCovers(list, REGISTRY, WRITE, actionMatches)).toBe(false);
  expectSameAnswers(list);
});
