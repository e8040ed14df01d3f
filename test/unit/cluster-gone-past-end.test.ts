/**
 * A grant whose cluster the drift check read gone, past its end and waiting for its end job,
 * reads one way everywhere a time is known: as every grant past its end does (the tab and
 * `access` say Expired), not "Cluster gone … its role assignment is deleted at its end" on the
 * request card and in `status`'s list. One rule, liveClusterGoneAt with the time it is drawn at
 * (cluster-gone.ts); before its end every place says "Cluster gone". A card drawn at an event,
 * without a time, reads no end.
 */
import { requestRef } from '../../src/domain/acrbot-request-ref';
import { liveClusterGoneAt } from '../../src/domain/cluster-gone';
import type { AccessRequest } from '../../src/domain/request';
import { myRequestsCard } from '../../src/views/my-requests-view';
import { requestCard, stateLabelOf } from '../../src/views/request-view';
import { ENDS, NOW, granted } from './support/reminder-lifecycle';

const SEEN = '2025-02-10T08:00:00.000Z';
const gone: AccessRequest = { ...granted, access: { ...granted.access!, clusterGoneAt: SEEN } };
const before = new Date(NOW);
const past = new Date(Date.parse(ENDS) + 60_000);
const atEnd = new Date(ENDS);
const statusList = (readAt?: Date) =>
  JSON.stringify(myRequestsCard({ requests: [gone], more: 0, boundReached: false, readAt }, { name: 'Sam' }, false));

test('the rule: live until its end passes at the time given; no time, no end read', () => {
  expect(liveClusterGoneAt(gone, before)).toBe(SEEN);
  expect(liveClusterGoneAt(gone, atEnd)).toBeUndefined();
  expect(liveClusterGoneAt(gone, past)).toBeUndefined();
  expect(liveClusterGoneAt(gone)).toBe(SEEN);
});

test('before its end: "Cluster gone" on the request card, in `status` and in `access`', () => {
  expect(stateLabelOf(gone, before).label).toBe('Cluster gone');
  expect(JSON.stringify(requestCard(gone, { showActions: false, now: before }))).toContain(
    'cluster aks-prod no longer exists',
  );
  expect(statusList(before)).toContain('Cluster gone');
  expect(statusList(before)).toContain('Cluster aks-prod no longer exists');
  expect(requestRef(gone, before)).toMatchObject({ state: 'expiring', clusterGoneAt: SEEN });
});

test('past its end, waiting for its end job: read as every grant past its end, everywhere', () => {
  const ref = requestRef(gone, past);
  expect(ref.state).toBe('expired');
  expect(ref).not.toHaveProperty('clusterGoneAt');
  expect(stateLabelOf(gone, past)).toEqual(stateLabelOf(granted, past));
  const card = JSON.stringify(requestCard(gone, { showActions: false, now: past }));
  expect(card).toBe(JSON.stringify(requestCard(granted, { showActions: false, now: past })));
  expect(card).not.toMatch(/Cluster gone|no longer exists/);
  const list = statusList(past);
  expect(list).not.toMatch(/Cluster gone|no longer exists/);
  // A list read without a time (a test's, a legacy caller's) still reads no end.
  expect(statusList()).toContain('Cluster gone');
});
