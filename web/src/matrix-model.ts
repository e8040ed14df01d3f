/**
 * What the access matrix shows, without the page: the filters, the rows they pass, and the grid's
 * axes and cells. Resource ids compare in any case (ARM ids are case-insensitive; the API lists
 * an axis entry once whatever the case, and each row keeps its own spelling).
 */
import { compareCodeUnits } from '../../src/domain/code-unit-order';
import { searchFold } from '../../src/domain/search-fold';
import { askedByKey, expiryKey, idKey, sameId, shownBadge, shownState, SHOWN_RANK, STATE_RANK } from './format';
import { compareNames } from './name-order';
import type { MatrixData, PullState, Row } from './types';

/** Filter and sort choices. */
export interface MatrixFilters {
  cluster: string;
  registry: string;
  requester: string;
  state: string;
  q: string;
  sort: 'expiry' | 'cluster' | 'newest';
}

/**
 * Each row's searched text, folded ({@link searchFold}) once per row: the matrix searches on every
 * keystroke, over thousands of rows (docs/performance.md: 800 live grants and 3,000 ended), and
 * decomposing each field again for each letter typed would make typing lag. Keyed by the row
 * itself: a load or an action gives a new row object (row-after-action.ts), never a changed one,
 * and a row the matrix no longer holds is collected with its entry.
 */
const foldedRows = new WeakMap<Row, readonly string[]>();

function foldedFields(r: Row): readonly string[] {
  let fields = foldedRows.get(r);
  if (!fields) {
    fields = [
      r.cluster.name,
      r.registry.name,
      r.registry.loginServer,
      r.requester?.name,
      r.reason,
      r.requestId,
      r.howText,
    ]
      .filter((t): t is string => Boolean(t))
      .map(searchFold);
    foldedRows.set(r, fields);
  }
  return fields;
}

/**
 * Whether `row` matches the search words `q` (trimmed; empty matches all): its cluster, registry,
 * requester, reason, request id or how it pulls contain them, both sides folded by
 * {@link searchFold} (any case, with or without accents, composed or not, full-width or not:
 * "zoe" finds Zoë, "isil" Işıl, "strauss" Strauß). The matrix's Search, and the one above
 * "Waiting for your approval".
 */
export function searchMatches(r: Row, q: string): boolean {
  return foldedMatches(r, searchFold(q).trim());
}

/** {@link searchMatches} with the words already folded and trimmed: a filter folds them once, not once per row. */
function foldedMatches(r: Row, words: string): boolean {
  return !words || foldedFields(r).some((t) => t.includes(words));
}

/** Rows that pass the filters, sorted. */
export function filterRows(rows: readonly Row[], f: MatrixFilters): Row[] {
  const words = searchFold(f.q).trim();
  const out = rows.filter(
    (r) =>
      // Resource ids in any case: a row may spell its place otherwise than the axis entry.
      (!f.cluster || sameId(r.cluster.id, f.cluster)) &&
      (!f.registry || sameId(r.registry.id, f.registry)) &&
      (!f.requester || askedByKey(r) === f.requester) &&
      // What its badge says (format.ts shownState): a gone cluster's grant is not "Active".
      (!f.state || shownState(r) === f.state) &&
      foldedMatches(r, words),
  );
  // Each row's expiry key once, not twice per comparison (a large matrix sorts thousands of rows).
  const expiry = f.sort === 'expiry' ? new Map(out.map((r) => [r, expiryKey(r)])) : undefined;
  // Names in the user's language (name-order.ts); expiry keys, times and row keys are no words,
  // and compare as written (ISO times in order), the same in every language.
  const by: Record<MatrixFilters['sort'], (a: Row, b: Row) => number> = {
    expiry: (a, b) => asWritten(expiry!.get(a)!, expiry!.get(b)!) || asWritten(a.key, b.key),
    cluster: (a, b) => compareNames(a.cluster.name, b.cluster.name) || compareNames(a.registry.name, b.registry.name),
    newest: (a, b) => asWritten(b.createdAt ?? '', a.createdAt ?? ''),
  };
  return out.sort(by[f.sort]);
}

/** Strings that are no words (ISO times, keys) in the order of their characters' codes. */
const asWritten = compareCodeUnits;

/** The state a cell shows for its rows. */
export function cellState(rows: readonly Row[]): PullState {
  return STATE_RANK.find((s) => rows.some((r) => r.state === s)) ?? 'closed';
}

/**
 * The badge a cell shows: that of the first of its rows' shown states (format.ts `shownState`,
 * the rows' own badges) in {@link SHOWN_RANK}'s order, so it names what needs attention first in
 * the rows' words. "Not in Azure's listing yet" only when every drifted row is a grant made
 * moments ago that Azure's listing does not show yet, as the access card's cell reads; one drifted
 * row of any other kind makes it that kind's ("Removed outside acrbot" first). "Cluster gone"
 * only when no grant in it pulls (active or expiring with its cluster there). "Closed" (as their
 * cards say) for closed rows that are all extensions closed with the access they extend
 * (`closedWithItsAccess`). Its `state` is the state of the rows it names ({@link cellState}).
 */
export function cellBadge(rows: readonly Row[]): { state: PullState; label: string; className: string } {
  const shown = SHOWN_RANK.find((s) => rows.some((r) => shownState(r) === s)) ?? 'closed';
  const state = cellState(rows.filter((r) => shownState(r) === shown));
  // "Closed" only when the cell has closed rows and every one is an extension
  // closed with the access it extends (an empty cell falls back to closed too).
  const closed = rows.filter((r) => r.state === 'closed');
  const closedWithAccess = shown === 'closed' && closed.length > 0 && closed.every((r) => r.closedWithItsAccess);
  return { state, ...shownBadge(shown, closedWithAccess) };
}

/**
 * The identity of a cell (its button's `data-cell`), by which the drawer gives focus back to it
 * after the grid is drawn anew: the resource ids, since two clusters or registries may share a
 * name (other resource groups or subscriptions). Lower case: Azure resource ids are
 * case-insensitive, and one read may spell a segment otherwise than the next.
 */
export function cellKey(clusterId: string, registryId: string): string {
  return `${idKey(clusterId)}|${idKey(registryId)}`;
}

/** What the grid shows: its axes and the rows of each cell, by {@link cellKey}. */
export interface GridModel {
  clusters: MatrixData['clusters'];
  registries: MatrixData['registries'];
  cells: Map<string, Row[]>;
}

/**
 * The grid's axes and cells: every cluster and registry when nothing is filtered, else only
 * those with matching entries. Ids compare in any case (ARM ids are case-insensitive; the API
 * lists an axis entry once, each row keeps its own spelling), so no row is dropped from its cell.
 */
export function gridModel(
  data: Pick<MatrixData, 'clusters' | 'registries'>,
  rows: readonly Row[],
  filtered: boolean,
): GridModel {
  const cells = new Map<string, Row[]>();
  for (const r of rows) {
    const k = cellKey(r.cluster.id, r.registry.id);
    const list = cells.get(k);
    if (list) list.push(r);
    else cells.set(k, [r]);
  }
  const clusterIds = new Set(rows.map((r) => idKey(r.cluster.id)));
  const registryIds = new Set(rows.map((r) => idKey(r.registry.id)));
  return {
    clusters: filtered ? data.clusters.filter((c) => clusterIds.has(idKey(c.id))) : data.clusters,
    registries: filtered ? data.registries.filter((r) => registryIds.has(idKey(r.id))) : data.registries,
    cells,
  };
}
