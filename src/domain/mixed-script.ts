/**
 * Look-alike names: resource groups may hold any Unicode letter (names.ts, as Azure allows), so
 * `rg-prоd` with a Cyrillic "о" is a valid group that reads exactly like `rg-prod`. This says
 * what makes a name suspect, for cards to print beside it; it never refuses one (ARM holds such
 * groups, and the policy may name them). Plain ASCII names are never suspect.
 *
 * Suspect: letters of two scripts where Unicode's "highly restrictive" level (UTS #39 §5.2)
 * would not allow them together (Latin with Cyrillic, Greek, Cherokee…; Han with Hiragana,
 * Katakana, Bopomofo or Hangul and Latin is how Chinese, Japanese and Korean names are written);
 * compatibility forms (fullwidth or mathematical letters, which NFKC folds to plain ones); and
 * phonetic letters (IPA, phonetic extensions: `ɡ` U+0261 is a Latin-script "g" no name needs).
 * A name wholly in one other script (a Cyrillic `рг-москва`) is not suspect: it reads as what it
 * is, and a note on every such card would teach approvers to skip the sign.
 */

/**
 * Scripts named in the warning: those with letters like Latin ones, and those names mix with
 * Latin. A letter of any other script counts as "another script's" (two such scripts count as one).
 */
const SCRIPTS: readonly (readonly [string, RegExp])[] = [
  ['Latin', /\p{Script=Latin}/u],
  ['Cyrillic', /\p{Script=Cyrillic}/u],
  ['Greek', /\p{Script=Greek}/u],
  ['Armenian', /\p{Script=Armenian}/u],
  ['Georgian', /\p{Script=Georgian}/u],
  ['Cherokee', /\p{Script=Cherokee}/u],
  ['Coptic', /\p{Script=Coptic}/u],
  ['Lisu', /\p{Script=Lisu}/u],
  ['Canadian syllabic', /\p{Script=Canadian_Aboriginal}/u],
  ['Hebrew', /\p{Script=Hebrew}/u],
  ['Arabic', /\p{Script=Arabic}/u],
  ['Devanagari', /\p{Script=Devanagari}/u],
  ['Thai', /\p{Script=Thai}/u],
  ['Han', /\p{Script=Han}/u],
  ['Hiragana', /\p{Script=Hiragana}/u],
  ['Katakana', /\p{Script=Katakana}/u],
  ['Bopomofo', /\p{Script=Bopomofo}/u],
  ['Hangul', /\p{Script=Hangul}/u],
];

/** Characters of no one script (digits, punctuation, combining marks): they mix with any. */
const ANY_SCRIPT = /[\p{Script=Common}\p{Script=Inherited}]/u;

/** Script sets UTS #39's "highly restrictive" level allows in one name (CJK writing). */
const ALLOWED_MIXES: readonly ReadonlySet<string>[] = [
  new Set(['Latin', 'Han', 'Hiragana', 'Katakana']),
  new Set(['Latin', 'Han', 'Bopomofo']),
  new Set(['Latin', 'Han', 'Hangul']),
];

/** IPA Extensions, Phonetic Extensions (and their supplement): look-alikes of ordinary letters. */
const PHONETIC = /[\u0250-\u02AF\u1D00-\u1DBF]/u;

/** The scripts of `name`'s characters, in the order they first appear; Common and Inherited left out. */
function scriptsOf(name: string): string[] {
  const seen: string[] = [];
  for (const char of name) {
    if (ANY_SCRIPT.test(char)) continue;
    const script = SCRIPTS.find(([, pattern]) => pattern.test(char))?.[0] ?? "another script's";
    if (!seen.includes(script)) seen.push(script);
  }
  return seen;
}

/** "A and B", "A, B and C". */
function listed(words: string[]): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

/**
 * Why `name` may be imitating another name, in words for a card ("mixes Latin and Cyrillic
 * letters"), or undefined when it is not suspect (always for plain ASCII). The words may quote
 * the name's plain (NFKC) form, which is user text: neutralise them like the name.
 */
export function lookAlikeWarning(name: string): string | undefined {
  // Printable ASCII only: most names, and the only ones a card never needs to question.
  if (/^[\x20-\x7E]*$/.test(name)) return undefined;
  const reasons: string[] = [];
  const scripts = scriptsOf(name);
  if (scripts.length > 1 && !ALLOWED_MIXES.some((allowed) => scripts.every((s) => allowed.has(s))))
    reasons.push(`mixes ${listed(scripts)} letters`);
  // NFC first: a name spelt with combining marks (u + U+0308) is the same name as its
  // precomposed form (ü), not a special form of it.
  const composed = name.normalize('NFC');
  const plain = composed.normalize('NFKC');
  if (plain !== composed) reasons.push(`has special letter forms (plainly ${plain})`);
  if (PHONETIC.test(name)) reasons.push('has phonetic letters that look like ordinary ones');
  return reasons.length ? reasons.join('; ') : undefined;
}
