/**
 * A length written the way people write it rather than the way `--for` takes it: `7d` or
 * `for 2 weeks` where the reason starts, `--for 2 weeks` or `--for 14days` after the option. Kept
 * as words of the reason (or refused as "not a duration"), the request got the default term, or
 * its author was not told what to type. Pure reading: the callers refuse, naming the term
 * `--for` takes for it (`2w`).
 */
import { durationText } from './access-term';
import { withoutTrailing } from './text';
import { type OtherDigit, unreadDigitIn } from './typed-digits';

/**
 * Unit words and their letter in a term (`--for 2w`). Months are {@link MONTH_WORDS}: a month is no
 * fixed number of days, so `--for` takes none (a year it takes, as 365 days).
 */
const UNITS: Readonly<Record<string, string>> = {
  m: 'm',
  min: 'm',
  mins: 'm',
  minute: 'm',
  minutes: 'm',
  h: 'h',
  hr: 'h',
  hrs: 'h',
  hour: 'h',
  hours: 'h',
  d: 'd',
  day: 'd',
  days: 'd',
  w: 'w',
  wk: 'w',
  wks: 'w',
  week: 'w',
  weeks: 'w',
  y: 'y',
  yr: 'y',
  yrs: 'y',
  year: 'y',
  years: 'y',
};

/**
 * Month words (`for 3 months`, `--for 1mo`): read as a length all the same, or the request got the
 * default term while its author asked for months. The term named for them is 30 days a month, as
 * `1M` is answered (access-term.ts `monthWrittenAsMinutes`), or whole years in years (`1y`); the limits refuse it when it is longer
 * than they allow, naming them.
 */
const MONTH_WORDS = new Set(['month', 'months', 'mo', 'mos', 'mth', 'mths']);

/** Days {@link MONTH_WORDS} stand for, a month each. */
const DAYS_A_MONTH = 30;

/** Words for one, read only after "for" ("for a week"): alone, "a day of testing" is prose. */
const ONE = new Set(['a', 'an', 'one']);

/**
 * A word without the punctuation a sentence puts after it ("weeks," → "weeks"): walked back from
 * its end (text.ts), as `[…]+$` took quadratic time on one long word of punctuation.
 */
export const bare = (word: string | undefined): string => withoutTrailing(word ?? '', '.,;:!');

/** The letter of a unit word, looked up among the table's own keys (not `constructor`); `mo` for a month word. */
function unitOf(word: string | undefined): string | undefined {
  const lower = durationText(bare(word)).toLowerCase();
  if (MONTH_WORDS.has(lower)) return 'mo';
  return Object.hasOwn(UNITS, lower) ? UNITS[lower] : undefined;
}

/**
 * A length read from words: `term` as `--for` takes it, and `months` when it was written in
 * months (`term` is then {@link DAYS_A_MONTH} days a month: `for 3 months` is `90d`; whole years
 * in years: `for 12 months` is `1y`).
 */
export interface TermRead {
  term: string;
  months?: number;
}

/** `n` of `unit` as a {@link TermRead}. */
function termOf(n: number, unit: string): TermRead {
  if (unit !== 'mo') return { term: `${n}${unit}` };
  // Whole years are a term `--for` reads (`1y`, 365 days): 12 months as 360d would be 5 days short.
  return n > 0 && n % 12 === 0 ? { term: `${n / 12}y`, months: n } : { term: `${n * DAYS_A_MONTH}d`, months: n };
}

/**
 * The term `words[at…]` spells (`7d`, `14days`, `2 weeks`, `3 months`; with `one`, also `a week`)
 * and how many words it takes; undefined when they spell none. Read in the digits and letters
 * `--for` reads ({@link durationText}: `８ｈ testing`, `--for ٨ hours`), named in ASCII.
 */
function termAt(words: readonly string[], at: number, one: boolean): (TermRead & { count: number }) | undefined {
  const word = durationText(bare(words[at]));
  const joined = /^(\d{1,4})([a-z]+)$/i.exec(word);
  if (joined) {
    const unit = unitOf(joined[2]);
    return unit ? { ...termOf(Number(joined[1]), unit), count: 1 } : undefined;
  }
  const count = /^\d{1,4}$/.test(word) ? Number(word) : one && ONE.has(word.toLowerCase()) ? 1 : undefined;
  const unit = count === undefined ? undefined : unitOf(words[at + 1]);
  return unit ? { ...termOf(count!, unit), count: 2 } : undefined;
}

/**
 * What to call a length the reader wrote in months, after the term named for it (`--for 90d`):
 * ` (about 3 months: acrbot counts days, weeks and years, not months; …)`; empty for any other
 * length. The parser knows no limits, and months are long (`for 6 months` is 180d, over the
 * default maximum of 90d): the note does not promise the term is accepted, it says a longer one
 * is refused naming the limits, as it then is.
 */
export function monthsNote(read: TermRead): string {
  if (read.months === undefined) return '';
  const limits = 'a term longer than the limits allow is refused, naming them';
  if (read.months > 0 && read.months % 12 === 0) {
    const years = read.months === 12 ? 'a year' : `${read.months / 12} years`;
    return ` (${read.months} months is ${years}: acrbot counts days, weeks and years, not months; ${limits})`;
  }
  const months = read.months === 1 ? 'a month' : `${read.months} months`;
  return ` (about ${months}: acrbot counts days, weeks and years, not months; ${limits})`;
}

/**
 * The length a reason starts with, as typed and as `--for` takes it: `7d testing` (`7d`),
 * `for 2 weeks to test` (`2w`), `2 days of testing`, `for a week`. Only at the start: "testing the
 * app for 2 weeks" is a reason that says how long, which its author may well have meant as
 * prose, and its plan card shows the term it gets.
 */
export function leadingTerm(words: readonly string[]): (TermRead & { typed: string }) | undefined {
  const found = leadingAt(words);
  if (!found) return undefined;
  return {
    typed: typedStart(words, found.count),
    term: found.term,
    ...(found.months !== undefined ? { months: found.months } : {}),
  };
}

/** The length `words` start with ({@link leadingTerm}) and how many words it takes, `for` included. */
function leadingAt(words: readonly string[]): (TermRead & { count: number }) | undefined {
  const afterFor = words[0]?.toLowerCase() === 'for';
  const found = termAt(words, afterFor ? 1 : 0, afterFor);
  return found && { ...found, count: found.count + (afterFor ? 1 : 0) };
}

/** The first `count` of `words` as typed, without the punctuation after the last. */
function typedStart(words: readonly string[], count: number): string {
  const typed = words.slice(0, count);
  typed[typed.length - 1] = bare(typed[typed.length - 1]);
  return typed.join(' ');
}

/**
 * `word` with each digit of any script as `1` and each other character that stands for a digit or
 * letter as what it stands for (`²` as `2`, `①` as `1`, `ⓗ` as `h`, NFKC): the shape of a length,
 * whatever its digits, for {@link leadingUnreadTerm}. Never a term to grant: its digits are guesses.
 */
function lengthShape(word: string): string {
  return durationText(word)
    .normalize('NFKC')
    .replace(/\p{Nd}/gu, '1');
}

/**
 * A reason that starts with a length but for a digit or letter `--for` does not read (`²h testing`,
 * `for ① week`, `८ days of testing`, `2ⓗ`): meant as the term all the same, and filed as words of
 * the reason it got the default term. The words as typed and the first such character, which the
 * refusal names as `--for ²h` does ({@link unreadDigitIn}); undefined for any other start (a length
 * in digits `--for` reads is {@link leadingTerm}'s).
 */
export function leadingUnreadTerm(words: readonly string[]): { typed: string; other: OtherDigit } | undefined {
  // A length takes three words at most (`for 2 weeks`): the rest of a long reason is not read.
  const start = words.slice(0, 3);
  const found = leadingAt(start.map(lengthShape));
  if (!found) return undefined;
  const typed = typedStart(start, found.count);
  const other = unreadDigitIn(typed);
  return other && { typed, other };
}

/**
 * The term a value given to `--for` spells in words (`2 weeks`, `7 d`, `14days`), with `next` the
 * word after it; undefined when the value is a term as `--for` takes it (`7d`) or spells none
 * (refused as "not a duration" where terms are checked). `count`: words it takes, value included.
 */
export function spelledTerm(value: string, next: string | undefined): (TermRead & { count: number }) | undefined {
  // A number and one unit letter is a term as `--for` reads it (or refuses it by its bounds).
  return /^\d+[a-z]$/i.test(durationText(value)) ? undefined : termAt([value, next ?? ''], 0, false);
}
