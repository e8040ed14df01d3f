/**
 * What the tab's page code is handed in jsdom unit tests (support/jsdom-page.ts): the signed-in
 * approver `me`, a browser `host` outside Teams, and a wait for what the page draws once its
 * fetches are answered.
 */
import type { History, Me, Row } from '../../../web/src/types';

/** An approver who may extend and revoke, seeing everyone's rows, at the server's 2026-12-01 00:00 UTC. */
export const approverMe = {
  user: { objectId: 'alex', name: 'Alex', tenantId: 't' },
  roles: { approver: true, auditor: false },
  sees: 'all',
  actions: { extend: true, revoke: true },
  paused: null,
  botAppId: 'b',
  now: '2026-12-01T00:00:00Z',
} as Me;

/** The page opened in a browser (not Teams): a fixed token, links not followed. */
export const browserHost = { inTeams: false, theme: 'default', token: async () => 'token', openLink: () => undefined };

/** Turns of the event loop until `done()` holds (the drawer draws once its fetches are answered); fails if it never does. */
export async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setImmediate(r));
  expect(done()).toBe(true);
}

/**
 * Opens the tab's request drawer on `row` at the server's time `serverNow` (the page loaded by
 * useJsdomPage) and answers its facts, label → value, once its history is drawn (so nothing is
 * left on its way when the page is taken down).
 */
export async function drawerFactsOf(
  // jsdom's document: the root tsconfig has no DOM lib to type it.
  document: { querySelector(selector: string): any },
  row: Row,
  serverNow: string,
): Promise<Record<string, string>> {
  // Required here, once the page's globals exist: the root tsconfig has no DOM lib.
  const { openHistory } = require('../../../web/src/history') as {
    openHistory(ctx: unknown, title: string, rows: Row[]): void;
  };
  const { syncClock } = require('../../../web/src/clock') as { syncClock(serverNow: string): void };
  syncClock(serverNow);
  const history: History = { row, approvals: [], azureRequestIds: [], audit: [] };
  globalThis.fetch = (async () => new Response(JSON.stringify(history), { status: 200 })) as typeof fetch;
  openHistory({ host: browserHost, me: approverMe, changed: () => undefined }, 'aks-a → contosoacr', [row]);
  const entry = document.querySelector('dialog.drawer section.entry');
  await until(() => entry.querySelector('.audit-box') !== null);
  const out: Record<string, string> = {};
  for (const dt of entry.querySelectorAll('.entry > .facts dt'))
    out[dt.textContent] = dt.nextElementSibling.textContent;
  return out;
}
