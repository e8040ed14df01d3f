/**
 * A matrix row the API flags `notListedYet` (a grant made moments ago that Azure's listing of role
 * assignments does not show yet, src/domain/listing-lag.ts) reads on the page as the access card
 * reads it: badged "Not in Azure's listing yet" (NOT_LISTED_YET_LABEL, the card's label) in the
 * warning colours, not "Drifted"; its line and the drawer give `check`'s words without
 * "Drifted:". A cell reads so only while every drifted row in it does. Its state stays drifted,
 * so filters and actions are unchanged, and an entry redrawn after an action keeps the flag while
 * it stays drifted.
 *
 * Drawn in jsdom (support/jsdom-page.ts): the page is loaded with require(), the root tsconfig
 * having no DOM lib (web/tsconfig.json checks the web code).
 */
import { NOT_LISTED_YET_LABEL } from '../../src/domain/listing-lag';
import { notListedYetText } from '../../src/domain/pull-diagnosis';
import { driftLine, rowBadge } from '../../web/src/format';
import { cellBadge } from '../../web/src/matrix-model';
import { rowAfterAction } from '../../web/src/row-after-action';
import type { History, Me, MatrixData, Row } from '../../web/src/types';
import { useJsdomPage } from './support/jsdom-page';
import { ACTIVE_GRANT_ROW } from './support/web-rows';

const { window } = useJsdomPage();
const { openHistory } = require('../../web/src/history') as {
  openHistory(ctx: unknown, title: string, rows: Row[]): void;
};
const { renderMatrix } = require('../../web/src/matrix') as {
  renderMatrix(root: unknown, data: MatrixData, ctx: unknown): void;
};

/** As the API words it (src/tab/tab-rows.ts): `check`'s and the access card's sentence. */
const WHY = notListedYetText('2026-12-01T09:58:00.000Z');
const active: Row = { ...ACTIVE_GRANT_ROW };
const unlisted: Row = {
  ...active,
  key: 'R-AAAAAAA1|endedGrant',
  howText: "AcrPull role by acrbot, not in Azure's listing yet",
  state: 'drifted',
  notListedYet: true,
  driftReason: WHY,
};
const removed: Row = {
  ...active,
  key: 'R-BBBBBBB2|endedGrant',
  requestId: 'R-BBBBBBB2',
  state: 'drifted',
  driftReason: 'role assignment not found in Azure; acrbot did not remove it',
};

const me = {
  user: { objectId: 'alex', name: 'Alex', tenantId: 't' },
  roles: { approver: true, auditor: false },
  sees: 'all',
  actions: { extend: true, revoke: true },
  paused: null,
  botAppId: 'b',
  now: '2026-12-01T10:00:00Z',
} as Me;
const host = { inTeams: false, theme: 'default', token: async () => 'token', openLink: () => undefined };
const ctx = { host, me, changed: () => undefined };

beforeAll(() => {
  globalThis.fetch = (async () =>
    new Response(JSON.stringify({ row: active, approvals: [], azureRequestIds: [], audit: [] } as History), {
      status: 200,
    })) as typeof fetch;
});

test("its badge is the access card's label, in the warning colours; a removed row's is the cards' drift badge", () => {
  expect(rowBadge(unlisted)).toEqual({ label: NOT_LISTED_YET_LABEL, className: 'state-drifted not-listed-yet' });
  expect(rowBadge(removed)).toEqual({ label: 'Removed outside acrbot', className: 'state-drifted' });
  // Only while drifted: a flag left on a row whose state moved on is not shown.
  expect(rowBadge({ ...unlisted, state: 'revoking' })).toEqual({ label: 'Being revoked', className: 'state-revoking' });
});

test("its line gives check's words, never 'Drifted:'", () => {
  expect(driftLine(unlisted)).toBe(
    `Not in Azure's listing of role assignments yet: it was granted 2026-12-01 09:58 UTC, and Azure can take some minutes to list a new one`,
  );
  expect(driftLine(removed)).toBe(
    'Removed outside acrbot: role assignment not found in Azure; acrbot did not remove it',
  );
});

test('a cell reads not listed yet only while every drifted row in it does', () => {
  expect(cellBadge([unlisted, active])).toEqual({
    state: 'drifted',
    label: NOT_LISTED_YET_LABEL,
    className: 'state-drifted not-listed-yet',
  });
  expect(cellBadge([unlisted, removed])).toEqual({
    state: 'drifted',
    label: 'Removed outside acrbot',
    className: 'state-drifted',
  });
  expect(cellBadge([active]).label).toBe('Active');
});

test('the grid and its list show it so, as text, and the State filter offers it as its badge says it', () => {
  const root = window.document.getElementById('app');
  const data: MatrixData = {
    clusters: [active.cluster],
    registries: [active.registry],
    unresolvedClusters: [],
    generatedAt: 'g',
    rows: [unlisted],
  };
  renderMatrix(root, data, ctx);
  const cell = root.querySelector('button.cell');
  expect(cell.className).toBe('cell state-drifted not-listed-yet');
  expect(cell.querySelector('.cell-state').textContent).toBe(NOT_LISTED_YET_LABEL);
  const item = root.querySelector('li.row');
  expect(item.querySelector('.badge').textContent).toBe(NOT_LISTED_YET_LABEL);
  const lines = [...item.querySelectorAll('.row-meta')].map((p: any) => p.textContent as string);
  expect(lines).toContain(`${WHY[0]!.toUpperCase()}${WHY.slice(1)}`);
  expect(root.textContent).not.toContain('Drifted:');
  const options = [...root.querySelectorAll('#f-state option')].map((o: any) => [o.value, o.textContent]);
  expect(options).toEqual([
    ['', 'All'],
    ['notListedYet', NOT_LISTED_YET_LABEL],
  ]);
});

test("the drawer's badge and fact say it is not listed yet, not why it drifted", () => {
  openHistory(ctx, 'aks-a → contosoacr', [unlisted]);
  const entries = window.document.querySelectorAll('dialog.drawer section.entry');
  const entry = entries[entries.length - 1];
  expect(entry.querySelector('.badge').textContent).toBe(NOT_LISTED_YET_LABEL);
  expect(entry.querySelector('.badge').className).toBe('badge state-drifted not-listed-yet');
  const facts: Record<string, string> = {};
  for (const dt of entry.querySelectorAll('.facts dt')) facts[dt.textContent] = dt.nextElementSibling.textContent;
  expect(facts).toMatchObject({ Why: WHY, How: "AcrPull role by acrbot, not in Azure's listing yet" });
  expect(facts).not.toHaveProperty('Why drifted');
});

test('an entry redrawn after an action keeps it while it stays drifted, and drops it once revoking', () => {
  expect(rowAfterAction(unlisted, { ...active, extensionWaiting: 'R-CCCCCCC3' })).toMatchObject({
    state: 'drifted',
    notListedYet: true,
    driftReason: WHY,
  });
  const revoking = rowAfterAction(unlisted, { ...active, state: 'revoking', revokingSince: '2026-12-01T10:05:00Z' });
  expect(revoking.state).toBe('revoking');
  expect(revoking).not.toHaveProperty('notListedYet');
});
