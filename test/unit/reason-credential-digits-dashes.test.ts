/**
 * G12 for a password of digits alone or of words and digits joined by dashes, right after a word
 * naming it: "password 83920174", "pwd: hunter-2-go", "passwd=Abc-123-xyz" are refused, never
 * quoted back. What a reason says about a password's age, expiry or rotation is not: a number
 * and its unit ("password was 90days old"), a date, a ticket, a UUID, a short count; nor are the
 * ids reasons quote (git SHAs, digests, resource ids, versions) wherever they stand.
 */
import { checkReason, looksLikeSecret, singleLine } from '../../src/domain/text';
import { reasonRefusal } from './support/reason-refusal';

/** The refusal `checkReason` throws for `raw`, or undefined when it accepts it. */
const refusal = reasonRefusal;

describe('a password of digits or dashed words right after its name is refused without being quoted back', () => {
  // [what, the reason, the password in it (never in the refusal), the words the refusal shows]
  test.each<[string, string, string, string]>([
    ['digits, bare', 'password 83920174 for the pull', '83920174', 'password [redacted]'],
    [
      'digits, bare, at the end with a full stop',
      'the build agent needs pw 739104.',
      '739104',
      'build agent needs pw [redacted]',
    ],
    ['digits after "is"', 'the pull password is 83920174 today', '83920174', 'the pull password is [redacted]'],
    ['digits after a colon', 'passphrase: 5519027731 for the vault', '5519027731', 'passphrase: [redacted]'],
    ['digits, quoted, after "was"', 'pwd was "204817" on the agent', '204817', 'pwd was [redacted]'],
    ['six digits, the fewest', 'pass is 620481 for now', '620481', 'pass is [redacted]'],
    ['dashed, after pwd:', 'pwd: hunter-2-go pull images', 'hunter-2-go', 'pwd: [redacted]'],
    ['dashed, after passwd=', 'passwd=Abc-123-xyz for the deploy', 'Abc-123-xyz', 'passwd=[redacted]'],
    ['dashed, after passwd:', 'passwd: Abc-123-xyz for the deploy', 'Abc-123-xyz', 'passwd: [redacted]'],
    ['dashed, after pw =', 'use pw = Summer-2024 for myreg', 'Summer-2024', 'use pw = [redacted]'],
    ['dashed, after pass:', 'the pass: blue-7-Horse-staple please', 'blue-7-Horse-staple', 'the pass: [redacted]'],
    // A word of letters between numbers is no month: no date.
    ['dashed, a word between numbers', 'pwd: 7-Horse-42 for the pull', '7-Horse-42', 'pwd: [redacted]'],
    ['dashed, a year first', 'pw: 2024-Summer-01 for the pull', '2024-Summer-01', 'pw: [redacted]'],
    // "is:" gives the value as ":" does.
    ['dashed, after "is:"', 'the password is: hunter-2-go for pull', 'hunter-2-go', 'the password is: [redacted]'],
  ])('%s', (_what, raw, secret, where) => {
    expect(looksLikeSecret(singleLine(raw))).toBe(true);
    const err = refusal(raw);
    expect(err?.code).toBe('validation.secret');
    expect(err?.message).not.toContain(secret);
    expect(err?.message).toContain(`where it says "${where}"`);
  });
});

describe("what a reason says about a password's age, expiry or rotation, and the ids it quotes, are accepted", () => {
  test.each([
    // A number and its unit after "was", "is" or ":".
    'password was 90days old, pull again',
    'the pwd is 30-day old on the agent',
    'password expires in 30 days, renew pull',
    'the passwd is 12chars long and expired',
    // Dates, wherever they stand.
    'rotate the password after 2024-12-01',
    'the password was 2024-12-01, renew it',
    'pwd: 2024-12-01 rotation for the build',
    'pw 20241201 rotation ticket for the build',
    'the pass: 1-Dec-2024 rotation is done',
    // Short counts and years, tickets and UUIDs after the name.
    'password 2024 rotation is overdue',
    'the pw was 90 days old, renew pull',
    'pass is 42 for the canary gate',
    'pwd: INC-4521 tracks the reset',
    'pwd: 0b8e2c3a-4f1d-4c2e-9a7b-1f23e4d5a6bc is the app that resets it',
    // Dashed words that are names, after "is" or nothing but a space.
    'the password is kv-prod-01 in Key Vault',
    'password payments-api-2 reset is needed',
    // Git SHAs, digests, resource ids and versions after the name.
    'password 3f786850e387550fdab836ed7e6dc881de23001b rebuild for the hotfix',
    'pw sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 pinned',
    'pwd: sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 of the agent image',
    'pwd is /subscriptions/0b8e2c3a-4f1d-4c2e-9a7b-1f23e4d5a6bc/resourceGroups/rg-Payments-Prod2 scope',
    'password policy v2.1.3 blocks the build',
    'pwd: v2.1.3 of the agent image',
    // A word in one case and numbers: a ticket, a version, an image.
    'pwd: chg-12345 approved for rotation',
    'pwd: jira-4521 reset',
    'pwd: node-20 upgrade on the agents',
    'pwd: k8s-1-29 upgrade',
    'pwd: ubuntu-22-04 image',
    'pw: v1-27-3 upgrade',
    'pw: sev-2 incident',
    // A number and what it counts, the word after it.
    'pw 300000 ms timeout on the login',
    'password is 120000 ms',
    'password 100000 users affected',
    'the pbkdf2 password 600000 iterations check fails',
    // Months by name, ISO times.
    'the pass: 01-Sept-2024 rotation is done',
    'pwd: 2024-12-01T10:00:00Z rotation',
    'password is 2024-12-01T10:00Z old',
  ])('%j', (raw) => {
    expect(looksLikeSecret(raw)).toBe(false);
    expect(checkReason(raw)).toBe(raw);
  });
});
