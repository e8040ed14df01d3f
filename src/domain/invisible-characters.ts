/**
 * The characters that show nothing, named once. Text from users is cleaned of them (text.ts
 * `singleLine`), a request id is read through them (request-id-word.ts), and a CSV cell looks
 * through them for a hidden formula (audit-cli/csv.ts): three places that each declared their own
 * set, and so drifted (a soft hyphen before `=` hid no formula from the CSV guard, while an id
 * was read through it). Each set is the body of a regular expression's character class (what
 * goes between `[` and `]`), so every user adds its own flags and quantifiers: a shared `g` regex
 * would carry its `lastIndex` from one caller to the next. No imports: the tab's bundle loads this
 * file (through audit-cli/csv.ts).
 */

/**
 * Zero-width non-joiner and joiner (U+200C, U+200D): format characters, but part of the text in
 * emoji sequences (👩 U+200D 💻) and Persian or Indic words, so cleaning keeps them between two
 * visible characters. Also in {@link ZERO_WIDTH}. Without the `u` flag too.
 */
export const JOINERS = String.raw`\u200C\u200D`;

/**
 * Zero-width characters, which show nothing inside a word: the soft hyphen (U+00AD, shown only
 * where a line breaks at it), the zero-width space (U+200B), the {@link JOINERS}, the word joiner
 * (U+2060) and the byte-order mark, or zero-width no-break space (U+FEFF). All are format
 * characters (general category Cf), so {@link SHOWS_NOTHING} holds them too; these are the ones a
 * paste from a wiki, Word or a web page puts inside a word. Without the `u` flag too.
 */
export const ZERO_WIDTH = String.raw`\u00AD\u200B${JOINERS}\u2060\uFEFF`;

/**
 * Bidi controls: the embeddings and overrides (U+202A–202E), the isolates (U+2066–2069), the
 * left-to-right and right-to-left marks (U+200E, U+200F) and the Arabic letter mark (U+061C). A
 * U+202E in a name or reason reverses the rest of its line wherever it is shown ("aks-\u202Edorp"
 * reads "aks-prod"). Format characters (Cf), so {@link SHOWS_NOTHING} holds them too. Without
 * the `u` flag too.
 */
export const BIDI_CONTROLS = String.raw`\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069`;

/**
 * Variation selectors (U+FE00–FE0F, U+E0100–E01EF): they pick a glyph for the character before
 * them (❤ U+FE0F is the red heart emoji) and show nothing by themselves. Default-ignorable, so in
 * {@link SHOWS_NOTHING}; cleaning keeps one right after a visible character. Needs the `u` flag.
 */
export const VARIATION_SELECTORS = String.raw`\uFE00-\uFE0F\u{E0100}-\u{E01EF}`;

/**
 * Every character that shows nothing: controls (Cc), format characters (Cf: the
 * {@link ZERO_WIDTH} ones, the {@link BIDI_CONTROLS}, tag characters, invisible operators…), the
 * other default-ignorable code points (the Hangul fillers U+115F, U+1160, U+3164 and U+FFA0, the
 * combining grapheme joiner U+034F, the {@link VARIATION_SELECTORS}…), plus the braille blank
 * U+2800, a symbol that prints as a space. Holds the {@link JOINERS} and the variation selectors:
 * a user that keeps them says so (text.ts does). Needs the `u` flag.
 */
export const SHOWS_NOTHING = String.raw`\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800`;
