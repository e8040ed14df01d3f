/**
 * unknownCommandText (unknown-command-text.ts), from breaking it: the way on for a command typed
 * with a "/" or ":" is given only for a word that is a command, names both marks, and the word is
 * quoted back only when it is a short plain one, made inert.
 */
import { COMMAND_HELP } from '../../src/domain/command';
import { unknownCommandText } from '../../src/views/unknown-command-text';

const grant = COMMAND_HELP.find((c) => c.verb === 'grant')!;

describe('the unknown command card', () => {
  test('a "/" or ":" around a word that is no command: no command is suggested for it', () => {
    expect(unknownCommandText('/deploy')).toBe('That is not an acrbot command. Type "@acrbot help" to see them all.');
    expect(unknownCommandText('deploy:')).toBe('That is not an acrbot command. Type "@acrbot help" to see them all.');
  });

  test('both marks around a command are named', () => {
    expect(unknownCommandText('/grant:')).toBe(
      `"/grant:" is not an acrbot command: write grant without the "/" and ":", e.g. "@acrbot ${grant.example}". Nothing was requested.`,
    );
  });

  test('a word of up to 24 characters is quoted back; a longer one is not', () => {
    expect(unknownCommandText('a'.repeat(24))).toBe(
      `"${'a'.repeat(24)}" is not an acrbot command. Type "@acrbot help" to see them all.`,
    );
    expect(unknownCommandText('a'.repeat(25))).toBe(
      'That is not an acrbot command. Type "@acrbot help" to see them all.',
    );
  });

  test('a word with "=" or ":" inside (a pasted key) is not quoted back', () => {
    expect(unknownCommandText('password=hunter2')).toMatch(/^That is not an acrbot command/);
    expect(unknownCommandText('accountkey:abc')).toMatch(/^That is not an acrbot command/);
  });

  test('a word that reads as a link is quoted inert', () => {
    const text = unknownCommandText('www.x.com');
    expect(text).toBe('"www\u200b.x.com" is not an acrbot command. Type "@acrbot help" to see them all.');
  });
});
