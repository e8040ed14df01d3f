/**
 * The text acrbot reads from a Teams message (message-text.ts): characters that show nothing,
 * `<at>` tags with attributes, and activities whose text or entities are not what botbuilder's
 * `removeRecipientMention` expects; and what a message without text carries instead.
 */
import { unreadContent } from '../../src/bot/message-content';
import { addressedText, messageText } from '../../src/bot/message-text';

const BOT = { id: '28:acrbot' };
const mentionOfBot = { type: 'mention', mentioned: BOT, text: '<at>acrbot</at>' };

describe('messageText: characters that show nothing', () => {
  test.each([
    ['a zero-width space before the verb', '\u200bgrant a b', 'grant a b'],
    ['a zero-width space after the verb', 'grant\u200b a b', 'grant a b'],
    ['a byte-order mark, a word joiner and a soft hyphen', '\uFEFFgrant\u2060 a\u00AD b', 'grant a b'],
    ['a numeric entity of a zero-width space', 'grant&#8203; a b', 'grant a b'],
    ['a bidi override', 'grant a b \u202Edeploy', 'grant a b deploy'],
    ['a joiner next to a space joins nothing', 'grant\u200D a \u200Cb', 'grant a b'],
    ['an <at> tag with attributes ahead of the command', '<at id="0">Alex Approver</at> grant a b', 'grant a b'],
    ['a later <at> tag with attributes keeps the name', 'grant a b for <at id="1">Alex</at>', 'grant a b for Alex'],
  ])('%s', (_name, input, expected) => {
    expect(messageText(input)).toBe(expected);
  });

  test.each([
    ['an emoji sequence (woman technologist)', 'grant a b for the 👩\u200D💻 team'],
    ['a Persian word with a zero-width non-joiner', 'grant a b می\u200Cخواهم'],
    ['a heart with its variation selector', 'grant a b ❤\uFE0F'],
  ])('%s is kept as typed', (_name, input) => {
    expect(messageText(input)).toBe(input);
  });
});

describe('addressedText: the mention of acrbot removed, whatever the activity carries', () => {
  test.each<[string, Record<string, unknown>, string]>([
    ['the usual mention', { text: '<at>acrbot</at> grant a b', entities: [mentionOfBot], recipient: BOT }, 'grant a b'],
    [
      'a colleague mentioned first',
      { text: '<at>Alex</at> <at>acrbot</at> grant a b', entities: [mentionOfBot], recipient: BOT },
      'grant a b',
    ],
    ['a text that is no string', { text: { grant: 'a' }, entities: [mentionOfBot], recipient: BOT }, ''],
    ['entities that are no array', { text: '<at>acrbot</at> help', entities: 'mention', recipient: BOT }, 'help'],
    ['a null entity', { text: '<at>acrbot</at> help', entities: [null, mentionOfBot], recipient: BOT }, 'help'],
    [
      'a mention without `mentioned`',
      { text: '<at>acrbot</at> help', entities: [{ type: 'mention', text: '<at>acrbot</at>' }], recipient: BOT },
      'help',
    ],
    // botbuilder would remove the word "undefined" here (String.replace(undefined, '')).
    [
      'a mention without text',
      { text: 'status undefined', entities: [{ type: 'mention', mentioned: BOT }], recipient: BOT },
      'status undefined',
    ],
    ['no recipient', { text: '<at>acrbot</at> help', entities: [mentionOfBot] }, 'help'],
  ])('%s', (_name, activity, expected) => {
    expect(addressedText(activity)).toBe(expected);
  });
});

describe("addressedText: acrbot's name typed as text in a 1:1 chat (no mention entity)", () => {
  // Teams' personal chat: the recipient is the bot, with its display name; no entities.
  const personal = (text: string, name = 'acrbot') => ({ text, recipient: { id: '28:acrbot', name } });
  test.each([
    ['@acrbot status R-7K2M9QXA', 'status R-7K2M9QXA'],
    ['@ACRBOT: help', 'help'],
    ['@acrbot, grant aks-prod contosoacr deploy', 'grant aks-prod contosoacr deploy'],
    ['@acrbot', ''],
    ['  @acrbot&nbsp;pending', 'pending'],
  ])('%j reads as %j', (text, expected) => {
    expect(addressedText(personal(text))).toBe(expected);
  });

  test("the bot's own display name, whatever it is, and only as a whole word at the start", () => {
    expect(addressedText(personal('@ACR Bot (Contoso) status R-7K2M9QXA', 'ACR Bot (Contoso)'))).toBe(
      'status R-7K2M9QXA',
    );
    expect(addressedText(personal('@acrbot help', 'ACR Bot'))).toBe('help');
    expect(addressedText(personal('@acrbots help'))).toBe('@acrbots help');
    expect(addressedText(personal('@alex grant a b'))).toBe('@alex grant a b');
    expect(addressedText(personal('grant a b for @acrbot'))).toBe('grant a b for @acrbot');
  });

  test('with a mention entity of acrbot, only the mention is removed', () => {
    expect(addressedText({ text: '<at>acrbot</at> help', entities: [mentionOfBot], recipient: BOT })).toBe('help');
  });
});

describe('unreadContent: what a message without text carries', () => {
  test.each<[string, Record<string, unknown>, ReturnType<typeof unreadContent>]>([
    ['a card submit', { value: { requestId: 'R-ZZZZZZZZ' } }, 'cardSubmit'],
    ['a card submit with no fields', { value: {} }, 'cardSubmit'],
    ['an image', { attachments: [{ contentType: 'image/png' }, { contentType: 'text/html' }] }, 'attachment'],
    ['an attachment without a type', { attachments: [{}] }, 'attachment'],
    ["only Teams' HTML copy of the message", { attachments: [{ contentType: 'text/html' }] }, undefined],
    ['nothing', {}, undefined],
    ['attachments that are no array', { attachments: 'x' }, undefined],
  ])('%s', (_name, activity, expected) => {
    expect(unreadContent(activity)).toBe(expected);
  });
});

describe('addressedText: a greeting or "please" before the mention of acrbot', () => {
  const said = (text: string) => addressedText({ text, entities: [mentionOfBot], recipient: BOT });
  test.each([
    ['hey <at>acrbot</at> help', 'help'],
    ['Hi, <at>acrbot</at> status R-7K2M9QXA', 'status R-7K2M9QXA'],
    ['<p>hello <at>acrbot</at> grant a b deploy</p>', 'grant a b deploy'],
    ['please <at>acrbot</at> pending', 'pending'],
    ['ok please <at>acrbot</at> cancel', 'cancel'],
    // Only the greeting: the mention alone, which shows the help.
    ['hey <at>acrbot</at>', ''],
  ])('%j reads as %j', (text, expected) => {
    expect(said(text)).toBe(expected);
  });

  test('any other text before the mention stays in the message', () => {
    expect(said('deploy is blocked <at>acrbot</at> help')).toBe('deploy is blocked  help');
    expect(said('hey there <at>acrbot</at> help')).toBe('hey there  help');
    expect(said('hey hey hey hey <at>acrbot</at> help')).toBe('hey hey hey hey  help');
    // A greeting after the mention is the message's, as it was.
    expect(said('<at>acrbot</at> hello')).toBe('hello');
  });
});
