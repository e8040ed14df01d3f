/**
 * Inclusion of the policy's globs (a later rule is never reached when an earlier one's patterns
 * fit every name its patterns fit): exact where it answers, never "yes" on a guess, and bounded.
 * Checked against globMatches itself over every short text, so the meaning is the matcher's.
 */
import { globIncludes, globListIncludes } from '../../src/domain/glob-inclusion';
import { globMatches } from '../../src/domain/glob';

describe('globIncludes', () => {
  test.each([
    // [outer, inner, included]
    ['a*', 'a*b*', true],
    ['a*b*', 'a*', false],
    ['*', '*x*', true],
    ['*x*', '*', false],
    ['aks-*', 'aks-prod*', true],
    ['aks-prod*', 'aks-*', false],
    ['aks-*', 'aks-*', true],
    ['aks-*', 'gke-*', false],
    ['gke-*', 'aks-*', false],
    ['aks-prod', 'aks-prod', true],
    ['aks-prod', 'aks-dev', false],
    // `?` is exactly one character.
    ['a?c', 'abc', true],
    ['a*', 'a?c', true],
    ['a?c', 'a*c', false],
    ['a?*', 'a*', false], // "a" itself
    ['a*', 'a?*', true],
    ['?*', '*?', true],
    ['*?', '?*', true],
    ['??', '*', false],
    ['*', '??', true],
    ['?*', '*', false], // the empty text
    ['???', 'a?', false],
    ['*?b*', 'a*b', true], // no pairing of characters shows it: a b at index >= 1
    ['*ab*', '*a*b*', false],
    ['*a*b*', '*ab*', true],
    // Case does not matter, as in globMatches; ſ is not s there, so not here either.
    ['AKS-*', 'aks-prod*', true],
    ['aks-*', 'AKS-PROD', true],
    ['s*', 'ſ*', false],
    ['ſ*', 'S*', false],
    ['É*', 'é-x', true],
  ])('%j includes %j: %s', (outer, inner, included) => {
    expect(globIncludes([outer], inner)).toBe(included);
  });

  test('a list fits when one of its patterns does: the union counts, not one pattern alone', () => {
    expect(globIncludes(['a', 'a?*'], 'a*')).toBe(true);
    expect(globIncludes(['ab*', 'a'], 'a*')).toBe(false);
    expect(globListIncludes(['aks-*', 'gke-*'], ['aks-prod*', 'gke-prod*'])).toBe(true);
    expect(globListIncludes(['aks-*'], ['aks-prod*', 'gke-prod*'])).toBe(false);
    expect(globIncludes([], 'a')).toBe(false);
  });

  test('agrees with globMatches on every short text (sound: never a wrong yes; and exact)', () => {
    const tokens = ['a', 'B', '?', '*'];
    const patterns = [''];
    for (let len = 1; len <= 3; len++)
      for (const p of patterns.filter((q) => q.length === len - 1)) for (const t of tokens) patterns.push(p + t);
    const texts = [''];
    for (let len = 1; len <= 6; len++)
      for (const v of texts.filter((q) => q.length === len - 1)) for (const c of ['A', 'b', 'c']) texts.push(v + c);
    const fits = new Map(patterns.map((p) => [p, texts.map((v) => globMatches(p, v))]));
    let included = 0;
    for (const outer of patterns)
      for (const inner of patterns) {
        const o = fits.get(outer) as boolean[];
        const witness = (fits.get(inner) as boolean[]).findIndex((fit, k) => fit && !o[k]);
        const answer = globIncludes([outer], inner);
        expect({ outer, inner, answer }).toEqual({ outer, inner, answer: witness < 0 });
        if (answer) included++;
      }
    // Not a vacuous agreement: both answers occur often.
    expect(included).toBeGreaterThan(500);
    expect(patterns.length ** 2 - included).toBeGreaterThan(500);
  });

  test('a comparison past its budget says it cannot tell, and a spent budget stops the next one', () => {
    // The subset automaton of `*a` and 18 `?` has 2^18 states: not built, though inclusion holds.
    const wide = `*a${'?'.repeat(18)}`;
    expect(globIncludes([wide], `*a${'?'.repeat(17)}b`)).toBeUndefined();
    expect(globListIncludes([wide], [`*a${'?'.repeat(17)}b`])).toBe(false);
    // The same pattern, in any case, is answered without building it.
    expect(globIncludes([wide], wide.toUpperCase())).toBe(true);
    const spent = { left: 0 };
    expect(globIncludes(['*a*'], '*ab', spent)).toBeUndefined();
    // Answers that need no walk do not come either: reading the patterns is work too.
    expect(globIncludes(['*'], 'ab', spent)).toBeUndefined();
    expect(globIncludes(['a*'], 'ab', spent)).toBeUndefined();
    expect(globIncludes(['*a*'], '*b', spent)).toBeUndefined();
    expect(globListIncludes(['*'], ['ab'], spent)).toBe(false);
  });
});
