/**
 * A live grant whose cluster the drift check read gone (`clusterGoneAt` on its row) gives nothing,
 * so the page never badges it "Active" or "Expiring soon": its badge reads "Cluster gone", in
 * Drifted's colours, in the lists and the drawer alike, and a line under its row says it gives
 * nothing, as a drifted row's says why it is drifted. A row whose state says how it ends (being
 * revoked, ended) reads as that state says.
 *
 * Drawn in jsdom (support/jsdom-page.ts): the page is loaded with require(), the root tsconfig
 * having no DOM lib (web/tsconfig.json checks the web code).
 */
import type { History, MatrixData, Me, MyAccess, Row } from '../../web/src/types';
import { clusterGoneLine, rowBadge } from '../../web/src/format';
import { useJsdomPage } from './support/jsdom-page';
import { ACTIVE_GRANT_ROW } from './support/web-rows';

const { window } = useJsdomPage();
const { openHistory } = require('../../web/src/history') as {
  openHistory(ctx: unknown, title: string, rows: Row[]): void;
};
const { renderMyAccess } = require('../../web/src/my-access') as {
  renderMyAccess(root: unknown, data: MyAccess, ctx: unknown): void;
};
const { renderMatrix } = require('../../web/src/matrix') as {
  renderMatrix(root: unknown, data: MatrixData, ctx: unknown): void;
};

const GONE_AT = '2026-12-05T08:00:00Z';
const LINE = 'Cluster gone since 2026-12-05 08:00 UTC: this grant gives nothing';
const active: Row = { ...ACTIVE_GRANT_ROW };
const gone: Row = {
  ...active,
  clusterGoneAt: GONE_AT,
  notes: ['cluster aks-a gone since 2026-12-05 08:00 UTC: this grant gives nothing'],
};

const me = {
  user: { objectId: 'riley', name: 'Riley', tenantId: 't' },
  roles: { approver: false, auditor: false },
  sees: 'own',
  actions: { extend: true, revoke: true },
  paused: null,
  botAppId: 'b',
  now: '2026-12-06T00:00:00Z',
} as Me;
const host = { inTeams: false, theme: 'default', token: async () => 'token', openLink: () => undefined };
const ctx = { host, me, changed: () => undefined };

describe('a grant whose cluster is gone, on the page', () => {
  beforeAll(() => {
    globalThis.fetch = (async () =>
      new Response(JSON.stringify({ row: gone, approvals: [], azureRequestIds: [], audit: [] } as History), {
        status: 200,
      })) as typeof fetch;
  });

  test('its badge reads "Cluster gone" in Drifted\'s colours, active or expiring; never when it ends otherwise', () => {
    expect(rowBadge(active)).toEqual({ label: 'Active', className: 'state-active' });
    const badge = { label: 'Cluster gone', className: 'state-drifted cluster-gone' };
    expect(rowBadge(gone)).toEqual(badge);
    expect(rowBadge({ ...gone, state: 'expiring' })).toEqual(badge);
    // A leftover on a row whose state moved on (an old page's row) is not shown.
    expect(rowBadge({ ...gone, state: 'revoking' })).toEqual({ label: 'Being revoked', className: 'state-revoking' });
    expect(rowBadge({ ...gone, state: 'revoked' })).toEqual({ label: 'Revoked', className: 'state-revoked' });
    // A break-glass run's owed review is still said after it.
    const owed = { ...gone, breakGlass: { by: active.requester!, at: GONE_AT, approval: 'x', reviewDueAt: GONE_AT } };
    expect(rowBadge(owed)).toEqual({
      label: 'Cluster gone, review owed',
      className: 'state-drifted cluster-gone review-owed',
    });
  });

  test('its list line says it gives nothing; other rows have none', () => {
    expect(clusterGoneLine(gone)).toBe(LINE);
    expect(clusterGoneLine({ ...gone, state: 'expiring' })).toBe(LINE);
    expect(clusterGoneLine({ ...gone, state: 'revoking' })).toBeUndefined();
    expect(clusterGoneLine(active)).toBeUndefined();
  });

  test('My access lists it so: its badge and the line under it', () => {
    const root = window.document.createElement('div');
    renderMyAccess(
      root,
      {
        approvals: [],
        grants: [gone, { ...active, key: 'R-B', requestId: 'R-B' }],
        requests: [],
      } as unknown as MyAccess,
      ctx,
    );
    const [first, second] = [...root.querySelectorAll('#grants li.row')] as any[];
    expect(first.querySelector('.badge').textContent).toBe('Cluster gone');
    expect(first.querySelector('.badge').className).toBe('badge state-drifted cluster-gone');
    const lines = [...first.querySelectorAll('.row-meta')].map((p: any) => p.textContent as string);
    expect(lines).toContain(LINE);
    expect(second.querySelector('.badge').textContent).toBe('Active');
    expect([...second.querySelectorAll('.row-meta')].map((p: any) => p.textContent)).not.toContain(LINE);
  });

  test("the drawer's badge says it, and its Notes", () => {
    openHistory(ctx, 'aks-a → contosoacr', [gone]);
    const entries = window.document.querySelectorAll('dialog.drawer section.entry');
    const entry = entries[entries.length - 1] as any;
    expect(entry.querySelector('h3 > .badge').textContent).toBe('Cluster gone');
    const notes = [...entry.querySelectorAll('.facts dt')].find((dt: any) => dt.textContent === 'Notes') as any;
    expect(notes.nextElementSibling.textContent).toBe(gone.notes![0]);
  });
});

describe('a cell of grants whose cluster is gone', () => {
  const { cellBadge } = require('../../web/src/matrix-model') as typeof import('../../web/src/matrix-model');

  test('reads "Cluster gone" when every active or expiring row of it is; one that pulls gives its state', () => {
    expect(cellBadge([gone])).toMatchObject({
      state: 'active',
      label: 'Cluster gone',
      className: 'state-drifted cluster-gone',
    });
    const revoked: Row = { ...active, key: 'R-OLD', state: 'revoked', endedAt: '2026-11-01T00:00:00Z' };
    expect(cellBadge([gone, revoked]).label).toBe('Cluster gone');
    // The grant that pulls says what the cell is: the expiring one gives nothing.
    expect(
      cellBadge([
        { ...gone, state: 'expiring' },
        { ...active, key: 'R-B' },
      ]),
    ).toMatchObject({ state: 'active', label: 'Active' });
    expect(
      cellBadge([
        { ...gone, state: 'expiring' },
        { ...active, key: 'R-B', state: 'expiring' },
      ]).label,
    ).toBe('Expiring soon');
    expect(cellBadge([gone, { ...active, key: 'R-B' }]).label).toBe('Active');
    expect(cellBadge([gone, { ...active, key: 'R-B', state: 'drifted' }]).label).toBe('Removed outside acrbot');
  });
});

test('the grid and its list show it so; the State filter offers it as "Cluster gone", not "Active"', () => {
  const root = window.document.getElementById('app')!;
  const data: MatrixData = {
    clusters: [active.cluster],
    registries: [active.registry],
    unresolvedClusters: [],
    generatedAt: 'g',
    rows: [gone],
  };
  renderMatrix(root, data, ctx);
  const cell = root.querySelector('button.cell')!;
  expect(cell.className).toBe('cell state-drifted cluster-gone');
  expect(cell.querySelector('.cell-state')!.textContent).toBe('Cluster gone');
  const item = root.querySelector('li.row')!;
  expect(item.querySelector('.badge')!.textContent).toBe('Cluster gone');
  const lines = [...item.querySelectorAll('.row-meta')].map((p) => p.textContent);
  expect(lines).toContain(LINE);
  const options = [...root.querySelectorAll('#f-state option')].map((o: any) => [o.value, o.textContent]);
  expect(options).toEqual([
    ['', 'All'],
    ['clusterGone', 'Cluster gone'],
  ]);
});
