/**
 * An extension acrbot closed because the access it extends ended, was revoked or drifted before
 * anyone decided reads "Closed" wherever a request's state is labelled, as its card does
 * (src/domain/closed-extension.ts, one rule): `status`'s list, the tab's rows, cells, filter and
 * drawer (the API flags it `closedWithItsAccess`; the page cannot read the request), whose
 * "Outcome" says why in `status`'s words (`closedWhy`: the access it extends ended, or drifted). One its
 * approval TTL closed while its original still ran, and any other expired request, keep
 * "Expired". The audit channel's card is tested in audit-channel-card.test.ts.
 */
import { closedWithItsAccess } from '../../src/domain/closed-extension';
import type { AccessRequest } from '../../src/domain/request';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import type { TabHistory, TabMyAccess } from '../../src/tab/tab-wire';
import { requestRow as tabRow } from '../../src/tab/tab-rows';
import { requestRow as statusRow } from '../../src/views/my-requests-view';
import { stateLabelOf } from '../../src/views/request-view';
import { CLOSED_WITH_ITS_ACCESS_LABEL, extensionFact, rowBadge, stateFilterLabel } from '../../web/src/format';
import { cellBadge } from '../../web/src/matrix-model';
import type { Row } from '../../web/src/types';
import { FakeClock } from './support/fake-clock';
import { pendingRequest, REQUESTER } from './support/requests';
import { bearer, testTabApi } from './support/tab-api';

const now = new Date('2025-01-20T00:00:00.000Z');
const expiredExtension = (extra: Partial<AccessRequest>): AccessRequest =>
  pendingRequest({
    id: 'R-EXTENSN1',
    state: 'expired',
    extendsRequestId: 'R-7K2M9QXA',
    updatedAt: '2025-01-15T10:00:00.000Z',
    ...extra,
  });
/** Closed when its original ended (or was revoked), and when it drifted. */
const ended = expiredExtension({ originalEnded: true });
const drifted = expiredExtension({ originalDrifted: true });
/** Its approval TTL closed it while its original still ran: extending that still works. */
const timedOut = expiredExtension({ id: 'R-EXTENSN2', originalWentOn: true });
const plainExpired = pendingRequest({ id: 'R-PLAINEXP', state: 'expired', updatedAt: '2025-01-16T09:00:00.000Z' });

test('the rule: an extension closed with the access it extends, and nothing else', () => {
  expect(closedWithItsAccess(ended)).toBe(true);
  expect(closedWithItsAccess(drifted)).toBe(true);
  expect(closedWithItsAccess(timedOut)).toBe(false);
  expect(closedWithItsAccess(plainExpired)).toBe(false);
  // The card's label is the rule's.
  expect(stateLabelOf(ended).label).toBe('Closed');
  expect(stateLabelOf(timedOut).label).toBe('Expired');
});

test("`status`'s list labels it Closed, as its card does", () => {
  expect(statusRow(ended).stateLabel).toBe('Closed');
  expect(statusRow(drifted).stateLabel).toBe('Closed');
  expect(statusRow(timedOut).stateLabel).toBe('Expired');
  expect(statusRow(plainExpired).stateLabel).toBe('Expired');
});

test('the tab API flags it, and the page badges it "Closed", as its card and `status` do', () => {
  for (const r of [ended, drifted]) {
    const row = tabRow(r, now) as Row;
    expect(row).toMatchObject({ state: 'closed', closedWithItsAccess: true });
    expect(rowBadge(row)).toEqual({ label: CLOSED_WITH_ITS_ACCESS_LABEL, className: 'state-closed' });
    // One word on every surface: the card's, `status`'s list's, the audit channel card's.
    expect(rowBadge(row).label).toBe(stateLabelOf(r).label);
    expect(rowBadge(row).label).toBe(statusRow(r).stateLabel);
  }
  expect(CLOSED_WITH_ITS_ACCESS_LABEL).toBe('Closed');
  for (const r of [timedOut, plainExpired]) {
    const row = tabRow(r, now) as Row;
    expect(row.state).toBe('closed');
    expect(row).not.toHaveProperty('closedWithItsAccess');
    expect(row).not.toHaveProperty('closedWhy');
    expect(rowBadge(row)).toEqual({ label: 'Expired without a decision', className: 'state-closed' });
    expect(extensionFact(row)).toEqual(['Extended by', undefined]);
  }
});

test("its drawer says why it closed, in `status`'s words: the access it extends ended, or drifted", () => {
  const endedRow = tabRow(ended, now) as Row;
  const driftedRow = tabRow(drifted, now) as Row;
  expect(extensionFact(endedRow)).toEqual([
    'Outcome',
    'Closed without a decision: the access it extends (R-7K2M9QXA) ended',
  ]);
  expect(extensionFact(driftedRow)).toEqual([
    'Outcome',
    'Closed without a decision: the access it extends (R-7K2M9QXA) was removed or changed outside acrbot, or no longer serves',
  ]);
  // `status`'s list line says the same of each (after "Asked …: ").
  for (const [r, row] of [
    [ended, endedRow],
    [drifted, driftedRow],
  ] as const)
    expect(statusRow(r).lines[0]!.toLowerCase()).toContain(row.closedWhy!.toLowerCase());
});

test('a cell and the State filter read Closed only when every closed row is one', () => {
  const closed = tabRow(ended, now) as Row;
  const expired = tabRow(timedOut, now) as Row;
  expect(cellBadge([closed]).label).toBe('Closed');
  expect(cellBadge([closed, expired]).label).toBe('Expired without a decision');
  // A cell with no closed row falls back to the closed state: never "Closed" then.
  expect(cellBadge([]).label).toBe('Expired without a decision');
  expect(stateFilterLabel('closed', [closed])).toBe('Closed');
  expect(stateFilterLabel('closed', [expired])).toBe('Expired without a decision');
  expect(stateFilterLabel('closed', [closed, expired])).toBe('Expired without a decision, or closed');
  expect(stateFilterLabel('expired', [closed])).toBe('Expired');
});

test('through the tab API: My access and the drawer send the flag', async () => {
  const clock = new FakeClock('2025-01-20T00:00:00.000Z');
  const store = new MemoryRequestStore();
  for (const r of [ended, timedOut]) await store.create(r);
  const api = testTabApi(clock, store);
  const auth = await bearer(REQUESTER, clock);
  const mine = await api.myAccess(auth);
  expect(mine.status).toBe(200);
  const rows = (mine.body as TabMyAccess).requests;
  expect(rows.find((r) => r.requestId === ended.id)).toMatchObject({ state: 'closed', closedWithItsAccess: true });
  expect(rows.find((r) => r.requestId === timedOut.id)).not.toHaveProperty('closedWithItsAccess');
  const drawer = await api.history(auth, ended.id);
  expect(drawer.status).toBe(200);
  const drawn = (drawer.body as TabHistory).row;
  expect(rowBadge(drawn).label).toBe('Closed');
  expect(extensionFact(drawn)).toEqual([
    'Outcome',
    'Closed without a decision: the access it extends (R-7K2M9QXA) ended',
  ]);
});
