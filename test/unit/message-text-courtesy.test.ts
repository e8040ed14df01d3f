/**
 * The command in a message a first-time requester writes (message-text.ts): a colleague mentioned
 * first inside Teams' `<p>` or `<div>`, words of courtesy before the command word, and a command
 * after acrbot's mention in the middle of a sentence.
 */
import { resolve } from 'node:path';
import { addressedText, commandAfterMention, withoutCourtesy } from '../../src/bot/message-text';
import { REPO_ROOT, tsWorkers } from '../helpers/ts-worker';

const BOT = { id: '28:acrbot', name: 'acrbot' };
const MENTION = { type: 'mention', mentioned: BOT, text: '<at>acrbot</at>' };
/** A message mentioning acrbot, as Teams sends it. */
const mentioning = (text: string) => ({ text, entities: [MENTION], recipient: BOT });

describe('mentions ahead of the command inside an opening tag', () => {
  test.each([
    ['<p><at>Alex</at> <at>acrbot</at> grant a b</p>', 'grant a b'],
    ['<div><at>Alex</at> <at>acrbot</at> grant a b</div>', 'grant a b'],
    ['<div class="x"><p> <at id="0">Alex</at>&nbsp;<at>acrbot</at> grant a b</p></div>', 'grant a b'],
    ['<at>Alex</at> <at>acrbot</at> grant a b', 'grant a b'],
  ])('%s', (html, command) => {
    expect(addressedText(mentioning(html))).toBe(command);
  });

  test('a mention later in the text keeps its name; a closing tag is no opening one', () => {
    expect(addressedText(mentioning('<p><at>acrbot</at> grant a b deploy for <at>Alex</at></p>'))).toBe(
      'grant a b deploy for Alex',
    );
    expect(addressedText(mentioning('</p><at>Alex</at> <at>acrbot</at> grant a b'))).toBe('Alex  grant a b');
  });

  // No timing asserted: jest's timeout is the guard (message-text-long-input.test.ts).
  const run = tsWorkers();
  const READER = `
const { addressedText } = require(workerData.module);
addressedText({ text: workerData.text, recipient: { id: '28:acrbot', name: 'acrbot' } });
parentPort.postMessage('done');
`;
  test.each([
    ['opening tags', '<p>'.repeat(100_000)],
    ['opening tags and spaces, then an unended mention', `${'<p> '.repeat(80_000)}<at>`],
    ['one long unended tag', `<p${'x'.repeat(200_000)}`],
  ])('%s, without a mention: read in linear time', async (_name, text) => {
    expect(await run(READER, { module: resolve(REPO_ROOT, 'src/bot/message-text.ts'), text })).toBe('done');
  });
});

describe('withoutCourtesy', () => {
  test.each([
    ['please grant a b deploy', 'grant a b deploy'],
    ['can you grant a b deploy', 'grant a b deploy'],
    ['Hi, could you please grant a b', 'grant a b'],
    ['pls status R-7K2M9QXA', 'status R-7K2M9QXA'],
    ['ok cancel', 'cancel'],
    ['please help.', 'help.'],
    ['hi', ''],
    ['Hello!', ''],
    ['ok hi', ''],
    ['please', ''],
  ])('%s → %s', (text, command) => {
    expect(withoutCourtesy(text)).toBe(command);
  });

  test.each([
    // No command word after the courtesy: as typed.
    'can you tell me what to do',
    'can you',
    'ok thanks',
    'hi there',
    // A command word first, and text that is not courtesy at all: as typed.
    'grant a b please',
    'deploy please',
    // More courtesy than that is a sentence.
    'ok hi could you please grant a b',
  ])('%s: as typed', (text) => {
    expect(withoutCourtesy(text)).toBe(text);
  });
});

describe('commandAfterMention', () => {
  test.each([
    ['<p>Hi team, I need pull access. <at>acrbot</at> grant aks-dev contosoacr deploy</p>', 'grant'],
    ['Hi team <at>acrbot</at> please Status: R-7K2M9QXA', 'status'],
  ])('%s → %s', (html, verb) => {
    expect(commandAfterMention(mentioning(html))).toBe(verb);
  });

  test('typed "@acrbot" after a sentence (a 1:1 chat, no mention entity)', () => {
    expect(commandAfterMention({ text: 'I need access @acrbot: grant a b', recipient: BOT })).toBe('grant');
    expect(commandAfterMention({ text: '@acrbot grant a b', recipient: BOT })).toBeUndefined();
  });

  test.each([
    // At the start, behind a tag or not: the message is read from there already.
    '<at>acrbot</at> hi there',
    '<p><at>acrbot</at> hello grant</p>',
    // No command word after it.
    'Thanks <at>acrbot</at> is great',
    'Hi team <at>acrbot</at>',
  ])('%s: none', (html) => {
    expect(commandAfterMention(mentioning(html))).toBeUndefined();
  });
});
