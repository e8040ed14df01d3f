/**
 * Request ids as people type them. One typed without its dash (`R7K2M9QXA`) is the id
 * ({@link withIdDash}). One typed at the end of a sentence ("status R-7K2M9QXA.") is no request
 * id to the commands, which would otherwise answer with their usage or read it as something else
 * (a cluster's name, for `revoke`); nor is one a character short or with a letter ids never use.
 * Recognised here so the answer can say what was wrong. Nothing is done with such an id.
 */
import { UserFacingError } from './errors';
import { isRequestId, REQUEST_ID_ALPHABET } from './identifiers';
import { classOf, CLOSING_MARKS, hasQuote, OPENING_MARKS } from './copied-marks';
import { ZERO_WIDTH } from './invisible-characters';
import { readTypedDigits } from './typed-digits';

/**
 * Dashes that are not `-` but look like it in an id: the hyphens and dashes U+2010–2015 (a
 * non-breaking hyphen from Word or Outlook, an en dash from a phone), the minus sign, the small
 * and the full-width hyphen-minus.
 */
const DASH_LOOKALIKES = /[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]/g;

/** Characters that show nothing inside a word ({@link ZERO_WIDTH}: soft hyphen, zero-width space, joiners, word joiner, BOM). */
const ZERO_WIDTH_CHARACTERS = new RegExp(`[${ZERO_WIDTH}]`, 'g');

/** A request id's shape with its dash: any letters and digits, so that a mistyped one is told as such. */
const DASHED_SHAPE = /^R-[0-9A-Z]{8}$/i;

/**
 * `word` as the request id it reads as when typed with a dash look-alike (`R‑7K2M9QXA`, U+2011),
 * in full-width forms (`Ｒ－７Ｋ２Ｍ９ＱＸＡ`, a CJK input method on) or with a zero-width
 * character in it (`R-7K2M\u200D9QXA`, pasted); else `word` unchanged. Each looks like an id to
 * its author, and was answered "Which request?" (or, as `revoke`'s first word, read as a
 * cluster's name). Only a word that then has an id's shape changes: no other word is read anew.
 */
export function readIdWord<T extends string | undefined>(word: T): T | string {
  if (!word) return word;
  const read = readTypedDigits(word.replace(ZERO_WIDTH_CHARACTERS, '')).replace(DASH_LOOKALIKES, '-');
  return read !== word && (DASHED_SHAPE.test(read) || DASHLESS_ID.test(read)) ? read : word;
}

/**
 * An id with the punctuation a sentence puts after a word, or quotes or brackets around it
 * ({@link CLOSING_MARKS}, {@link OPENING_MARKS}): full stop, comma, a closing bracket, also as a
 * CJK input method types them (`。、`, full-width forms, corner brackets). Without them "status
 * R-7K2M9QXA。" was no id to the command and got no answer saying why; and acrbot's cards quote
 * their commands (`Type "@acrbot status R-7K2M9QXA".`), so a selection may take a quote (straight
 * or curly, a backtick, a corner bracket), which was answered "Which request?" alone.
 */
const PUNCTUATED = new RegExp(
  `^([${classOf(OPENING_MARKS)}]{0,2})(R-[0-9A-Z]{8})([${classOf(CLOSING_MARKS)}]{0,4})$`,
  'i',
);

/**
 * The refusal for `word` when it is a request id with punctuation after it or quotes around it
 * ({@link PUNCTUATED}), or undefined for any other word. `usage` is the command as it would
 * work, with the id in place of `{id}`. The word is shown as typed: it is an id and a few marks,
 * nothing else (the pattern says so); in quotes, and its marks too, unless a quote is among them
 * (`""R-…"" is …` reads as nothing), then unquoted, its marks named.
 */
export function punctuatedRequestId(word: string | undefined, usage: string): UserFacingError | undefined {
  const match = word ? PUNCTUATED.exec(word) : null;
  if (!match || (!match[1] && !match[3]) || !isRequestId(match[2])) return undefined;
  const id = match[2].toUpperCase();
  const type = `Type "@acrbot ${usage.replace('{id}', id)}". Nothing was changed.`;
  // A quote among the marks is not quoted back inside quotes (`""R-…"" is …` reads as nothing).
  if (!match[1] && !hasQuote(match[3]))
    return new UserFacingError(
      'validation.requestId',
      `"${word}" is not a request id: the "${match[3]}" after it is not part of it. ${type}`,
    );
  const where = match[1] ? 'around' : 'after';
  return new UserFacingError(
    'validation.requestId',
    `${word} is not a request id: the quotes, brackets or punctuation ${where} it are not part of it. ${type}`,
  );
}

/** An id typed without its dash: `R` and 8 characters of the id alphabet. */
const DASHLESS_ID = /^R([2-9A-HJKMNP-TV-Z]{8})$/i;

/**
 * `word` as a request id when it is one typed without its dash (`r7k2m9qxa` → `R-7K2M9QXA`), or
 * with other dashes, widths or zero-width characters ({@link readIdWord}), else `word` unchanged:
 * the command parser applies it once to the word where an id goes, so every command takes such
 * an id. Nothing else is read as an id: no other word changes.
 */
export function withIdDash<T extends string | undefined>(word: T): T | string {
  const read = readIdWord(word);
  const match = read ? DASHLESS_ID.exec(read) : null;
  return match ? `R-${match[1].toUpperCase()}` : read;
}

/** A word meant as an id: `R-` and letters and digits, or `R` and 5 to 11 of them with a digit. Bounded, so linear. */
const DASHED_ATTEMPT = /^R-([0-9A-Z]{1,16})$/i;
const DASHLESS_ATTEMPT = /^R([0-9A-Z]{5,11})$/i;

/** The characters ids never use, from the generator's alphabet ("0, 1, I, L, O or U"). */
const NEVER_IN_IDS = [...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'].filter((c) => !REQUEST_ID_ALPHABET.includes(c));
const ID_RULE = `Request ids are R- and 8 letters and digits, without ${NEVER_IN_IDS.slice(0, -1).join(', ')} or ${NEVER_IN_IDS.at(-1)}`;

/**
 * The refusal for `word` when it is a request id mistyped: followed by punctuation
 * ({@link punctuatedRequestId}), of the wrong length, or with a character ids never use (said
 * which); undefined for an id or any other word. Only for a place where nothing but an id goes
 * (`status`, `cancel`, `audit`, `pending`, `extend`'s id): `revoke`'s first word may be a
 * cluster's name. The word is quoted back: `R` and at most 17 letters, digits and a dash (the
 * patterns say so).
 */
export function mistypedRequestId(word: string | undefined, usage: string): UserFacingError | undefined {
  if (!word || isRequestId(word)) return undefined;
  const punctuated = punctuatedRequestId(word, usage);
  if (punctuated) return punctuated;
  const dashed = DASHED_ATTEMPT.exec(word);
  const dashless = dashed ? null : DASHLESS_ATTEMPT.exec(word);
  const body = (dashed ?? dashless)?.[1].toUpperCase();
  if (!body || (dashless && !/\d/.test(body))) return undefined;
  const foreign = [...new Set([...body].filter((c) => !REQUEST_ID_ALPHABET.includes(c)))];
  // An id typed without its dash is an id (withIdDash), not a mistake.
  if (body.length === 8 && foreign.length === 0) return undefined;
  const what =
    body.length !== 8
      ? `it has ${body.length} letters and digits after "${dashed ? 'R-' : 'R'}", not 8`
      : `${foreign.map((c) => `"${c}"`).join(' and ')} ${foreign.length === 1 ? 'is' : 'are'} never in one`;
  return new UserFacingError(
    'validation.requestId',
    `"${word}" is not a request id: ${what}. ${ID_RULE}: copy it from the request's card, e.g. "@acrbot ${usage.replace('{id}', 'R-7K2M9QXA')}". Nothing was changed.`,
  );
}

/** A request id as typed with its dash, possibly with more after it ("R-7K2M9QXA's", "R-7K2M9QX0"). */
const DASHED_ID_START = /^R-[0-9A-Z]{8}/i;

/** Whether `word` starts like a request id typed with its dash (the command then says what is wrong with the rest). */
export function startsWithDashedId(word: string | undefined): boolean {
  return DASHED_ID_START.test(word ?? '');
}

/**
 * Whether a word at the reason question is a request id, making a line that starts with
 * `status`, `pending`, `cancel`, `stop`, `audit` or `extend` that command rather than a reason: an
 * id with or without its dash ({@link withIdDash}), or one typed with its dash and 8 characters,
 * perhaps with more after it (the command then names what is wrong with it). Not a dashless word
 * the commands would refuse as a mistyped id ({@link mistypedRequestId}): "release2", "runner01",
 * "rabbitmq3" and "r2024q4" are words of reasons ("extend release2 testing window", "cancel
 * rabbitmq3 upgrade"), and read as a command they stopped the request being filled in.
 */
export function readAsRequestId(word: string | undefined): boolean {
  if (!word) return false;
  return isRequestId(withIdDash(word)) || startsWithDashedId(word);
}
