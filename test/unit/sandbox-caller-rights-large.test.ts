/**
 * The ARM emulator's caller assignments (caller-rights.ts CallerAssignments) at the size of a
 * large estate: removing some of 150,000 kept the rest by spreading them into `splice`, one
 * argument each, which throws a RangeError past some 100,000; and each added one was checked
 * against every one held, so building such a list was quadratic.
 */
import { actionMatches } from '../../src/sandbox/arm/access-control';
import { builtInCallerRole, CallerAssignments } from '../../src/sandbox/arm/caller-rights';
import { BUILT_IN_ROLES } from '../../src/sandbox/arm/role-definitions';

const SUB = '/subscriptions/00000000-0000-0000-0000-000000000001';
const registry = (i: number) => `${SUB}/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr${i}`;
const WRITE = 'Microsoft.Authorization/roleAssignments/write';
const COUNT = 150_000;

test('150,000 assignments: one removed keeps the others, in order, each still answering', () => {
  const rights = new CallerAssignments();
  const role = builtInCallerRole(BUILT_IN_ROLES.rbacAdministrator);
  for (let i = 0; i < COUNT; i++) rights.add({ scope: registry(i), ...role });
  expect(rights.all()).toHaveLength(COUNT);

  expect(rights.removeWhere((a) => a.scope === registry(7))).toBe(1);
  const left = rights.all();
  expect(left).toHaveLength(COUNT - 1);
  expect(left[6].scope).toBe(registry(6));
  expect(left[7].scope).toBe(registry(8));
  expect(left[COUNT - 2].scope).toBe(registry(COUNT - 1));
  expect(rights.anyCovers(registry(7), WRITE, actionMatches)).toBe(false);
  expect(rights.anyCovers(registry(COUNT - 1), WRITE, actionMatches)).toBe(true);

  // The one removed can be added again (and only once); the others are still held.
  expect(rights.add({ scope: registry(7).toUpperCase(), ...role })).toBe(true);
  expect(rights.add({ scope: registry(7), ...role })).toBe(false);
  expect(rights.add({ scope: `${registry(8)}/`, ...role })).toBe(false);
  expect(rights.all()).toHaveLength(COUNT);
});
