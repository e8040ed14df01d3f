/**
 * The matrix's filters sit in a disclosure (web/src/matrix.ts): closed at a phone's width, so the
 * first screen shows the grid rather than six fields and a button, open on a wider window, and
 * as the user last left it after a reload of the data. Its summary says how many filters are set
 * (the sort is none), so rows narrowed by closed filters are not taken for all. In Teams' phone
 * and tablet apps, which save no file the page makes (host.ts), Export CSV is replaced by where
 * the export works.
 *
 * Drawn in jsdom (support/jsdom-page.ts), which has no `matchMedia`: each test gives the page one.
 */
import type { MatrixData, Me, Row } from '../../web/src/types';
import { useJsdomPage } from './support/jsdom-page';
import { until } from './support/web-context';

const { window } = useJsdomPage();
type RenderMatrix = (root: unknown, data: MatrixData, ctx: unknown) => void;

const CLUSTER = { id: '/subscriptions/s1/resourceGroups/rg/providers/x/managedClusters/aks-prod', name: 'aks-prod' };
const REGISTRY = { id: '/subscriptions/s1/resourceGroups/rg/providers/y/registries/contosoacr', name: 'contosoacr' };
const row = (key: string, state: Row['state']): Row => ({
  key,
  kind: 'grant',
  how: 'acrbot-role',
  howText: 'AcrPull role on the registry by acrbot',
  state,
  cluster: { ...CLUSTER, subscriptionId: 's1' },
  registry: REGISTRY,
  requestId: key,
  approvers: [],
});
const data: MatrixData = {
  clusters: [{ ...CLUSTER, subscriptionId: 's1' }],
  registries: [REGISTRY],
  unresolvedClusters: [],
  generatedAt: 'g',
  rows: [row('R-1', 'active'), row('R-2', 'revoked')],
};
const me = { user: { objectId: 'o', name: 'Alex', tenantId: 't' }, roles: { approver: true } } as unknown as Me;

/** The page's matrix module, loaded afresh (its kept filters and open state start over). */
function freshMatrix(): RenderMatrix {
  let render: RenderMatrix | undefined;
  jest.isolateModules(() => {
    render = (require('../../web/src/matrix') as { renderMatrix: RenderMatrix }).renderMatrix;
  });
  return render!;
}

/** A window `width` px wide, as `matchMedia` answers the page's max-width query. */
function windowOf(width: number): void {
  (globalThis as { matchMedia?: unknown }).matchMedia = (query: string) => ({
    matches: Number(/max-width: (\d+)px/.exec(query)![1]) >= width,
  });
}
afterEach(() => {
  delete (globalThis as { matchMedia?: unknown }).matchMedia;
});

const $ = (selector: string): any => window.document.querySelector(selector);
const root = () => window.document.getElementById('app');

test("at a phone's width the filters start closed, the summary counting those set; a reload keeps them as left", async () => {
  windowOf(360);
  const render = freshMatrix();
  const ctx = { host: {}, me, changed: () => undefined };
  render(root(), data, ctx);
  expect($('details.filters-box').open).toBe(false);
  expect($('details.filters-box > summary').textContent).toBe('Filters (none set)');
  // The grid and the count are outside it: shown with the filters closed.
  expect($('details.filters-box .grid-wrap')).toBeNull();
  expect($('details.filters-box .count')).toBeNull();

  $('#f-state').value = 'active';
  $('#f-state').dispatchEvent(new window.Event('change'));
  expect($('details.filters-box > summary').textContent).toBe('Filters (1 set)');
  $('#f-q').value = 'aks';
  $('#f-q').dispatchEvent(new window.Event('input'));
  expect($('details.filters-box > summary').textContent).toBe('Filters (2 set)');
  // The sort narrows nothing.
  $('#f-sort').value = 'newest';
  $('#f-sort').dispatchEvent(new window.Event('change'));
  expect($('details.filters-box > summary').textContent).toBe('Filters (2 set)');
  $('#f-q').value = '  ';
  $('#f-q').dispatchEvent(new window.Event('input'));
  expect($('details.filters-box > summary').textContent).toBe('Filters (1 set)');

  // Opened by the user, then the data reloads (after an action): still open, still counting.
  let toggled = false;
  $('details.filters-box').addEventListener('toggle', () => (toggled = true));
  $('details.filters-box').open = true;
  await until(() => toggled);
  render(root(), data, ctx);
  expect($('details.filters-box').open).toBe(true);
  expect($('details.filters-box > summary').textContent).toBe('Filters (1 set)');
});

test.each([
  ['on a wider window', () => windowOf(1024)],
  ['where the page cannot ask the width', () => undefined],
])('%s the filters start open', (_name, setUp) => {
  setUp();
  freshMatrix()(root(), data, { host: {}, me, changed: () => undefined });
  expect($('details.filters-box').open).toBe(true);
});

test("in Teams' phone and tablet apps no Export CSV button, but where the export works; elsewhere the button", () => {
  const render = freshMatrix();
  render(root(), data, { host: { inTeams: true, savesNoFiles: true }, me, changed: () => undefined });
  expect($('#export-csv')).toBeNull();
  expect($('#export-csv-elsewhere').textContent).toBe(
    'CSV export: in Teams on a computer or in a browser (the mobile app cannot save files).',
  );
  render(root(), data, { host: { inTeams: true }, me, changed: () => undefined });
  expect($('#export-csv').textContent).toBe('Export CSV');
  expect($('#export-csv-elsewhere')).toBeNull();
});

test('the Teams clients that save no file the page makes: all but desktop, web and macOS (phones, tablets, room devices, types added later)', () => {
  const { savesNoFiles } = require('../../web/src/host') as { savesNoFiles(clientType?: string): boolean };
  const clients = ['ios', 'ipados', 'android', 'teamsRoomsAndroid', 'teamsPhones', 'visionOS', 'aNewOne'];
  expect(clients.map(savesNoFiles)).toEqual(clients.map(() => true));
  expect(['desktop', 'web', 'macos', undefined].map(savesNoFiles)).toEqual([false, false, false, false]);
});
