/**
 * Whole-number settings and policy integers in digits outside ASCII (`５`, `٥`, `²`): they said
 * only "must be a whole number" of a value that looks like one to its author. Config is ASCII, as
 * its durations are (duration-typed-digits.test.ts): the refusal names the setting or path, the
 * text, the character and the number to write instead.
 */
import { problemsOf as configProblemsOf } from './support/config-env';
import { problemsOf as policyProblemsOf } from './support/policy-refusals';

describe('ACRBOT_* whole numbers and PORT are ASCII: other digits are refused, naming them', () => {
  test.each([
    ['ACRBOT_MAX_PENDING_PER_USER', '５', '"５" is not a whole number (５ is a full-width digit); use ASCII digits: 5'],
    [
      'ACRBOT_REQUESTS_PER_MINUTE',
      '١٠',
      '"١٠" is not a whole number (١ is an Arabic-Indic digit); use ASCII digits: 10',
    ],
    [
      'ACRBOT_READS_PER_10_MINUTES',
      '۳۰',
      '"۳۰" is not a whole number (۳ is an Extended Arabic-Indic digit); use ASCII digits: 30',
    ],
    // Not a number anyone types: the setting's range, not a guess at the number meant.
    [
      'ACRBOT_MAX_PENDING_PER_USER',
      '²',
      '"²" is not a whole number (² is a superscript digit); use ASCII digits, a whole number from 1 to 100000',
    ],
    [
      'ACRBOT_MAX_PENDING_PER_USER',
      '५',
      '"५" is not a whole number (५ is a Devanagari digit); use ASCII digits, a whole number from 1 to 100000',
    ],
    // Out of range read as ASCII, or an exponent in full-width letters: no number written out.
    [
      'ACRBOT_MAX_PENDING_PER_USER',
      '０',
      '"０" is not a whole number (０ is a full-width digit); use ASCII digits, a whole number from 1 to 100000',
    ],
    [
      'ACRBOT_REQUESTS_PER_MINUTE',
      '１ｅ３',
      '"１ｅ３" is not a whole number (１ is a full-width digit); use ASCII digits, a whole number from 1 to 100000',
    ],
    [
      'ACRBOT_AUDIT_ADOPT_UNSIGNED',
      '４２',
      '"４２" is not a whole number (４ is a full-width digit); use ASCII digits: 42',
    ],
    [
      'ACRBOT_AUDIT_ADOPT_UNSIGNED',
      '①',
      '"①" is not a whole number (① is a circled number); use ASCII digits, the seq of the newest audit entry (a whole number)',
    ],
    ['PORT', '８０８０', '"８０８０" is not a whole number (８ is a full-width digit); use ASCII digits: 8080'],
    [
      'PORT',
      '７００００',
      '"７００００" is not a whole number (７ is a full-width digit); use ASCII digits, a whole number from 0 to 65535',
    ],
  ])('%s=%s', (name, value, problem) => {
    expect(configProblemsOf({ [name]: value })).toEqual([`${name}: ${problem}`]);
  });

  test('ASCII text that is no whole number is refused as before', () => {
    expect(configProblemsOf({ ACRBOT_MAX_PENDING_PER_USER: 'five', PORT: '80.5' })).toEqual([
      'PORT must be a whole number from 0 to 65535',
      'ACRBOT_MAX_PENDING_PER_USER must be a whole number from 1 to 100000',
    ]);
  });
});

describe("a rule's approvalsRequired is ASCII: other digits are refused at its path", () => {
  const G1 = '66666666-6666-4666-8666-666666666666';
  const policy = (required: string) => `version: 1
rules:
  - id: a
    approvers: { groups: ["${G1}"] }
    approvalsRequired: ${required}
`;

  test.each([
    ['２', '"２" is not a whole number (２ is a full-width digit); use ASCII digits: 2'],
    ['٢', '"٢" is not a whole number (٢ is an Arabic-Indic digit); use ASCII digits: 2'],
    ['２０', '"２０" is not a whole number (２ is a full-width digit); use ASCII digits, a whole number from 1 to 10'],
    ['②', '"②" is not a whole number (② is a circled number); use ASCII digits, a whole number from 1 to 10'],
    // Text with no such character says what it said before.
    ['two', 'must be a whole number'],
    ['"2"', 'must be a whole number'],
  ])('approvalsRequired: %s', (value, problem) => {
    expect(policyProblemsOf(policy(value))).toEqual([`5:24 rules[0].approvalsRequired: ${problem}`]);
  });
});
