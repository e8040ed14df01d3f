/**
 * An end written where a length goes: a reason that starts "until 2026-12-31", "till Friday
 * 17:00" or "by tomorrow". acrbot takes how long access lasts (`--for 3d`), not when it ends, so
 * kept as words of the reason the request got the default term (30 days, past the end asked
 * for). Pure reading: the command parser and the reason question refuse it, in the words of
 * {@link readsAsEnd}. Only a date- or time-like word after the
 * first makes it an end: "by request of the SRE team" and "until the rollout is done" are reasons.
 */
import { durationText } from './access-term';
import { bare } from './term-words';
import { cutText } from './text';

/** Words that put an end after them. */
const END_WORDS = new Set(['until', 'till', 'til', "'til", '\u2019til', 'by']);

const WEEKDAYS = new Set([
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
  'mon',
  'tue',
  'tues',
  'wed',
  'thu',
  'thur',
  'thurs',
  'fri',
  'sat',
  'sun',
]);

/**
 * Month names. Alone ("until December") only those no one is named or says otherwise: `may`,
 * `march`, `april`, `june`, `august` and the short forms (`by Jan`, as in Jan from the SRE team)
 * only before a day or a year (`by May 31`, `until Jan 2027`).
 */
const MONTHS_ALONE = new Set(['january', 'february', 'july', 'september', 'october', 'november', 'december']);

const MONTHS = new Set([
  'may',
  'january',
  'february',
  'march',
  'april',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
  'jan',
  'feb',
  'mar',
  'apr',
  'jun',
  'jul',
  'aug',
  'sep',
  'sept',
  'oct',
  'nov',
  'dec',
]);

/** Words that are a day or a moment on their own. */
const MOMENTS = new Set([
  'today',
  'tonight',
  'tomorrow',
  'tmrw',
  'tmr',
  'noon',
  'midnight',
  'eod',
  'eow',
  'cob',
  'eob',
]);

/** Words after `next` or `this` that make an end ("until next week", "by this Friday"). */
const PERIODS = new Set(['week', 'weekend', 'month', 'year', 'quarter']);

/** `2026-12-31`, `2026-12-31T17:00Z`, `12/31`, `31/12/2026`, `31.12.2026`. */
const DATE = /^(\d{4}-\d{1,2}-\d{1,2}(t[\d:.]+z?)?|\d{1,2}\/\d{1,2}(\/\d{2,4})?|\d{1,2}\.\d{1,2}\.\d{2,4})$/i;

/** `17:00`, `5:30pm`, `5pm`, `17:00z`, `17h00`. */
const CLOCK = /^(\d{1,2}:\d{2}(:\d{2})?\s*(am|pm|z|utc)?|\d{1,2}\s*(am|pm)|\d{1,2}h\d{2})$/i;

/** A day of a month: `31`, `31st`, `1st`. */
const DAY = /^\d{1,2}(st|nd|rd|th)?$/i;

const ORDINAL = /^\d{1,2}(st|nd|rd|th)$/i;

const AM_PM = /^(am|pm|a\.m|p\.m)$/i;

/**
 * How many of `words[at…]` spell a date or a time, 0 when the first spells none. Read in the
 * digits `--for` reads ({@link durationText}): `until ２０２６-１２-３１` is an end too.
 */
function endLength(words: readonly string[], at: number): number {
  const word = (i: number) => durationText(bare(words[at + i])).toLowerCase();
  const first = word(0);
  if (!first) return 0;
  let n = 0;
  if (DATE.test(first) || CLOCK.test(first) || MOMENTS.has(first) || WEEKDAYS.has(first)) n = 1;
  else if (MONTHS.has(first)) {
    if (DAY.test(word(1))) n = 2;
    else if (MONTHS_ALONE.has(first) || /^\d{4}$/.test(word(1))) n = 1;
    else return 0;
  } else if (/^\d{1,2}$/.test(first) && AM_PM.test(word(1))) n = 2;
  else if (first === 'the' && word(1) === 'end') {
    // "until the end of the week": "end of the week" after "the".
    const rest = endLength(words, at + 1);
    return rest && 1 + rest;
  } else if (ORDINAL.test(first) || first === 'the') {
    // "until the 15th", "by 31st December": a day; "by the SRE team", "by 3rd party" are not.
    const day = first === 'the' ? 1 : 0;
    if (!ORDINAL.test(word(day))) return 0;
    const month = MONTHS.has(word(day + 1));
    if (first !== 'the' && !month) return 0;
    n = day + 1 + (month ? 1 : 0);
  } else if ((first === 'next' || first === 'this') && (WEEKDAYS.has(word(1)) || PERIODS.has(word(1)))) n = 2;
  else if (first === 'end' && word(1) === 'of') {
    // "end of day", "end of the week"; not "end of the SRE review".
    if (/^(day|week|month|year|quarter|today)$/.test(word(2))) n = 3;
    else if (word(2) === 'the' && PERIODS.has(word(3))) n = 4;
    else return 0;
  }
  if (n === 0) return 0;
  // A time or a year after the day ("Friday 17:00", "Dec 31 2026", "tomorrow at 9am").
  const at2 = word(n) === 'at' && CLOCK.test(word(n + 1)) ? n + 1 : n;
  if (CLOCK.test(word(at2)) || /^\d{4}$/.test(word(at2))) return at2 + 1;
  return n;
}

/**
 * The end a reason starts with, as typed (`until 2026-12-31`, `till Friday 17:00`, `by
 * tomorrow`), or undefined: only at the start, as a length is ({@link leadingTerm}), and only
 * with a date- or time-like word after the end word.
 */
export function leadingEnd(words: readonly string[]): string | undefined {
  const first = bare(words[0]).toLowerCase();
  if (!END_WORDS.has(first)) return undefined;
  const length = endLength(words, 1);
  if (length === 0) return undefined;
  const typed = words.slice(0, 1 + length);
  typed[typed.length - 1] = bare(typed[typed.length - 1]);
  return cutText(typed.join(' '), 60);
}

/**
 * How a refusal of a {@link leadingEnd} starts, in a command and in an answer to the reason
 * question alike: `"until Friday" reads as an end: acrbot takes how long the access lasts, not
 * when it ends`. acrbot counts from the approval, which is not known yet: it names no length.
 */
export function readsAsEnd(end: string): string {
  return `"${end}" reads as an end: acrbot takes how long the access lasts, not when it ends`;
}
