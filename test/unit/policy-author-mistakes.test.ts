/**
 * Mistakes people make writing a policy file, each either refused with what to write or loaded
 * with a warning: `1M` meant as a month (read as a minute, it silently ended break-glass
 * cooldowns), look-alike letters, invisible characters and end spaces in resource groups and tags
 * (a strict rule that never fits), `0` durations, wrong shapes (`autoApprove: true`) and misspelt
 * fields, and a break-glass term longer than a rule's.
 */
import { loadPolicy, PolicyFileError } from '../../src/config/policy-file';
import { parseDurationMs } from '../../src/config/duration';
import { parseAccessDuration } from '../../src/domain/access-term';
import { UserFacingError } from '../../src/domain/errors';
import { factsFor, selectRule } from '../../src/domain/policy';
import { problemsOf as configProblemsOf } from './support/config-env';

const G = '0b000000-0000-4000-8000-0000000000a9';

/** A policy whose rules `extra` (indented as rules) come before a catch-all `default`. */
const base = (extra: string, tail = '') =>
  `version: 1\nrules:\n${extra}  - id: default\n    approvers: { groups: ["${G}"] }\n${tail}`;

/** The problems of a refused file, as `line:col path: message`; fails the test when it loads. */
const problems = (text: string): string[] => {
  try {
    loadPolicy(text, 'p.yaml');
  } catch (err) {
    if (err instanceof PolicyFileError) return err.problems.map((p) => `${p.line}:${p.col} ${p.path}: ${p.message}`);
    throw err;
  }
  throw new Error('the file loaded');
};

/** The warnings of a file that loads, as `line:col path: message`. */
const warnings = (text: string): string[] =>
  loadPolicy(text, 'p.yaml').warnings.map((w) => `${w.line}:${w.col} ${w.path}: ${w.message}`);

const MONTH = '`1M`: M is read as minutes here — write 30d for about a month, or 1m for a minute';

describe('a capital M (a month, read as minutes) is refused with what to write', () => {
  test('in the policy file: cooldownAfterRejection and maxDuration', () => {
    const breakGlass = `breakGlass:\n  groups: ["${G}"]\n  maxDuration: 4h\n  cooldownAfterRejection: 1M\n`;
    expect(problems(base('', breakGlass))).toEqual([`8:27 breakGlass.cooldownAfterRejection: ${MONTH}`]);
    expect(
      problems(
        base(
          `  - id: a\n    match: { registry: "aaaaa*" }\n    approvers: { groups: ["${G}"] }\n    maxDuration: 3M\n`,
        ),
      ),
    ).toEqual([
      '6:18 rules[0].maxDuration: `3M`: M is read as minutes here — write 90d for about 3 months, or 3m for 3 minutes',
    ]);
  });

  test('in chat: --for 1M is refused, not granted for a minute', () => {
    const limits = { defaultMs: 86_400_000, minMs: 60_000, maxMs: 90 * 86_400_000, allowPermanent: false };
    expect(() => parseAccessDuration('1M', limits)).toThrow(new UserFacingError('validation.duration', `${MONTH}.`));
    expect(parseAccessDuration('1m', limits)).toEqual({ durationMs: 60_000 });
  });

  test('in a setting: ACRBOT_* durations refuse it at start (other units still read in any case)', () => {
    expect(parseDurationMs('1M')).toBeUndefined();
    expect(parseDurationMs('1m')).toBe(60_000);
    expect(parseDurationMs('24H')).toBe(86_400_000);
    expect(configProblemsOf({ ACRBOT_APPROVAL_TTL: '30M' })).toEqual([
      'ACRBOT_APPROVAL_TTL: `30M`: M is read as minutes here — write 900d for about 30 months, or 30m for 30 minutes',
    ]);
  });
});

test('a zero duration is told to be longer than 0, with or without a unit', () => {
  for (const [field, value] of [
    ['maxDuration', '0'],
    ['maxDuration', '0m'],
    ['remindAfter', '0'],
  ])
    expect(
      problems(
        base(
          `  - id: a\n    match: { registry: "aaaaa*" }\n    approvers: { groups: ["${G}"] }\n    ${field}: ${value}\n`,
        ),
      ),
    ).toEqual([
      expect.stringMatching(new RegExp(`^6:\\d+ rules\\[0\\]\\.${field}: must be longer than 0, e\\.g\\. 30m or 8h$`)),
    ]);
});

test('wrong shapes and misspelt fields are told what to write', () => {
  const text = base(
    `  - id: a\n    match: { registry: "aaaaa*", registryTags: }\n    approvers: { groups: "${G}" }\n` +
      `  - id: b\n    match: { registry: "bbbbb*" }\n    approvers: { groups: ["${G}"] }\n    autoApprove: true\n` +
      `  - id: c\n    approvers: ["${G}"]\n    match: { registry: "ccccc*", clustr: x }\n    aproverGroup: x\n    maxDuraton: 8h\n`,
  );
  expect(problems(text)).toEqual([
    '4:34 rules[0].match.registryTags: must be a map of tag names to values, e.g. registryTags: { env: prod }',
    '5:26 rules[0].approvers.groups: must be a list: groups: ["<object id>"]',
    '9:18 rules[1].autoApprove: must be a map: write autoApprove: { maxDuration: 7d }',
    '11:16 rules[2].approvers: must be a map: write approvers: { groups: ["<object id>"] } (or users: [...])',
    '12:34 rules[2].match.clustr: unknown field: did you mean cluster?',
    '13:5 rules[2].aproverGroup: unknown field: write approvers: { groups: ["<object id>"] }',
    '14:5 rules[2].maxDuraton: unknown field: did you mean maxDuration?',
  ]);
});

describe('look-alike letters, invisible characters and end spaces load with a warning', () => {
  const strict = (match: string) =>
    base(`  - id: prod\n    match: ${match}\n    approvers: { groups: ["${G}"] }\n    approvalsRequired: 2\n`);

  test('a Cyrillic letter in a resource group: the strict rule never fits rg-prod, and says so', () => {
    const text = strict('{ resourceGroup: "rg-\u0440rod" }');
    const facts = factsFor(
      { name: 'aks1', resourceGroup: 'rg-aks', subscriptionId: 's' },
      { name: 'contosoprod', resourceGroup: 'rg-prod', subscriptionId: 's' },
    );
    expect(selectRule(loadPolicy(text, 'p.yaml').policy, facts)!.id).toBe('default');
    expect(warnings(text)).toEqual([
      '4:29 rules[0].match.resourceGroup: rule prod: resourceGroup "rg-\u0440rod" mixes Latin and Cyrillic letters: ' +
        'it is compared as written, so the rule fits only that very text and requests for the name it looks like go on ' +
        'to a later rule; retype it in plain letters if that is what was meant',
    ]);
    expect(warnings(strict('{ clusterResourceGroup: ["rg-a", "rg-\u0440rod"] }'))).toEqual([
      expect.stringMatching(
        /^4:\d+ rules\[0\]\.match\.clusterResourceGroup\[1\]: rule prod: clusterResourceGroup "rg-рrod" mixes/,
      ),
    ]);
  });

  test('tag names and values: a look-alike, a zero-width space, a space at an end', () => {
    expect(
      warnings(strict('{ registryTags: { "\u0435nv": prod, team: "a\u200bb", tier: " gold", plain: "a b" } }')),
    ).toEqual([
      expect.stringMatching(
        /^4:\d+ rules\[0\]\.match\.registryTags\.еnv: rule prod: registryTags tag name "еnv" mixes Cyrillic and Latin letters: /,
      ),
      expect.stringMatching(
        /^4:\d+ rules\[0\]\.match\.registryTags\.team: rule prod: the value of registryTags tag "team", "a\\u200Bb", has an invisible character: .*; write ab if that is what was meant$/,
      ),
      expect.stringMatching(
        /^4:\d+ rules\[0\]\.match\.registryTags\.tier: rule prod: the value of registryTags tag "tier", " gold", has a space at its start or end: .*; write gold if/,
      ),
    ]);
  });

  test('plain names and accented letters warn nothing', () => {
    expect(warnings(strict('{ resourceGroup: "rg-café-*", clusterTags: { env: "prod eu" } }'))).toEqual([]);
  });
});

test('a breakGlass.maxDuration longer than a rule maxDuration loads with a warning at the rule', () => {
  const text = base(
    `  - id: short\n    match: { registry: "aaaaa*" }\n    approvers: { groups: ["${G}"] }\n    maxDuration: 1h\n` +
      `  - id: long\n    match: { registry: "bbbbb*" }\n    approvers: { groups: ["${G}"] }\n    maxDuration: 8h\n`,
    `breakGlass:\n  groups: ["${G}"]\n  maxDuration: 4h\n`,
  );
  expect(warnings(text)).toEqual([
    "6:18 rules[0].maxDuration: rule short: breakGlass.maxDuration (4h) is longer than this maxDuration (1h), and break-glass is capped by its own maxDuration only, so a break-glass grant on this rule's pairs may last 4h; shorten breakGlass.maxDuration if that is not meant",
  ]);
});
