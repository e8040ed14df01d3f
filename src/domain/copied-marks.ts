/**
 * The marks a word is copied with from a sentence or a card: the punctuation a sentence puts
 * after its last word, the quotes acrbot's cards put around a command (`Type "@acrbot status
 * R-…".`), and the brackets and quotes that may open before it; also as a CJK input method types
 * them. Never part of a request id or of a cluster's or registry's name, so a word that is one
 * with them is told what to type (request-id-word.ts, names.ts). Strings of the characters
 * themselves; {@link classOf} makes one a regular expression's character class.
 */

/**
 * After a word: full stop, comma, semicolon, colon, `!`, `?`, closing brackets and quotes
 * (straight, curly, `»`, a backtick); the ideographic full stop and comma `。、` and their
 * half-width forms; the full-width `．，；：！？）］`; the closing corner, lenticular,
 * tortoise-shell and angle brackets `」』】〕〗〙〛〉》` and the half-width corner bracket.
 */
export const CLOSING_MARKS =
  '.,;:!?)]"\'`\u2019\u201D\u00BB\u3001\u3002\uFF61\uFF64\uFF0E\uFF0C\uFF1B\uFF1A\uFF01\uFF1F\uFF09\uFF3D\u300D\u300F\u3011\u3015\u3017\u3019\u301B\u3009\u300B\uFF63';

/** Before a word: opening brackets and quotes (straight, curly, low, `«`, a backtick, CJK corner and lenticular brackets). */
export const OPENING_MARKS = '(["\'`\u2018\u201C\u201E\u00AB\u300C\u300E\u3010';

/** The quotes among them, which an answer does not quote back inside its own quotes. */
const QUOTE_MARKS = /["'`\u2018\u2019\u201C\u201D\u201E\u00AB\u00BB]/;

/** Whether `marks` holds a quote ({@link QUOTE_MARKS}). */
export function hasQuote(marks: string): boolean {
  return QUOTE_MARKS.test(marks);
}

/** `marks` as the body of a regular expression's character class (`]`, `\\`, `^` and `-` escaped). */
export function classOf(marks: string): string {
  return marks.replace(/[\]\\^-]/g, '\\$&');
}
