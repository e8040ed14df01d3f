/**
 * The ARM emulator's scope normalisation (src/sandbox/arm/arm-ids.ts): a canonical scope is
 * returned as it is (the fast path a large listing's permission checks take), any other is
 * collapsed to single slashes with a leading `/` and no trailing one, its case kept.
 */
import { idKey, isAtOrAbove, normalizeScope } from '../../src/sandbox/arm/arm-ids';

describe('normalizeScope', () => {
  test.each([
    ['/', '/'],
    ['', '/'],
    ['//', '/'],
    ['subscriptions/S1', '/subscriptions/S1'],
    ['/subscriptions/S1/', '/subscriptions/S1'],
    ['//subscriptions//S1/resourceGroups/RG//', '/subscriptions/S1/resourceGroups/RG'],
    ['/subscriptions/S1/resourceGroups/RG', '/subscriptions/S1/resourceGroups/RG'],
  ])('%j → %j', (scope, expected) => {
    expect(normalizeScope(scope)).toBe(expected);
  });

  test('ids and ancestry compare whatever the slashes and case', () => {
    expect(idKey('/Subscriptions/S1/')).toBe('/subscriptions/s1');
    expect(isAtOrAbove('/subscriptions/S1/', '//subscriptions/s1/resourceGroups/rg')).toBe(true);
    expect(isAtOrAbove('/subscriptions/S1/resourceGroups/rg2', '/subscriptions/s1/resourceGroups/rg')).toBe(false);
  });
});
