/**
 * Invisible characters in a policy's match values, by the project's one set (domain/text.ts:
 * controls, format characters and the other default-ignorable code points, such as the Hangul
 * filler U+3164, and the braille blank): a tag value holding one loads with the look-alike
 * warning, and every policy message quotes such a character escaped (policy-name-patterns.ts
 * `shown`), so the reader sees what is there.
 */
import { loadPolicy, PolicyFileError } from '../../src/config/policy-file';

const G = '0b000000-0000-4000-8000-0000000000a9';

/** A policy whose rule `prod` matches `match`, before a catch-all `default`. */
const policy = (match: string) =>
  `version: 1\nrules:\n  - id: prod\n    match: ${match}\n    approvers: { groups: ["${G}"] }\n    approvalsRequired: 2\n` +
  `  - id: default\n    approvers: { groups: ["${G}"] }\n`;

test('a tag value with a Hangul filler (U+3164) warns of an invisible character, escaped', () => {
  const warnings = loadPolicy(policy('{ registryTags: { team: "a\u3164b" } }'), 'p.yaml').warnings;
  expect(warnings.map((w) => `${w.path}: ${w.message}`)).toEqual([
    expect.stringMatching(
      /^rules\[0\]\.match\.registryTags\.team: rule prod: the value of registryTags tag "team", "a\\u3164b", has an invisible character[:;] .*; write ab if that is what was meant$/,
    ),
  ]);
});

test('a name pattern with a zero-width space is refused with the character escaped', () => {
  let problems: string[] = [];
  try {
    loadPolicy(policy('{ cluster: "aks\u200b*" }'), 'p.yaml');
  } catch (err) {
    if (!(err instanceof PolicyFileError)) throw err;
    problems = err.problems.map((p) => p.message);
  }
  expect(problems).toEqual([expect.stringContaining(' has "\\u200B", which no cluster name has, so it never fits')]);
});

/** The load problems of `yaml`'s policy, as messages. */
const problemsOf = (yaml: string): string[] => {
  try {
    loadPolicy(yaml, 'p.yaml');
  } catch (err) {
    if (!(err instanceof PolicyFileError)) throw err;
    return err.problems.map((p) => p.message);
  }
  return [];
};

describe('a name pattern that never fits is quoted with its invisible characters escaped', () => {
  test('one holding a character its name never has (a zero-width space)', () => {
    expect(problemsOf(policy('{ cluster: "aks\u200b*" }'))).toEqual([
      expect.stringMatching(/^"aks\\u200B\*" has "\\u200B", which no cluster name has, so it never fits/),
    ]);
  });

  test('one of characters its name holds (a Hangul filler is a letter) ending with one it may not', () => {
    expect(problemsOf(policy('{ resourceGroup: "rg\u3164." }'))).toEqual([
      expect.stringMatching(/^"rg\\u3164\." ends with "\.", and a resource group name ends with /),
    ]);
  });

  test('one longer than its name can be, cut to 60 characters', () => {
    expect(problemsOf(policy(`{ resourceGroup: "\u200b${'a'.repeat(59)}" }`))).toEqual([
      expect.stringMatching(/^"\\u200B(a){59}" has "\\u200B", which no resource group name has/),
    ]);
    expect(problemsOf(policy(`{ resourceGroup: "\u3164${'a'.repeat(90)}" }`))).toEqual([
      `"\\u3164${'a'.repeat(59)}…" fits only text of at least 91 characters, and a resource group name has at most 90 characters, so it never fits`,
    ]);
  });
});
