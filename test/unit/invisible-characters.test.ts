/**
 * The characters that show nothing are named once (domain/invisible-characters.ts) and read the
 * same everywhere: a request id through a zero-width character, a CSV cell's hidden formula
 * behind one, a name or reason cleaned of them. The CSV guard once had its own zero-width set,
 * without the soft hyphen the id reader had: "\u00AD=1+2" reached a spreadsheet unguarded.
 */
import { csvCell } from '../../src/audit-cli/csv';
import {
  BIDI_CONTROLS,
  JOINERS,
  SHOWS_NOTHING,
  VARIATION_SELECTORS,
  ZERO_WIDTH,
} from '../../src/domain/invisible-characters';
import { readIdWord } from '../../src/domain/request-id-word';
import { hasInvisible, singleLine, withoutBidiControls } from '../../src/domain/text';

/**
 * The code points a character class matches, `u` flag on (as SHOWS_NOTHING needs): in the Basic
 * Multilingual Plane and the plane of tags and variation selectors, where the sets' ranges are.
 */
function members(characterClass: string): number[] {
  const pattern = new RegExp(`^[${characterClass}]$`, 'u');
  const found: number[] = [];
  for (const [from, to] of [
    [0, 0xd7ff],
    [0xe000, 0xffff],
    [0xe0000, 0xe0fff],
  ] as const)
    for (let cp = from; cp <= to; cp++) if (pattern.test(String.fromCodePoint(cp))) found.push(cp);
  return found;
}

const hex = (cps: readonly number[]) => cps.map((cp) => cp.toString(16).toUpperCase().padStart(4, '0'));

describe('the sets, as documented', () => {
  test.each<[string, string, string[]]>([
    ['JOINERS', JOINERS, ['200C', '200D']],
    ['ZERO_WIDTH', ZERO_WIDTH, ['00AD', '200B', '200C', '200D', '2060', 'FEFF']],
    [
      'BIDI_CONTROLS',
      BIDI_CONTROLS,
      ['061C', '200E', '200F', '202A', '202B', '202C', '202D', '202E', '2066', '2067', '2068', '2069'],
    ],
  ])('%s holds exactly its documented characters', (_name, set, expected) => {
    expect(hex(members(set))).toEqual(expected);
  });

  test('variation selectors: U+FE00–FE0F and U+E0100–E01EF', () => {
    const found = members(VARIATION_SELECTORS);
    expect(found).toHaveLength(16 + 240);
    expect(hex([found[0]!, found[15]!, found[16]!, found.at(-1)!])).toEqual(['FE00', 'FE0F', 'E0100', 'E01EF']);
  });

  test.each([
    ['ZERO_WIDTH', ZERO_WIDTH],
    ['BIDI_CONTROLS', BIDI_CONTROLS],
    ['VARIATION_SELECTORS', VARIATION_SELECTORS],
  ])('every character of %s shows nothing (SHOWS_NOTHING holds it)', (_name, set) => {
    const shows = new RegExp(`^[${SHOWS_NOTHING}]$`, 'u');
    expect(hex(members(set).filter((cp) => !shows.test(String.fromCodePoint(cp))))).toEqual([]);
  });

  test('zero-width and bidi controls are format characters (Cf)', () => {
    const format = /^\p{Cf}$/u;
    expect(
      hex([...members(ZERO_WIDTH), ...members(BIDI_CONTROLS)].filter((cp) => !format.test(String.fromCodePoint(cp)))),
    ).toEqual([]);
  });
});

describe('each user reads the one set', () => {
  const zeroWidth = members(ZERO_WIDTH).map((cp) => String.fromCodePoint(cp));
  const bidi = members(BIDI_CONTROLS).map((cp) => String.fromCodePoint(cp));

  test.each(zeroWidth.map((c) => [hex([c.codePointAt(0)!])[0]!, c]))(
    'U+%s: a request id is read through it, a formula behind it is guarded in a CSV cell',
    (_cp, c) => {
      expect(readIdWord(`R-7K2M${c}9QXA`)).toBe('R-7K2M9QXA');
      expect(csvCell(`${c}=1+2`)).toBe(`'${c}=1+2`);
      expect(csvCell(` ${c}@SUM(A1)`)).toBe(`' ${c}@SUM(A1)`);
    },
  );

  test('the soft hyphen, which the CSV guard once lacked, before a sign: the cell is guarded', () => {
    expect(csvCell('\u00AD=HYPERLINK("http://x")')).toBe('"\'\u00AD=HYPERLINK(""http://x"")"');
  });

  test.each(bidi.map((c) => [hex([c.codePointAt(0)!])[0]!, c]))(
    'U+%s: dropped from a CSV cell and by withoutBidiControls, and a formula behind it is guarded',
    (_cp, c) => {
      expect(withoutBidiControls(`aks-${c}dorp`)).toBe('aks-dorp');
      expect(csvCell(`${c}=1+2`)).toBe(`'=1+2`);
    },
  );

  test('cleaning drops every zero-width character and bidi control but a joiner between two letters', () => {
    for (const c of [...zeroWidth, ...bidi]) {
      expect(hasInvisible(c)).toBe(!/[\u200C\u200D]/.test(c));
      expect(singleLine(`a${c}`)).toBe('a');
      expect(singleLine(`ab${c}cd`)).toBe(/[\u200C\u200D]/.test(c) ? `ab${c}cd` : 'abcd');
    }
  });

  test('a character outside the sets is left as it is: a no-break space is no zero-width character', () => {
    expect(readIdWord('R-7K2M\u00A09QXA')).toBe('R-7K2M\u00A09QXA');
    expect(withoutBidiControls('a\u00A0b')).toBe('a\u00A0b');
  });
});
