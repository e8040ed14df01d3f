/**
 * A person's name next to a time or a number in the tab is isolated (U+2068 … U+2069): an Arabic
 * approver's name followed by "(2026-12-03 14:00 UTC)" would otherwise take the date into its
 * right-to-left run, and Chromium lays it out "(14:00 03-12-2026 UTC)", read as 12 March in New
 * York. The drawer's Approvers, "Approved so far", "Had approved", "Rejected by" and "Started as
 * break-glass by", its audit lines, its extension note, the approvals rows' lines and the paused banner.
 */
import { approvalDetail } from '../../web/src/approval-text';
import { breakGlassFacts, decisionFacts, extensionWaitingNote, isolated, pausedBanner } from '../../web/src/format';
import type { History, Me, Row } from '../../web/src/types';
import { useJsdomPage } from './support/jsdom-page';
import { approverMe as me, browserHost as host, until } from './support/web-context';
import { ACTIVE_GRANT_ROW } from './support/web-rows';

const { window } = useJsdomPage();
const { openHistory } = require('../../web/src/history') as {
  openHistory(ctx: unknown, title: string, rows: Row[]): void;
};

const ARABIC = 'محمد العتيبي';
const MOHAMMED = { objectId: 'mohammed', name: ARABIC };
/** The name as it must stand in a sentence: isolated, so no number beside it joins its run. */
const ISOLATED = `\u2068${ARABIC}\u2069`;

test('isolated() wraps a name in one first-strong isolate and its pop', () => {
  expect(isolated(ARABIC)).toBe(ISOLATED);
});

test("the drawer's approvers and rejecter are isolated from their times", () => {
  const hist = (row: Partial<Row>, rest: Partial<History>): History => ({
    row: { ...ACTIVE_GRANT_ROW, ...row },
    approvals: [],
    azureRequestIds: [],
    audit: [],
    ...rest,
  });
  const approval = { by: MOHAMMED, at: '2026-12-03T14:00:00Z' };
  const approved = decisionFacts(hist({}, { approvals: [approval], decision: { ...approval, approved: true } }));
  expect(approved[0]).toEqual(['Approvers', `${ISOLATED} (2026-12-03 14:00 UTC)`]);
  const soFar = decisionFacts(hist({ state: 'pending' }, { approvals: [approval] }));
  expect(soFar[0]).toEqual(['Approved so far', `${ISOLATED} (2026-12-03 14:00 UTC)`]);
  const rejected = decisionFacts(hist({ state: 'rejected' }, { decision: { ...approval, approved: false } }));
  expect(rejected[1]).toEqual(['Rejected by', `${ISOLATED} (2026-12-03 14:00 UTC)`]);
});

test('who started a break-glass run is isolated from its time', () => {
  const row: Row = {
    ...ACTIVE_GRANT_ROW,
    breakGlass: { by: MOHAMMED, at: '2026-12-03T14:00:00Z', approval: 'break-glass: ran at once' },
  };
  expect(breakGlassFacts(row)[0]).toEqual([
    'Started as break-glass by',
    `${ISOLATED} (2026-12-03 14:00 UTC), without approval`,
  ]);
});

test("the approvals rows' lines and the extension note isolate the requester", () => {
  const pending: Row = { ...ACTIVE_GRANT_ROW, state: 'pending', requester: MOHAMMED, reason: '3 nodes need it' };
  expect(approvalDetail(pending, Date.parse('2026-12-01T00:00:00Z'))).toContain(`Asked by ${ISOLATED}: 3 nodes`);
  const review: Row = {
    ...pending,
    breakGlass: {
      by: MOHAMMED,
      at: '2026-12-03T14:00:00Z',
      approval: 'break-glass: ran at once',
      reviewDueAt: '2026-12-04T14:00:00Z',
    },
  };
  expect(approvalDetail(review, 0)).toContain(`started by ${ISOLATED} without approval`);
  const waiting: Row = { ...ACTIVE_GRANT_ROW, requester: MOHAMMED, extensionWaiting: 'R-EXT00001' };
  expect(extensionWaitingNote(waiting, me as Me)).toMatch(new RegExp(`^${ISOLATED} asked to extend it`));
});

test("the drawer's audit lines isolate who acted from what follows", async () => {
  const history: History = {
    row: ACTIVE_GRANT_ROW,
    approvals: [],
    azureRequestIds: [],
    audit: [
      {
        ts: '2026-12-03T14:00:00Z',
        actor: MOHAMMED,
        action: 'request.approve',
        outcome: '1 of 2',
        correlationIds: [],
      } as unknown as History['audit'][number],
    ],
  };
  globalThis.fetch = (async () => new Response(JSON.stringify(history), { status: 200 })) as typeof fetch;
  openHistory({ host, me, changed: () => undefined }, 'aks-a → contosoacr', [ACTIVE_GRANT_ROW]);
  const entry = window.document.querySelector('dialog.drawer section.entry');
  await until(() => entry.querySelector('.audit li') !== null);
  expect(entry.querySelector('.audit li').textContent).toContain(` by ${ISOLATED}: 1 of 2`);
});

test('the paused banner isolates who paused from the reason after it', () => {
  const banner = pausedBanner({ since: '2026-12-01T10:00:00.000Z', by: ARABIC, reason: '42 nodes compromised' });
  expect(banner).toContain(`by ${ISOLATED}: "42 nodes compromised"`);
});
