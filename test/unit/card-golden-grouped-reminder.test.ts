/**
 * Golden files (see ./support/golden.ts) for the grouped expiry reminder (grouped-reminder-view.ts):
 * one card for several of a requester's accesses ending soon, each row with its own Extend or
 * what replaces it, and the count of those left to the My access tab. Fixed ids, names and times.
 */
import type { AccessRequest } from '../../src/domain/request';
import { MAX_GROUPED_REMINDERS } from '../../src/flows/reminder-siblings';
import { groupedReminderCard, type GroupedReminderRow } from '../../src/views/grouped-reminder-view';
import { expectGolden } from './support/golden';
import { APPROVER, grantPlan, pendingRequest, secretPlan } from './support/requests';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

const granted: AccessRequest = pendingRequest({
  state: 'succeeded',
  version: 4,
  decision: { by: APPROVER, at: '2025-01-14T10:00:00.000Z', approved: true },
  access: { durationMs: 30 * DAY_MS, expiresAt: '2025-02-13T10:00:00.000Z' },
});
const other: AccessRequest = {
  ...granted,
  id: 'R-BBBBBBB2',
  plan: { ...grantPlan(), cluster: { ...grantPlan().cluster, name: 'aks-stage' } },
  access: { durationMs: 30 * DAY_MS, expiresAt: '2025-02-13T15:00:00.000Z' },
};
// A secret named like a link: user text, made inert.
const secret: AccessRequest = {
  ...granted,
  id: 'R-CCCCCCC3',
  plan: secretPlan({ secretName: 'www.evil.example', expiresAt: '2025-02-13T12:00:00.000Z' }),
  access: { durationMs: 60 * DAY_MS, expiresAt: '2025-03-15T10:00:00.000Z' },
};
const drifted: AccessRequest = {
  ...granted,
  id: 'R-DDDDDDD4',
  access: {
    durationMs: 30 * DAY_MS,
    expiresAt: '2025-02-13T18:00:00.000Z',
    driftDetectedAt: '2025-01-20T08:00:00.000Z',
    driftReason: 'deleted',
  },
};
const waiting: AccessRequest = {
  ...granted,
  id: 'R-EEEEEEE5',
  access: { durationMs: 30 * DAY_MS, expiresAt: '2025-02-14T08:00:00.000Z' },
};

const rows: GroupedReminderRow[] = [
  { request: granted, inMs: DAY_MS, at: '2025-02-13T10:00:00.000Z', credential: false, offeredMs: 30 * DAY_MS },
  {
    request: secret,
    inMs: DAY_MS + 2 * HOUR_MS,
    at: '2025-02-13T12:00:00.000Z',
    credential: true,
    offeredMs: 30 * DAY_MS,
  },
  {
    request: other,
    inMs: DAY_MS + 5 * HOUR_MS,
    at: '2025-02-13T15:00:00.000Z',
    credential: false,
    offeredMs: 7 * DAY_MS,
  },
  {
    request: drifted,
    inMs: DAY_MS + 8 * HOUR_MS,
    at: '2025-02-13T18:00:00.000Z',
    credential: false,
    offeredMs: 30 * DAY_MS,
  },
  {
    request: waiting,
    inMs: DAY_MS + 22 * HOUR_MS,
    at: '2025-02-14T08:00:00.000Z',
    credential: false,
    offeredMs: 30 * DAY_MS,
    extensionWaiting: 'R-FFFFFFF6',
  },
];
/** A sixth row: the most a grouped card lists (MAX_GROUPED_REMINDERS). */
const sixth: GroupedReminderRow = {
  request: {
    ...granted,
    id: 'R-GGGGGGG7',
    access: { durationMs: 30 * DAY_MS, expiresAt: '2025-02-14T09:00:00.000Z' },
  },
  inMs: DAY_MS + 23 * HOUR_MS,
  at: '2025-02-14T09:00:00.000Z',
  credential: false,
  offeredMs: 30 * DAY_MS,
};
const pause = { since: '2025-02-12T09:00:00.000Z', by: { name: APPROVER.name } };

describe('the grouped expiry reminder matches its golden files (UPDATE_GOLDEN=1 rewrites them)', () => {
  test.each([
    ['lifecycle-grouped-reminder', () => groupedReminderCard(rows, 0)],
    ['lifecycle-grouped-reminder-more', () => groupedReminderCard([...rows, sixth], 7)],
    ['lifecycle-grouped-reminder-paused', () => groupedReminderCard(rows.slice(0, 3), 0, pause)],
  ] as const)('%s', (name, render) => expectGolden(name, render()));
});

test('a grouped card at its most rows has no card-level actions (a phone shows about two in a row): each row holds its own Extend', () => {
  interface Element {
    type: string;
    items?: Element[];
    facts?: Array<{ title: string }>;
    actions?: Array<{ title: string; verb: string; data: { requestId: string } }>;
  }
  const most = [...rows, sixth].slice(0, MAX_GROUPED_REMINDERS);
  const card = groupedReminderCard(most, 7) as unknown as { body: Element[]; actions?: unknown[] };
  expect(MAX_GROUPED_REMINDERS).toBeLessThanOrEqual(6);
  expect(card.actions).toBeUndefined();
  const inRows = card.body
    .filter((b) => b.type === 'Container' && b.items?.[0]?.type === 'FactSet')
    .map((row) => ({
      id: row.items![0]!.facts![0]!.title,
      extend: row.items!.flatMap((i) => (i.type === 'ActionSet' ? i.actions! : [])),
    }));
  expect(inRows.map((r) => r.id)).toEqual(most.map((r) => r.request.id));
  // The drifted row and the one whose extension waits offer none; every other row its own, named by its id.
  for (const { id, extend } of inRows) {
    const expected = id === 'R-DDDDDDD4' || id === 'R-EEEEEEE5' ? [] : [{ title: `Extend ${id}`, verb: 'extend', id }];
    expect({ id, extend: extend.map((a) => ({ title: a.title, verb: a.verb, id: a.data.requestId })) }).toEqual({
      id,
      extend: expected,
    });
  }
});

test('the shared term is the largest any row offers, which ends after every row’s end (a smaller one may not)', () => {
  const short: GroupedReminderRow = { ...rows[0]!, offeredMs: DAY_MS + 12 * HOUR_MS };
  const long: GroupedReminderRow = { ...rows[2]!, offeredMs: 7 * DAY_MS };
  const duration = (card: unknown) =>
    JSON.stringify(card)
      .match(/"id":"duration"[^}]*"value":"([^"]*)"|"value":"([^"]*)"[^}]*"id":"duration"/)!
      .slice(1)
      .find(Boolean);
  expect(duration(groupedReminderCard([short, long], 0))).toBe('7d');
  expect(duration(groupedReminderCard([long, short], 0))).toBe('7d');
});

test('the shared term and reason come before the rows whose Extend sends them, and "N more" after the rows it goes on from', () => {
  interface Element {
    type: string;
    id?: string;
    text?: string;
    items?: Array<{ type: string }>;
  }
  // What each body element is, in order: a row, an input by its id, a note by its first words.
  const order = (card: unknown) =>
    (card as { body: Element[] }).body.flatMap((b) =>
      b.type === 'Container' && b.items?.[0]?.type === 'FactSet'
        ? ['row']
        : b.type === 'Input.Text'
          ? [b.id!]
          : b.type === 'TextBlock' && /^(Extend one at a time|\d+ more of your accesses)/.test(b.text!)
            ? [b.text!.startsWith('Extend') ? 'one at a time' : 'more']
            : [],
    );
  const rowsOf = (n: number) => Array<string>(n).fill('row');
  expect(order(groupedReminderCard([...rows, sixth], 7))).toEqual([
    'one at a time',
    'duration',
    'reason',
    ...rowsOf(6),
    'more',
  ]);
  expect(order(groupedReminderCard(rows, 0))).toEqual(['one at a time', 'duration', 'reason', ...rowsOf(5)]);
  // No row offers Extend: no inputs; the count still follows the rows.
  expect(order(groupedReminderCard(rows.slice(0, 3), 4, pause))).toEqual([...rowsOf(3), 'more']);
  expect(order(groupedReminderCard(rows.slice(0, 3), 4, undefined, true))).toEqual([...rowsOf(3), 'more']);
  // The notes saying why nothing is offered still come first, after the card's text.
  const paused = (groupedReminderCard(rows.slice(0, 3), 4, pause) as { body: Element[] }).body;
  const pausedAt = paused.findIndex((b) => b.type === 'TextBlock' && b.text!.startsWith('New access is paused'));
  expect(pausedAt).toBeGreaterThan(0);
  expect(pausedAt).toBeLessThan(paused.findIndex((b) => b.type === 'Container' && b.items?.[0]?.type === 'FactSet'));
});
