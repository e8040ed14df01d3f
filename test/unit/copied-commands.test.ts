/**
 * Every command acrbot's cards show, copied back as people copy it, is the command typed: pasted
 * after the mention Teams makes of "@acr" (so "@acrbot" twice), with the quotes the card puts
 * around it and the full stop of its sentence, in curly quotes (Outlook, a phone), with
 * non-breaking spaces (a selection from a rendered card). The commands come from the golden cards
 * (test/golden/cards), so a card that starts showing a new command is covered by this test.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addressedText } from '../../src/bot/message-text';
import { parseCommand } from '../../src/domain/command';
import { parseClusterRef, parseRegistryRef } from '../../src/domain/names';
import { punctuatedRequestId } from '../../src/domain/request-id-word';

const GOLDEN = join(__dirname, '..', 'golden', 'cards');

/** Every string in a card's JSON. */
function stringsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsOf(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) stringsOf(v, out);
  return out;
}

/** The commands a card quotes ("…: "@acrbot status R-…"") or gives as its example line. */
function commandsOf(text: string): string[] {
  const quoted = [...text.matchAll(/"(@acrbot [^"]+)"/g)].map((m) => m[1]!);
  const example = /^Example: (@acrbot .+)$/.exec(text)?.[1];
  return example ? [...quoted, example] : quoted;
}

/**
 * The card's placeholders as a person fills them in; the golden fixtures' own ids, some with
 * characters real ids never have (`R-EXT4ND01`), as one a person would copy.
 */
const filled = (command: string) =>
  command
    .replace(/R-[0-9A-Z]{8}\b/g, 'R-7K2M9QXA')
    .replace(/REASON…/g, 'deploy payments-api')
    .replace(/R-…/g, 'R-7K2M9QXA')
    .replace(/\bCLUSTER\b/g, 'aks-prod')
    .replace(/\bREGISTRY\b/g, 'contosoacr')
    .replace(/\bNAMESPACE\b/g, 'payments');

const commands = [
  ...new Set(
    readdirSync(GOLDEN)
      .filter((f) => f.endsWith('.json'))
      .flatMap((f) => stringsOf(JSON.parse(readFileSync(join(GOLDEN, f), 'utf8'))))
      .flatMap(commandsOf)
      .map(filled),
  ),
].sort();

const BOT = { id: '28:acrbot', name: 'acrbot' };
const MENTION = '<at>acrbot</at>';

/** A channel message: the mention, then what was pasted, as Teams sends it. */
const pastedAfterMention = (pasted: string) => ({
  text: `${MENTION} ${pasted}`,
  recipient: BOT,
  entities: [{ type: 'mention', mentioned: BOT, text: MENTION }],
});

/** A 1:1 chat message: what was pasted, no mention. */
const pastedInChat = (pasted: string) => ({ text: pasted, recipient: BOT });

/** What parsing `text` gives: the command, or the refusal it throws. */
function parsed(text: string): unknown {
  try {
    return parseCommand(text);
  } catch (err) {
    return { refused: (err as Error).message };
  }
}

test('the golden cards show commands to copy', () => {
  // Each verb a card names: a card losing its commands (a broken extraction) fails here.
  const verbs = new Set(commands.map((c) => c.split(' ')[1]));
  expect([...verbs].sort()).toEqual(
    expect.arrayContaining(['cancel', 'extend', 'grant', 'pause', 'pending', 'resume', 'revoke', 'secret', 'status']),
  );
});

describe.each(commands)('%s', (command) => {
  // As typed: without the zero-width space a card puts in a link it shows (`https:\u200B//`),
  // which any paste loses (message-text.ts), so a card cannot hand a live link back to a card.
  const typed = command.replace(/^@acrbot /, '').replace(/\u200B/g, '');
  const meant = parsed(typed);

  test('typed, it is an acrbot command and no refusal', () => {
    expect(meant).not.toHaveProperty('refused');
    expect(meant).not.toMatchObject({ verb: 'unknown' });
  });

  test.each([
    ['pasted after the mention', pastedAfterMention(command)],
    ['pasted in a 1:1 chat', pastedInChat(command)],
    ['with the quotes and full stop of its sentence', pastedAfterMention(`"${command}".`)],
    ['in curly quotes, in a 1:1 chat', pastedInChat(`\u201C${command}\u201D`)],
    ['in backticks', pastedInChat(`\`${command}\``)],
    ['with non-breaking spaces', pastedAfterMention(command.replace(/ /g, '&nbsp;'))],
  ])('%s, it is the same command', (_how, activity) => {
    expect(parsed(addressedText(activity))).toEqual(meant);
  });
});

test('two quoted commands in one message are not one command with the rest as its reason', () => {
  const two = '"@acrbot grant aks-prod contosoacr deploy hotfix" and "@acrbot status R-7K2M9QXA"';
  expect(addressedText(pastedInChat(two))).toBe(two);
});

test('a quoted text that is no copied command stays as typed (a reason answered in quotes)', () => {
  expect(addressedText(pastedInChat('"deploy payments-api to prod"'))).toBe('"deploy payments-api to prod"');
  expect(addressedText(pastedInChat('"status of the release"'))).toBe('"status of the release"');
});

describe('a name copied with its sentence\'s punctuation ("…: @acrbot check aks-prod contosoacr.")', () => {
  test.each([
    [
      'contosoacr.',
      () => parseRegistryRef('contosoacr.'),
      '"contosoacr." is not a valid registry name: the "." after it is not part of it; the name is "contosoacr".',
    ],
    [
      'aks-prod,',
      () => parseClusterRef('aks-prod,'),
      '"aks-prod," is not a valid cluster name: the "," after it is not part of it; the name is "aks-prod".',
    ],
    [
      'rg-aks/aks-prod).',
      () => parseClusterRef('rg-aks/aks-prod).'),
      'the ")." after it is not part of it; the name is "aks-prod".',
    ],
  ])('%s is told what is wrong, and not read as the name', (_typed, parse, message) => {
    expect(parse).toThrow(message);
  });

  test('with the closing quote of the card\'s "…": the quotes and punctuation are named, not quoted', () => {
    expect(() => parseRegistryRef('contosoacr".')).toThrow(
      '"contosoacr"." is not a valid registry name: the quotes and punctuation after it are not part of it; the name is "contosoacr".',
    );
    expect(() => parseClusterRef('aks-prod\u3002')).toThrow(
      'the "\u3002" after it is not part of it; the name is "aks-prod".',
    );
  });

  test("a long run of marks is no sentence's end: told the rule, the value cut as every refused value is", () => {
    const err = (() => {
      try {
        parseRegistryRef(`contosoacr${'!'.repeat(5000)}`);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toContain('use 5–50 letters and digits');
    expect(err!.message.length).toBeLessThan(400);
  });

  test('a name that breaks its rule otherwise is told the rule', () => {
    expect(() => parseRegistryRef('contoso-acr.')).toThrow('use 5–50 letters and digits');
    expect(() => parseClusterRef('-aks.')).toThrow('starting and ending with a letter or digit');
  });
});

describe('a request id copied with the quotes around it ("Type "@acrbot status R-7K2M9QXA"."): told what to type, nothing read', () => {
  test.each([
    ['"R-7K2M9QXA"', 'around'],
    ['\u201CR-7K2M9QXA\u201D', 'around'],
    ['`R-7K2M9QXA`', 'around'],
    ['(R-7K2M9QXA)', 'around'],
    ['\u300CR-7K2M9QXA\u300D', 'around'],
    ['R-7K2M9QXA".', 'after'],
    ['R-7K2M9QXA\u201D', 'after'],
    ['R-7K2M9QXA\u00BB.', 'after'],
  ])('%s', (word, where) => {
    const refusal = punctuatedRequestId(word, 'status {id}');
    expect(refusal?.message).toBe(
      `${word} is not a request id: the quotes, brackets or punctuation ${where} it are not part of it. Type "@acrbot status R-7K2M9QXA". Nothing was changed.`,
    );
    expect(() => parseCommand(`status ${word}`)).not.toThrow();
    expect(() => parseCommand(`cancel ${word}`)).toThrow(refusal!.message.replace('status', 'cancel'));
  });

  test('a reason after a comma: the command to type keeps a reason', () => {
    expect(() => parseCommand('cancel R-7K2M9QXA, wrong registry')).toThrow(
      '"R-7K2M9QXA," is not a request id: the "," after it is not part of it. Type "@acrbot cancel R-7K2M9QXA REASON…". Nothing was changed.',
    );
    expect(() => parseCommand('cancel R-7K2M9QXA.')).toThrow('Type "@acrbot cancel R-7K2M9QXA". Nothing was changed.');
  });

  test('an id with a full stop alone after it is told as before; a word that is no id is no concern of this', () => {
    expect(punctuatedRequestId('R-7K2M9QXA.', 'status {id}')?.message).toBe(
      '"R-7K2M9QXA." is not a request id: the "." after it is not part of it. Type "@acrbot status R-7K2M9QXA". Nothing was changed.',
    );
    expect(punctuatedRequestId('"release"', 'status {id}')).toBeUndefined();
    expect(punctuatedRequestId('R-7K2M9QXA', 'status {id}')).toBeUndefined();
  });
});
