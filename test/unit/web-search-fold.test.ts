/**
 * The tab's search (the matrix's, and the one above "Waiting for your approval") folds both the
 * words typed and the rows' text (domain/search-fold.ts): "zoe" finds Zoë whether the name was
 * stored composed or not, "ismail" finds İsmail, "isil" Işıl, "strauss" Strauß, and full-width
 * letters their ASCII. Before, it only lower-cased, and missed them all. The rows' text is folded
 * once per row, not again for each letter typed over thousands of rows.
 */
import { searchFold } from '../../src/domain/search-fold';
import { filterRows, type MatrixFilters, searchMatches } from '../../web/src/matrix-model';
import type { Row } from '../../web/src/types';

const row = (key: string, over: Partial<Row> = {}): Row => ({
  key,
  kind: 'grant',
  how: 'acrbot-role',
  howText: 'AcrPull role on the registry by acrbot',
  state: 'active',
  cluster: {
    id: `/subscriptions/s1/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c-${key}`,
    name: 'aks-prod',
    subscriptionId: 's1',
  },
  registry: {
    id: '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/contosoacr',
    name: 'contosoacr',
  },
  approvers: [],
  requestId: `R-${key}`,
  reason: 'deploy payments-api',
  ...over,
});

const asked = (name: string) => row('1', { requester: { objectId: 'o-1', name } as Row['requester'] });

describe('a search finds a name however either side spells its letters', () => {
  test.each([
    ['Zoë Ångström', 'zoe'],
    ['Zoë Ångström', 'angstrom'],
    ['Zoë Ångström', 'ZOË'],
    // Stored decomposed (e + U+0308), typed composed, and the other way round.
    ['Zoe\u0308 Ångström', 'zoë'],
    ['Zoë', 'zoe\u0308'],
    ['İsmail Öztürk', 'ismail'],
    ['İsmail Öztürk', 'İsmail'],
    ['İsmail Öztürk', 'ozturk'],
    ['ismail', 'İSMAİL'],
    ['Işıl Yılmaz', 'isil'],
    ['Işıl Yılmaz', 'IŞIL'],
    ['Strauß', 'strauss'],
    ['Strauß', 'STRAUSS'],
    ['STRAUẞ', 'strauß'],
    ['Jörg Müller-Lüdenscheidt', 'muller'],
    ['Ｚｏｅ', 'zoe'],
    ['Zoe', 'Ｚｏｅ'],
    ['ΟΔΥΣΣΕΥΣ', 'οδυσσευς'],
    ['Οδυσσευς', 'οδυσσευσ'],
    ['محمد الأحمد', 'احمد'],
  ])('%j is found by %j', (name, q) => {
    expect(searchMatches(asked(name), q)).toBe(true);
    expect(filterRows([asked(name)], { ...none, q })).toHaveLength(1);
  });

  test.each([
    ['Zoë Ångström', 'zoey'],
    ['Strauß', 'straus s'],
    // Not a transliteration: ü is u, not ue.
    ['Jörg Müller', 'mueller'],
  ])('%j is not found by %j', (name, q) => {
    expect(searchMatches(asked(name), q)).toBe(false);
  });

  test('the other searched fields fold too: a full-width request id, an accented reason', () => {
    const r = row('7K2M9QXA', { reason: 'Déploiement de l’équipe Zürich' });
    expect(searchMatches(r, 'Ｒ－７Ｋ２Ｍ')).toBe(true);
    expect(searchMatches(r, 'equipe zurich')).toBe(true);
    expect(searchMatches(r, '  ')).toBe(true);
  });
});

const none: MatrixFilters = { cluster: '', registry: '', requester: '', state: '', q: '', sort: 'expiry' };

test("a row's text is folded once, not again for each letter typed: a search over 1,000 rows decomposes the words alone", () => {
  const rows = Array.from({ length: 1000 }, (_, i) =>
    row(String(i), { requester: { objectId: `o-${i}`, name: `Zoë ${i}` } as Row['requester'] }),
  );
  const normalize = jest.spyOn(String.prototype, 'normalize');
  try {
    // The first search folds each row's fields once.
    expect(filterRows(rows, { ...none, q: 'z' })).toHaveLength(1000);
    expect(normalize.mock.calls.length).toBeGreaterThan(1000);
    // Each letter typed after that folds only the words.
    for (const q of ['zo', 'zoe', 'zoe 9', 'zoe 99']) {
      normalize.mockClear();
      const shown = filterRows(rows, { ...none, q });
      expect(shown.length).toBeGreaterThan(0);
      expect(normalize).toHaveBeenCalledTimes(1);
    }
  } finally {
    normalize.mockRestore();
  }
});

test('searchFold maps each spelling of a name to one text', () => {
  const one = (...spellings: string[]) => new Set(spellings.map(searchFold)).size;
  expect(one('Zoë', 'Zoe\u0308', 'ZOË', 'zoe', 'Ｚｏｅ')).toBe(1);
  expect(one('İsmail', 'ismail', 'ISMAIL', 'ısmaıl')).toBe(1);
  expect(one('Strauß', 'STRAUẞ', 'strauss')).toBe(1);
});
