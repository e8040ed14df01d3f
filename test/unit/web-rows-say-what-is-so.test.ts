/**
 * The Teams tab's rows say what is so, no less: a break-glass run whose review is owed is badged
 * so, not plain "Active"; a pending request's line says its role is not granted yet; an approvals
 * row under a rule needing 2 approvals says how many it has ("1 of 2 approved", as its drawer);
 * and the drawer of someone else's request sends an approver of another rule (or an auditor), whom
 * chat refuses `pending` and `status` of it, to its audit trail (`audit R-…`).
 *
 * Drawn in jsdom (support/jsdom-page.ts): the page is loaded with require(), the root tsconfig
 * having no DOM lib (web/tsconfig.json checks the web code).
 */
import type { History, MyAccess, Row } from '../../web/src/types';
import { useJsdomPage } from './support/jsdom-page';
import { approverMe as me, browserHost as host, until } from './support/web-context';
import { ACTIVE_GRANT_ROW } from './support/web-rows';

const { window } = useJsdomPage();
const { openHistory } = require('../../web/src/history') as {
  openHistory(ctx: unknown, title: string, rows: Row[]): void;
};
const { renderMyAccess } = require('../../web/src/my-access') as {
  renderMyAccess(root: unknown, data: MyAccess, ctx: unknown): void;
};

/** Riley's break-glass grant, in place, its review owed. */
const owed: Row = {
  ...ACTIVE_GRANT_ROW,
  approvers: [],
  breakGlass: {
    by: { objectId: 'riley', name: 'Riley' },
    at: '2026-11-30T10:00:00Z',
    approval: 'break-glass: ran at once; Platform Approvers must review it',
    reviewDueAt: '2026-12-01T10:00:00Z',
  },
};
/** Riley's grant waiting for 2 approvals, 1 given; the caller approves under its rule. */
const pending: Row = {
  ...ACTIVE_GRANT_ROW,
  key: 'R-PPPPPPP1',
  requestId: 'R-PPPPPPP1',
  state: 'pending',
  requestState: 'pending',
  expiresAt: undefined,
  approvers: [],
  approvalsSoFar: { count: 1, required: 2 },
  mayDecide: true,
};

/** The rows of My access's section `id` as drawn: each row's badge and its meta lines. */
function drawn(data: Partial<MyAccess>, id: string): Array<{ badge: string; meta: string[] }> {
  const root = window.document.createElement('div');
  renderMyAccess(root, { approvals: [], grants: [], requests: [], ...data } as MyAccess, {
    host,
    me,
    changed: () => undefined,
  });
  return [...root.querySelectorAll(`#${id} li.row`)].map((li: any) => ({
    badge: li.querySelector('.badge').textContent,
    meta: [...li.querySelectorAll('.row-meta')].map((p: any) => p.textContent),
  }));
}

test('a break-glass grant whose review is owed is badged so, not plain "Active"', () => {
  expect(drawn({ grants: [owed] }, 'grants')[0]!.badge).toBe('Active, review owed');
  expect(drawn({ grants: [ACTIVE_GRANT_ROW] }, 'grants')[0]!.badge).toBe('Active');
});

test("a pending request's line says its role is not granted yet", () => {
  const [row] = drawn({ requests: [pending] }, 'requests');
  expect(row!.meta[0]).toBe('Role (acrbot), not granted yet · R-PPPPPPP1');
});

test('an approvals row under a rule needing 2 approvals says how many it has', () => {
  const [row] = drawn({ approvals: [pending] }, 'approvals');
  expect(row!.meta[1]).toContain('1 of 2 approved · Asked by \u2068Riley\u2069');
});

test("the drawer sends an approver of another rule to the request's audit trail, which chat serves them", async () => {
  const notTheirs: Row = { ...pending, mayDecide: undefined };
  const history: History = { row: notTheirs, approvals: [], azureRequestIds: [], audit: [] };
  globalThis.fetch = (async () => new Response(JSON.stringify(history), { status: 200 })) as typeof fetch;
  openHistory({ host, me, changed: () => undefined }, 'aks-a → contosoacr', [notTheirs]);
  const entry = window.document.querySelector('dialog.drawer section.entry');
  await until(() => entry.querySelector('.chat-link') !== null);
  const link = entry.querySelector('.chat-link');
  expect(link.textContent).toBe('Open its audit trail in chat');
  expect(new URL(link.getAttribute('href')).searchParams.get('message')).toBe('audit R-PPPPPPP1');
});

test("a matrix cell's drawer badges a break-glass grant whose review is owed once its history says so", async () => {
  // A matrix row does not carry its request's break-glass run: the history's row does.
  const { breakGlass: _run, ...cellRow } = owed;
  const history: History = { row: owed, approvals: [], azureRequestIds: [], audit: [] };
  globalThis.fetch = (async () => new Response(JSON.stringify(history), { status: 200 })) as typeof fetch;
  openHistory({ host, me, changed: () => undefined }, 'aks-a → contosoacr', [cellRow]);
  const entry = window.document.querySelector('dialog.drawer section.entry');
  await until(() => entry.querySelector('.audit-box') !== null);
  const badge = entry.querySelector('h3 > .badge');
  expect(badge.textContent).toBe('Active, review owed');
  expect(badge.className).toBe('badge state-active review-owed');
});
