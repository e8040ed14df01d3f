/**
 * The page shows why a row reads drifted (the API's `driftReason`): as the drawer's "Why drifted"
 * fact, as a line under the row in My access, and as the CSV export's last column, `drift_reason`.
 * As text only (dom.ts): a reason that looked like markup would be shown as typed, never parsed.
 * Only a drifted row shows one; an entry redrawn after an action keeps the reason with the
 * drifted state it keeps (row-after-action.ts).
 *
 * Drawn in jsdom (support/jsdom-page.ts): the page is loaded with require(), the root tsconfig
 * having no DOM lib (web/tsconfig.json checks the web code).
 */
import type { History, Me, MyAccess, Row } from '../../web/src/types';
import { driftLine, driftReasonOf } from '../../web/src/format';
import { rowAfterAction } from '../../web/src/row-after-action';
import { useJsdomPage } from './support/jsdom-page';
import { ACTIVE_GRANT_ROW } from './support/web-rows';

const { window } = useJsdomPage();
const { openHistory } = require('../../web/src/history') as {
  openHistory(ctx: unknown, title: string, rows: Row[]): void;
};
const { renderMyAccess } = require('../../web/src/my-access') as {
  renderMyAccess(root: unknown, data: MyAccess, ctx: unknown): void;
};
const { EXPORT_COLUMNS, rowsCsv } = require('../../web/src/csv') as {
  EXPORT_COLUMNS: readonly string[];
  rowsCsv(rows: readonly Row[]): string;
};

const DELETED = 'role assignment deleted outside acrbot';
/** Not a text the server sends (its texts are fixed): what the page would do with markup. */
const MARKUP = '<img src=x onerror="alert(1)"> deleted';

const active: Row = { ...ACTIVE_GRANT_ROW };
const drifted: Row = { ...active, state: 'drifted', driftReason: DELETED };

const me = {
  user: { objectId: 'riley', name: 'Riley', tenantId: 't' },
  roles: { approver: false, auditor: false },
  sees: 'own',
  actions: { extend: true, revoke: true },
  paused: null,
  botAppId: 'b',
  now: '2026-12-01T00:00:00Z',
} as Me;
const host = { inTeams: false, theme: 'default', token: async () => 'token', openLink: () => undefined };

/** The drawer's entry facts, label → value. */
function facts(entry: any): Record<string, string> {
  const out: Record<string, string> = {};
  for (const dt of entry.querySelectorAll('.facts dt')) out[dt.textContent] = dt.nextElementSibling.textContent;
  return out;
}

describe('why a row reads drifted, on the page', () => {
  /** The row the drawer's history read answers with (the one it was opened on). */
  let served: Row = drifted;
  beforeAll(() => {
    globalThis.fetch = (async () =>
      new Response(JSON.stringify({ row: served, approvals: [], azureRequestIds: [], audit: [] } as History), {
        status: 200,
      })) as typeof fetch;
  });

  test('only a drifted row has one', () => {
    expect(driftReasonOf(drifted)).toBe(DELETED);
    expect(driftLine(drifted)).toBe(`Removed outside acrbot: ${DELETED}`);
    // A reason left on a row whose state moved on (an old page's row) is not shown.
    expect(driftReasonOf({ ...drifted, state: 'revoking' })).toBeUndefined();
    expect(driftLine(active)).toBeUndefined();
  });

  test('the drawer shows it as a fact, as text', () => {
    served = { ...drifted, driftReason: MARKUP };
    openHistory({ host, me, changed: () => undefined }, 'aks-a → contosoacr', [served]);
    const entry = window.document.querySelector('dialog.drawer section.entry');
    expect(facts(entry)['Why']).toBe(MARKUP);
    expect(entry.querySelector('img')).toBeNull();
  });

  test('an active row’s drawer has no such fact', () => {
    served = active;
    openHistory({ host, me, changed: () => undefined }, 'aks-a → contosoacr', [active]);
    const entries = window.document.querySelectorAll('dialog.drawer section.entry');
    expect(facts(entries[entries.length - 1])).not.toHaveProperty('Why');
  });

  test('My access says it under the row, as text', () => {
    const root = window.document.createElement('div');
    renderMyAccess(
      root,
      { approvals: [], grants: [{ ...drifted, driftReason: MARKUP }, active], requests: [] } as unknown as MyAccess,
      {
        host,
        me,
        changed: () => undefined,
      },
    );
    const lines = [...root.querySelectorAll('#grants .row-meta')].map((p: any) => p.textContent as string);
    expect(lines).toContain(`Removed outside acrbot: ${MARKUP}`);
    expect(lines.filter((l) => l.startsWith('Removed outside acrbot:'))).toHaveLength(1);
    expect(root.querySelector('img')).toBeNull();
  });

  test('the CSV export has it as drift_reason, empty for rows that are not drifted', () => {
    const [head, first, second] = rowsCsv([drifted, active]).split('\r\n');
    expect(head!.split(',').slice(-4, -2)).toEqual(['drift_reason', 'not_listed_yet']);
    expect(first!.endsWith(`,${DELETED},,,Removed outside acrbot`)).toBe(true);
    expect(second!.endsWith(',,,,Active')).toBe(true);
  });

  test("the CSV export says a grant not in Azure's listing yet in not_listed_yet, its state staying drifted", () => {
    const unlisted: Row = { ...drifted, notListedYet: true, driftReason: 'not in the listing yet' };
    // A row no longer drifted keeps no leftover flag in the export.
    const revoking: Row = { ...unlisted, state: 'revoking' };
    const [, first, second, third] = rowsCsv([unlisted, drifted, revoking]).split('\r\n');
    expect(first!.includes(',drifted,')).toBe(true);
    expect(first!.endsWith(",not in the listing yet,yes,,Not in Azure's listing yet")).toBe(true);
    expect(second!.endsWith(`,${DELETED},,,Removed outside acrbot`)).toBe(true);
    expect(third!.endsWith(',,,,Being revoked')).toBe(true);
  });

  test('an entry redrawn after an action keeps the reason while it stays drifted, and drops it once revoking', () => {
    const fresh: Row = { ...active, extensionWaiting: 'R-BBBBBBB2' };
    expect(rowAfterAction(drifted, fresh)).toMatchObject({ state: 'drifted', driftReason: DELETED });
    const revoking = rowAfterAction(drifted, { ...active, state: 'revoking', revokingSince: '2026-12-01T00:05:00Z' });
    expect(revoking.state).toBe('revoking');
    expect(revoking.driftReason).toBeUndefined();
  });
});
