/**
 * What the tab's page code is handed in jsdom unit tests (support/jsdom-page.ts): the signed-in
 * approver `me`, a browser `host` outside Teams, and a wait for what the page draws once its
 * fetches are answered.
 */
import type { Me } from '../../../web/src/types';

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
