/**
 * The help card's usage lines are README's forms: each form a usage names (one per ` | `, the
 * trailing note in brackets aside) is written in README's command table, and none brackets an
 * optional word (`status [REQUEST-ID]`): people copy the line, and a pasted bracket is refused.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { COMMAND_HELP } from '../../src/domain/command';
import { helpCard } from '../../src/views/message-view';

const README = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');

/** The forms of a usage line: `a | b (note)` is `a` and `b`. */
const formsOf = (usage: string) =>
  usage
    .replace(/ \([^)]*\)$/, '')
    .split(' | ')
    .map((form) => form.trim());

describe('the help card usage lines', () => {
  test.each(COMMAND_HELP.map((c) => [c.verb, c.usage]))(
    '%s: no bracketed words, each form as README writes it',
    (_verb, usage) => {
      expect(usage).not.toMatch(/[[\]]/);
      for (const form of formsOf(usage)) expect(README).toContain(`\`${form}\``);
    },
  );

  test('the card shows them so', () => {
    const text = JSON.stringify(helpCard(false));
    expect(text).toContain('"status | status REQUEST-ID"');
    expect(text).toContain(
      '"revoke REQUEST-ID REASON… | revoke CLUSTER REGISTRY REASON… | revoke registry REGISTRY REASON… (the reason optional)"',
    );
    expect(text).not.toContain('[REASON');
  });
});
