/** Rules for free text from users (justifications, rejection reasons). */
import { UserFacingError } from './errors';
import { REDACTION, scrubSecrets } from './secret-text';

/**
 * Bidi embeddings and overrides (U+202A–202E), isolates (U+2066–2069), LRM, RLM (U+200E, U+200F)
 * and ALM (U+061C): a U+202E in a name or reason reverses the rest of its line wherever it is
 * shown. Dropped from what cards show (views' `inertText`) and what the tab sends.
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;

/** `text` without bidi controls ({@link BIDI_CONTROLS}); the same string when it has none. */
export function withoutBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, '');
}

/**
 * Bounds on a justification. The minimum counts what a reader sees ({@link readableLength}); the
 * maximum counts UTF-16 code units (a string's `length`), as the cards' reason inputs do
 * (`maxLength: 500` in cards/*.json: Teams clients' text boxes count code units, as HTML's
 * `maxlength`): a reason a card's box took is never refused here for its length, and an emoji,
 * two units, counts two towards it. Refusals say so ({@link tooLongSentence}).
 */
export const REASON_LIMITS = { min: 8, max: 500 } as const;

/**
 * Patterns of secrets the scrubber ({@link scrubSecrets}) has no reason to redact in logs but a
 * person should not paste either: a certificate, a bare `SharedAccessSignature`, and a password
 * in prose (`password: hunter2`, which in a log is more often a validation message).
 */
const SECRET_PATTERNS: RegExp[] = [
  /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/, // JWT
  /AccountKey=/i,
  /SharedAccessSignature|sig=[A-Za-z0-9%]{20,}/i,
  /-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)/,
  /client[_-]?secret\s*[:=]/i,
  /password\s*[:=]\s*\S+/i,
];

/**
 * Surrogates without their other half: under the `u` flag `\p{Cs}` matches only these (a pair is
 * one code point). Chat clients, forged card data or a cut by code units can leave one; it shows
 * as U+FFFD at best, and text holding one is not well-formed (JSON exports escape it as `\ud83d`,
 * other readers of the audit log may refuse the line).
 */
const LONE_SURROGATES = /\p{Cs}/gu;

/** `text` with each lone surrogate ({@link LONE_SURROGATES}) as U+FFFD, the replacement character: well-formed text. */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATES, '\uFFFD');
}

/** Zero-width non-joiner and joiner (U+200C, U+200D): part of the text in emoji sequences and Persian/Indic words. */
const JOINERS = /[\u200C\u200D]+/g;

/**
 * Variation selectors (U+FE00–FE0F, U+E0100–E01EF): they pick a glyph for the character before
 * them (❤ U+FE0F is the red heart emoji) and show nothing by themselves.
 */
const VARIATION_SELECTORS = /[\uFE00-\uFE0F\u{E0100}-\u{E01EF}]+/gu;

/**
 * Characters that show nothing: controls, format characters (zero-width spaces, bidi overrides
 * and isolates, tag characters) and the other default-ignorable code points (the Hangul fillers
 * U+115F, U+1160, U+3164 and U+FFA0, the combining grapheme joiner U+034F…), plus the braille
 * blank U+2800, which is a symbol but prints as a space. Joiners and variation selectors are
 * left for their own rules.
 */
const INVISIBLE =
  /(?![\u200C\u200D\uFE00-\uFE0F\u{E0100}-\u{E01EF}])[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]/gu;

/** Whether `text` holds a character that shows nothing ({@link INVISIBLE}: joiners and variation selectors aside). */
export function hasInvisible(text: string): boolean {
  // `search` starts at 0 whatever the global regex's lastIndex (`test` would carry it between calls).
  return text.search(INVISIBLE) >= 0;
}

/** `text` without the characters that show nothing ({@link INVISIBLE}); joiners and variation selectors stay. */
export function withoutInvisible(text: string): string {
  return text.replace(INVISIBLE, '');
}

/** What counts towards a reason's length: letters, digits, punctuation and symbols, not spaces or marks. */
const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/gu;

/** Whether the character before `at` in `all` is one that shows (a joiner or selector needs one). */
function shownBefore(all: string, at: number): boolean {
  return /\S/.test(all[at - 1] ?? '');
}

/**
 * Collapses whitespace (CR/LF included) so user text cannot forge lines in logs or cards, and
 * drops invisible characters (see {@link INVISIBLE}): they would let a blank reason pass the
 * length check, or make text read differently than it is stored. ZWNJ and ZWJ are kept where
 * they join two visible characters (one per gap): without them an emoji sequence (👩 U+200D 💻,
 * "woman technologist") falls apart and a Persian or Indic word (می U+200C خواهم) is spelt
 * wrong. Elsewhere (at an edge, next to a space) they join nothing and go, and a run of them is
 * kept as its first: a reason of joiners alone stays blank, and a run cannot pad a short one to
 * the minimum length. A variation selector is kept (one) right after a visible character, for
 * the same reason, and goes elsewhere. A lone surrogate becomes U+FFFD ({@link wellFormed}): every
 * name and reason is well-formed text, as the audit chain's JSON needs. The result is in NFC: "é"
 * typed as "e" and a combining accent (macOS, some keyboards) is the "é" typed in one, the same
 * name and the same length.
 */
export function singleLine(text: string): string {
  return wellFormed(text)
    .replace(/[\r\n\t\u2028\u2029]+/g, ' ')
    .replace(INVISIBLE, '')
    .replace(JOINERS, (run: string, at: number, all: string) =>
      shownBefore(all, at) && /\S/.test(all[at + run.length] ?? '') ? run[0]! : '',
    )
    .replace(VARIATION_SELECTORS, (run: string, at: number, all: string) =>
      shownBefore(all, at) ? String.fromCodePoint(run.codePointAt(0)!) : '',
    )
    .replace(/\s{2,}/g, ' ')
    .trim()
    .normalize('NFC');
}

/**
 * Code units past a cut that {@link cutText} shows the segmenter: whether a cut point is a grapheme
 * boundary depends on the text before it and the character after it only, so a few units
 * suffice; bounded, because the segmenter's time grows faster than its text (see
 * {@link readableLength}) and the text cut may be a megabyte.
 */
const SEGMENT_LOOKAHEAD = 32;

/** The grapheme segmenter, made on first use (grapheme boundaries are the same in every locale). */
let graphemes: Intl.Segmenter | undefined;

/**
 * `text` cut to at most `max` UTF-16 code units, at the last grapheme boundary that fits: never
 * half a surrogate pair (a lone surrogate is not well-formed text, and the audit chain hashes
 * JSON), half a flag (🇩🇪 cut leaves 🇩), part of an emoji sequence (👨‍👩‍👧 cut leaves 👨‍👩) or a
 * letter without its combining accent (a different name). `text` itself when it fits. Only a
 * first grapheme longer than `max` (a letter under a pile of combining marks) is cut inside, and
 * then between code points. No "…" is added: callers say how they show a cut.
 */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  let end = 0;
  for (const { index } of graphemes.segment(text.slice(0, max + SEGMENT_LOOKAHEAD))) {
    if (index > max) break;
    end = index;
  }
  if (end > 0) return text.slice(0, end);
  return text.slice(0, /[\uD800-\uDBFF]/.test(text[max - 1]!) ? max - 1 : max);
}

/**
 * How many characters of `text` show something: letters, digits, punctuation and symbols.
 * Spaces, joiners, variation selectors and combining marks add nothing a reader could read, so
 * a minimum length counts only these.
 */
export function visibleLength(text: string): number {
  return text.match(VISIBLE)?.length ?? 0;
}

/**
 * The length of cleaned text (see {@link singleLine}) as a reader sees it: letters, digits,
 * punctuation, symbols and the spaces between them; combining marks and anything else that
 * shows nothing by itself do not count. The one count of every minimum length (reasons, comments).
 * Counted in code points, not UTF-16 units: "👍👍" is two characters, short of a three-character
 * comment, not four. Not in graphemes (Intl.Segmenter), although a flag or a skin-toned emoji
 * thus counts two: the segmenter's time grows faster than the text (Node 20: 16,000 characters
 * in a quarter of a second, a megabyte in minutes), and this runs on user text before its
 * maximum length is checked.
 */
export function readableLength(cleaned: string): number {
  return [...cleaned.replace(/[^\p{L}\p{N}\p{P}\p{S}\s]/gu, '').trim()].length;
}

/** Longest Teams display name kept; longer ones are cut (they are shown on cards and stored in audit entries). */
export const DISPLAY_NAME_MAX = 100;

/**
 * A Teams or Entra display name as acrbot keeps it: chosen by its owner, so it is user text. On
 * one line and without invisible characters (a name ending in U+202E would reverse the rest of
 * every card line it is shown on), at most {@link DISPLAY_NAME_MAX} UTF-16 units, cut between
 * graphemes ({@link cutText}: no half flag, no letter without its accent); `fallback` when
 * nothing visible is left.
 */
export function displayName(raw: string | undefined, fallback: string): string {
  let name = singleLine(raw ?? '');
  // Cleaned again: a cut inside a grapheme too long to keep may leave a joiner at the end.
  if (name.length > DISPLAY_NAME_MAX) name = singleLine(cutText(name, DISPLAY_NAME_MAX));
  return visibleLength(name) > 0 ? name : fallback;
}

/**
 * A user name alone in a URL (`ssh://git@github.com/…`, an Azure DevOps clone URL
 * `https://contoso@dev.azure.com/…`): the scrubber hides it in logs with the rest of the user
 * information, but it is no secret, and a reason may well quote such a URL. A password in it
 * (`user:pass@`) still counts.
 */
const URL_USER_NAME = /:\/\/[^\s/?#@"'<>\\:]+@/g;

/**
 * True when the text looks like it carries a credential (G12): when the scrubber that cleans
 * logs, audit entries and cards ({@link scrubSecrets}) would change it, so one definition of a
 * secret holds everywhere (a token, an `Authorization` header, `access_token=`, a URL password,
 * a JSON `"value":"…"`, `docker login -p …`), or when it matches {@link SECRET_PATTERNS}. A URL's
 * user name alone is not looked at ({@link URL_USER_NAME}). Joiners are not looked through by
 * the patterns, so they are left out first: "Account\u200DKey=" is as much a key as "AccountKey=".
 */
export function looksLikeSecret(text: string): boolean {
  const plain = text.replace(JOINERS, '');
  if (SECRET_PATTERNS.some((p) => p.test(plain))) return true;
  const withoutUserNames = plain.replace(URL_USER_NAME, '://');
  return scrubSecrets(withoutUserNames) !== withoutUserNames;
}

/**
 * Where `text` looks like a credential, as the scrubber shows it (the value already replaced by
 * {@link REDACTION}, so nothing secret is quoted back): the few words before its first
 * replacement; undefined when only a pattern the scrubber does not replace matched.
 */
function secretContext(text: string): string | undefined {
  const scrubbed = scrubSecrets(text.replace(JOINERS, '').replace(URL_USER_NAME, '://'));
  const at = scrubbed.indexOf(REDACTION);
  if (at < 0) return undefined;
  const start = Math.max(0, scrubbed.lastIndexOf(' ', Math.max(0, at - 20)) + 1);
  return scrubbed.slice(start, at + REDACTION.length);
}

/**
 * A reason that is the usage's placeholder as pasted (`REASON…`, `REASON...`, `REASON`, `[REASON…]`,
 * in capitals as the usage writes it): quoted back, being no more than these characters.
 */
const USAGE_PLACEHOLDER = /^\[?REASON(…|\.\.\.)?\]?$/;

/**
 * Whether `text` (one line) is the usage's placeholder as pasted ({@link USAGE_PLACEHOLDER}): for
 * a caller with a "too short" sentence of its own, which must not hide {@link checkReason}'s.
 */
export function isUsagePlaceholder(text: string): boolean {
  return USAGE_PLACEHOLDER.test(text);
}

/**
 * A reason {@link checkReason} refused. `asks`: its message ends with the caller's `ask` (the
 * usage's placeholder, or a reason too short), so a caller with more to say has said it there;
 * otherwise it says what to change (too long, a credential in it) and a caller adds its own ending.
 */
export class ReasonRefused extends UserFacingError {
  constructor(
    code: string,
    message: string,
    readonly asks: boolean,
  ) {
    super(code, message);
  }
}

/**
 * Validates a justification: required (at least {@link REASON_LIMITS}.min characters a reader sees),
 * bounded, single line, no secrets (G7, G12). Returns the normalised text; refuses with
 * {@link ReasonRefused}.
 */
export function checkReason(
  raw: string | undefined,
  what = 'reason',
  ask = 'say why the access is needed, e.g. "deploy payments-api to prod"',
): string {
  const text = singleLine(raw ?? '');
  // "REASON…" pasted from a usage line: the placeholder, not a reason too short (which sent the
  // requester counting characters).
  if (USAGE_PLACEHOLDER.test(text))
    throw new ReasonRefused(
      'validation.reason',
      `"${text}" is the usage's placeholder: replace it with the ${what} itself: ${ask}.`,
      true,
    );
  // Counted in what a reader sees: eight Hangul fillers or combining marks are no justification
  // (G7), while the space in "fix bugs" counts as it always did.
  if (readableLength(text) < REASON_LIMITS.min) {
    throw new ReasonRefused(
      'validation.reason',
      `A ${what} of at least ${REASON_LIMITS.min} characters is required: ${ask}.`,
      true,
    );
  }
  if (text.length > REASON_LIMITS.max) {
    throw new ReasonRefused('validation.reason', tooLongSentence(what, text, REASON_LIMITS.max), false);
  }
  if (looksLikeSecret(text)) {
    const where = secretContext(text);
    throw new ReasonRefused(
      'validation.secret',
      `The ${what} looks like it contains a credential (a token, key or password)${where ? ` where it says "${where}"` : ''}. Remove it, or reword it (e.g. without "name=value"), and try again; never paste secrets in chat.`,
      false,
    );
  }
  return text;
}

/**
 * The sentence refusing `text`, the `what` ('reason', 'comment'), as longer than `max` UTF-16
 * units ({@link REASON_LIMITS}), true however it is written: its length in characters (code
 * points) when each is one unit ("The reason is 620 characters long; keep it under 500."); else
 * how many characters it has and what they count as, since "600 characters" said of 300 emoji is
 * false and "300 characters" is no reason to refuse under 500. `then`, when given, finishes the
 * request to keep it short ("and click again": "…keep it under 500 and click again."). The one
 * wording of every such refusal: a reason's ({@link checkReason}, the grant form's) and a
 * decision's comment's.
 */
export function tooLongSentence(what: string, text: string, max: number, then?: string): string {
  const characters = [...text].length;
  const keep = `keep it under ${max}${then ? ` ${then}` : ''}.`;
  if (characters === text.length) return `The ${what} is ${characters} characters long; ${keep}`;
  return `The ${what} is too long: its ${characters} characters count as ${text.length}, since an emoji (like a few other characters) counts as two; ${keep}`;
}

/**
 * `count` with its noun in agreement ("1 entry", "2 entries"): `plural` defaults to the singular
 * with an s. Limits an operator sets to 1 and a log of one entry are real, and read "1 requests".
 */
export function counted(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}

/**
 * `text` without the run at its end of `characters` (each a character of the string, or each
 * character the one-character pattern matches), as `[…]+$` would remove it ("Cancel!?" →
 * "Cancel"). Walked back from the end: that regex is tried from every start of such a run, so one
 * long word of colons (28,000 in a Teams message) held the process for seconds.
 */
export function withoutTrailing(text: string, characters: string | RegExp): string {
  const trailing =
    typeof characters === 'string' ? (c: string) => characters.includes(c) : (c: string) => characters.test(c);
  let end = text.length;
  while (end > 0 && trailing(text[end - 1]!)) end--;
  return text.slice(0, end);
}

/**
 * `text` as a sentence ending in one full stop, for text that may or may not end with one (an
 * error's message put inside a longer sentence): never "..", never none.
 */
export function asSentence(text: string): string {
  return `${withoutTrailing(text, /^[.\s]$/)}.`;
}
