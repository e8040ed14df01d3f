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
