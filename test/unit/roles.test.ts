import { pullRoleFor, ROLE_IDS, rolesThatGrantPull } from '../../src/domain/roles';

const ACR_PULL = '7f951dda-4ed3-4680-a7ca-43fe172d538d';
const ACR_PUSH = '8311e382-0749-4cb8-b61a-304f252e45ec';
const REPOSITORY_READER = 'b93aa761-3e63-49ed-ac28-beffa264f7ac';

test('role ids are the built-in Azure ids (PRODUCT.md "Facts")', () => {
  expect(ROLE_IDS).toEqual({ acrPull: ACR_PULL, acrPush: ACR_PUSH, repositoryReader: REPOSITORY_READER });
});

describe('pullRoleFor', () => {
  test.each([
    ['LegacyRegistryPermissions', { id: ACR_PULL, name: 'AcrPull' }],
    ['AbacRepositoryPermissions', { id: REPOSITORY_READER, name: 'Container Registry Repository Reader' }],
  ] as const)('%s', (mode, role) => {
    expect(pullRoleFor(mode)).toEqual(role);
  });
});

describe('rolesThatGrantPull', () => {
  test.each([
    ['LegacyRegistryPermissions', [ACR_PULL, ACR_PUSH]],
    ['AbacRepositoryPermissions', [REPOSITORY_READER]],
  ] as const)('%s', (mode, roles) => {
    expect(rolesThatGrantPull(mode)).toEqual(roles);
  });

  test('AcrPull does not count as pull access on an ABAC registry', () => {
    expect(rolesThatGrantPull('AbacRepositoryPermissions')).not.toContain(ACR_PULL);
  });
});
