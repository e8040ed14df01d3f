/**
 * Look-alike names: resource groups may hold any Unicode letter (names.ts, as Azure allows), so
 * `rg-prоd` with a Cyrillic "о" is a valid group that reads exactly like `rg-prod`. This says
 * what makes a name suspect, for cards to print beside it; it never refuses one (ARM holds such
 * groups, and the policy may name them). Plain ASCII names are never suspect.
 *
 * Suspect: letters of two scripts where Unicode's "highly restrictive" level (UTS #39 §5.2)
 * would not allow them together (Latin with Cyrillic, Greek, Cherokee…; Han with Hiragana,
 * Katakana, Bopomofo or Hangul and Latin is how Chinese, Japanese and Korean names are written);
 * compatibility forms (fullwidth or mathematical letters, `ℓ`, long `ſ`: NFKC folds them to plain
 * ones); phonetic letters (IPA, phonetic extensions: `ɡ` U+0261 is a Latin-script "g" no name
 * needs) and the specialists' Latin Extended-D (medieval, Mayanist, small capitals: `ꜱ`, `ꞵ`);
 * and the few Latin letters of everyday blocks that confusables.txt maps to one ASCII letter or
 * digit (`ı` for i, `ǀ` for l). Accented letters (`é`, `ü`) and letters of their own (`ß`, `ø`,
 * `ł`) are none of these: they are how non-English names are spelt, and read as what they are.
 * A name wholly in another script is suspect only when every letter of it looks like a Latin one
 * (UTS #39's "whole-script confusable", on a small table): `орѕ`, all Cyrillic, reads as `ops`.
 * One with a letter that does not (a Cyrillic `рг-москва`: `г`, `м`, `к`, `в` have no Latin
 * double) reads as what it is, and a note on every such card would teach approvers to skip the sign.
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

/**
 * IPA Extensions, Phonetic Extensions (and their supplement), Latin Extended-E, -F and -G (more
 * phonetic letters): look-alikes of ordinary letters (`ɑ`, `ᴅ`, `ꭇ`) no name is spelt with.
 */
const PHONETIC = /[\u0250-\u02AF\u1D00-\u1DBF\uAB30-\uAB6F\u{10780}-\u{107BF}\u{1DF00}-\u{1DFFF}]/u;

/**
 * Latin Extended-D: letters for medievalists, Mayanists and phoneticians, and small capitals
 * (`ꜱ` for s, `ꞵ` for ß, `Ꞵ` for B). A whole block, not a list: no everyday spelling needs one.
 */
const RARE_LATIN = /[\uA720-\uA7FF]/u;

/**
 * Latin letters of everyday blocks (Latin Extended-A, -B, Additional) that UTS #39's
 * confusables.txt maps to one ASCII letter or digit, and that neither NFKC folds (as it does
 * `ſ`) nor {@link PHONETIC} covers. Turkish `ı` is here: `rg-bılling` passes for `rg-billing`.
 */
const LATIN_LOOK_ALIKES: ReadonlyMap<string, string> = new Map(
  [
    // ı Ƅ ƍ Ɩ Ʀ Ƨ Ʒ Ƽ ƽ ǀ Ȝ Ȣ ȣ ẝ ỿ
    ['\u0131\u0184\u018D\u0196\u01A6\u01A7\u01B7\u01BC\u01BD\u01C0\u021C\u0222\u0223\u1E9D\u1EFF', 'ibglR235sl388fy'],
  ].flatMap(([from, to]) => [...from].map((c, i): [string, string] => [c, to[i]])),
);

/**
 * Letters of other scripts that read as a Latin (ASCII) one, after UTS #39's confusables.txt,
 * kept to the letters a name could be spelt from. Lower case only where the lower-case letter
 * itself looks Latin: Cyrillic `в к м н т` are small capitals (`ʙ ᴋ ᴍ ʜ ᴛ`), which is what keeps
 * ordinary words (`москва`) out; their capitals are here. Cherokee's small letters are small
 * capitals too, so only its capitals are here; Armenian `ա` (w only by way of `ɯ`) is left out.
 */
const LATIN_DOUBLES: ReadonlyMap<string, string> = new Map(
  [
    // Cyrillic small: а е о р с у х ѕ і ј ԁ ԛ ԝ ӏ һ ү ѵ
    [
      '\u0430\u0435\u043E\u0440\u0441\u0443\u0445\u0455\u0456\u0458\u0501\u051B\u051D\u04CF\u04BB\u04AF\u0475',
      'aeopcyxsijdqwlhyv',
    ],
    // Cyrillic capital: А В Е К М Н О Р С Т У Х Ѕ І Ј Ԛ Ԝ Ӏ Һ Ү Ѵ
    [
      '\u0410\u0412\u0415\u041A\u041C\u041D\u041E\u0420\u0421\u0422\u0423\u0425\u0405\u0406\u0408\u051A\u051C\u04C0\u04BA\u04AE\u0474',
      'ABEKMHOPCTYXSIJQWIHYV',
    ],
    // Greek small: α ι κ ν ο ρ τ υ
    ['\u03B1\u03B9\u03BA\u03BD\u03BF\u03C1\u03C4\u03C5', 'aikvoptu'],
    // Greek capital: Α Β Ε Ζ Η Ι Κ Μ Ν Ο Ρ Τ Υ Χ
    ['\u0391\u0392\u0395\u0396\u0397\u0399\u039A\u039C\u039D\u039F\u03A1\u03A4\u03A5\u03A7', 'ABEZHIKMNOPTYX'],
    // Armenian: գ զ հ ո ռ ս ց ք օ Ս Տ Օ
    ['\u0563\u0566\u0570\u0578\u057C\u057D\u0581\u0584\u0585\u054D\u054F\u0555', 'qqhnnugfoUSO'],
    // Cherokee: Ꭰ Ꭱ Ꭲ Ꭵ Ꭹ Ꭺ Ꭻ Ꭼ Ꮃ Ꮇ Ꮋ Ꮍ Ꮐ Ꮒ Ꮓ Ꮟ Ꮢ Ꮤ Ꮥ Ꮩ Ꮪ Ꮮ Ꮯ Ꮲ Ꮶ Ꮷ Ᏻ Ᏼ
    [
      '\u13A0\u13A1\u13A2\u13A5\u13A9\u13AA\u13AB\u13AC\u13B3\u13B7\u13BB\u13BD\u13C0\u13C2\u13C3\u13CF\u13D2\u13D4\u13D5\u13D9\u13DA\u13DE\u13DF\u13E2\u13E6\u13E7\u13F3\u13F4',
      'DRTiYAJEWMHYGhZbRWSVSLCPKdGB',
    ],
    // Lisu, whose letters are Latin capitals (some turned):
    // ꓐ ꓑ ꓒ ꓓ ꓔ ꓖ ꓗ ꓙ ꓚ ꓜ ꓝ ꓟ ꓠ ꓡ ꓢ ꓣ ꓦ ꓧ ꓪ ꓫ ꓬ ꓮ ꓰ ꓲ ꓳ ꓴ
    [
      '\uA4D0\uA4D1\uA4D2\uA4D3\uA4D4\uA4D6\uA4D7\uA4D9\uA4DA\uA4DC\uA4DD\uA4DF\uA4E0\uA4E1\uA4E2\uA4E3\uA4E6\uA4E7\uA4EA\uA4EB\uA4EC\uA4EE\uA4F0\uA4F2\uA4F3\uA4F4',
      'BPdDTGKJCZFMNLSRVHWXYAElOU',
    ],
  ].flatMap(([from, to]) => [...from].map((c, i): [string, string] => [c, to[i]])),
);

/**
 * The Latin name `name` reads as when it has no Latin letter and every character that is not
 * ASCII has a Latin double ({@link LATIN_DOUBLES}); undefined otherwise. Other characters
 * (a combining mark, a letter of no double) make it read as what it is.
 */
function latinReading(name: string): string | undefined {
  let reading = '';
  for (const char of name) {
    if (/[A-Za-z]/.test(char)) return undefined;
    const latin = /[\x20-\x7E]/.test(char) ? char : LATIN_DOUBLES.get(char);
    if (latin === undefined) return undefined;
    reading += latin;
  }
  return reading;
}

/**
 * The everyday Latin letters of `name` that pass for ASCII ones ({@link LATIN_LOOK_ALIKES}), each
 * once with what it passes for ("ı for i"), in the order they first appear.
 */
function latinLookAlikes(name: string): string[] {
  const found: string[] = [];
  for (const char of name) {
    const ascii = LATIN_LOOK_ALIKES.get(char);
    // The table is small, so `found` is too: the includes() keeps this linear in the name.
    if (ascii !== undefined && !found.includes(`${char} for ${ascii}`)) found.push(`${char} for ${ascii}`);
  }
  return found;
}

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
 * the name's plain (NFKC) form or the Latin name it reads as, which are user text: neutralise
 * them like the name.
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
  // Whole-script look-alikes: no Latin letter, yet every letter is a Latin one's double. A name
  // that mixes scripts is warned already; the reading still says what it imitates.
  const reading = latinReading(composed);
  if (reading !== undefined)
    reasons.push(
      scripts.length === 1
        ? `is written in ${scripts[0]} letters that look like Latin: reads as ${reading}`
        : `all look like Latin letters: reads as ${reading}`,
    );
  const plain = composed.normalize('NFKC');
  if (plain !== composed) reasons.push(`has special letter forms (plainly ${plain})`);
  if (PHONETIC.test(name)) reasons.push('has phonetic letters that look like ordinary ones');
  if (RARE_LATIN.test(name)) reasons.push('has rare letters that look like ordinary ones');
  const lookAlikes = latinLookAlikes(composed);
  if (lookAlikes.length) reasons.push(`has letters that look like others (${lookAlikes.join(', ')})`);
  return reasons.length ? reasons.join('; ') : undefined;
}
