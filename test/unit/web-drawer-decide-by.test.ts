/**
 * A pending request's drawer says by when it must be decided, in its approvals row's words
 * (decideByFact in web/src/approval-text.ts), and once that time passed, that it is too late to
 * decide; a request that gave access has no such line. Under a rule needing several approvals,
 * where its quorum stands (approvalsFact), as its approvals row says it too.
 *
 * Drawn in jsdom (support/jsdom-page.ts): the page is loaded with require(), the root tsconfig
 * having no DOM lib (web/tsconfig.json checks the web code).
 */
import type { Row } from '../../web/src/types';
import { useJsdomPage } from './support/jsdom-page';
import { drawerFactsOf } from './support/web-context';
import { ACTIVE_GRANT_ROW } from './support/web-rows';

const { window } = useJsdomPage();

const drawerFacts = (row: Row, serverNow: string) => drawerFactsOf(window.document, row, serverNow);

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

test("under a rule needing 2 approvals: where its quorum stands, in its approvals row's words", async () => {
  const facts = await drawerFacts({ ...pending, approvalsSoFar: { count: 1, required: 2 } }, '2026-12-01T07:00:00Z');
  expect(facts['Approvals']).toBe('1 of 2 approved');
  expect(await drawerFacts(pending, '2026-12-01T07:00:00Z')).not.toHaveProperty('Approvals');
});
