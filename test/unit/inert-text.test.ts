/** inertText: user text in cards cannot become a link, an image or a mention (what people see). */
import { inertText } from '../../src/views/inert-text';

describe('inertText', () => {
  test.each([
    ['[click](https://evil.example/login)', '[click] (https:\u200b//evil.example/login)'],
    ['![img](http://evil.example/x.png)', '![img] (http:\u200b//evil.example/x.png)'],
    ['see ftp://files.example/x', 'see ftp:\u200b//files.example/x'],
    ['open ms-teams://l/chat/0/0', 'open ms-teams:\u200b//l/chat/0/0'],
    ['go to www.evil.example now', 'go to www\u200b.evil.example now'],
    ['WWW.Evil.example', 'WWW\u200b.Evil.example'],
    ['<at>Everyone</at>', '<\u200bat>Everyone</\u200bat>'],
    // A relative link target has no scheme: only its bracket gives it away.
    ['[the runbook](evil.example/runbook)', '[the runbook] (evil.example/runbook)'],
  ])('%j reads %j', (input, shown) => {
    expect(inertText(input)).toBe(shown);
  });

  // Teams draws {{DATE(…)}} and {{TIME(…)}} in a TextBlock as a date of the reader's zone.
  test.each([
    ['{{DATE(2026-01-01T00:00:00Z)}}', '{\u200b{DATE(2026-01-01T00:00:00Z)}}'],
    ['at {{TIME(2026-01-01T00:00:00Z)}} ok', 'at {\u200b{TIME(2026-01-01T00:00:00Z)}} ok'],
    ['{{{DATE(x)}}}', '{\u200b{\u200b{DATE(x)}}}'],
  ])('Teams date function %j reads %j', (input, shown) => {
    expect(inertText(input)).toBe(shown);
    expect(inertText(input)).not.toContain('{{');
  });

  test('text without link or mention syntax is unchanged', () => {
    for (const text of [
      'deploy payments-api 1.2',
      'contosoacr.azurecr.io',
      'awww.example is a name',
      'ratio 3:1 / ok',
      'a {b} c',
    ])
      expect(inertText(text)).toBe(text);
  });
});

describe('inertText and bidi controls', () => {
  test.each([
    ['U+202E at the end of a name', 'Mallory\u202E', 'Mallory'],
    ['embeddings and overrides', '\u202Aa\u202Bb\u202Cc\u202Dd\u202Ee', 'abcde'],
    ['isolates', '\u2066x\u2067y\u2068z\u2069', 'xyz'],
    ['marks', 'l\u200Er\u200Fa\u061C', 'lra'],
  ])('%s are dropped', (_name, input, shown) => {
    expect(inertText(input)).toBe(shown);
  });

  test('an override cannot split a scheme and hide it from the link breaker', () => {
    expect(inertText('https\u202E://evil.example')).toBe('https:\u200b//evil.example');
  });

  test('nor split its colon from its slashes (the check before the passes looks for "://")', () => {
    expect(inertText('see https:\u2066//evil.example')).toBe('see https:\u200b//evil.example');
    expect(inertText('see https:/\u202E/evil.example')).toBe('see https:\u200b//evil.example');
  });
});
