/**
 * The matrix's State filter offers what the rows' badges say (format.ts `shownState`), so a
 * filter and a badge never disagree: a live grant whose cluster is gone is under "Cluster gone",
 * never "Active"; a drift under the cards' words (src/domain/live-drift.ts), "Removed outside
 * acrbot" or "No longer gives pull", and a grant acrbot cannot check under "Cannot be checked",
 * as `access` badges it; each picks only its own rows. The CSV's `badge` column says the same.
 *
 * Drawn in jsdom (support/jsdom-page.ts), as the other web tests.
 */
import type { MatrixData, Row } from '../../web/src/types';
import { useJsdomPage } from './support/jsdom-page';
import { approverMe, browserHost } from './support/web-context';
import { ACTIVE_GRANT_ROW } from './support/web-rows';

const { window } = useJsdomPage();
const { renderMatrix } = require('../../web/src/matrix') as {
  renderMatrix(root: unknown, data: MatrixData, ctx: unknown): void;
};
const { rowBadge, driftLine, shownBadge } = require('../../web/src/format') as typeof import('../../web/src/format');
const { rowsCsv } = require('../../web/src/csv') as { rowsCsv(rows: readonly Row[]): string };

const active: Row = { ...ACTIVE_GRANT_ROW };
const row = (key: string, extra: Partial<Row>): Row => ({ ...active, key, requestId: key, ...extra });
const gone = row('R-GONE0001', { clusterGoneAt: '2026-12-05T08:00:00Z' });
const removed = row('R-REMOVED1', {
  state: 'drifted',
  driftBadge: 'removed',
  driftReason: 'role assignment deleted outside acrbot',
});
const intact = row('R-INTACT01', {
  state: 'drifted',
  driftBadge: 'noLongerPulls',
  driftReason: 'the cluster pulls as another identity now; the role assignment is unchanged',
});
const unchecked = row('R-UNCHECK1', {
  state: 'drifted',
  driftBadge: 'unverified',
  driftReason: "the cluster's pull identity is unknown",
});
const revoking = row('R-REVOKE01', { state: 'revoking', revokingSince: '2026-12-05T09:00:00Z' });

const ctx = { host: browserHost, me: approverMe, changed: () => undefined };

test('each row is badged as the cards badge it, the drift line after its badge’s words', () => {
  expect(rowBadge(gone).label).toBe('Cluster gone');
  expect(rowBadge(removed)).toEqual({ label: 'Removed outside acrbot', className: 'state-drifted' });
  expect(rowBadge(intact)).toEqual({ label: 'No longer gives pull', className: 'state-drifted no-longer-pulls' });
  expect(rowBadge(unchecked)).toEqual({ label: 'Cannot be checked', className: 'state-drifted cannot-be-checked' });
  expect(rowBadge(revoking).label).toBe('Being revoked');
  expect(driftLine(intact)).toBe(`No longer gives pull: ${intact.driftReason}`);
  expect(shownBadge('drifted').label).toBe('Removed outside acrbot');
});

test('the State filter offers each badge, and each value shows only the rows badged so', () => {
  const root = window.document.getElementById('app')!;
  const rows = [active, gone, removed, intact, unchecked, revoking];
  const data: MatrixData = {
    clusters: [active.cluster],
    registries: [active.registry],
    unresolvedClusters: [],
    generatedAt: 'g',
    rows,
  };
  renderMatrix(root, data, ctx);
  const select = root.querySelector('#f-state') as any;
  const options = [...select.querySelectorAll('option')].map((o) => [o.value, o.textContent]);
  expect(options).toEqual([
    ['', 'All'],
    ['drifted', 'Removed outside acrbot'],
    ['cannotBeChecked', 'Cannot be checked'],
    ['noLongerPulls', 'No longer gives pull'],
    ['revoking', 'Being revoked'],
    ['active', 'Active'],
    ['clusterGone', 'Cluster gone'],
  ]);
  for (const [value, label] of options.slice(1)) {
    select.value = value!;
    select.dispatchEvent(new window.Event('change'));
    const badges = [...root.querySelectorAll('li.row .badge')].map((b) => b.textContent);
    expect(badges).toEqual([label]);
  }
});

test("the CSV's badge column says what the badge says; its state column keeps the state", () => {
  const [head, ...lines] = rowsCsv([gone, intact, revoking]).trim().split('\r\n');
  const names = head!.split(',');
  const cells = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i]!, v])));
  expect(cells.map((c) => [c.state, c.badge])).toEqual([
    ['active', 'Cluster gone'],
    ['drifted', 'No longer gives pull'],
    ['revoking', 'Being revoked'],
  ]);
});
