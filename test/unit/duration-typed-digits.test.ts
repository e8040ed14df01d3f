/**
 * Digits outside ASCII in durations, after chat's `--for` learned full-width and Arabic-Indic
 * digits:
 * - `--for` read them through NFKC, which also made superscript, circled and mathematical digits
 *   digits (`--for ²h` was 2 hours): they are refused, naming the character; full-width and
 *   Arabic-Indic still read;
 * - ACRBOT_* durations and policy-file durations said only "not a duration" of `８h`: config is
 *   text reviewed in diffs and read by other tools, so it stays ASCII, and the refusal names the
 *   setting or path, the text, the character and the duration to write instead;
 * - an answer to the reason question that starts with months was refused without the note the
 *   command's refusal gives (30 days a month, limits).
 */
import { parseAccessDuration } from '../../src/domain/access-term';
import { parseCommand } from '../../src/domain/command';
import { UserFacingError } from '../../src/domain/errors';
import { checkReasonAnswer } from '../../src/domain/reason-reply';
import { problemsOf as configProblemsOf } from './support/config-env';
import { problemsOf as policyProblemsOf } from './support/policy-refusals';

const LIMITS = { defaultMs: 30 * 86_400_000, minMs: 3_600_000, maxMs: 90 * 86_400_000, allowPermanent: false };

function refusal(run: () => unknown): UserFacingError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(UserFacingError);
    return err as UserFacingError;
  }
  throw new Error('expected a refusal');
}

describe('--for: digits no one types for a number are refused, naming them', () => {
  test.each([
    ['²h', '² is a superscript digit'],
    ['1²h', '² is a superscript digit'],
    ['₈h', '₈ is a subscript digit'],
    ['①h', '① is a circled number'],
    ['❽h', '❽ is a circled number'],
    ['⑻h', '⑻ is a bracketed number'],
    // U+2488–249B sit beside the bracketed numbers but are "DIGIT EIGHT FULL STOP" and so on.
    ['⒏h', '⒏ is a number with a full stop'],
    ['⒛d', '⒛ is a number with a full stop'],
    ['⒇d', '⒇ is a bracketed number'],
    // U+2071 sits among the superscript digits but is a letter.
    ['8ⁱ', 'ⁱ is a superscript letter'],
    ['𝟖h', '𝟖 is a mathematical digit'],
    ['8ⓗ', 'ⓗ is a circled letter'],
    ['८h', '८ is a Devanagari digit'],
  ])('%s', (text, why) => {
    const err = refusal(() => parseAccessDuration(text, LIMITS));
    expect(err.code).toBe('validation.duration');
    expect(err.message).toBe(
      `"${text}" is not a duration (${why}); use a number and a unit (m, h, d, w, y), e.g. --for 30d, between 1h and 90d.`,
    );
  });

  test.each([
    ['８ｈ', 8 * 3_600_000],
    ['٨h', 8 * 3_600_000],
    ['۸h', 8 * 3_600_000],
  ])('%s still reads', (text, ms) => {
    expect(parseAccessDuration(text, LIMITS)).toEqual({ durationMs: ms });
  });

  test('a term typed without its space in such digits is refused, not kept as words of the reason', () => {
    expect(refusal(() => parseCommand('grant aks-dev contosoacr --for²h testing')).message).toBe(
      '"--for²h" is not an option: write --for, a space and the term in digits 0–9 (² is a superscript digit), e.g. --for 2h. Nothing was requested.',
    );
    expect(refusal(() => parseCommand('extend R-7K2M9QXA --expires:①d release slipped')).message).toMatch(
      /^"--expires:①d" is not an option: write --expires, a space and the term in digits 0–9 \(① is a circled number\)/,
    );
    expect(refusal(() => parseCommand('grant aks-dev contosoacr --for𝟖h testing')).message).toContain(
      '(𝟖 is a mathematical digit)',
    );
    expect(refusal(() => checkReasonAnswer('testing --for²h')).code).toBe('validation.option');
  });
});

describe('ACRBOT_* durations are ASCII: other digits are refused, naming the setting, text and character', () => {
  test.each([
    ['ACRBOT_APPROVAL_TTL', '８h', '"８h" is not a duration (８ is a full-width digit); use ASCII digits: 8h'],
    ['ACRBOT_APPROVAL_TTL', '８ｈ', '"８ｈ" is not a duration (８ is a full-width digit); use ASCII digits: 8h'],
    [
      'ACRBOT_MAX_ACCESS_DURATION',
      '٣٠d',
      '"٣٠d" is not a duration (٣ is an Arabic-Indic digit); use ASCII digits: 30d',
    ],
    [
      'ACRBOT_MAX_ACCESS_DURATION',
      '۹۰d',
      '"۹۰d" is not a duration (۹ is an Extended Arabic-Indic digit); use ASCII digits: 90d',
    ],
    ['ACRBOT_SWEEP_INTERVAL', '1ｍ', '"1ｍ" is not a duration (ｍ is a full-width letter); use ASCII letters: 1m'],
    // Digit or letter is the table's, not the name's: a circled letter asks for letters, a number
    // with a full stop for digits.
    [
      'ACRBOT_SWEEP_INTERVAL',
      '1ⓜ',
      '"1ⓜ" is not a duration (ⓜ is a circled letter); use ASCII letters, e.g. 24h, 90m or 7d',
    ],
    [
      'ACRBOT_SWEEP_INTERVAL',
      '⒈m',
      '"⒈m" is not a duration (⒈ is a number with a full stop); use ASCII digits, e.g. 24h, 90m or 7d',
    ],
    [
      'ACRBOT_SWEEP_INTERVAL',
      '1ⁱ',
      '"1ⁱ" is not a duration (ⁱ is a superscript letter); use ASCII letters, e.g. 24h, 90m or 7d',
    ],
    [
      'ACRBOT_SWEEP_INTERVAL',
      '²m',
      '"²m" is not a duration (² is a superscript digit); use ASCII digits, e.g. 24h, 90m or 7d',
    ],
    // A capital M, a month, is not written out as minutes; zero is no duration to write.
    [
      'ACRBOT_MAX_ACCESS_DURATION',
      '３M',
      '"３M" is not a duration (３ is a full-width digit); use ASCII digits, e.g. 24h, 90m or 7d',
    ],
    [
      'ACRBOT_LEASE_TTL',
      '０s',
      '"０s" is not a duration (０ is a full-width digit); use ASCII digits, e.g. 24h, 90m or 7d',
    ],
  ])('%s=%s', (name, value, problem) => {
    expect(configProblemsOf({ [name]: value })).toEqual([`${name}: ${problem}`]);
  });

  test('ACRBOT_EXPIRY_REMINDERS names the item', () => {
    expect(configProblemsOf({ ACRBOT_EXPIRY_REMINDERS: '7d,١d' })).toEqual([
      'ACRBOT_EXPIRY_REMINDERS: "١d" is not a duration (١ is an Arabic-Indic digit); use ASCII digits: 1d',
    ]);
  });

  test('other text not a duration is refused as before', () => {
    expect(configProblemsOf({ ACRBOT_APPROVAL_TTL: 'soon' })).toEqual([
      'ACRBOT_APPROVAL_TTL: "soon" is not a duration; use e.g. 24h, 90m or 7d',
    ]);
  });
});

describe('policy-file durations are ASCII: other digits are refused at their path', () => {
  const G1 = '66666666-6666-4666-8666-666666666666';
  const policy = (maxDuration: string) => `version: 1
rules:
  - id: a
    approvers: { groups: ["${G1}"] }
    maxDuration: ${maxDuration}
`;

  test.each([
    ['８h', '"８h" is not a duration (８ is a full-width digit); use ASCII digits: 8h'],
    ['٨h', '"٨h" is not a duration (٨ is an Arabic-Indic digit); use ASCII digits: 8h'],
    ['①h', '"①h" is not a duration (① is a circled number); use ASCII digits, e.g. 30m, 8h or 7d'],
    // No unit: the policy takes none without one, so none is written out.
    ['"８"', '"８" is not a duration (８ is a full-width digit); use ASCII digits, e.g. 30m, 8h or 7d'],
  ])('maxDuration: %s', (value, problem) => {
    expect(policyProblemsOf(policy(value))).toEqual([`5:18 rules[0].maxDuration: ${problem}`]);
  });
});

describe('an answer that starts with months says what a command says of them', () => {
  test.each([
    ['3 months testing the app', '3 months', '90d'],
    ['for 12 months, load testing', 'for 12 months', '1y'],
  ])('%s', (answer, typed, term) => {
    const command = refusal(() => parseCommand(`grant aks-dev contosoacr ${answer}`)).message;
    const note = /--for \S+( \(.*\)) before the reason/.exec(command)![1];
    expect(note).toMatch(/acrbot counts days, weeks and years, not months/);
    expect(refusal(() => checkReasonAnswer(answer)).message).toBe(
      `"${typed}" reads as a length, and an answer sets no term: give the reason without it (the request gets the default term), or type "cancel", then the whole request on one line, e.g. "grant CLUSTER REGISTRY --for ${term} REASON…"${note}.`,
    );
  });

  test('a length in other units has no note, as a command has none', () => {
    expect(refusal(() => checkReasonAnswer('2w testing')).message).toMatch(/--for 2w REASON…"\.$/);
  });
});
