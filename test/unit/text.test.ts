import { UserFacingError } from '../../src/domain/errors';
import { checkReason, looksLikeSecret, REASON_LIMITS, singleLine } from '../../src/domain/text';

function codeOf(raw: string | undefined): string {
  try {
    checkReason(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(UserFacingError);
    return (err as UserFacingError).code;
  }
  throw new Error('expected checkReason to throw');
}

describe('checkReason bounds', () => {
  test('limits are 8..500', () => {
    expect(REASON_LIMITS).toEqual({ min: 8, max: 500 });
  });

  test.each([
    ['undefined', undefined],
    ['empty', ''],
    ['whitespace only', ' \r\n\t '],
    ['1 char', 'x'],
    ['7 chars', 'x'.repeat(7)],
    ['10 raw chars but 5 once CR/LF are collapsed', 'ab\r\n\r\n\r\ncd'],
    ['nine zero-width spaces', '\u200b'.repeat(9)],
    ['invisible format characters around 3 letters', '\u202eabc\u2066\u2069\u200d\ufeff\u00ad\u200c'],
    ['control characters', '\u0000\u0001\u0007\u001b\u007f\u0085xy\u0008'],
  ])('%s is too short', (_name, raw) => {
    expect(codeOf(raw)).toBe('validation.reason');
  });

  test.each([
    ['exactly 8', 'x'.repeat(8)],
    ['exactly 500', 'x'.repeat(500)],
    ['500 after trimming', `   ${'x'.repeat(500)}   `],
  ])('%s is accepted', (_name, raw) => {
    expect(checkReason(raw)).toBe('x'.repeat(raw.trim().length));
  });

  test('invisible characters are dropped from what is kept (a bidi override cannot make it read otherwise)', () => {
    expect(checkReason('deploy \u202egnp.exe\u202c payments\u200b-api')).toBe('deploy gnp.exe payments-api');
  });

  test('501 is too long and the message gives the length', () => {
    expect(() => checkReason('x'.repeat(501))).toThrow('The reason is 501 characters long; keep it under 500.');
  });

  test('the "what" word is used in the message', () => {
    expect(() => checkReason('', 'justification')).toThrow(/^A justification of at least 8 characters is required/);
  });
});

describe('checkReason normalises', () => {
  test.each([
    ['deploy payments-api', 'deploy payments-api'],
    ['  deploy   payments-api  ', 'deploy payments-api'],
    ['deploy\r\nFAKE AUDIT entry', 'deploy FAKE AUDIT entry'],
    ['deploy\n\n\nthe app', 'deploy the app'],
    ['deploy\rthe\tapp', 'deploy the app'],
    ['deploy\u2028the\u2029app', 'deploy the app'],
  ])('%j -> %j', (raw, expected) => {
    const out = checkReason(raw);
    expect(out).toBe(expected);
    expect(out).not.toMatch(/[\r\n\u2028\u2029]/);
  });
});

describe('checkReason refuses secret-looking text', () => {
  test.each([
    ['storage connection string', 'use DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abc123=='],
    ['AccountKey lower-case', 'my accountkey=abcdef'],
    ['JWT', 'token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig'],
    ['private key', '-----BEGIN PRIVATE KEY----- MIIEvQIBADANB'],
    ['RSA private key across lines', 'here:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow'],
    ['certificate', '-----BEGIN CERTIFICATE----- MIIB'],
    ['password=x', 'password=x'],
    ['Password: with spaces', 'the Password : hunter2'],
    ['client secret', 'client_secret=abc for the sp'],
    ['SAS', 'url?sv=2020&sig=abcdefghijklmnopqrstuvwxyz123'],
    ['SharedAccessSignature', 'SharedAccessSignature sr=foo'],
  ])('%s', (_name, raw) => {
    expect(codeOf(raw)).toBe('validation.secret');
    expect(looksLikeSecret(singleLine(raw))).toBe(true);
  });

  test.each([
    'deploy payments-api to prod',
    'rotate the password policy next week',
    'pull eyJ images for the team',
    'BEGIN the rollout of the new cluster',
  ])('ordinary text %j is accepted', (raw) => {
    expect(looksLikeSecret(raw)).toBe(false);
    expect(checkReason(raw)).toBe(raw);
  });

  test('the refusal message never echoes the secret', () => {
    try {
      checkReason('AccountKey=SENTINELSECRET123');
      throw new Error('not refused');
    } catch (err) {
      expect((err as Error).message).not.toContain('SENTINEL');
    }
  });
});
