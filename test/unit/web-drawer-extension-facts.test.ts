/**
 * A pending extension's drawer tells an approver what the request card tells in chat: when the
 * access now ends, how much later approving makes it end, and how often it was extended before
 * (`extendsEndsAt`, `wouldEnd`, `extendedBefore`, src/domain/pending-extension.ts); other rows
 * have none of it.
 *
 * Drawn in jsdom (support/jsdom-page.ts): the page is loaded with require(), the root tsconfig
 * having no DOM lib (web/tsconfig.json checks the web code).
 */
import type { Row } from '../../web/src/types';
import { useJsdomPage } from './support/jsdom-page';
import { drawerFactsOf } from './support/web-context';
import { ACTIVE_GRANT_ROW } from './support/web-rows';

const { window } = useJsdomPage();

const drawerFacts = (row: Row) => drawerFactsOf(window.document, row, '2026-12-01T07:00:00Z');

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
