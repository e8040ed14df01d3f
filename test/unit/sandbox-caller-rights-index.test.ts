/**
 * The caller's assignments indexed by scope (caller-rights.ts CallerAssignments.anyCovers) answer
 * what asking each assignment answers: at a parent scope, at the root, in any case or spelling, a
 * role whose notActions take the action away, a sibling whose name starts with another's, and
 * after each change to the list (the index is dropped with it). Nothing outside the class changes
 * the list or an assignment's scope behind the index's back: both are frozen.
 */
import { actionMatches } from '../../src/sandbox/arm/access-control';
import {
  assignmentCovers,
  builtInCallerRole,
  type CallerAssignment,
  CallerAssignments,
  clusterCallerRights,
  registryCallerRights,
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

/** The caller's assignments held as the emulator holds them, from `list`. */
function held(list: readonly CallerAssignment[]): CallerAssignments {
  const rights = new CallerAssignments();
  for (const a of list) rights.add(a);
  return rights;
}

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

function expectSameAnswers(rights: CallerAssignments): void {
  for (const scope of SCOPES)
    for (const action of ACTIONS)
      expect([scope, action, rights.anyCovers(scope, action, actionMatches)]).toEqual([
        scope,
        action,
        scan(rights.all(), scope, action),
      ]);
}

test('indexed answers are the scan answers: at the resource, under it, at a parent group or subscription, in any case', () => {
  const rights = held([...registryCallerRights(REGISTRY), ...clusterCallerRights(CLUSTER)]);
  expectSameAnswers(rights);
  // The registry's rights reach a role assignment below it, not a registry whose name starts with its name.
  expect(
    rights.anyCovers(`${REGISTRY}/providers/Microsoft.Authorization/roleAssignments/x`, WRITE, actionMatches),
  ).toBe(true);
  expect(rights.anyCovers(`${REGISTRY}2`, WRITE, actionMatches)).toBe(false);
});

test('an assignment at the subscription, at the root, and one whose notActions take the action away', () => {
  const list: CallerAssignment[] = [
    { scope: `${SUB.toUpperCase()}/`, ...NO_WRITES },
    { scope: `${SUB}/resourceGroups/rg-aks`, ...builtInCallerRole(BUILT_IN_ROLES.reader) },
  ];
  const rights = held(list);
  expectSameAnswers(rights);
  expect(rights.anyCovers(REGISTRY, READ, actionMatches)).toBe(true);
  expect(rights.anyCovers(REGISTRY, WRITE, actionMatches)).toBe(false);
  const withRoot = held([...list, { scope: '/', ...builtInCallerRole(BUILT_IN_ROLES.rbacAdministrator) }]);
  expectSameAnswers(withRoot);
  expect(withRoot.anyCovers(REGISTRY, WRITE, actionMatches)).toBe(true);
});

test('the index follows every change, each asked about after the index was built: added, removed, a middle one removed', () => {
  const rights = held(clusterCallerRights(CLUSTER));
  expect(rights.anyCovers(REGISTRY, WRITE, actionMatches)).toBe(false);
  for (const a of registryCallerRights(REGISTRY)) rights.add(a);
  expect(rights.anyCovers(REGISTRY, WRITE, actionMatches)).toBe(true);
  expectSameAnswers(rights);
  expect(rights.removeWhere((a) => a.scope.endsWith('acr1'))).toBe(2);
  expect(rights.anyCovers(REGISTRY, WRITE, actionMatches)).toBe(false);
  expectSameAnswers(rights);
  // A middle one removed (the last one stays), then added back: each answered afresh.
  const middle = held([
    { scope: CLUSTER, ...builtInCallerRole(BUILT_IN_ROLES.reader) },
    { scope: REGISTRY, ...builtInCallerRole(BUILT_IN_ROLES.rbacAdministrator) },
    { scope: `${SUB}/resourceGroups/rg-aks`, ...builtInCallerRole(BUILT_IN_ROLES.reader) },
  ]);
  expect(middle.anyCovers(REGISTRY, WRITE, actionMatches)).toBe(true);
  expect(middle.removeWhere((a) => a.scope === REGISTRY)).toBe(1);
  expect(middle.anyCovers(REGISTRY, WRITE, actionMatches)).toBe(false);
  expectSameAnswers(middle);
  expect(middle.add({ scope: REGISTRY, ...builtInCallerRole(BUILT_IN_ROLES.rbacAdministrator) })).toBe(true);
  expect(middle.anyCovers(REGISTRY, WRITE, actionMatches)).toBe(true);
  expectSameAnswers(middle);
  // Nothing removed, nothing held twice: no change.
  expect(middle.removeWhere(() => false)).toBe(0);
  expect(middle.add({ scope: REGISTRY.toUpperCase(), ...builtInCallerRole(BUILT_IN_ROLES.rbacAdministrator) })).toBe(
    false,
  );
  expect(middle.all()).toHaveLength(3);
});

test('neither the list nor an assignment can change outside the class: an index cannot go stale', () => {
  const given: CallerAssignment = { scope: CLUSTER, ...builtInCallerRole(BUILT_IN_ROLES.rbacAdministrator) };
  const rights = held([given]);
  expect(rights.anyCovers(REGISTRY, WRITE, actionMatches)).toBe(false);
  // The object added is copied: changing it afterwards changes nothing held.
  (given as { scope: string }).scope = REGISTRY;
  const listed = rights.all();
  expect(() => {
    (listed[0] as { scope: string }).scope = REGISTRY;
  }).toThrow(TypeError);
  expect(() => (listed as CallerAssignment[]).push(given)).toThrow(TypeError);
  expect(rights.all().map((a) => a.scope)).toEqual([CLUSTER]);
  expect(rights.anyCovers(REGISTRY, WRITE, actionMatches)).toBe(false);
  expectSameAnswers(rights);
});
