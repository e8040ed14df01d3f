import { parseResourceId, roleDefinitionGuid, sameResourceId, scopeCovers } from '../../src/domain/resource-id';

const SUB = '/subscriptions/1f0c0000-0000-4000-8000-000000000001';
const RG = `${SUB}/resourceGroups/rg-a`;
const REGISTRY = `${RG}/providers/Microsoft.ContainerRegistry/registries/contosoacr`;

describe('scopeCovers', () => {
  test.each<[string, string, string, boolean]>([
    ['a registry covers itself', REGISTRY, REGISTRY, true],
    ['the resource group covers the registry', RG, REGISTRY, true],
    ['the subscription covers the resource group', SUB, RG, true],
    ['the subscription covers the registry', SUB, REGISTRY, true],
    ['the registry does not cover its resource group', REGISTRY, RG, false],
    ['the resource group does not cover the subscription', RG, SUB, false],
    [
      '/rg-a does not cover /rg-ab (prefix but not child)',
      RG,
      `${SUB}/resourceGroups/rg-ab/providers/Microsoft.ContainerRegistry/registries/contosoacr`,
      false,
    ],
    ['registry contosoacr does not cover contosoacr2', REGISTRY, `${REGISTRY}2`, false],
    ['subscription …0001 does not cover …00011', SUB, `${SUB}1/resourceGroups/rg-a`, false],
    ['case-insensitive (resourcegroups)', RG.replace('resourceGroups', 'resourcegroups'), REGISTRY, true],
    ['case-insensitive (upper-case scope)', RG.toUpperCase(), REGISTRY, true],
    ['a trailing slash on the scope is ignored', `${RG}/`, REGISTRY, true],
    ['another subscription does not cover', '/subscriptions/2f0c0000-0000-4000-8000-000000000002', REGISTRY, false],
  ])('%s', (_name, scope, target, covers) => {
    expect(scopeCovers(scope, target)).toBe(covers);
  });
});

describe('parseResourceId', () => {
  test.each([
    [
      REGISTRY,
      {
        subscriptionId: '1f0c0000-0000-4000-8000-000000000001',
        resourceGroup: 'rg-a',
        provider: 'Microsoft.ContainerRegistry',
        type: 'registries',
        name: 'contosoacr',
      },
    ],
    [
      REGISTRY.replace('resourceGroups', 'resourcegroups').replace('/subscriptions', '/SUBSCRIPTIONS'),
      {
        subscriptionId: '1f0c0000-0000-4000-8000-000000000001',
        resourceGroup: 'rg-a',
        provider: 'Microsoft.ContainerRegistry',
        type: 'registries',
        name: 'contosoacr',
      },
    ],
    [
      ` ${REGISTRY} `,
      {
        subscriptionId: '1f0c0000-0000-4000-8000-000000000001',
        resourceGroup: 'rg-a',
        provider: 'Microsoft.ContainerRegistry',
        type: 'registries',
        name: 'contosoacr',
      },
    ],
  ])('%s', (id, parts) => {
    expect(parseResourceId(id)).toEqual(parts);
  });

  test.each([
    RG,
    SUB,
    `${REGISTRY}/`,
    `${REGISTRY}/tokens/t1`,
    'contosoacr',
    `${SUB}/resourceGroups//providers/Microsoft.ContainerRegistry/registries/x`,
    '',
  ])('not a top-level resource id: %j', (id) => {
    expect(parseResourceId(id)).toBeUndefined();
  });
});

describe('sameResourceId and roleDefinitionGuid', () => {
  test.each([
    [REGISTRY, REGISTRY.toLowerCase(), true],
    [REGISTRY, REGISTRY.replace('resourceGroups', 'resourcegroups'), true],
    [REGISTRY, `${REGISTRY}2`, false],
  ])('sameResourceId(%s, %s) = %s', (a, b, same) => {
    expect(sameResourceId(a, b)).toBe(same);
  });

  test.each([
    [
      `${SUB}/providers/Microsoft.Authorization/roleDefinitions/7F951DDA-4ED3-4680-A7CA-43FE172D538D`,
      '7f951dda-4ed3-4680-a7ca-43fe172d538d',
    ],
    [
      '/providers/Microsoft.Authorization/roleDefinitions/b93aa761-3e63-49ed-ac28-beffa264f7ac',
      'b93aa761-3e63-49ed-ac28-beffa264f7ac',
    ],
    ['7f951dda-4ed3-4680-a7ca-43fe172d538d', '7f951dda-4ed3-4680-a7ca-43fe172d538d'],
  ])('roleDefinitionGuid(%s) = %s', (id, guid) => {
    expect(roleDefinitionGuid(id)).toBe(guid);
  });
});
