/**
 * An approver's "Waiting for your approval" row of a pending extension says, in short, what its
 * drawer and chat card say of what approving changes: when the access now ends, how much later
 * approving makes it end, how often it was extended before. The server's words on the wire
 * (`extendsEndsAt`, `wouldEnd`, `extendedBefore`, src/domain/pending-extension.ts), the same the
 * drawer shows; other rows have none of it.
 *
 * Drawn in jsdom (support/jsdom-page.ts): the page is loaded with require(), the root tsconfig
 * having no DOM lib (web/tsconfig.json checks the web code).
 */
import type { MyAccess, Row } from '../../web/src/types';
import { useJsdomPage } from './support/jsdom-page';
import { approverMe as me, browserHost as host, drawerFactsOf } from './support/web-context';
import { ACTIVE_GRANT_ROW } from './support/web-rows';

const { window } = useJsdomPage();
const { renderMyAccess } = require('../../web/src/my-access') as {
  renderMyAccess(root: unknown, data: MyAccess, ctx: unknown): void;
};
const { syncClock } = require('../../web/src/clock') as { syncClock(serverNow: string): void };

const SERVER_NOW = '2026-12-01T07:00:00Z';

/** Riley's pending 7-day extension of R-AAAAAAA1, extended twice before, asked of the viewer. */
const extension: Row = {
  ...ACTIVE_GRANT_ROW,
  key: 'R-BBBBBBB2',
  requestId: 'R-BBBBBBB2',
  state: 'pending',
  requestState: 'pending',
  expiresAt: undefined,
  approvers: [],
  reason: 'release slipped',
  termAsked: '7 days',
  decideBy: '2026-12-01T10:00:00Z',
  extendsRequestId: 'R-AAAAAAA1',
  extendsEndsAt: '2026-12-07T08:00:00Z',
  wouldEnd: 'at least 1 hour later (7 days after approval)',
  extendedBefore: '2 times',
};

/** The approvals rows' lines under their titles, as drawn. */
function approvalLines(rows: Row[]): string[][] {
  syncClock(SERVER_NOW);
  const root = window.document.createElement('div');
  renderMyAccess(root, { approvals: rows, grants: [], requests: [] } as unknown as MyAccess, {
    host,
    me,
    changed: () => undefined,
  });
  return [...root.querySelectorAll('#approvals li')].map((li: any) =>
    [...li.querySelectorAll('.row-meta')].map((p: any) => p.textContent),
  );
}

test('a pending extension: when it now ends, how much later approving makes it end, how often extended, then who asked', () => {
  expect(approvalLines([extension])).toEqual([
    [
      'Extension of R-AAAAAAA1 · R-BBBBBBB2',
      'Decide by 2026-12-01 10:00 UTC (in 3 hours) · Now ends 2026-12-07 08:00 UTC · would end at least 1 hour later (7 days after approval) · extended before: 2 times · Asked by \u2068Riley\u2069: release slipped',
    ],
  ]);
});

test("the row's words are the drawer's", async () => {
  const facts = await drawerFactsOf(window.document, extension, SERVER_NOW);
  const [[, line]] = approvalLines([extension]);
  expect(line).toContain(`Now ends ${facts['Now ends']}`);
  expect(line).toContain(`would end ${facts['Would end']}`);
  expect(line).toContain(`extended before: ${facts['Extended before']}`);
});

test('never extended before, or permanent (no "Would end"): only what it has, and the term asked', () => {
  const permanent = { ...extension, termAsked: 'permanent', wouldEnd: undefined, extendedBefore: undefined };
  expect(approvalLines([permanent])[0][1]).toBe(
    'Decide by 2026-12-01 10:00 UTC (in 3 hours) · Now ends 2026-12-07 08:00 UTC · Asked by \u2068Riley\u2069 for permanent: release slipped',
  );
});

test("a request that is no extension, or an extension filed before its original's end was recorded: no such words", () => {
  const plain = { ...extension, extendsRequestId: undefined, extendsEndsAt: undefined, wouldEnd: undefined };
  const older = { ...extension, extendsEndsAt: undefined, wouldEnd: undefined, extendedBefore: undefined };
  for (const row of [plain, older])
    expect(approvalLines([row])[0][1]).toBe(
      'Decide by 2026-12-01 10:00 UTC (in 3 hours) · Asked by \u2068Riley\u2069 for 7 days: release slipped',
    );
});
