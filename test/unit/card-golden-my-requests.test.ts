/**
 * Golden files (see ./support/golden.ts) for a requester's own requests in chat: `status` without
 * an id (their newest, every state; none) and the open requests `access` alone shows apart from
 * the access they hold (with the count of those not shown). Fixed ids, names and times. Each card
 * is also what adaptivecards-templating expands from the same data (the compiled renderer is exact).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'adaptivecards-templating';
import type { AccessRequest } from '../../src/domain/request';
import type { AdaptiveCardJson, CardName } from '../../src/views/card-templates';
import { CARDS_DIR } from '../../src/views/card-templates';
import { userAccessCard } from '../../src/views/access-view';
import { myRequestsCard, type RequesterRequests } from '../../src/views/my-requests-view';
import { expectGolden } from './support/golden';
import { APPROVER, pendingRequest, REQUESTER, secretPlan } from './support/requests';

const rendered: Array<{ name: CardName; data: object }> = [];
jest.mock('../../src/views/card-templates', () => {
  const actual = jest.requireActual('../../src/views/card-templates');
  return {
    ...actual,
    renderCard: (name: CardName, data: object) => {
      rendered.push({ name, data: structuredClone(data) });
      return actual.renderCard(name, data);
    },
  };
});

const decided = (approved: boolean, at: string, by = APPROVER) => ({ by, at, approved });

/** One of each kind and several states, newest first; a decider's name carries a link and markup. */
const MINE: AccessRequest[] = [
  pendingRequest({ id: 'R-PENDING2', createdAt: '2026-12-06T10:00:00.000Z' }),
  pendingRequest({
    id: 'R-EXTEND22',
    state: 'approved',
    extendsRequestId: 'R-GRANTED2',
    createdAt: '2026-12-05T10:00:00.000Z',
    decision: decided(true, '2026-12-05T11:30:00.000Z'),
  }),
  pendingRequest({
    id: 'R-SECRET22',
    state: 'failed',
    plan: secretPlan({ secretName: 'acr-[pull](https://evil.example/x)' }),
    createdAt: '2026-12-04T10:00:00.000Z',
    decision: decided(true, '2026-12-04T10:05:00.000Z'),
  }),
  pendingRequest({
    id: 'R-REJECT22',
    state: 'rejected',
    createdAt: '2026-12-03T10:00:00.000Z',
    decision: decided(false, '2026-12-03T12:00:00.000Z', {
      objectId: APPROVER.objectId,
      name: 'Alex [click](https://evil.example/y) <at>Approver</at>',
    }),
  }),
  pendingRequest({ id: 'R-EXPIRED2', state: 'expired', createdAt: '2026-12-01T10:00:00.000Z' }),
];

/** Expired extensions of R-GRANTED2: closed with its end, with its drift, and by their approval TTL. */
const closedExtension = (id: string, createdAt: string, extra: Partial<AccessRequest>) =>
  pendingRequest({ id, state: 'expired', extendsRequestId: 'R-GRANTED2', createdAt, updatedAt: createdAt, ...extra });
const CLOSED_EXTENSIONS: AccessRequest[] = [
  closedExtension('R-CLOSEDE1', '2026-12-06T10:00:00.000Z', { originalEnded: true }),
  closedExtension('R-CLOSEDD1', '2026-12-05T10:00:00.000Z', { originalDrifted: true }),
  closedExtension('R-TIMEDOU1', '2026-12-04T10:00:00.000Z', { originalWentOn: true }),
];

const listed = (requests: AccessRequest[], more = 0, boundReached = false): RequesterRequests => ({
  requests,
  more,
  boundReached,
});

const USER_REPORT = {
  user: { objectId: REQUESTER.objectId, name: REQUESTER.name },
  entries: [],
  generatedAt: '2026-12-06T12:00:00.000Z',
};

const cards: Array<[string, () => AdaptiveCardJson]> = [
  ['my-requests', () => myRequestsCard(listed(MINE), REQUESTER, false)],
  ['my-requests-newest-of-more', () => myRequestsCard(listed(MINE, 7), REQUESTER, true)],
  ['my-requests-none', () => myRequestsCard(listed([]), REQUESTER, false)],
  // Extensions acrbot closed because the access they extend ended or drifted read "Closed", as
  // their cards do; one its approval TTL closed while its original ran reads "Expired".
  ['my-requests-closed-extensions', () => myRequestsCard(listed(CLOSED_EXTENSIONS), REQUESTER, false)],
  ['access-own-open-requests', () => userAccessCard(USER_REPORT, false, listed(MINE.slice(0, 2), 3))],
];

describe('rendered cards match their golden files (UPDATE_GOLDEN=1 rewrites them)', () => {
  test.each(cards)('%s', (name, render) => expectGolden(name, render()));
});

test('names and user text are inert: no live link, no mention', () => {
  const json = JSON.stringify(myRequestsCard(listed(MINE), REQUESTER, false));
  expect(json).not.toMatch(/\]\(https?:/);
  expect(json).not.toContain('https://evil');
  expect(json).not.toContain('<at>');
  // Only what the row says: no reason (the requester's own words stay on `status R-…`).
  expect(json).not.toContain(MINE[0]!.reason);
});

test('access alone without open requests is drawn as before: no open section', () => {
  const without = JSON.stringify(userAccessCard(USER_REPORT, false));
  expect(without).not.toContain('Waiting: your open requests');
  expect(JSON.stringify(userAccessCard(USER_REPORT, false, listed([])))).toBe(without);
});

test('every card above is what adaptivecards-templating would expand', () => {
  for (const [, render] of cards) render();
  expect(rendered.length).toBeGreaterThanOrEqual(cards.length);
  const engine = (name: CardName) => new Template(JSON.parse(readFileSync(join(CARDS_DIR, `${name}.json`), 'utf8')));
  for (const { name, data } of rendered) {
    const again = jest.requireActual('../../src/views/card-templates').renderCard(name, data);
    expect([name, again]).toEqual([name, engine(name).expand({ $root: data })]);
  }
});
