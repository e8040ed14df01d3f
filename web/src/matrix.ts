/**
 * The channel tab "Access matrix": clusters × registries, each cell saying how the cluster pulls
 * and in what state; filters (cluster, registry, requester, state), search, sort by expiry, CSV
 * export of exactly the rows shown (in a disclosure, closed at a phone's width), and the history
 * drawer of a cell.
 */
import { rowsCsv, download } from './csv';
import { h, replace } from './dom';
import {
  askedBy,
  askedByKey,
  axisLabels,
  clusterGoneLine,
  driftLine,
  type PlaceLabels,
  rowTitle,
  endText,
  howAndWho,
  howShort,
  labelOf,
  LIVE_STATES,
  stateFilterLabel,
  SHOWN_RANK,
  shownState,
} from './format';
import { type DrawerContext, openHistory, rowItem } from './history';
import { cellBadge, cellKey, filterRows, gridModel, type MatrixFilters } from './matrix-model';
import { compareNames } from './name-order';
import type { MatrixData, Row } from './types';
import { now as serverNow } from './clock';

const EMPTY: MatrixFilters = { cluster: '', registry: '', requester: '', state: '', q: '', sort: 'expiry' };

/** The filters of the page, kept across reloads of its data (one matrix per page). */
const keptFilters: MatrixFilters = { ...EMPTY };

/**
 * The width (styles.css's) at which the filters start closed: at a phone's width their six
 * fields fill the first screen, and the grid, what the page is for, would start below it.
 */
const NARROW = '(max-width: 420px)';
/** Whether the filters are open, as the user last left them (kept across reloads of the data). */
let keptOpen: boolean | undefined;

/** How many filters narrow the rows shown (the sort is none): said on the closed filters. */
function filtersSet(filters: MatrixFilters): number {
  return [filters.cluster, filters.registry, filters.requester, filters.state, filters.q.trim()].filter(Boolean).length;
}

/** Renders the matrix page into `root`. */
export function renderMatrix(root: HTMLElement, data: MatrixData, ctx: DrawerContext): void {
  // The filters in force survive a reload of the data (after a revoke or an extension).
  const filters = keptFilters;
  const clusterLabels = axisLabels(data.clusters);
  const registryLabels = axisLabels(data.registries);
  const requesters = new Map<string, string>();
  for (const r of data.rows) {
    const who = askedBy(r);
    requesters.set(askedByKey(r), r.requester ? who : who[0].toUpperCase() + who.slice(1));
  }

  const select = (
    id: keyof MatrixFilters,
    label: string,
    options: Array<[string, string]>,
    all = 'All',
    cls = 'field',
  ): HTMLElement => {
    const el = h(
      'select',
      { attrs: { id: `f-${id}`, name: id } },
      ...(all ? [h('option', { attrs: { value: '' } }, all)] : []),
      ...options.map(([v, t]) => h('option', { attrs: { value: v } }, t)),
    );
    // A kept value no longer offered (its last row gone) falls back to the first option ("All"):
    // setting an unknown value selects nothing, and the list would show blank, named by nothing.
    el.value = filters[id];
    if (el.selectedIndex < 0) el.selectedIndex = 0;
    (filters as unknown as Record<string, string>)[id] = el.value;
    el.addEventListener('change', () => {
      (filters as unknown as Record<string, string>)[id] = el.value;
      update();
    });
    return h('div', { class: cls }, h('label', { attrs: { for: `f-${id}` } }, label), el);
  };
  const search = h('input', {
    attrs: { id: 'f-q', type: 'search', name: 'q', placeholder: 'cluster, registry, person, id…' },
  });
  search.value = filters.q;
  search.addEventListener('input', () => {
    filters.q = search.value;
    update();
  });
  const count = h('p', { class: 'count', attrs: { role: 'status', 'aria-live': 'polite' } });
  const exportButton = h('button', { class: 'btn', attrs: { type: 'button', id: 'export-csv' } }, 'Export CSV');
  exportButton.addEventListener('click', () => download('acrbot-access.csv', rowsCsv(shown)));
  // Teams' phone and tablet apps drop the file (host.ts, savesNoFiles): a button that does
  // nothing there is replaced by where the export works.
  const exportField = ctx.host.savesNoFiles
    ? h(
        'p',
        { class: 'note', attrs: { id: 'export-csv-elsewhere' } },
        'CSV export: in Teams on a computer or in a browser (the mobile app cannot save files).',
      )
    : exportButton;

  const bar = h(
    'form',
    {
      class: 'filters',
      attrs: { role: 'search', 'aria-label': 'Filter the matrix' },
      on: { submit: (e) => e.preventDefault() },
    },
    select(
      'cluster',
      'Cluster',
      // Two of one name (other resource groups or subscriptions) are told apart, as on the grid.
      data.clusters.map((c) => [c.id, labelOf(clusterLabels, c)]),
    ),
    select(
      'registry',
      'Registry',
      data.registries.map((r) => [r.id, labelOf(registryLabels, r)]),
    ),
    select(
      'requester',
      'Requester',
      [...requesters].sort((a, b) => compareNames(a[1], b[1])),
    ),
    select(
      'state',
      'State',
      // Only the states some row has: the others could only show "nothing matches".
      // Each as its badges say it (shownState): a gone cluster's grant under "Cluster gone", not "Active".
      SHOWN_RANK.filter((s) => data.rows.some((r) => shownState(r) === s)).map((s) => [
        s,
        stateFilterLabel(s, data.rows),
      ]),
    ),
    h('div', { class: 'field field-wide' }, h('label', { attrs: { for: 'f-q' } }, 'Search'), search),
    select(
      'sort',
      'Sort by',
      [
        ['expiry', 'Expiry (soonest first)'],
        ['cluster', 'Cluster and registry'],
        ['newest', 'Newest request'],
      ],
      '',
      // Two columns wide: its choices ("Expiry (soonest first)") are longer than one column, and
      // a narrower box puts their end under the arrow.
      'field field-wide',
    ),
    h('div', { class: 'field field-button' }, exportField),
  );
  // A disclosure: closed at a phone's width (the first screen then shows the grid), open on a
  // wider one, and as the user last left it after a reload. Its summary says how many are set,
  // so rows narrowed by closed filters are not taken for all of them.
  const summary = h('summary', {});
  const filtersBox = h('details', { class: 'filters-box' }, summary, bar);
  filtersBox.open = keptOpen ?? !(typeof matchMedia === 'function' && matchMedia(NARROW).matches);
  filtersBox.addEventListener('toggle', () => {
    keptOpen = filtersBox.open;
  });
  const grid = h('div', {
    class: 'grid-wrap',
    attrs: { role: 'region', 'aria-label': 'Clusters by registries', tabindex: '0' },
  });
  const list = h('ul', { class: 'rows', attrs: { 'aria-label': 'Entries shown' } });
  // Clusters whose pull identity could not be read are not in the grid: said, not dropped.
  const unresolved = data.unresolvedClusters.length
    ? h(
        'p',
        { class: 'note', attrs: { role: 'note' } },
        `Not shown, their pull identity could not be read: ${data.unresolvedClusters.map((u) => `${u.name} (${u.problem})`).join('; ')}.`,
      )
    : null;
  // acrbot's records read only in part: what may be missing, first so it is not missed.
  const incomplete = data.incomplete ? h('p', { class: 'note', attrs: { role: 'note' } }, data.incomplete) : null;
  replace(
    root,
    filtersBox,
    count,
    ...(incomplete ? [incomplete] : []),
    ...(unresolved ? [unresolved] : []),
    grid,
    h('h2', { class: 'section-title' }, 'Entries'),
    list,
  );

  let shown: Row[] = [];
  function update(): void {
    shown = filterRows(data.rows, filters);
    count.textContent = `${shown.length} of ${data.rows.length} entries shown`;
    const set = filtersSet(filters);
    const filtered = set > 0;
    summary.textContent = `Filters (${set ? `${set} set` : 'none set'})`;
    renderGrid(grid, data, shown, ctx, filtered);
    renderList(list, shown, ctx, { clusters: clusterLabels, registries: registryLabels }, filtered);
    // Nothing shown, nothing to export: a header-only file would only look like a failed export.
    // Disabled, with the reason on the button and in the empty line under Entries.
    exportButton.disabled = shown.length === 0;
    if (shown.length === 0) exportButton.title = 'No entries are shown: nothing to export';
    else exportButton.removeAttribute('title');
  }
  update();
}

/** The grid: every cluster and registry when nothing is filtered, else only those with matching entries. */
function renderGrid(grid: HTMLElement, data: MatrixData, rows: Row[], ctx: DrawerContext, filtered: boolean): void {
  const { clusters, registries, cells } = gridModel(data, rows, filtered);
  const clusterLabels = axisLabels(data.clusters);
  const registryLabels = axisLabels(data.registries);
  if (clusters.length === 0 || registries.length === 0) {
    replace(grid, filtered ? h('p', { class: 'empty' }, 'Nothing matches these filters.') : nothingYet());
    return;
  }
  const head = h('tr', {}, h('th', { class: 'corner', attrs: { scope: 'col' } }, 'Cluster \\ Registry'));
  for (const r of registries)
    head.appendChild(
      h(
        'th',
        { attrs: { scope: 'col', title: r.loginServer ?? r.name } },
        h('span', { class: 'axis-name' }, labelOf(registryLabels, r)),
      ),
    );
  // aria-label is not allowed on a plain span (screen readers skip it and may read the dot).
  const emptyCell = h(
    'td',
    { class: 'cell-empty' },
    h('span', { class: 'sr-only' }, 'no access'),
    h('span', { attrs: { 'aria-hidden': 'true' } }, '·'),
  );
  const body = h('tbody');
  const frag = document.createDocumentFragment();
  for (const c of clusters) {
    const tr = h(
      'tr',
      {},
      h('th', { attrs: { scope: 'row' } }, h('span', { class: 'axis-name' }, labelOf(clusterLabels, c))),
    );
    for (const r of registries) {
      const here = cells.get(cellKey(c.id, r.id));
      if (!here) {
        // Copies of one empty cell: most of a large grid is empty, and copying is cheaper than building.
        tr.appendChild(emptyCell.cloneNode(true));
        continue;
      }
      // Two of one name are told apart as on the axes, in the drawer's title and to screen readers.
      const [clusterName, registryName] = [labelOf(clusterLabels, c), labelOf(registryLabels, r)];
      const badge = cellBadge(here);
      // How it pulls now: an ended way (revoked, expired) is in the drawer, not in the cell's summary.
      const live = here.filter((row) => LIVE_STATES.includes(row.state));
      const hows = [...new Set((live.length ? live : here).map(howShort))];
      tr.appendChild(
        h(
          'td',
          {},
          h(
            'button',
            {
              class: `cell ${badge.className}`,
              attrs: { type: 'button', 'data-cell': cellKey(c.id, r.id), 'aria-haspopup': 'dialog' },
              on: { click: () => openHistory(ctx, `${clusterName} → ${registryName}`, here) },
            },
            // Screen readers hear which cell this is; sighted users see it from the headers.
            h('span', { class: 'sr-only' }, `${clusterName} pulls from ${registryName}: `),
            h('span', { class: 'cell-state' }, badge.label),
            h('span', { class: 'cell-how' }, hows.join(' + ')),
          ),
        ),
      );
    }
    frag.appendChild(tr);
  }
  body.appendChild(frag);
  replace(grid, h('table', { class: 'matrix' }, h('thead', {}, head), body));
}

/**
 * The grid with no filter set and nothing to draw (a requester without requests, or no cluster
 * in reach): there is no access to show yet, and access is asked for in chat.
 */
function nothingYet(): HTMLElement {
  return h(
    'p',
    { class: 'empty' },
    'There is no access to show yet. To ask for access, say in chat to acrbot: ',
    h('code', {}, 'grant CLUSTER REGISTRY REASON…'),
  );
}

function renderList(list: HTMLElement, rows: Row[], ctx: DrawerContext, labels: PlaceLabels, filtered: boolean): void {
  if (rows.length === 0) {
    replace(
      list,
      h(
        'li',
        { class: 'empty' },
        filtered ? 'No entries match these filters; nothing to export.' : 'No entries yet; nothing to export.',
      ),
    );
    return;
  }
  const now = serverNow();
  const frag = document.createDocumentFragment();
  for (const r of rows.slice(0, 500)) {
    frag.appendChild(
      rowItem(
        ctx,
        r,
        rowTitle(r, labels),
        h(
          'p',
          { class: 'row-meta' },
          howAndWho(r),
          r.requestId ? ' · ' : '',
          r.requestId ? h('span', { class: 'nowrap' }, r.requestId) : null,
        ),
        endText(r, now) ? h('p', { class: 'row-meta' }, endText(r, now)) : null,
        driftLine(r) ? h('p', { class: 'row-meta' }, driftLine(r)) : null,
        clusterGoneLine(r) ? h('p', { class: 'row-meta' }, clusterGoneLine(r)) : null,
      ),
    );
  }
  replace(list, frag);
  if (rows.length > 500)
    list.appendChild(h('li', { class: 'note' }, `First 500 of ${rows.length}; narrow the filters.`));
}
