/**
 * inertText breaks link and mention syntax whatever its letter case (clients link `HTTPS://` and
 * treat `<AT>` as the tag `<at>`) and however much space a link puts between `]` and `(`.
 */
import { inertText } from '../../src/views/inert-text';

describe('inertText in any letter case', () => {
  test.each([
    ['see HTTPS://evil.example/x', 'see HTTPS:\u200b//evil.example/x'],
    ['Https://evil.example', 'Https:\u200b//evil.example'],
    ['[go](FTP://files.example/x)', '[go] (FTP:\u200b//files.example/x)'],
  ])('an upper-case scheme %j reads %j', (input, shown) => {
    expect(inertText(input)).toBe(shown);
  });

  test.each([
    ['<AT>Everyone</AT>', '<\u200bat>Everyone</\u200bat>'],
    ['<At id="0">Alex</At>', '<\u200bat id="0">Alex</\u200bat>'],
  ])('an upper-case mention tag %j reads %j', (input, shown) => {
    expect(inertText(input)).toBe(shown);
  });
});

test.each([
  ['[x]  (https://evil.example)', '[x] (https:\u200b//evil.example)'],
  ['[x]\t(evil.example/runbook)', '[x] (evil.example/runbook)'],
  ['![i]\u00a0(evil.example/i.png)', '![i] (evil.example/i.png)'],
])('space between the brackets of a link %j becomes one space: %j', (input, shown) => {
  expect(inertText(input)).toBe(shown);
});
