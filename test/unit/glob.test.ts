/**
 * The policy's globs: linear whatever the pattern (runs of `*` made the regular expression they
 * were compiled to backtrack for minutes, blocking the event loop on every request and tab row),
 * with the meaning they had as `RegExp(…, 'is')`.
 */
import { globMatches } from '../../src/domain/glob';
import { globMatches as policyGlobMatches } from '../../src/domain/policy';

/** The earlier implementation, the reference for what a pattern means. */
function regexGlob(pattern: string, value: string): boolean {
  let re = '^';
  for (const ch of pattern) {
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else re += ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`${re}$`, 'is').test(value);
}

describe('globMatches', () => {
  test('runs of * against a long name that does not fit end at once (they backtracked for minutes)', () => {
    // jest's timeout is the guard: the regular expression did not finish these in 2 minutes.
    expect(globMatches('**********x', 'a'.repeat(63))).toBe(false);
    expect(globMatches('*******dev', 'a'.repeat(63))).toBe(false);
    expect(globMatches(`${'*a'.repeat(30)}b`, 'a'.repeat(200))).toBe(false);
    expect(globMatches('*'.repeat(200), 'a'.repeat(200))).toBe(true);
    // The policy's matcher is this one.
    expect(policyGlobMatches('**********x', 'a'.repeat(63))).toBe(false);
  });

  test.each([
    ['aks-prod*', 'aks-prod-weu', true],
    ['aks-prod*', 'AKS-PROD', true],
    ['AKS-prod*', 'aks-prod-1', true],
    ['aks-prod*', 'aks-pro', false],
    ['aks-prod*', 'xaks-prod', false],
    ['*prod*', 'aks-prod-weu', true],
    ['*prod*', 'production', true],
    ['*prod*', 'aks-dev', false],
    ['*', '', true],
    ['*', 'anything', true],
    ['?', '', false],
    ['?', 'a', true],
    ['?', 'ab', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['a*c', 'ac', true],
    ['a*c', 'abbbc', true],
    ['a*c', 'abbbcd', false],
    ['*-?', 'rg-x', true],
    ['rg-(prod).*', 'RG-(PROD).x', true],
    ['rg.prod', 'rgxprod', false],
    ['contoso', 'contoso', true],
    ['contoso', 'contosoacr', false],
    ['', '', true],
    ['', 'a', false],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'aXcYb', false],
    ['1f0c*', '1F0C2D3E-0000-4000-8000-000000000000', true],
    ['?*', 'a', true],
    ['*?', '', false],
  ])('%s against %s: %s', (pattern, value, fits) => {
    expect(globMatches(pattern, value)).toBe(fits);
    expect(regexGlob(pattern, value)).toBe(fits);
  });

  test('case as JavaScript regular expressions compare it: nothing outside ASCII becomes ASCII', () => {
    for (const [pattern, value] of [
      ['straße', 'STRASSE'], // ß has no one-letter upper case
      ['ſ', 's'], // long s upper-cases to S, which the regular expression did not take
      ['k', '\u212a'], // the Kelvin sign
      ['é', 'É'],
      ['?', '😀'], // two UTF-16 code units
      ['??', '😀'],
      ['a?b', 'a\nb'], // ? fits a line break, as `.` did with the s flag
    ])
      expect([pattern, value, globMatches(pattern, value)]).toEqual([pattern, value, regexGlob(pattern, value)]);
  });

  test('a few thousand random patterns and names fit exactly as they did with the regular expression', () => {
    // A fixed seed: the same cases every run.
    let seed = 0x2f6e2b1;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      return (seed >>> 8) % n;
    };
    const pick = (alphabet: string[], max: number) =>
      Array.from({ length: random(max + 1) }, () => alphabet[random(alphabet.length)]).join('');
    const names = ['a', 'b', 'A', '-', '.', 'ß', 'é', 'É'];
    const patterns = [...names, '*', '*', '?'];
    let fits = 0;
    for (let i = 0; i < 4000; i++) {
      const pattern = pick(patterns, 7);
      const value = pick(names, 9);
      const expected = regexGlob(pattern, value);
      if (globMatches(pattern, value) !== expected) throw new Error(`${pattern} against ${value}: not ${expected}`);
      if (expected) fits++;
    }
    // Both answers occur often enough for the comparison to mean something.
    expect(fits).toBeGreaterThan(200);
    expect(fits).toBeLessThan(3800);
  });

  test('a pattern is folded once, however often it is matched (each request and tab row matches every rule)', () => {
    const pattern = 'aks-*-fold-once-??';
    const value = 'aks-payments-fold-once-01';
    expect(globMatches(pattern, value)).toBe(true);
    const upper = jest.spyOn(String.prototype, 'toUpperCase');
    try {
      expect(globMatches(pattern, value)).toBe(true);
      expect(globMatches(pattern, 'AKS-X-FOLD-ONCE-02')).toBe(true);
      // Only the values' code units were folded again.
      expect(upper).toHaveBeenCalledTimes(value.length + 'AKS-X-FOLD-ONCE-02'.length);
    } finally {
      upper.mockRestore();
    }
  });
});
