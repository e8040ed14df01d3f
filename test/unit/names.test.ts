import { UserFacingError } from '../../src/domain/errors';
import { checkResourceGroup, describeClusterRef, parseClusterRef, parseRegistryRef } from '../../src/domain/names';

const SUB = '1f0c0000-0000-4000-8000-000000000001';
const aksId = (
  rgSegment = 'resourceGroups',
  sub = SUB,
  rg = 'rg-aks',
  name = 'aks-prod',
  provider = 'Microsoft.ContainerService/managedClusters',
) => `/subscriptions/${sub}/${rgSegment}/${rg}/providers/${provider}/${name}`;
const acrId = (
  rgSegment = 'resourceGroups',
  sub = SUB,
  rg = 'rg-acr',
  name = 'contosoacr',
  provider = 'Microsoft.ContainerRegistry/registries',
) => `/subscriptions/${sub}/${rgSegment}/${rg}/providers/${provider}/${name}`;

function errorOf(fn: () => unknown): UserFacingError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UserFacingError);
    return err as UserFacingError;
  }
  throw new Error('expected a UserFacingError, nothing was thrown');
}

describe('parseClusterRef accepts', () => {
  test.each([
    ['aks-prod', { kind: 'name', name: 'aks-prod' }],
    ['  aks-prod  ', { kind: 'name', name: 'aks-prod' }],
    ['a', { kind: 'name', name: 'a' }],
    ['aks_prod-01', { kind: 'name', name: 'aks_prod-01' }],
    ['x'.repeat(63), { kind: 'name', name: 'x'.repeat(63) }],
    ['rg-aks/aks-prod', { kind: 'groupAndName', resourceGroup: 'rg-aks', name: 'aks-prod' }],
    ['rg.(team)_1/aks', { kind: 'groupAndName', resourceGroup: 'rg.(team)_1', name: 'aks' }],
    [aksId('resourceGroups'), { kind: 'id', subscriptionId: SUB, resourceGroup: 'rg-aks', name: 'aks-prod' }],
    [aksId('resourcegroups'), { kind: 'id', subscriptionId: SUB, resourceGroup: 'rg-aks', name: 'aks-prod' }],
    [
      aksId('resourceGroups', SUB, 'rg-aks', 'aks-prod', 'microsoft.containerservice/MANAGEDCLUSTERS'),
      { kind: 'id', subscriptionId: SUB, resourceGroup: 'rg-aks', name: 'aks-prod' },
    ],
    [
      aksId('resourceGroups', SUB.toUpperCase()),
      { kind: 'id', subscriptionId: SUB.toUpperCase(), resourceGroup: 'rg-aks', name: 'aks-prod' },
    ],
  ])('%s', (input, expected) => {
    expect(parseClusterRef(input)).toEqual(expected);
  });
});

describe('parseClusterRef rejects', () => {
  test.each([
    ['my;aks', 'validation.name'],
    ['../x', 'validation.name'],
    ['a#b', 'validation.name'],
    ['rg/../x', 'validation.name'],
    ['a/b/c', 'validation.name'],
    ['rg/', 'validation.name'],
    ['/aks', 'validation.name'],
    ['-aks', 'validation.name'],
    ['aks-', 'validation.name'],
    ['x'.repeat(64), 'validation.name'],
    ['aks prod', 'validation.name'],
    ['rg./aks', 'validation.name'],
    ['r..g/aks', 'validation.name'],
    ['', 'validation.empty'],
    ['   ', 'validation.empty'],
    [acrId(), 'validation.name'], // a registry id where a cluster is expected
    [aksId('resourceGroups', 'not-a-guid'), 'validation.name'],
    [aksId('resourceGroups', SUB, '..'), 'validation.name'],
    [aksId('resourceGroups', SUB, 'rg-aks', 'a#b'), 'validation.name'],
    [`${aksId()}/agentPools/np1`, 'validation.name'],
    [`/subscriptions/${SUB}/providers/Microsoft.ContainerService/managedClusters/aks-prod`, 'validation.name'],
  ])('%j -> %s', (input, code) => {
    expect(errorOf(() => parseClusterRef(input)).code).toBe(code);
  });

  test('the message quotes the input and names the rule', () => {
    expect(errorOf(() => parseClusterRef('my;aks')).message).toMatch(
      /^"my;aks" is not a valid cluster name: use 1–63 letters/,
    );
  });

  test('long input is shortened in the message', () => {
    const message = errorOf(() => parseClusterRef(`${'x'.repeat(100)};`)).message;
    expect(message).toContain(`"${'x'.repeat(57)}…"`);
    expect(message).not.toContain('x'.repeat(58));
  });
});

describe('parseRegistryRef accepts', () => {
  test.each([
    ['contosoacr', { kind: 'name', name: 'contosoacr' }],
    ['MyAcr', { kind: 'name', name: 'MyAcr' }],
    ['abcde', { kind: 'name', name: 'abcde' }],
    ['a'.repeat(50), { kind: 'name', name: 'a'.repeat(50) }],
    [' contosoacr\t', { kind: 'name', name: 'contosoacr' }],
    [acrId('resourceGroups'), { kind: 'id', subscriptionId: SUB, resourceGroup: 'rg-acr', name: 'contosoacr' }],
    [acrId('resourcegroups'), { kind: 'id', subscriptionId: SUB, resourceGroup: 'rg-acr', name: 'contosoacr' }],
    [
      acrId('RESOURCEGROUPS', SUB, 'rg-acr', 'contosoacr', 'microsoft.containerregistry/Registries'),
      { kind: 'id', subscriptionId: SUB, resourceGroup: 'rg-acr', name: 'contosoacr' },
    ],
  ])('%s', (input, expected) => {
    expect(parseRegistryRef(input)).toEqual(expected);
  });
});

describe('parseRegistryRef rejects', () => {
  test.each([
    ['a#b', 'validation.name'],
    ['acr/../x', 'validation.name'],
    ['../x', 'validation.name'],
    ['rg/contosoacr', 'validation.name'],
    ['ab', 'validation.name'],
    ['abcd', 'validation.name'],
    ['a'.repeat(51), 'validation.name'],
    ['contoso-acr', 'validation.name'],
    ['contoso_acr', 'validation.name'],
    ['my;acr12', 'validation.name'],
    ['', 'validation.empty'],
    [' ', 'validation.empty'],
    [aksId(), 'validation.name'], // cluster id where a registry is expected
    [acrId('resourceGroups', SUB, 'rg-acr', 'contosoacr', 'Microsoft.Storage/storageAccounts'), 'validation.name'],
    [acrId('resourceGroups', 'not-a-guid'), 'validation.name'],
    [acrId('resourceGroups', '1f0c0000-0000-4000-8000-00000000000g'), 'validation.name'],
    [acrId('resourceGroups', SUB, 'rg-acr', 'ab'), 'validation.name'],
    [acrId('resourceGroups', SUB, 'rg-acr', 'a'.repeat(51)), 'validation.name'],
    [acrId('resourceGroups', SUB, '..'), 'validation.name'],
    [acrId('resourceGroups', SUB, 'rg#1'), 'validation.name'],
    [`${acrId()}/`, 'validation.name'],
  ])('%j -> %s', (input, code) => {
    expect(errorOf(() => parseRegistryRef(input)).code).toBe(code);
  });

  test('a non-GUID subscription is named in the message', () => {
    expect(errorOf(() => parseRegistryRef(acrId('resourceGroups', 'prod-sub'))).message).toBe(
      '"prod-sub" is not a valid subscription id: a subscription id is a GUID.',
    );
  });

  test('the empty message gives an example', () => {
    expect(errorOf(() => parseRegistryRef('')).message).toBe(
      'The registry is missing: give its name, e.g. contosoacr.',
    );
  });
});

describe('checkResourceGroup', () => {
  test.each([
    ['rg', true],
    ['r', true],
    ['rg-1_(a).b', true],
    ['x'.repeat(90), true],
    ['x'.repeat(91), false],
    ['rg.', false],
    ['r..g', false],
    ['..', false],
    ['rg/x', false],
    ['rg#', false],
    ['', false],
  ])('%j valid=%s', (name, valid) => {
    if (valid) expect(checkResourceGroup(name)).toBe(name);
    else expect(() => checkResourceGroup(name)).toThrow(UserFacingError);
  });
});

describe('describeClusterRef', () => {
  test.each([
    [{ kind: 'name', name: 'aks-prod' } as const, 'aks-prod'],
    [{ kind: 'groupAndName', resourceGroup: 'rg-aks', name: 'aks-prod' } as const, 'rg-aks/aks-prod'],
    [{ kind: 'id', subscriptionId: SUB, resourceGroup: 'rg-aks', name: 'aks-prod' } as const, 'rg-aks/aks-prod'],
  ])('%j -> %s', (ref, text) => {
    expect(describeClusterRef(ref)).toBe(text);
  });
});
