/**
 * The tab sorts names in the user's language (Teams' locale, else the browser's), digits as
 * numbers, through one collator made once rather than one per comparison: the matrix's "Cluster
 * and registry" sort, its axes as loaded, the Requester list. Times and keys are no words: they
 * sort the same in every language, and ties fall as before (row key, registry, the API's order).
 */
import { loadMatrix } from '../../web/src/matrix-loader';
import { filterRows, type MatrixFilters } from '../../web/src/matrix-model';
import { byName, compareNames, sortNamesIn } from '../../web/src/name-order';
import type { Row } from '../../web/src/types';

const row = (key: string, over: Partial<Row> = {}): Row => ({
  key,
  kind: 'grant',
  how: 'acrbot-role',
  howText: 'AcrPull role on the registry by acrbot',
  state: 'active',
  cluster: { id: `/c/${key}`, name: 'aks', subscriptionId: 's1' },
  registry: { id: '/r/acr', name: 'acr' },
  approvers: [],
  ...over,
});
const place = (cluster: string, registry = 'acr') => ({
  cluster: { id: `/c/${cluster}`, name: cluster, subscriptionId: 's1' },
  registry: { id: `/r/${registry}`, name: registry },
});
const none: MatrixFilters = { cluster: '', registry: '', requester: '', state: '', q: '', sort: 'cluster' };
const sorted = (rows: Row[], sort: MatrixFilters['sort']) => filterRows(rows, { ...none, sort }).map((r) => r.key);

afterEach(() => {
  jest.restoreAllMocks();
  sortNamesIn('en');
});

describe('names in the user’s language', () => {
  test('Swedish puts Ö after Z, German beside O; digits as numbers in both', () => {
    const names = ['Zeta', 'Östra', 'Oslo', 'aks-10', 'aks-2'];
    sortNamesIn('sv-se');
    expect(byName(names.map((name) => ({ name }))).map((x) => x.name)).toEqual([
      'aks-2',
      'aks-10',
      'Oslo',
      'Zeta',
      'Östra',
    ]);
    sortNamesIn('de-de');
    expect(byName(names.map((name) => ({ name }))).map((x) => x.name)).toEqual([
      'aks-2',
      'aks-10',
      'Oslo',
      'Östra',
      'Zeta',
    ]);
  });

  test('the matrix’s cluster sort follows it; same names keep their order (registry, then as listed)', () => {
    const rows = [
      row('k1', place('Östra')),
      row('k2', place('Zeta', 'b-acr')),
      row('k3', place('Zeta', 'a-acr')),
      row('k4', place('Oslo')),
      row('k5', place('Oslo')),
    ];
    sortNamesIn('sv');
    expect(sorted(rows, 'cluster')).toEqual(['k4', 'k5', 'k3', 'k2', 'k1']);
    sortNamesIn('de');
    expect(sorted(rows, 'cluster')).toEqual(['k4', 'k5', 'k1', 'k3', 'k2']);
  });

  test('names the collator reads as one number ("aks-01", "aks-1") are two clusters: their rows do not mix', () => {
    const rows = [
      row('k1', place('aks-01', 'acrb')),
      row('k2', place('aks-1', 'acra')),
      row('k3', place('aks-01', 'acra')),
      row('k4', place('aks-1', 'acrb')),
    ];
    sortNamesIn('en-us');
    expect(sorted(rows, 'cluster')).toEqual(['k3', 'k1', 'k2', 'k4']);
    expect(compareNames('aks-01', 'aks-1')).not.toBe(0);
    expect(compareNames('aks-1', 'aks-01')).toBe(-compareNames('aks-01', 'aks-1'));
    expect(compareNames('aks-1', 'aks-1')).toBe(0);
  });

  test('expiry and newest compare times as written, ties by row key, the same in every language', () => {
    const rows = [
      row('R-B2', { expiresAt: '2026-03-01T00:00:00.000Z', createdAt: '2026-01-02T00:00:00.000Z' }),
      // No end: after every end ("2" after "1…", not as the number 12026).
      row('R-Z', { createdAt: '2026-01-03T00:00:00.000Z' }),
      row('R-A10', { expiresAt: '2026-03-01T00:00:00.000Z', createdAt: '2026-01-01T00:00:00.000Z' }),
      row('R-A9', { expiresAt: '2026-02-01T00:00:00.000Z', createdAt: '2026-01-04T00:00:00.000Z' }),
    ];
    for (const locale of ['en', 'sv', 'de']) {
      sortNamesIn(locale);
      expect(sorted(rows, 'expiry')).toEqual(['R-A9', 'R-A10', 'R-B2', 'R-Z']);
      expect(sorted(rows, 'newest')).toEqual(['R-A9', 'R-Z', 'R-B2', 'R-A10']);
    }
  });

  test('one collator for every comparison: a sort of many rows makes none', () => {
    sortNamesIn('sv');
    const made = jest.spyOn(Intl, 'Collator');
    const rows = Array.from({ length: 500 }, (_, i) => row(`k${i}`, place(`aks-${(i * 7919) % 500}`)));
    expect(sorted(rows, 'cluster')).toHaveLength(500);
    expect(compareNames('a', 'b')).toBeLessThan(0);
    expect(made).not.toHaveBeenCalled();
  });

  test('a locale Intl does not know sorts in the default one instead of stopping the page', () => {
    expect(() => sortNamesIn('not a tag!')).not.toThrow();
    expect(compareNames('aks-2', 'aks-10')).toBeLessThan(0);
  });
});

describe('the matrix’s axes as loaded', () => {
  test('in the user’s language, those of one name in the API’s order (by id)', async () => {
    // Not in Swedish order; the two named Oslo as the API gave them (by id).
    const clusters = [
      { id: '/c/oslo-1', name: 'Oslo', subscriptionId: 's1' },
      { id: '/c/ostra', name: 'Östra', subscriptionId: 's1' },
      { id: '/c/oslo-2', name: 'Oslo', subscriptionId: 's2' },
      { id: '/c/zeta', name: 'Zeta', subscriptionId: 's1' },
    ];
    jest.spyOn(globalThis, 'fetch').mockImplementation(
      async () =>
        new Response(
          JSON.stringify({
            clusters,
            registries: [
              { id: '/r/acr10', name: 'acr10' },
              { id: '/r/acr2', name: 'acr2' },
            ],
            unresolvedClusters: [],
            rows: [],
            total: 0,
            offset: 0,
            generatedAt: 'g1',
          }),
          { status: 200, headers: { 'Content-Type': 'application/json' } },
        ),
    );
    sortNamesIn('sv');
    const data = await loadMatrix({ token: async () => 't' });
    expect(data.clusters.map((c) => c.id)).toEqual(['/c/oslo-1', '/c/oslo-2', '/c/zeta', '/c/ostra']);
    expect(data.registries.map((r) => r.name)).toEqual(['acr2', 'acr10']);
  });
});
