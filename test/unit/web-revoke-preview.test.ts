/**
 * The drawer's Revoke shows what it deletes and keeps before it revokes, as chat's `revoke R-…`
 * card does: its button reads the preview, the preview's Revoke sends the reason with the
 * preview's fingerprint, and a 409 `revoke.changed` draws the new preview with a note instead
 * (nothing revoked), whose Revoke then sends the new fingerprint. Focus goes to the preview's
 * heading, and back to the reason on Cancel. The lines are text, never markup.
 *
 * Drawn in jsdom (support/jsdom-page.ts): the page is loaded with require(), the root tsconfig
 * having no DOM lib (web/tsconfig.json checks the web code).
 */
import type { History, RevokePreview, Row } from '../../web/src/types';
import { useJsdomPage } from './support/jsdom-page';
import { approverMe as me, browserHost as host, until } from './support/web-context';
import { ACTIVE_GRANT_ROW } from './support/web-rows';

const { window } = useJsdomPage();
const { openHistory, REVOKE_PREVIEW_CHANGED } = require('../../web/src/history') as {
  openHistory(ctx: unknown, title: string, rows: Row[]): void;
  REVOKE_PREVIEW_CHANGED: string;
};

/** Each test sets its own `fetch`; put back after each, so none answers the next test's calls. */
const realFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = realFetch;
});

const ID = ACTIVE_GRANT_ROW.requestId!;
const row: Row = { ...ACTIVE_GRANT_ROW, canRevoke: true };
const history = (r: Row): History => ({ row: r, approvals: [], azureRequestIds: [], audit: [] });

/** What the server answers at first: one step, naming what a requester chose (user text). */
const FIRST: RevokePreview = {
  requestId: ID,
  lines: [
    'Delete Kubernetes secret payments/<b>pull</b> in aks-a (only if it is still the one acrbot wrote for this request)',
  ],
  fingerprint: 'rv1-first',
};
/** After an extension was approved meanwhile: it ends too. */
const NOW: RevokePreview = {
  requestId: ID,
  lines: [...FIRST.lines, 'Delete extension R-BBBBBBB2 (the same access; it ends too)'],
  fingerprint: 'rv1-now',
};

/** Answers the drawer's calls: the preview, then a confirm refused as changed once, then done. */
function serve(calls: Array<{ call: string; body?: any }>): void {
  let revoked = false;
  let refusedOnce = false;
  globalThis.fetch = (async (url: string, init: { method: string; body?: string }) => {
    const body = init.body ? JSON.parse(init.body) : undefined;
    calls.push({ call: `${init.method} ${url}`, ...(body && { body }) });
    if (url.endsWith('/revoke-preview')) return new Response(JSON.stringify(FIRST), { status: 200 });
    if (init.method === 'POST') {
      if (!refusedOnce) {
        refusedOnce = true;
        return new Response(
          JSON.stringify({ error: 'revoke.changed', message: 'It changed; nothing was revoked yet.', preview: NOW }),
          { status: 409 },
        );
      }
      if (body.fingerprint !== NOW.fingerprint) return new Response('{}', { status: 500 });
      revoked = true;
      return new Response(JSON.stringify({ message: `Revoked ${ID}.` }), { status: 200 });
    }
    const r: Row = revoked ? { ...row, state: 'revoked', requestState: 'revoked', canRevoke: false } : row;
    return new Response(JSON.stringify(history(r)), { status: 200 });
  }) as typeof fetch;
}

const entryOf = () => window.document.querySelector('dialog.drawer section.entry');
const button = (entry: any, name: string) =>
  [...entry.querySelectorAll('button')].find((b: any) => b.textContent === name) as any;
const lines = (entry: any) => [...entry.querySelectorAll('.revoke-steps li')].map((li: any) => li.textContent);
/** The reason's form sent (its "Revoke…", or Enter in the reason). */
const ask = (entry: any) =>
  entry.querySelector('.revoke > form').dispatchEvent(new window.Event('submit', { cancelable: true }));

test('Revoke shows the preview first, confirms with its fingerprint, and on a change shows the new one', async () => {
  const calls: Array<{ call: string; body?: any }> = [];
  serve(calls);
  openHistory({ host, me, changed: () => undefined }, 'aks-a → contosoacr', [row]);
  const entry = entryOf();
  await until(() => button(entry, 'Revoke…') !== undefined);
  // Nothing that revokes before the preview is shown.
  expect(button(entry, 'Revoke')).toBeUndefined();
  const reason = entry.querySelector('input[name="reason"]');
  reason.value = 'no longer needed on aks-a';

  ask(entry);
  await until(() => lines(entry).length === 1);
  // One "Revoke" on show: the one under the list.
  expect(button(entry, 'Revoke…').hidden).toBe(true);
  const preview = entry.querySelector('.revoke-preview');
  expect(preview.getAttribute('role')).toBe('group');
  expect(window.document.getElementById(preview.getAttribute('aria-labelledby')).textContent).toBe(`Revoke ${ID}?`);
  expect(window.document.activeElement.textContent).toBe(`Revoke ${ID}?`);
  // As text: what a requester named is never markup.
  expect(lines(entry)).toEqual(FIRST.lines);
  expect(preview.querySelector('b')).toBeNull();
  expect(entry.querySelector(`label[for="revoke-${ID}"]`).textContent).toBe('Reason to revoke');

  button(entry, 'Revoke').click();
  await until(() => lines(entry).length === 2);
  // Refused as changed: the new preview, said so, the reason kept, nothing revoked.
  expect(lines(entry)).toEqual(NOW.lines);
  expect(entry.querySelector('.revoke-preview [role="alert"]').textContent).toBe(REVOKE_PREVIEW_CHANGED);
  expect(window.document.activeElement.textContent).toBe(`Revoke ${ID}?`);
  expect(entry.querySelector('input[name="reason"]').value).toBe('no longer needed on aks-a');
  expect(entry.querySelector('h3').textContent).toMatch(/^Active/);
  expect(entry.querySelector('.action-message').textContent).toBe('');

  button(entry, 'Revoke').click();
  await until(() => /^Revoked/.test(entry.querySelector('h3').textContent));
  expect(calls).toEqual([
    { call: `GET /api/tab/requests/${ID}` },
    { call: `GET /api/tab/requests/${ID}/revoke-preview` },
    {
      call: `POST /api/tab/requests/${ID}/revoke`,
      body: { reason: 'no longer needed on aks-a', fingerprint: FIRST.fingerprint },
    },
    {
      call: `POST /api/tab/requests/${ID}/revoke`,
      body: { reason: 'no longer needed on aks-a', fingerprint: NOW.fingerprint },
    },
    { call: `GET /api/tab/requests/${ID}` },
  ]);
  expect(entry.querySelector('.action-message').textContent).toBe(`Revoked ${ID}.`);
  expect(entry.querySelector('.revoke-preview')).toBeNull();
});

test('Cancel closes the preview and gives the focus back to the reason; a preview that cannot be read says why', async () => {
  serve([]);
  openHistory({ host, me, changed: () => undefined }, 'aks-a → contosoacr', [row]);
  const entry = entryOf();
  await until(() => button(entry, 'Revoke…') !== undefined);
  ask(entry);
  await until(() => entry.querySelector('.revoke-preview') !== null);
  button(entry, 'Cancel').click();
  expect(entry.querySelector('.revoke-preview')).toBeNull();
  expect(button(entry, 'Revoke…').hidden).toBe(false);
  expect(window.document.activeElement).toBe(entry.querySelector('input[name="reason"]'));

  globalThis.fetch = (async () =>
    new Response(JSON.stringify({ error: 'revoke.notActive', message: `${ID} is not active.` }), {
      status: 409,
    })) as typeof fetch;
  ask(entry);
  await until(() => entry.querySelector('.revoke [role="alert"]') !== null);
  expect(entry.querySelector('.revoke [role="alert"]').textContent).toContain(`${ID} is not active.`);
  expect(entry.querySelector('.revoke-preview')).toBeNull();
  expect(button(entry, 'Revoke…').hidden).toBe(false);
});
