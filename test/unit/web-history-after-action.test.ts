/**
 * A matrix drawer's entry after a Revoke or an Extend keeps the cell's own facts about the way of
 * pulling — its How ("… for cluster aks-a": a grant made for another cluster sharing this one's
 * identity), its Notes, the state Azure shows — and takes from the request's history read again
 * only what the action changed (state, end, what may be done now). Drawn from the request's own
 * row, the entry in aks-b's cell read as if aks-b had a grant of its own.
 *
 * Drawn in jsdom (support/jsdom-page.ts): the page is loaded with require(), the root tsconfig
 * having no DOM lib (web/tsconfig.json checks the web code).
 */
import type { History, Row } from '../../web/src/types';
import { rowAfterAction } from '../../web/src/row-after-action';
import { useJsdomPage } from './support/jsdom-page';
import { approverMe as me, browserHost as host, until } from './support/web-context';
import { ACTIVE_GRANT_ROW } from './support/web-rows';

const { window } = useJsdomPage();
const { openHistory } = require('../../web/src/history') as {
  openHistory(ctx: unknown, title: string, rows: Row[]): void;
};

const SHARED_NOTE =
  'granted for cluster aks-a, which pulls with the same identity: this cluster loses it when that grant ends';

/** The request's own row, as `/api/tab/requests/:id` answers it: made for aks-a. */
const requestRow: Row = { ...ACTIVE_GRANT_ROW, canRevoke: true };

/** The same request as a way of pulling in aks-b's cell (tab-rows.ts matrixRows): aks-b shares aks-a's identity. */
const cellRow: Row = {
  ...requestRow,
  key: 'R-AAAAAAA1|assignment-1|aks-b',
  howText: 'AcrPull role on the registry by acrbot for cluster aks-a',
  cluster: { id: '/subscriptions/s1/x/managedClusters/aks-b', name: 'aks-b', subscriptionId: 's1' },
  notes: ['through group g-1', SHARED_NOTE],
};

const history = (row: Row): History => ({ row, approvals: [], azureRequestIds: [], audit: [] });

/** The entry's facts, label → value. */
function facts(entry: any): Record<string, string> {
  const out: Record<string, string> = {};
  for (const dt of entry.querySelectorAll('.facts dt')) out[dt.textContent] = dt.nextElementSibling.textContent;
  return out;
}

test("after a Revoke in aks-b's cell, the entry still says it is aks-a's grant on aks-b's identity, and shows it revoked", async () => {
  let revoked = false;
  const calls: string[] = [];
  globalThis.fetch = (async (url: string, init: { method: string }) => {
    calls.push(`${init.method} ${url}`);
    if (url.endsWith('/revoke-preview')) {
      const preview = { requestId: 'R-AAAAAAA1', lines: ['Delete role assignment …'], fingerprint: 'rv1-x' };
      return new Response(JSON.stringify(preview), { status: 200 });
    }
    if (init.method === 'POST') {
      revoked = true;
      return new Response(JSON.stringify({ message: 'Revoked R-AAAAAAA1.' }), { status: 200 });
    }
    const row: Row = revoked
      ? { ...requestRow, state: 'revoked', requestState: 'revoked', endedAt: '2026-12-01T00:05:00Z', canRevoke: false }
      : requestRow;
    return new Response(JSON.stringify(history(row)), { status: 200 });
  }) as typeof fetch;

  openHistory({ host, me, changed: () => undefined }, 'aks-b → contosoacr', [cellRow]);
  const entry = window.document.querySelector('dialog.drawer section.entry');
  const head = () => entry.querySelector('h3').textContent as string;
  expect(facts(entry)).toMatchObject({ How: cellRow.howText, Notes: `through group g-1; ${SHARED_NOTE}` });

  await until(() => entry.querySelector('form input[name="reason"]') !== null);
  const form = entry.querySelector('form');
  form.querySelector('input[name="reason"]').value = 'no longer needed on aks-b';
  form.dispatchEvent(new window.Event('submit', { cancelable: true }));
  // What it deletes and keeps is shown first; its Revoke confirms.
  await until(() => entry.querySelector('.revoke-preview') !== null);
  entry.querySelector('.revoke-preview button.btn-danger').click();
  await until(() => /^Revoked/.test(head()) && entry.querySelector('form') === null);

  expect(calls).toEqual([
    'GET /api/tab/requests/R-AAAAAAA1',
    'GET /api/tab/requests/R-AAAAAAA1/revoke-preview',
    'POST /api/tab/requests/R-AAAAAAA1/revoke',
    'GET /api/tab/requests/R-AAAAAAA1',
  ]);
  // What the Revoke changed: the state, the end, no Revoke offered any more.
  expect(head()).toBe('Revoked Role (acrbot) · R-AAAAAAA1');
  expect(facts(entry)).toMatchObject({
    // The cell's own facts, not the request's "AcrPull role on the registry by acrbot" alone.
    How: 'AcrPull role on the registry by acrbot for cluster aks-a',
    Notes: `through group g-1; ${SHARED_NOTE}`,
    'Access ended': '2026-12-01 00:05 UTC',
  });
  expect(entry.querySelector('.action-message').textContent).toBe('Revoked R-AAAAAAA1.');
});

describe('the state Azure shows', () => {
  const drifted: Row = {
    ...cellRow,
    state: 'drifted',
    howText: 'AcrPull role by acrbot, removed in Azure outside acrbot',
  };
  test('an Extend asked for leaves a drifted grant drifted (the request still reads active)', () => {
    const after = rowAfterAction(drifted, { ...requestRow, extensionWaiting: 'R-BBBBBBB2', canRevoke: true });
    expect(after).toMatchObject({ state: 'drifted', howText: drifted.howText, extensionWaiting: 'R-BBBBBBB2' });
    expect(after.cluster.name).toBe('aks-b');
  });
  test('a Revoke that began or ended is shown', () => {
    const since = '2026-12-01T00:05:00Z';
    expect(rowAfterAction(drifted, { ...requestRow, state: 'revoking', revokingSince: since })).toMatchObject({
      state: 'revoking',
      revokingSince: since,
      notes: drifted.notes,
    });
    expect(rowAfterAction(drifted, { ...requestRow, state: 'revoked', endedAt: since }).state).toBe('revoked');
  });
});
