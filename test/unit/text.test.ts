import { UserFacingError } from '../../src/domain/errors';
import {
  checkReason,
  displayName,
  looksLikeSecret,
  readableLength,
  REASON_LIMITS,
  singleLine,
  visibleLength,
} from '../../src/domain/text';

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
    // Whatever the scrubber would hide in a log is refused as a reason too (one definition).
    ['a token in a query', 'deploy hotfix, pull with token=ghp_1234567890abcdefghijklmnop'],
    ['a URL with a password', 'pull via https://deployer:S3cretPass99@myreg.azurecr.io now'],
    ['an Authorization header', 'use Authorization: Bearer 0123456789abcdef0123456789abcdef'],
    ['access_token=', 'access_token=ya29.a0AfH6SMBx1234567890'],
    ['api_key=', 'api_key=abcdef1234567890 for the deploy'],
    ['client-key-data:', 'client-key-data: LS0tLS1CRUdJTiBSU0Eg'],
    ['an ACR password as JSON', 'acr password is "value":"Qw3rTy+/AbCdEfGh1234567890=" from generateCredentials'],
    ['docker login -p', 'docker login myreg.azurecr.io -u acrbot-R-1 -p Qw3rTyAbCdEfGh1234567890='],
    ['a cookie', 'my session is Cookie: session=c2Vzc2lvbg; x=y'],
  ])('%s', (_name, raw) => {
    expect(codeOf(raw)).toBe('validation.secret');
    expect(looksLikeSecret(singleLine(raw))).toBe(true);
  });

  test.each([
    'deploy payments-api to prod',
    'rotate the password policy next week',
    'pull eyJ images for the team',
    'BEGIN the rollout of the new cluster',
    // A URL's user name alone is no secret (the scrubber hides it in logs all the same).
    'clone ssh://git@github.com/contoso/app for the build',
    'pipeline https://contoso@dev.azure.com/contoso/payments/_git/api needs pull',
    // Prose that only names a secret, or has a value that is no credential.
    'business value: "faster deploys" for payments',
    'cookie: consent banner broken, need images',
    'authorization: pending from security team lead',
    'the pull secret expired; docker login fails with --password-stdin',
    'INC-42: mkdir -p fails on the build agent, pull images by hand',
  ])('ordinary text %j is accepted', (raw) => {
    expect(looksLikeSecret(raw)).toBe(false);
    expect(checkReason(raw)).toBe(raw);
  });

  test('the refusal message never echoes the secret', () => {
    const refuse = () => checkReason('AccountKey=SENTINELSECRET123');
    expect(refuse).toThrow(UserFacingError);
    expect(codeOf('AccountKey=SENTINELSECRET123')).toBe('validation.secret');
    expect(refuse).toThrow(/looks like it contains a credential/);
    expect(refuse).not.toThrow(/SENTINEL/);
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

describe('blank-looking reasons are blank (G7)', () => {
  // Each shows nothing, yet is neither a control nor a format character: counted before.
  test.each([
    ['Hangul filler U+3164', '\u3164'],
    ['Hangul choseong filler U+115F', '\u115F'],
    ['Hangul jungseong filler U+1160', '\u1160'],
    ['halfwidth Hangul filler U+FFA0', '\uFFA0'],
    ['braille blank U+2800', '\u2800'],
    ['variation selector 16 U+FE0F', '\uFE0F'],
    ['combining grapheme joiner U+034F', '\u034F'],
    ['invisible times U+2062', '\u2062'],
    ['Mongolian vowel separator U+180E', '\u180E'],
  ])('8 × %s is refused like a blank reason, and cleaned away', (_name, ch) => {
    expect(() => checkReason(ch.repeat(8))).toThrow(/^A reason of at least 8 characters is required/);
    expect(singleLine(`deploy ${ch.repeat(3)} it`)).toBe('deploy it');
  });

  test('padding a short reason with them, or with combining marks, does not reach the minimum; spaces between words count', () => {
    expect(codeOf(`fix${'\u3164'.repeat(10)}`)).toBe('validation.reason');
    expect(codeOf(`fix it${'\u0301'.repeat(4)}`)).toBe('validation.reason');
    expect(codeOf(`fix \u3000\u3000 it`)).toBe('validation.reason');
    expect(checkReason('fix bugs')).toBe('fix bugs');
    expect(visibleLength('fix it! #42 \u00e9t\u00e9 \u{1F525}')).toBe(13);
  });

  test('characters outside the BMP count once each, not as their two UTF-16 units (G7)', () => {
    expect(readableLength('\u{1F44D}\u{1F44D}')).toBe(2);
    expect(readableLength('ok')).toBe(2);
    expect(readableLength('\u{1D400}\u{1D401}\u{1D402} ok')).toBe(6);
    // Four emoji are eight UTF-16 units, half the eight characters a reason needs.
    expect(codeOf('\u{1F525}'.repeat(4))).toBe('validation.reason');
    expect(checkReason('\u{1F525}'.repeat(8))).toBe('\u{1F525}'.repeat(8));
  });

  test('a variation selector stays after the character it styles, and goes anywhere else', () => {
    expect(singleLine('prod \u2764\uFE0F is down')).toBe('prod \u2764\uFE0F is down');
    expect(singleLine('prod \u2764\uFE0F\uFE0F\uFE0F is down')).toBe('prod \u2764\uFE0F is down');
    expect(singleLine('\uFE0Fprod \uFE0Fdown')).toBe('prod down');
    expect(singleLine('on fire \u2764\uFE0F\u200D\u{1F525} again')).toBe('on fire \u2764\uFE0F\u200D\u{1F525} again');
  });
});

describe('displayName', () => {
  test('bidi controls, zero-width characters and line breaks go; joiners in an emoji stay', () => {
    expect(displayName('Mallory\u202E', 'x')).toBe('Mallory');
    expect(displayName('Eve\u2066\u2067\u2068\u2069\u200E\u200F\u061C\u202A\u202B\u202C\u202D Smith', 'x')).toBe(
      'Eve Smith',
    );
    expect(displayName('Alice\u200B\uFEFF\nApproved by CISO', 'x')).toBe('Alice Approved by CISO');
    expect(displayName('Dev \u{1F469}\u200D\u{1F4BB}', 'x')).toBe('Dev \u{1F469}\u200D\u{1F4BB}');
  });

  test('a name with nothing visible gets the fallback', () => {
    expect(displayName(undefined, 'unknown')).toBe('unknown');
    expect(displayName('\u3164\u3164 \u200B\u202E', 'unknown')).toBe('unknown');
  });

  test('at most 100 UTF-16 units, never half a character', () => {
    expect(displayName('x'.repeat(150), 'x')).toBe('x'.repeat(100));
    const cut = displayName(`${'x'.repeat(99)}\u{1F600}tail`, 'x');
    expect(cut).toBe('x'.repeat(99));
    expect(displayName(`${'x'.repeat(99)}\u200D\u{1F600}`, 'x')).toBe('x'.repeat(99));
  });
});

describe('a refused reason says where it looked like a credential, without quoting it', () => {
  test('the words before the first value the scrubber replaces, the value itself replaced', () => {
    expect(() => checkReason('fix the token=expired bug in prod pipeline', 'reason')).toThrow(
      'where it says "fix the token=[redacted]"',
    );
    let message = '';
    try {
      checkReason('deploy with https://deployer:S3cretPass99@reg.example.com now', 'reason');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('https://[redacted]');
    expect(message).not.toContain('S3cretPass99');
  });
});
