/**
 * The text of a Teams message as a person typed it. Teams sends it as HTML: mentions as
 * `<at>Name</at>`, formatting as tags, and `&`, `<`, `>`, quotes and non-breaking spaces as
 * entities, which would otherwise reach a command's names and a request's reason ("R&amp;D").
 * Text pasted from a wiki or a web page also brings characters that show nothing (a zero-width
 * space, a byte-order mark), which would make "grant" an unknown word.
 */

import { COMMAND_HELP, verbOf } from '../domain/command';
import { JOINERS } from '../domain/invisible-characters';
import { withoutTrailing } from '../domain/text';

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

/**
 * An `<at>` tag, with or without attributes (`<at id="0">`), as Teams and its clients write it.
 * Inside a tag neither `<` nor `>` (here and in {@link TAG}): with `[^>]*`, every `<` without a
 * `>` after it rescanned the rest of the text, quadratic in its length (240 KB of `<` held the
 * process for over a minute). Tags as Teams writes them hold no `<`: they are read as before.
 */
const AT = String.raw`<at(?:\s[^<>]*)?>`;
/**
 * An opening tag other than `<at>` (`<p>`, `<div class="…">`): Teams wraps a message in one, and a
 * colleague mentioned first inside it (`<p><at>Alex</at> <at>acrbot</at> grant …`) was read as the
 * command word ("alex is not an acrbot command"). No `<` or `>` inside, as in {@link AT}.
 */
const OPENING_TAG = String.raw`<(?!\/|at[\s>])[^<>]*>`;
const LEADING_MENTIONS = new RegExp(String.raw`^(?:\s*(?:${OPENING_TAG}\s*)*${AT}[^<]*<\/at>)+`, 'i');
const MENTION = new RegExp(String.raw`${AT}([^<]*)<\/at>`, 'gi');
/** Any other tag. */
const TAG = /<[^<>]+>/g;

/**
 * Format characters (zero-width space, word joiner, byte-order mark, soft hyphen, bidi controls,
 * tag characters) but the zero-width non-joiner and joiner, which are part of emoji sequences and
 * Persian or Indic words: these go only where they join nothing (next to a space or an edge).
 * Reasons are cleaned the same way again when stored (domain/text.ts `singleLine`).
 * Control characters too (ESC, BEL, backspace, DEL, the C1 range with its one-character CSI
 * U+009B) but tab and line breaks: typed as `&#27;`, they carried terminal escape sequences
 * into command words and, through refusals quoting them, into the audit trail and its export.
 */
const FORMAT_CHARACTERS = new RegExp(String.raw`(?![${JOINERS}\t\r\n])[\p{Cf}\p{Cc}]`, 'gu');
const LOOSE_JOINERS = new RegExp(String.raw`(?<=^|\s)[${JOINERS}]+|[${JOINERS}]+(?=\s|$)`, 'gu');

/**
 * What a person typed, without markup: mentions before the command (a colleague mentioned ahead
 * of acrbot) are not part of it; later ones keep the name ("deploy for Alex Approver"); other
 * tags become spaces; entities become their characters (after the tags are gone, so a typed
 * `&lt;b&gt;` stays text); characters that show nothing are dropped, before and after (a
 * `&#8203;` is one too).
 */
export function messageText(text: string): string {
  return withoutInvisible(
    withoutInvisible(text)
      .replace(LEADING_MENTIONS, '')
      .replace(MENTION, '$1')
      .replace(TAG, ' ')
      .replace(/&(#\d{1,6}|#x[0-9a-f]{1,6}|[a-z]+);/gi, (whole, name: string) => decodeEntity(name) ?? whole),
  ).trim();
}

/**
 * The parts of a message activity {@link addressedText} and `unreadContent` (message-content.ts)
 * read; any of them may be missing or of another type.
 */
export interface MessageParts {
  text?: unknown;
  entities?: unknown;
  recipient?: unknown;
  value?: unknown;
  attachments?: unknown;
}

/**
 * The text of a message addressed to acrbot: its mention of acrbot removed, then
 * {@link messageText}. botbuilder's `removeRecipientMention` does the same, but throws a
 * TypeError on a text that is not a string or a mention entity without `mentioned`, and with a
 * mention entity without `text` removes the word "undefined" from the message. A greeting or
 * "please" ahead of the mention ("hey @acrbot help") is dropped with it: read as the command
 * word it made the message an unknown command.
 */
export function addressedText(activity: MessageParts): string {
  const text = typeof activity.text === 'string' ? activity.text : '';
  const mention = recipientMention(activity);
  let said: string;
  if (mention) {
    const at = text.indexOf(mention);
    said =
      at > 0 && isFiller(messageText(text.slice(0, at)))
        ? messageText(text.slice(at + mention.length))
        : messageText(text.replace(mention, ''));
  } else said = messageText(text);
  // After a mention too: a command copied from one of acrbot's cards ("@acrbot status R-…") and
  // pasted after the mention Teams makes of "@acr" was answered "Unknown command".
  return withoutTypedName(unquotedCommand(said), activity.recipient);
}

/**
 * Quotes a pasted command may come in: acrbot's cards say `Type "@acrbot status R-…".`, and a
 * selection takes the quotes (straight or curly) and the full stop with it. A pair of backticks,
 * as a wiki's or a runbook's code.
 */
const QUOTE_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['"', '"'],
  ['\u201C', '\u201D'],
  ['\u201E', '\u201C'],
  ['\u00AB', '\u00BB'],
  ["'", "'"],
  ['\u2018', '\u2019'],
  ['`', '`'],
];

/**
 * `text` without the quotes around it when it is one of acrbot's commands as its cards write them,
 * starting with "@acrbot" inside the quotes (`"@acrbot status R-7K2M9QXA".`), and without the
 * sentence's punctuation after the closing quote. Nothing else is unquoted: a reason typed in
 * quotes at acrbot's question is the person's text, and "@acrbot" inside says it was copied.
 */
export function unquotedCommand(text: string): string {
  const end = withoutTrailing(text, '.,;:!?');
  for (const [open, close] of QUOTE_PAIRS) {
    if (end.length < 2 + OWN_NAME.length || !end.startsWith(open) || !end.endsWith(close)) continue;
    const inside = end.slice(open.length, end.length - close.length).trim();
    // One command: two quoted ones ("…" and "…") would leave a quote inside, read into its reason.
    if (inside.includes(open) || inside.includes(close)) continue;
    if (new RegExp(String.raw`^@${OWN_NAME}(?=\s|$)`, 'i').test(inside)) return inside;
  }
  return text;
}

/**
 * Words said to acrbot before its mention that are no part of the command. A small fixed list:
 * any other text before the mention stays in the message as before ("deploy is blocked
 * @acrbot …" is not guessed at).
 */
const FILLER_WORDS = new Set(['hi', 'hey', 'hello', 'please', 'pls', 'ok', 'okay']);
/** At most this many filler words ("ok hi"); a longer text before the mention is a sentence. */
const FILLER_MAX_WORDS = 3;

/** True when `text` is one to {@link FILLER_MAX_WORDS} filler words, each with optional punctuation. */
function isFiller(text: string): boolean {
  const words = text.split(/\s+/).filter(Boolean);
  return (
    words.length > 0 &&
    words.length <= FILLER_MAX_WORDS &&
    // Not `[,.!:;]+$`: tried from every start, one long word of commas took seconds.
    words.every((word) => FILLER_WORDS.has(withoutTrailing(word.toLowerCase(), ',.!:;')))
  );
}

/** acrbot's command words (help and the verbs it lists), as {@link verbOf} reads a first word. */
const COMMAND_WORDS: ReadonlySet<string> = new Set(COMMAND_HELP.map((c) => c.verb));

/** The command word `text` starts with ("grant", "Status:" as status, "help." alone as help), if it is acrbot's. */
function commandWordOf(text: string): string | undefined {
  const words = text.split(/\s+/).filter(Boolean);
  const verb = words.length > 0 ? verbOf(words[0], words.length === 1) : undefined;
  return verb !== undefined && COMMAND_WORDS.has(verb) ? verb : undefined;
}

/**
 * Words of courtesy before a command word: the {@link FILLER_WORDS} and the "can you" of "can you
 * grant …". Only "can", "could", "would" and "you": none is a command word, so none is eaten from one.
 */
const COURTESY_WORDS: ReadonlySet<string> = new Set([...FILLER_WORDS, 'can', 'could', 'would', 'you']);
/** At most this many ("ok, could you please grant …"). */
const COURTESY_MAX_WORDS = 4;
/** A first word and the spaces after it; `\S+` then `\s*` meet at one place, so linear. */
const FIRST_WORD = /^(\S+)\s*/;

/**
 * The command in a message that starts with courtesy ("please grant …", "can you grant …", "hi,
 * status"): the text from the command word on. Filler alone ("hi", "hello!") is empty, which reads
 * as "help". Anything else as it is: "can you tell me …" stays the unknown command it is, and no
 * word of courtesy is dropped from text that does not go on with a command word (a reason keeps
 * its words: the bot reads answers to its questions as typed, acr-bot.ts).
 */
export function withoutCourtesy(text: string): string {
  let rest = text.trim();
  let fillerOnly = true;
  for (let n = 0; n < COURTESY_MAX_WORDS; n++) {
    const first = FIRST_WORD.exec(rest);
    const word = first ? withoutTrailing(first[1].toLowerCase(), ',.!:;?') : '';
    if (!first || !COURTESY_WORDS.has(word)) break;
    fillerOnly &&= FILLER_WORDS.has(word);
    rest = rest.slice(first[0].length);
  }
  if (rest === '') return fillerOnly ? '' : text;
  return rest !== text.trim() && commandWordOf(rest) !== undefined ? rest : text;
}

/**
 * The command word of a message that is addressed to acrbot in its middle: "Hi team, I need pull
 * access. @acrbot grant aks-dev …", where acrbot reads "hi" as the command. Named in the answer
 * to that unknown command, so the requester knows to start the message with the mention. The
 * mention as Teams sends it, or "@acrbot" typed (a 1:1 chat); undefined when the message starts
 * with it or what follows is no command word.
 */
export function commandAfterMention(activity: MessageParts): string | undefined {
  const text = typeof activity.text === 'string' ? activity.text : '';
  const mention = recipientMention(activity);
  let after: string | undefined;
  if (mention) {
    const at = text.indexOf(mention);
    if (at > 0 && messageText(text.slice(0, at)) !== '') after = messageText(text.slice(at + mention.length));
  } else {
    const plain = messageText(text);
    const typed = TYPED_MENTION.exec(plain);
    if (typed) after = plain.slice(typed.index + typed[0].length);
  }
  return after === undefined ? undefined : commandWordOf(withoutCourtesy(after));
}

/** "@acrbot" typed after other text, with an optional `:` or `,` (see {@link withoutTypedName}). */
const TYPED_MENTION = /\s@acrbot[:,]?\s+/i;

/**
 * The name acrbot's own hints write before a command ("@acrbot status R-…"): in a 1:1 chat it is
 * typed or pasted as text, with no mention entity, and would be read as the command word.
 */
const OWN_NAME = 'acrbot';

/**
 * `text` without a leading `@acrbot` or `@` and the recipient's name (case-insensitive, with an
 * optional `:` or `,` after it), when a whole word; anything else as it is.
 */
function withoutTypedName(text: string, recipient: unknown): string {
  if (!text.startsWith('@')) return text;
  const name = (recipient as { name?: unknown } | null | undefined)?.name;
  const names = [OWN_NAME, ...(typeof name === 'string' && name.trim() ? [name.trim()] : [])];
  for (const candidate of names) {
    const typed = new RegExp(String.raw`^@${escapeRegExp(candidate)}[:,]?(?=\s|$)`, 'i').exec(text);
    if (typed) return text.slice(typed[0].length).trim();
  }
  return text;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The text of the first mention entity naming the recipient (acrbot), if there is one. */
function recipientMention(activity: MessageParts): string | undefined {
  const recipientId = (activity.recipient as { id?: unknown } | null | undefined)?.id;
  if (typeof recipientId !== 'string' || !Array.isArray(activity.entities)) return undefined;
  for (const entity of activity.entities as unknown[]) {
    const e = entity as { type?: unknown; mentioned?: { id?: unknown } | null; text?: unknown } | null;
    if (
      typeof e?.type === 'string' &&
      e.type.toLowerCase() === 'mention' &&
      e.mentioned?.id === recipientId &&
      typeof e.text === 'string' &&
      e.text !== ''
    )
      return e.text;
  }
  return undefined;
}

function withoutInvisible(text: string): string {
  return text.replace(FORMAT_CHARACTERS, '').replace(LOOSE_JOINERS, '');
}

/** The character of a named or numeric entity; undefined for one that is not known. */
function decodeEntity(name: string): string | undefined {
  // Own keys only: `&constructor;` must stay text, not become Object.prototype's function.
  if (name[0] !== '#') return Object.hasOwn(ENTITIES, name.toLowerCase()) ? ENTITIES[name.toLowerCase()] : undefined;
  const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
  return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
}
