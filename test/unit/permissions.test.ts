import { isActionAllowed, type PermissionSet } from '../../src/domain/permissions';

const WRITE = 'Microsoft.Authorization/roleAssignments/write';
const READ = 'Microsoft.ContainerRegistry/registries/read';

const owner: PermissionSet = { actions: ['*'], notActions: [] };
const contributor: PermissionSet = {
  actions: ['*'],
  notActions: [
    'Microsoft.Authorization/*/Delete',
    'Microsoft.Authorization/*/Write',
    'Microsoft.Authorization/elevateAccess/Action',
  ],
};
const uaa: PermissionSet = { actions: ['*/read', 'Microsoft.Authorization/*', 'Microsoft.Support/*'], notActions: [] };
const rbacAdmin: PermissionSet = {
  actions: [
    'Microsoft.Authorization/roleAssignments/write',
    'Microsoft.Authorization/roleAssignments/delete',
    '*/read',
  ],
  notActions: [],
};
const reader: PermissionSet = { actions: ['*/read'], notActions: [] };

describe('isActionAllowed', () => {
  test.each<[string, PermissionSet[], string, boolean]>([
    ['Owner (*) may write role assignments', [owner], WRITE, true],
    ['Owner (*) may read registries', [owner], READ, true],
    ['Contributor: * minus Microsoft.Authorization/*/Write', [contributor], WRITE, false],
    ['Contributor still reads', [contributor], READ, true],
    [
      'Contributor may not delete role assignments',
      [contributor],
      'Microsoft.Authorization/roleAssignments/delete',
      false,
    ],
    ['User Access Administrator: Microsoft.Authorization/*', [uaa], WRITE, true],
    [
      'Microsoft.Authorization/* does not cover another provider',
      [uaa],
      'Microsoft.ContainerRegistry/registries/write',
      false,
    ],
    ['RBAC Administrator: exact action', [rbacAdmin], WRITE, true],
    ['exact action is case-insensitive', [rbacAdmin], WRITE.toUpperCase(), true],
    ['*/read matches a nested read', [reader], 'Microsoft.ContainerService/managedClusters/read', true],
    ['*/read does not match write', [reader], WRITE, false],
    ['no blocks -> nothing allowed', [], READ, false],
    [
      'a dot in the pattern is literal, not a wildcard',
      [{ actions: ['Microsoft.Authorization/roleAssignments/write'], notActions: [] }],
      'MicrosoftXAuthorization/roleAssignments/write',
      false,
    ],
    [
      'a pattern must match the whole action',
      [{ actions: ['Microsoft.Authorization/roleAssignments'], notActions: [] }],
      WRITE,
      false,
    ],
  ])('%s', (_name, blocks, action, allowed) => {
    expect(isActionAllowed(blocks, action)).toBe(allowed);
  });

  test('notActions only exclude within their own block; another block can still allow', () => {
    expect(isActionAllowed([contributor, rbacAdmin], WRITE)).toBe(true);
    expect(isActionAllowed([contributor, reader], WRITE)).toBe(false);
  });

  test('a wildcard notAction excludes every matching action', () => {
    const block: PermissionSet = { actions: ['*'], notActions: ['Microsoft.Authorization/*'] };
    expect(isActionAllowed([block], WRITE)).toBe(false);
    expect(isActionAllowed([block], 'Microsoft.Authorization/roleDefinitions/read')).toBe(false);
    expect(isActionAllowed([block], READ)).toBe(true);
  });
});
