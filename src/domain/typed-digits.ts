/**
 * Digits and letters of other widths and scripts in a duration. Chat reads the ones people type
 * for a number: full-width forms (`８ｈ`, a CJK input method on) and Arabic-Indic digits (`٨h`,
 * `۸h`, an Arabic or Persian keyboard). Superscript, circled or mathematical digits (`²`, `①`,
 * `𝟖`) are no number anyone types: refused, naming the character. Config reads none of them
 * (text reviewed in diffs, not chat): a setting or policy duration outside ASCII is refused so.
 */

/** Runs of ten digits this module reads as 0–9, by the code point of their zero. */
const READ_DIGITS: ReadonlyArray<{ zero: number; kind: string }> = [
  { zero: 0xff10, kind: 'a full-width digit' },
  { zero: 0x0660, kind: 'an Arabic-Indic digit' },
  { zero: 0x06f0, kind: 'an Extended Arabic-Indic digit' },
];

/**
 * What a character outside ASCII is, as a refusal names it, and whether it stands for a letter
 * (config's refusal then says "use ASCII letters", else "use ASCII digits").
 */
interface CharacterKind {
  kind: string;
  letter: boolean;
}

/**
 * Other characters that read as a digit or letter, named in a refusal; by range of code points,
 * each range one kind by its Unicode names (U+2474–2487 are "PARENTHESIZED …", U+2488–249B
 * "… FULL STOP"; U+2071 in the superscripts is a letter, U+2072–2073 unassigned).
 */
const NAMED: ReadonlyArray<{ from: number; to: number } & CharacterKind> = [
  { from: 0xff21, to: 0xff3a, kind: 'a full-width letter', letter: true },
  { from: 0xff41, to: 0xff5a, kind: 'a full-width letter', letter: true },
  { from: 0x0966, to: 0x096f, kind: 'a Devanagari digit', letter: false },
  { from: 0x00b2, to: 0x00b3, kind: 'a superscript digit', letter: false },
  { from: 0x00b9, to: 0x00b9, kind: 'a superscript digit', letter: false },
  { from: 0x2070, to: 0x2070, kind: 'a superscript digit', letter: false },
  { from: 0x2071, to: 0x2071, kind: 'a superscript letter', letter: true },
  { from: 0x2074, to: 0x2079, kind: 'a superscript digit', letter: false },
  { from: 0x2080, to: 0x2089, kind: 'a subscript digit', letter: false },
  { from: 0x2460, to: 0x2473, kind: 'a circled number', letter: false },
  { from: 0x2474, to: 0x2487, kind: 'a bracketed number', letter: false },
  { from: 0x2488, to: 0x249b, kind: 'a number with a full stop', letter: false },
  { from: 0x249c, to: 0x24b5, kind: 'a bracketed letter', letter: true },
  { from: 0x24b6, to: 0x24e9, kind: 'a circled letter', letter: true },
  { from: 0x24ea, to: 0x24ff, kind: 'a circled number', letter: false },
  { from: 0x2776, to: 0x2793, kind: 'a circled number', letter: false },
  { from: 0x3251, to: 0x325f, kind: 'a circled number', letter: false },
  { from: 0x32b1, to: 0x32bf, kind: 'a circled number', letter: false },
  { from: 0x1d7ce, to: 0x1d7ff, kind: 'a mathematical digit', letter: false },
];

/**
 * `text` with full-width forms (U+FF01–FF5E, and the ideographic space) as their ASCII
 * characters, and Arabic-Indic and Extended Arabic-Indic digits as 0–9; anything else as typed.
 * Not NFKC, which also made `²h` and `①h` the term `2h` and `1h`.
 */
export function readTypedDigits(text: string): string {
  return text
    .replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ')
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) - 0x06f0));
}

/** What `c` is, when it is a digit or letter outside ASCII that a refusal should name. */
function kindOf(c: string): CharacterKind | undefined {
  const code = c.codePointAt(0)!;
  if (code < 0x80) return undefined;
  const read = READ_DIGITS.find((r) => code >= r.zero && code <= r.zero + 9);
  if (read) return { kind: read.kind, letter: false };
  const named = NAMED.find((r) => code >= r.from && code <= r.to);
  if (named) return { kind: named.kind, letter: named.letter };
  if (/\p{Nd}/u.test(c)) return { kind: 'a digit of another script', letter: false };
  // `½`, `௰`: written for a number, so config's refusal asks for digits.
  if (/\p{No}/u.test(c)) return { kind: 'a number sign, not a digit', letter: false };
  return undefined;
}

/**
 * A character {@link otherDigitIn} or {@link unreadDigitIn} found: it, what it is, and whether it
 * stands for a digit.
 */
export interface OtherDigit {
  char: string;
  kind: string;
  /** False for a letter (`ｈ`, `ⓗ`): "use ASCII letters". */
  digit: boolean;
}

/** The first character of `chars` that {@link kindOf} names. */
function firstNamed(chars: string): OtherDigit | undefined {
  for (const c of chars) {
    const found = kindOf(c);
    if (found) return { char: c, kind: found.kind, digit: !found.letter };
  }
  return undefined;
}

/**
 * The first character of `text` that is a digit outside ASCII or a full-width or enclosed letter
 * (`８`, `ｈ`, `²`, `①`, `٨`, `ⓗ`), with what it is ("a full-width digit"); undefined when there
 * is none. Config's rule: it reads none of them ({@link unreadDigitIn} is chat's).
 */
export function otherDigitIn(text: string): OtherDigit | undefined {
  return firstNamed(text);
}

/**
 * {@link otherDigitIn} of what chat leaves unread: only the characters {@link readTypedDigits}
 * does not read (`²`, `①`, `𝟖`; never `８` or `٨`), which chat's `--for` refuses.
 */
export function unreadDigitIn(text: string): OtherDigit | undefined {
  return firstNamed(readTypedDigits(text));
}
