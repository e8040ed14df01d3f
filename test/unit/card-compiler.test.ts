/**
 * The card compiler expands templates exactly as adaptivecards-templating does: the engine's
 * semantics (missing values, types, `$when`, `$data`) are pinned here on small templates, and
 * test/unit/cards.test.ts compares both on every card the views render.
 */
import { Template } from 'adaptivecards-templating';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileCard } from '../../src/views/card-compiler';
import { CARDS_DIR } from '../../src/views/card-templates';

test('every template in cards/ compiles (an unsupported expression fails here, not in a conversation)', () => {
  const files = readdirSync(CARDS_DIR).filter((f) => f.endsWith('.json'));
  expect(files.length).toBeGreaterThanOrEqual(6);
  for (const file of files)
    expect(() => compileCard(JSON.parse(readFileSync(join(CARDS_DIR, file), 'utf8')))).not.toThrow();
});

describe('engine semantics on small templates', () => {
  const both = (template: unknown, data: object) => {
    const expected = new Template(template).expand({ $root: data });
    expect(compileCard(template)(data)).toEqual(expected);
    return expected;
  };

  test('a lone ${…} keeps the type; mixed text stringifies; missing values stay literal', () => {
    expect(
      both(
        {
          n: '${n}',
          b: '${flag}',
          o: '${obj}',
          nul: '${nul}',
          mixed: 'v${n}/${flag}',
          missing: '${gone}',
          part: 'a ${gone}',
        },
        { n: 3, flag: true, obj: { k: 'v' }, nul: null },
      ),
    ).toEqual({ n: 3, b: true, o: { k: 'v' }, nul: null, mixed: 'v3/true', missing: '${gone}', part: 'a ${gone}' });
  });

  test('$when keeps only a boolean true; comparisons with a string constant', () => {
    const w = (cond: unknown, x: number) => ({ $when: cond, x });
    both(
      {
        items: [
          w('${t}', 1),
          w('${one}', 2),
          w('${s}', 3),
          w('${gone}', 4),
          w("${s != ''}", 5),
          w("${e != ''}", 6),
          w("${gone != ''}", 7),
          w("${e == ''}", 8),
          w(false, 9),
          w('text', 10),
          w('${!t}', 11),
          w('${!f}', 12),
          w('${!one}', 13),
          w('${!e}', 14),
          w('${!gone}', 15),
          w('${!nul}', 16),
        ],
        negated: '${!gone}',
        dropped: w('${f}', 99),
      },
      { t: true, f: false, one: 1, s: 'str', e: '', nul: null },
    );
  });

  test('$data repeats per item (none, one, many), rebinds names, keeps $root and $index', () => {
    const item = { $data: '${list}', v: '${$data}', i: '${$index}', r: '${$root.n}', bare: '${n}' };
    for (const list of [[], ['a'], ['a', 'b', 'c']])
      both({ items: [item], single: { $data: '${obj}', k: '${k}' } }, { list, n: 1, obj: { k: 2 } });
  });

  test('user data is never evaluated', () => {
    expect(both({ t: '${text}' }, { text: '${secret}' })).toEqual({ t: '${secret}' });
  });

  test('unsupported expressions are refused when compiling, not at render', () => {
    expect(() => compileCard({ t: '${concat(a, b)}' })).toThrow(/not supported/);
    expect(() => compileCard({ t: '${a + 1}' })).toThrow(/not supported/);
    expect(() => compileCard({ t: '${$host.x}' })).toThrow(/not supported/);
  });
});
