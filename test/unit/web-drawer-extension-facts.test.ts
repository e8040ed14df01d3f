/**
 * A pending extension's drawer tells an approver what the request card tells in chat: when the
 * access now ends, how much later approving makes it end, and how often it was extended before
 * (`extendsEndsAt`, `wouldEnd`, `extendedBefore`, src/domain/pending-extension.ts); other rows
 * have none of it.
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

const extension: Row = {
  ...ACTIVE_GRANT_ROW,
  key: 'R-BBBBBBB2',
  requestId: 'R-BBBBBBB2',
  state: 'pending',
  requestState: 'pending',
  expiresAt: undefined,
  approvers: [],
  termAsked: '7 days',
  decideBy: '2026-12-01T10:00:00Z',
  extendsRequestId: 'R-AAAAAAA1',
  extendsEndsAt: '2026-12-07T08:00:00Z',
  wouldEnd: 'at least 1 hour later (7 days after approval)',
  extendedBefore: '2 times',
};

/** Opens the drawer on `row`; its entry's facts, label → value. */
async function drawerFacts(row: Row): Promise<Record<string, string>> {
  syncClock('2026-12-01T07:00:00Z');
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

test("a pending extension: its original's end, what approving adds, and how often it was extended", async () => {
  expect(await drawerFacts(extension)).toMatchObject({
    Extends: 'R-AAAAAAA1',
    'Now ends': '2026-12-07 08:00 UTC',
    'Would end': 'at least 1 hour later (7 days after approval)',
    'Extended before': '2 times',
    'Term asked': '7 days',
  });
});

test('never extended before, or a request that is no extension: no such lines', async () => {
  const first = await drawerFacts({ ...extension, extendedBefore: undefined });
  expect(first['Now ends']).toBe('2026-12-07 08:00 UTC');
  expect(first).not.toHaveProperty('Extended before');
  const plain = await drawerFacts(ACTIVE_GRANT_ROW);
  for (const label of ['Now ends', 'Would end', 'Extended before']) expect(plain).not.toHaveProperty(label);
});
