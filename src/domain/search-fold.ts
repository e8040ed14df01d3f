/**
 * Text as a search compares it. Names and reasons come from people who write Zoë, İsmail, Işıl,
 * Strauß or full-width Ｚｏｅ, and who type the same words without the accent (a keyboard without
 * it), composed or not (macOS and some pickers send "e" + U+0308 for ë), or in another case. A
 * search that only lower-cased missed all of them. Pure, with no imports: the tab's page loads it
 * (web/src/matrix-model.ts), and anything else that searches the same text must fold it the same
 * way, so the two agree on what matches.
 */

/** Combining marks (accents, diaeresis, the dot of İ once decomposed, Arabic hamza). */
const MARKS = /\p{M}/gu;

/**
 * `text` folded for a search: compatibility-decomposed (NFKD: full-width letters and digits become
 * ASCII, ligatures their letters, ë is e plus its mark), combining marks dropped, lower-cased, and
 * the letters that neither step maps to their plain forms: Turkish dotless ı to i, ß (and ẞ, which
 * lower-cases to it) to ss, Greek final ς to σ. Fold both sides: a search for `searchFold(q)` in
 * `searchFold(text)` finds "zoe" in "Zoë Ångström", "ismail" in "İsmail", "isil" in "Işıl",
 * "strauss" in "Strauß". Not a transliteration: "mueller" does not find "Müller", nor "李小龙"
 * "李小龍".
 */
export function searchFold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(MARKS, '')
    .toLowerCase()
    .replace(/ı/g, 'i')
    .replace(/ß/g, 'ss')
    .replace(/ς/g, 'σ');
}
