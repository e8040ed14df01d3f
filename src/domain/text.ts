/** Rules for free text from users (justifications, rejection reasons). */
import { UserFacingError } from './errors';
import * as invisible from './invisible-characters';
import { REDACTION, scrubSecrets } from './secret-text';

/**
 * Bidi controls ({@link invisible.BIDI_CONTROLS}): a U+202E in a name or reason reverses the
 * rest of its line wherever it is shown. Dropped from what cards show (views' `inertText`), what
 * the tab sends and CSV cells (audit-cli/csv.ts).
 */
const BIDI_CONTROLS = new RegExp(`[${invisible.BIDI_CONTROLS}]`, 'g');

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
 * Secret values the scrubber ({@link scrubSecrets}) leaves in some spellings: a JWT's look-alike
 * (after a letter, where its rule wants none) and a long SAS signature.
 */
const SECRET_VALUE_PATTERNS: RegExp[] = [
  /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/, // JWT
  /sig=[A-Za-z0-9%]{20,}/i,
];

/**
 * Patterns of secrets the scrubber has no reason to redact in logs but a person should not paste
 * either: {@link SECRET_VALUE_PATTERNS}, a certificate, a bare `SharedAccessSignature`, a key's
 * or client secret's name with its `=` or `:` (even with nothing after it). A password or client
 * secret in prose is also in {@link NAMED_VALUES}, which say where its value is.
 */
const SECRET_PATTERNS: RegExp[] = [
  ...SECRET_VALUE_PATTERNS,
  /AccountKey=/i,
  /SharedAccessSignature/i,
  /-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)/,
  /client[_-]?secret\s*[:=]/i,
];

/**
 * A value whose name says it is a secret, in prose (`password: hunter2`, `client_secret = x`,
 * which in a log is more often a validation message, so the scrubber leaves them): any word
 * after the name and its `:` or `=`. The value is the match's last group, at its end.
 */
const NAMED_VALUES: RegExp[] = [/client[_-]?secret\s*[:=]\s*(\S+)/giu, /password\s*[:=]\s*(\S+)/giu];

/**
 * A password's name (password, passwd, passphrase, pass, pwd, pw; not inside a word: "bypass",
 * "compass", "pass-through"), perhaps a few words on what it is for ("the password for the pull
 * token is …"), then `:` or `=` (the first group: the value is given), or "is", "was", "are" or
 * "were" (the value is said; with a `:` after it, the second group, given too: "the password is:
 * …"), then the word said to be it (the last group).
 * Judged by {@link passwordLike}: "the password is expired" and "pass is needed" name one only.
 */
const PASSWORD_SAID =
  /(?<![\p{L}\p{N}_-])(?:pass(?:words?|wd|phrase)?|pwd|pw)(?![\p{L}\p{N}_-])(?:\s+(?:for|of|on|to)(?:\s+[^\s:=]+){1,3}?)?(?:\s*([:=])\s*|\s+(?:is|was|are|were)(?:\s*(:))?\s+)(\S+)/giu;

/**
 * A password's name without "pass" (a verb too: "pass CI-4521 gate") and the word right after it,
 * with no `:` or "is" between (`pw hunter2Zx!9`, `password 83920174`): judged strictly
 * ({@link passwordLike}), as "password reset" or "pwd output" are ordinary words after such a name.
 */
const PASSWORD_BARE = /(?<![\p{L}\p{N}_-])(?:passwords?|passwd|passphrase|pwd|pw)(?![\p{L}\p{N}_-])\s+(\S+)/giu;

/**
 * How a word follows a password's name: after `:` or `=` (`given`: "pwd: hunter-2-go"), after
 * "is" or "was" (`said`: "the password is Tr0ub4dor&3"), or after nothing but a space (`bare`:
 * "pw hunter2Zx!9"), where it may be any word.
 */
type PasswordWord = 'given' | 'said' | 'bare';

/** Fewest digits of a password of digits alone (`password 83920174`): a count, a year or a short PIN is fewer. */
const PASSWORD_DIGITS_MIN = 6;

/**
 * A quantity: a number and its unit, perhaps after a dash (`90days`, `30-day`, `12chars`,
 * `2wk`), which is how long a password is or lasts ("the password was 90days old"), not one.
 */
const QUANTITY =
  /^\p{N}+-?(?:ms|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|d|days?|wks?|weeks?|mos?|months?|yrs?|years?|chars?|characters?|digits?|letters?|times?)$/iu;

/**
 * A word after a number that makes it a quantity or a count, not a password of digits ("pw
 * 300000 ms timeout", "password 100000 users affected", "600000 iterations"): a unit of
 * {@link QUANTITY}, or a thing counted.
 */
const COUNTED =
  /^(?:ms|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|d|days?|wks?|weeks?|mos?|months?|yrs?|years?|chars?|characters?|digits?|letters?|times?|users?|people|accounts?|iterations?|rounds?|attempts?|tries|retries|requests?|calls?|rows?|records?|entries|items?|bytes?|[kmgt]i?b|pods?|nodes?)$/iu;

/**
 * A date, as a reason says when a password was or will be changed: `2024-12-01`, `01-12-2024`,
 * `1-Dec-2024` (a month's name or its first three letters: `7-Horse-42` is no date), of digits
 * alone (`20241201`, years 1900 to 2099), or an ISO time (`2024-12-01T10:00:00Z`).
 */
const DATE =
  /^(?:\d{1,4}-(?:\d{1,2}|jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)-\d{1,4}|(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])|\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)$/i;

/** Letters and digits joined by dashes only (`hunter-2-go`, `Abc-123-xyz`), as a password is often made memorable. */
const DASHED = /^[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)+$/u;

/**
 * Ids a dashed word after a password's name may be instead: a word in one case and numbers (a
 * ticket, `INC-4521`, `chg-12345`; a version or an image, `node-20`, `k8s-1-29`, `ubuntu-22-04`)
 * or a UUID. A password mixes the case (`Summer-2024`) or puts words and digits in another order
 * (`hunter-2-go`, `7-Horse-42`).
 */
const DASHED_IDS =
  /^(?:(?:[a-z][a-z0-9]*|[A-Z][A-Z0-9]*)(?:-\d+)+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;

/** Fewest characters of a dashed password ({@link DASHED}): `a-1` or `x-2-y` is too short to be one. */
const DASHED_MIN = 6;

/** An image or file digest with its algorithm (`sha256:9f86d0…`), which a reason quotes: no password. */
const DIGEST = /^sha(?:1|256|384|512):[0-9a-f]{32,}$/i;

/**
 * A word of letters and digits joined by `-`, `.`, `_` or `/`, perhaps a path from `/`, `./` or
 * `~/`: a name, a version or a path (`kv-prod-01`, `v1.2.3`, `INC-4521`, `/home/builder/app2`),
 * not a password, whatever its digits.
 */
const NAME_LIKE = /^(?=.*[-._/])(?:(?:\.{1,2}|~)?\/)?[\p{L}\p{N}]+(?:[-._/][\p{L}\p{N}]+)*\/?$/u;

/** An e-mail address, which names whom to ask: not a password. */
const EMAIL = /^[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+$/u;

/** Quotes and brackets before a word, which are not part of it. */
const BEFORE_WORD = `"'\`(<[{`;

/** Quotes, brackets and sentence punctuation after a word, which are not part of it. */
const AFTER_WORD = `"'\`)>]}.,;:!?`;

/**
 * Whether `word`, said to be a password ({@link PasswordWord} says how), looks like one. Never a
 * quantity ({@link QUANTITY}: "the password was 90days old"), a date ({@link DATE}) or a digest
 * ({@link DIGEST}). Six digits or more and nothing else, however it follows the name
 * (`password 83920174`), unless `next` (the word after it) says what it counts ({@link COUNTED}:
 * "pw 300000 ms timeout"). After `:` or `=`, letters and digits joined by dashes, six characters
 * at least ({@link DASHED}: `pwd: hunter-2-go`), but a ticket, a version or a UUID ({@link DASHED_IDS}). Otherwise: six characters at
 * least, with letters (a count or a ticket's digits is none) and a digit or a symbol (`hunter2`,
 * `Tr0ub4dor&3`), and neither a name ({@link NAME_LIKE}), a link nor an e-mail address; and
 * `bare` (nothing but a space after the name), eight characters at least, of three kinds of lower
 * case, upper case, digits and symbols (`hunter2Zx!9`), since the word may be any word.
 */
function passwordLike(raw: string, how: PasswordWord, next = ''): boolean {
  // Walked, not a regex: `[…]+$` is tried from every start of a run (a word of 40,000 ")").
  let start = 0;
  while (start < raw.length && BEFORE_WORD.includes(raw[start]!)) start++;
  const word = withoutTrailing(raw.slice(start), AFTER_WORD);
  if (QUANTITY.test(word) || DATE.test(word) || DIGEST.test(word)) return false;
  if (/^\p{N}+$/u.test(word))
    return word.length >= PASSWORD_DIGITS_MIN && !COUNTED.test(withoutTrailing(next, AFTER_WORD));
  const lower = /\p{Ll}/u.test(word);
  const upper = /\p{Lu}/u.test(word);
  const digit = /\p{N}/u.test(word);
  if (
    how === 'given' &&
    (lower || upper) &&
    digit &&
    word.length >= DASHED_MIN &&
    DASHED.test(word) &&
    !DASHED_IDS.test(word)
  )
    return true;
  const strict = how === 'bare';
  if (word.length < (strict ? 8 : 6) || NAME_LIKE.test(word) || word.includes('://') || EMAIL.test(word)) return false;
  if (!lower && !upper) return false;
  const symbol = /[^\p{L}\p{N}\-._/]/u.test(word);
  if (!strict) return digit || symbol;
  return [lower, upper, digit, symbol].filter(Boolean).length >= 3;
}

/**
 * A word of base64 or base64url characters (`+`, `/`, `-`, `_`, `=` padding), whole (after a
 * space, a quote, a bracket or the start; before one, or sentence punctuation and a space or the
 * end), 20 characters or more. Judged by {@link randomRun}: an ACR token password is 32 random
 * bytes in base64, 44 characters ending in `=` (the emulator's, CONTRACTS §2.3; newer registries
 * give 52), and a GitHub or API key is such a run too. A URL, an Azure resource id or a
 * `sha256:` digest holds a `.` or `:` and is no such word.
 */
const BASE64_WORD = /(?<![^\s"'`([{<,;])[A-Za-z0-9+/_-]{20,}={0,2}(?=$|[\s"'`)\]}>,;]|[.:!?](?:\s|$))/g;

/** Shortest stretch of a {@link BASE64_WORD} (between `-`, `_` or `/`) judged as random. */
const RANDOM_STRETCH_MIN = 16;

/** Shortest {@link BASE64_WORD} judged without a `+` or `=` padding to mark it as base64. */
const UNMARKED_RUN_MIN = 32;

/**
 * Whether a {@link BASE64_WORD} looks random, as a key or token password does, rather than a long
 * name (`AzureKubernetesService2024ReleasePipeline`, `contoso/PaymentsApi2`): it has a `+` or `=`
 * padding, or {@link UNMARKED_RUN_MIN} characters; and a stretch of {@link RANDOM_STRETCH_MIN}
 * between `-`, `_` and `/` mixing upper case, lower case and digits that changes between them
 * at least at two gaps in five (random base64 does at three in five, words at one in five or
 * fewer). A git SHA or a digest's hex has no upper case; a UUID's stretches are 12 long at most.
 */
function randomRun(run: string): boolean {
  const body = run.replace(/=+$/, '');
  if (body.length < 20 || !(body.length < run.length || body.includes('+') || body.length >= UNMARKED_RUN_MIN))
    return false;
  return body.split(/[-_/]/).some((stretch) => {
    const kinds = stretch.replace(/\+/g, '').replace(/[A-Z]/g, 'A').replace(/[a-z]/g, 'a').replace(/[0-9]/g, '0');
    if (kinds.length < RANDOM_STRETCH_MIN || !/A/.test(kinds) || !/a/.test(kinds) || !/0/.test(kinds)) return false;
    let changes = 0;
    for (let i = 1; i < kinds.length; i++) if (kinds[i] !== kinds[i - 1]) changes++;
    return changes >= 0.4 * (kinds.length - 1);
  });
}

/** Where a value stands in a text: its first code unit and the one after its last. */
type Span = readonly [start: number, end: number];

/** The word after a value (spaces, then up to {@link NEXT_WORD_MAX} characters in all): a unit or what a number counts. */
const NEXT_WORD = /^\s+(\S+)/;
const NEXT_WORD_MAX = 40;

/**
 * The values in `text` acrbot refuses but the scrubber leaves ({@link scrubSecrets}: it cleans
 * logs, where such words are more often a message): {@link NAMED_VALUES}, a password said
 * ({@link PASSWORD_SAID}, {@link PASSWORD_BARE}) that looks like one, and random base64 runs
 * ({@link randomRun}). Each regex starts at a literal or a short word, and its judge reads one
 * word: linear in the text.
 */
function unscrubbedValues(text: string): Span[] {
  const spans: Span[] = [];
  const add = (pattern: RegExp, judge: (value: string, match: RegExpExecArray, next: string) => boolean) => {
    for (const match of text.matchAll(pattern)) {
      // The value is the last group (PASSWORD_SAID's first two say how it follows), or the match.
      const value = match.length > 1 ? match[match.length - 1]! : match[0];
      const end = match.index! + match[0].length;
      if (judge(value, match, NEXT_WORD.exec(text.slice(end, end + NEXT_WORD_MAX))?.[1] ?? ''))
        spans.push([end - value.length, end]);
    }
  };
  for (const pattern of NAMED_VALUES) add(pattern, () => true);
  if (/pass|pw/i.test(text)) {
    add(PASSWORD_SAID, (word, match, next) => passwordLike(word, match[1] || match[2] ? 'given' : 'said', next));
    add(PASSWORD_BARE, (word, _match, next) => passwordLike(word, 'bare', next));
  }
  add(BASE64_WORD, randomRun);
  return spans;
}

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

/** Runs of zero-width non-joiners and joiners ({@link invisible.JOINERS}): part of the text in emoji sequences and Persian/Indic words. */
const JOINERS = new RegExp(`[${invisible.JOINERS}]+`, 'g');

/** Runs of variation selectors ({@link invisible.VARIATION_SELECTORS}): they show nothing by themselves. */
const VARIATION_SELECTORS = new RegExp(`[${invisible.VARIATION_SELECTORS}]+`, 'gu');

/**
 * Characters that show nothing ({@link invisible.SHOWS_NOTHING}: controls, format characters,
 * the other default-ignorable code points, the braille blank) but the joiners and variation
 * selectors, which are left for their own rules.
 */
const INVISIBLE = new RegExp(
  `(?![${invisible.JOINERS}${invisible.VARIATION_SELECTORS}])[${invisible.SHOWS_NOTHING}]`,
  'gu',
);

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
 * a JSON `"value":"…"`, `docker login -p …`), or when it matches {@link SECRET_PATTERNS} or holds
 * a value the scrubber leaves ({@link unscrubbedValues}: `password: hunter2`, "the pull password
 * is Tr0ub4dor&3", `pw hunter2Zx!9`, `password 83920174`, `pwd: hunter-2-go`, a 44-character ACR
 * password). A URL's user name alone is not looked at ({@link URL_USER_NAME}). Joiners are not
 * looked through by the patterns, so they are left out first: "Account\u200DKey=" is as much a
 * key as "AccountKey=".
 */
export function looksLikeSecret(text: string): boolean {
  const plain = text.replace(JOINERS, '');
  if (SECRET_PATTERNS.some((p) => p.test(plain))) return true;
  const withoutUserNames = plain.replace(URL_USER_NAME, '://');
  return scrubSecrets(withoutUserNames) !== withoutUserNames || unscrubbedValues(withoutUserNames).length > 0;
}

/**
 * Where `text` looks like a credential, as the scrubber shows it (the value already replaced by
 * {@link REDACTION}, so nothing secret is quoted back), the values it leaves replaced too
 * ({@link unscrubbedValues}: "the pull password is [redacted]"): the few words before the first
 * replacement. Undefined when only {@link SECRET_PATTERNS} matched (a JWT's look-alike, a bare
 * `AccountKey=`), or when those few words still hold a value ({@link SECRET_VALUE_PATTERNS}):
 * never a secret in the refusal.
 */
function secretContext(text: string): string | undefined {
  const scrubbed = scrubSecrets(text.replace(JOINERS, '').replace(URL_USER_NAME, '://'));
  // Spans that overlap (a word two rules found) are one: each character of a value is replaced.
  let marked = '';
  let done = 0;
  for (const [start, end] of unscrubbedValues(scrubbed).sort((a, b) => a[0] - b[0])) {
    if (end <= done) continue;
    if (start >= done) marked += scrubbed.slice(done, start) + REDACTION;
    done = end;
  }
  marked += scrubbed.slice(done);
  const at = marked.indexOf(REDACTION);
  if (at < 0) return undefined;
  const start = Math.max(0, marked.lastIndexOf(' ', Math.max(0, at - 20)) + 1);
  const context = marked.slice(start, at + REDACTION.length);
  const shown = context.split(REDACTION).join(' ');
  return SECRET_VALUE_PATTERNS.some((p) => p.test(shown)) || unscrubbedValues(shown).length > 0 ? undefined : context;
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

/** The words of an action's own reason rule ({@link actionReason}). */
export interface ActionReasonWords {
  /** What {@link checkReason} calls it: "revoke reason", "cancel reason". */
  what: string;
  /** The whole refusal of a reason too short, in the action's words (why the access ends, why it is withdrawn). */
  tooShort: string;
  /** The ask {@link checkReason} ends its placeholder refusal with, in the action's words. */
  ask: string;
  /** What was not done, appended to a refusal that says what to change ("Nothing was revoked."). */
  nothingDone: string;
}

/**
 * A reason an action takes (a revoke's, a cancel's), checked as every reason ({@link checkReason}:
 * bounded, one line, nothing that looks like a credential), because it is kept the same way (the
 * audit entry, the stored request, the cards), but refused in the action's words: checkReason's
 * own "too short" sentence asks why access is needed, and a refusal that says what to change
 * (too long, a credential in it) says, too, that nothing was done, so that its reader does not
 * take the action for done. The usage's placeholder ("REASON…", shorter than a reason may be) is
 * told as what it is. Returns the normalised text.
 */
export function actionReason(raw: string | undefined, words: ActionReasonWords): string {
  const text = singleLine(raw ?? '');
  if (text.length < REASON_LIMITS.min && !isUsagePlaceholder(text))
    throw new UserFacingError('validation.reason', words.tooShort);
  try {
    return checkReason(raw, words.what, words.ask);
  } catch (err) {
    if (!(err instanceof ReasonRefused) || err.asks) throw err;
    throw new UserFacingError(err.code, `${err.message} ${words.nothingDone}`, { cause: err });
  }
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
  return `${tooLongClause(what, text)}; keep it under ${max}${then ? ` ${then}` : ''}.`;
}

/**
 * The first clause of {@link tooLongSentence}, for a refusal that goes on in its own words (a
 * name "fits in 400"): "The reason is 620 characters long" when each character is one UTF-16
 * unit; else "The reason is too long: its 300 characters count as 600, since an emoji (like a few
 * other characters) counts as two".
 */
export function tooLongClause(what: string, text: string): string {
  const characters = [...text].length;
  if (characters === text.length) return `The ${what} is ${characters} characters long`;
  return `The ${what} is too long: its ${characters} characters count as ${text.length}, since an emoji (like a few other characters) counts as two`;
}

/**
 * `text`'s length as {@link tooLongSentence} tells it, for the audit detail of that refusal
 * (which must not say another number): "620 characters" when each character is one UTF-16 unit;
 * else "300 characters counting as 600", the characters and the units a limit counts.
 */
export function characterCount(text: string): string {
  const characters = [...text].length;
  return characters === text.length
    ? `${characters} characters`
    : `${characters} characters counting as ${text.length}`;
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
