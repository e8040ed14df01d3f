/**
 * The budget of the hidden-rule check bounds all its work, not only the walk: once it is spent a
 * comparison reads nothing and a pair of rules costs one look, so a policy file of thousands of
 * long patterns loads (and reloads, blocking the event loop) in bounded time. Work is counted by
 * the patterns folded (every comparison folds what it reads) and the rule pairs compared.
 */
import { DEFAULT_INCLUSION_STEPS, globIncludes, globListIncludes } from '../../src/domain/glob-inclusion';
import * as glob from '../../src/domain/glob';
import * as cover from '../../src/config/policy-rule-cover';
import { unreachableRules } from '../../src/config/policy-rule-order';

jest.mock('../../src/domain/glob', () => {
  const actual = jest.requireActual('../../src/domain/glob');
  return { ...actual, foldedPattern: jest.fn(actual.foldedPattern) };
});
jest.mock('../../src/config/policy-rule-cover', () => {
  const actual = jest.requireActual('../../src/config/policy-rule-cover');
  return { ...actual, coversMatch: jest.fn(actual.coversMatch) };
});

const folds = () => (glob.foldedPattern as jest.Mock).mock.calls.length;
const pairs = () => (cover.coversMatch as jest.Mock).mock.calls.length;

beforeEach(() => jest.clearAllMocks());

describe('glob inclusion budget', () => {
  test('a spent budget answers "cannot tell" without reading a pattern, shortcuts included', () => {
    const spent = { left: 0 };
    // A catch-all, the same pattern, a prefix, a refuting text, a walk.
    for (const [outer, inner] of [
      ['*', 'ab'],
      ['a?b*', 'A?B*'],
      ['aks-*', 'aks-prod'],
      ['*-team0-*', '*-team1-*'],
      ['*?b*', 'a*b'],
    ])
      expect(globIncludes([outer], inner, spent)).toBeUndefined();
    expect(globListIncludes(['*'], ['ab', 'cd'], spent)).toBe(false);
    expect(folds()).toBe(0);
    expect(spent.left).toBe(0);
  });

  test('answers found without a walk are charged by the units read', () => {
    const long = `${'a'.repeat(500)}*`;
    for (const [outer, inner] of [
      ['*', long],
      [long, long.toUpperCase()],
      [long, `${long}b`],
      [`*${long}`, `*${'b'.repeat(500)}*`],
    ]) {
      const budget = { left: DEFAULT_INCLUSION_STEPS };
      expect(globIncludes([outer], inner, budget)).toBeDefined();
      expect(DEFAULT_INCLUSION_STEPS - budget.left).toBeGreaterThanOrEqual(500);
    }
  });

  test('comparisons stop doing work once the budget runs out, however many follow', () => {
    const pattern = (i: number, j: number) => `*${'a*'.repeat(40)}${'?'.repeat(20)}b${i}x${j}*`;
    const budget = { left: DEFAULT_INCLUSION_STEPS };
    let calls = 0;
    while (budget.left > 0) globIncludes([pattern(0, calls)], pattern(1, calls++), budget);
    const spentAfter = folds();
    for (let k = 0; k < 1000; k++) expect(globIncludes([pattern(0, k)], pattern(1, k), budget)).toBeUndefined();
    expect(folds()).toBe(spentAfter);
    expect(calls).toBeGreaterThan(0);
  });

  test('a file of many rules compares pairs only while the budget lasts', () => {
    const rulesOf = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        id: `r${i}`,
        match: {
          resourceGroup: Array.from({ length: 30 }, (_, j) => `*${'a*'.repeat(40)}${'?'.repeat(20)}b${i}x${j}*`),
        },
      }));
    const comparedFor = (n: number) => {
      jest.clearAllMocks();
      const problems: unknown[] = [];
      unreachableRules(
        { rules: rulesOf(n) },
        (path, message) => problems.push([path, message]),
        () => 1,
      );
      expect(problems).toEqual([]);
      return pairs();
    };
    const few = comparedFor(100);
    // Some pairs were compared, not every one of the 4950, and twice the rules compare no more.
    expect(few).toBeGreaterThan(0);
    expect(few).toBeLessThan(4950);
    expect(comparedFor(200)).toBe(few);
  });
});
