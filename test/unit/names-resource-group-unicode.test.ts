/**
 * Resource group names as Azure has them: letters and digits of any script (Char.IsLetterOrDigit),
 * `_`, `-`, `.`, `(`, `)`, 1–90 characters, not ending in `.`. What a user may type and what a
 * policy pattern may name agree, character for character, and the lengths the policy holds
 * patterns to are the validators' own.
 */
import { parsePolicy } from '../../src/config/policy-file';
import { UserFacingError } from '../../src/domain/errors';
import {
  checkClusterName,
  checkRegistryName,
  checkResourceGroup,
  NAME_CHARACTER,
  NAME_LENGTH,
  parseClusterRef,
} from '../../src/domain/names';

const valid = (name: string) => {
  try {
    return checkResourceGroup(name) === name;
  } catch (err) {
    expect(err).toBeInstanceOf(UserFacingError);
    return false;
  }
};

describe('checkResourceGroup', () => {
  test.each([
    ['rg-münchen', true],
    ['ресурсы', true],
    ['資源グループ', true],
    ['rg-٣', true], // an Arabic-Indic digit is a decimal digit
    ['Ωmega(1)_x.y', true],
    ['é'.repeat(90), true],
    ['é'.repeat(91), false],
    ['rg-²', false], // a superscript is a number, not a decimal digit: Azure refuses it
    ['rg-Ⅻ', false],
    ['rg-€', false],
    ['rg ü', false],
    ['rgü.', false],
    ['r..ü', false],
  ])('%j valid=%s', (name, ok) => {
    expect(valid(name)).toBe(ok);
  });

  test('a cluster named by its non-ASCII resource group and name', () => {
    expect(parseClusterRef('rg-zürich/aks-prod')).toEqual({
      kind: 'groupAndName',
      resourceGroup: 'rg-zürich',
      name: 'aks-prod',
    });
  });

  test('agrees with the characters a policy pattern on a resource group may hold', () => {
    const sample = [...'aZ09_-().ü日ßΩд٣²Ⅻ€ /#:$!@+,;\u00a0\u200b\u202e', '\u{1d400}'];
    for (const ch of sample) {
      // A character in the middle of a name, so that the end and the ".." rule do not decide.
      const asName = valid(`r${ch}g`);
      expect({ ch, asName }).toEqual({ ch, asName: NAME_CHARACTER.resourceGroup.test(ch) });
      const policy = `version: 1\nrules:\n  - id: a\n    match: { resourceGroup: "r${ch}g*" }\n    approvers: { users: ["0a000000-0000-4000-8000-00000000bbb2"] }\n`;
      let loads = true;
      try {
        parsePolicy(policy, 'p.yaml');
      } catch {
        loads = false;
      }
      expect({ ch, loads }).toEqual({ ch, loads: asName });
    }
  });

  test('the lengths the policy holds patterns to are the validators’ own', () => {
    const fits = (check: (n: string) => string, name: string) => {
      try {
        return check(name) === name;
      } catch {
        return false;
      }
    };
    for (const [check, { min, max }] of [
      [checkRegistryName, NAME_LENGTH.registry],
      [checkClusterName, NAME_LENGTH.cluster],
      [checkResourceGroup, NAME_LENGTH.resourceGroup],
    ] as const) {
      expect(fits(check, 'a'.repeat(max))).toBe(true);
      expect(fits(check, 'a'.repeat(max + 1))).toBe(false);
      expect(fits(check, 'a'.repeat(min))).toBe(true);
      if (min > 1) expect(fits(check, 'a'.repeat(min - 1))).toBe(false);
    }
  });
});
