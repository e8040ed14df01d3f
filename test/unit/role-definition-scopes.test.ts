/**
 * Where planning reads an assignment's role definition (src/flows/role-definitions.ts): at the
 * registry first, where acrbot's deployment gives it Reader, then where the assignment is, then
 * the subscription.
 */
import type { RoleAssignmentInfo } from '../../src/domain/azure-model';
import { definitionScopes } from '../../src/flows/role-definitions';

const sub = '/subscriptions/00000000-0000-4000-8000-000000000001';
const group = `${sub}/resourceGroups/rg-acr`;
const registry = `${group}/providers/Microsoft.ContainerRegistry/registries/contosoacr`;
const managementGroup = '/providers/Microsoft.Management/managementGroups/platform';

const at = (scope: string): RoleAssignmentInfo =>
  ({ scope, roleDefinitionId: 'x/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d' }) as RoleAssignmentInfo;
const subId = sub.split('/')[2];

test.each([
  ['the resource group', group, [registry, group, sub]],
  ['the subscription', sub, [registry, sub]],
  ['the registry itself', registry, [registry, sub]],
  ['a management group', managementGroup, [registry, sub]],
])('an assignment on %s: the registry first', (_what, scope, expected) => {
  expect(definitionScopes(at(scope), subId, registry)).toEqual(expected);
});

test('an assignment that does not cover the named scope is not read there', () => {
  expect(definitionScopes(at(`${sub}/resourceGroups/rg-other`), subId, registry)).toEqual([
    `${sub}/resourceGroups/rg-other`,
    sub,
  ]);
});

test('without a scope beneath: where the assignment is, then the subscription', () => {
  expect(definitionScopes(at(group), subId)).toEqual([group, sub]);
});
