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

describe('singleLine keeps the joiners text needs (ZWNJ U+200C, ZWJ U+200D)', () => {
  test.each([
    ['an emoji ZWJ sequence (woman technologist)', 'on call: \u{1F469}\u200D\u{1F4BB} rotates the build'],
    ['a family emoji (three joiners)', 'team \u{1F468}\u200D\u{1F469}\u200D\u{1F467} images'],
    ['a Persian word with ZWNJ (mi-khaham)', 'برای استقرار \u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645'],
    ['a Hindi conjunct with ZWJ', 'deploy \u0915\u094D\u200D\u0937 build'],
  ])('%s is kept as typed', (_name, raw) => {
    expect(singleLine(raw)).toBe(raw);
    expect(checkReason(raw)).toBe(raw);
  });

  test('bidi overrides and isolates and other format characters still go, the joiners between letters stay', () => {
    const bidi = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'];
    for (const c of bidi) expect(singleLine(`deploy ${c}app\u200Dx${c} now`)).toBe('deploy app\u200Dx now');
    // zero-width space, word joiner, BOM, soft hyphen, a tag character (invisible "ASCII smuggling").
    expect(singleLine('pay\u200bments\u2060 api\ufeff\u00ad \u{E0041}ok')).toBe('payments api ok');
  });

  test('joiners that join nothing go; a run of them counts once', () => {
    expect(singleLine('\u200D\u200Cdeploy \u200Dit\u200C')).toBe('deploy it');
    expect(singleLine('deploy \u200D app')).toBe('deploy app');
    expect(singleLine(`a${'\u200D'.repeat(20)}b`)).toBe('a\u200Db');
    expect(codeOf(`ok${'\u200D'.repeat(20)}go`)).toBe('validation.reason');
    expect(codeOf('\u200D\u200C'.repeat(10))).toBe('validation.reason');
  });

  test('a joiner inside a secret does not hide it', () => {
    expect(codeOf('use Account\u200DKey=abc123== for it')).toBe('validation.secret');
    expect(codeOf('token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOi\u200CIxMjM0NTY3ODkwIn0.sig')).toBe('validation.secret');
  });
});
