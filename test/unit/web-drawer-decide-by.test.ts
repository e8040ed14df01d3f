/**
 * A pending request's drawer says by when it must be decided, in its approvals row's words
 * (decideByFact in web/src/approval-text.ts), and once that time passed, that it is too late to
 * decide; a request that gave access has no such line.
 *
 * Drawn in jsdom (support/jsdom-page.ts): the page is loaded with require(), the root tsconfig
 * having no DOM lib (web/tsconfig.json checks the web code).
 */
import type { History, Row } from '../../web/src/types';
import { useJsdomPage } from './support/jsdom-page';
import { approverMe as me, browserHost as host, until } from './support/web-context';
import { ACTIVE_GRANT_ROW } from './support/web-rows';

const { window } = useJsdomPage();
const { openHistory } = require('../../web/src/history') as {
  openHistory(ctx: unknown, title: string, rows: Row[]): void;
};
const { syncClock } = require('../../web/src/clock') as { syncClock(serverNow: string): void };

const DECIDE_BY = '2026-12-01T10:00:00Z';
const pending: Row = {
  ...ACTIVE_GRANT_ROW,
  state: 'pending',
  requestState: 'pending',
  expiresAt: undefined,
  approvers: [],
  termAsked: '30 days',
  decideBy: DECIDE_BY,
};

/** Opens the drawer on `row` at the server's time `serverNow`; its entry's facts, label → value. */
async function drawerFacts(row: Row, serverNow: string): Promise<Record<string, string>> {
  syncClock(serverNow);
  const history: History = { row, approvals: [], azureRequestIds: [], audit: [] };
  globalThis.fetch = (async () => new Response(JSON.stringify(history), { status: 200 })) as typeof fetch;
  openHistory({ host, me, changed: () => undefined }, 'aks-a → contosoacr', [row]);
  const entry = window.document.querySelector('dialog.drawer section.entry');
  // Let its history be drawn, so nothing is left on its way when the page is taken down.
  await until(() => entry.querySelector('.audit-box') !== null);
  const out: Record<string, string> = {};
  for (const dt of entry.querySelectorAll('.entry > .facts dt'))
    out[dt.textContent] = dt.nextElementSibling.textContent;
  return out;
}

test('a pending request: by when to decide and how long is left, as its approvals row says', async () => {
  expect((await drawerFacts(pending, '2026-12-01T07:00:00Z'))['Decide by']).toBe('2026-12-01 10:00 UTC (in 3 hours)');
});

test('past its decide-by, not expired yet: too late to decide', async () => {
  expect((await drawerFacts(pending, '2026-12-01T12:00:00Z'))['Decide by']).toBe(
    '2026-12-01 10:00 UTC (passed 2 hours ago; too late to decide, it will expire without a decision)',
  );
});

test('a request that gave access has no "Decide by"', async () => {
  expect(await drawerFacts(ACTIVE_GRANT_ROW, '2026-12-01T07:00:00Z')).not.toHaveProperty('Decide by');
});
