/**
 * A grant that gives nothing is said so in one set of words wherever it is shown: its cluster
 * gone, "Cluster gone" (cluster-gone-badge.ts) and clusterGoneWords (cluster-gone-words.ts) on the
 * request card, `status`'s list and `access`'s row, the tab's drawer note in
 * clusterGoneSinceWords; drift-marked, driftAccessWords (drift-badge.ts) on the request card and
 * `status`'s list. The words themselves are pinned by each place's own test
 * (request-card-cluster-gone, status-list-gives-nothing, access-card-cluster-gone,
 * tab-row-cluster-gone).
 */
import { clusterGoneSinceWords, clusterGoneWords } from '../../src/domain/cluster-gone-words';
import type { AccessRequest } from '../../src/domain/request';
import { requestRow as tabRow } from '../../src/tab/tab-rows';
import { CLUSTER_GONE_BADGE } from '../../src/views/cluster-gone-badge';
import { driftAccessWords } from '../../src/views/drift-badge';
import { requestRow } from '../../src/views/my-requests-view';
import { planFacts, stateLabelOf } from '../../src/views/request-view';
import { granted, NOW } from './support/reminder-lifecycle';

const SEEN = '2025-02-10T08:00:00.000Z';
const gone: AccessRequest = { ...granted, access: { ...granted.access!, clusterGoneAt: SEEN } };
const drifted: AccessRequest = {
  ...granted,
  access: { ...granted.access!, driftDetectedAt: SEEN, driftReason: 'identityChanged' },
};

const accessLine = (request: AccessRequest) => planFacts(request).find((f) => f.label === 'Access')?.value;
const capitalised = (text: string) => `${text[0]!.toUpperCase()}${text.slice(1)}`;

test('the words', () => {
  expect(clusterGoneWords('aks-prod', SEEN)).toBe(
    'cluster aks-prod no longer exists (seen 2025-02-10 08:00 UTC); this grant gives nothing; its role assignment is deleted at its end',
  );
  expect(clusterGoneSinceWords('aks-prod', SEEN)).toBe(
    'cluster aks-prod gone since 2025-02-10 08:00 UTC: this grant gives nothing',
  );
  expect(CLUSTER_GONE_BADGE).toEqual({ label: 'Cluster gone', color: 'Attention' });
});

test('its cluster gone: one badge and one sentence on the request card and in `status`', () => {
  expect(stateLabelOf(gone)).toBe(CLUSTER_GONE_BADGE);
  expect(accessLine(gone)).toBe(clusterGoneWords('aks-prod', SEEN));
  expect(requestRow(gone).lines[1]).toBe(capitalised(clusterGoneWords('aks-prod', SEEN)));
  expect(tabRow(gone, new Date(NOW)).notes).toEqual([clusterGoneSinceWords('aks-prod', SEEN)]);
});

test('drift-marked: one sentence on the request card and in `status`', () => {
  const words = driftAccessWords('identityChanged', SEEN);
  expect(words).toBe(
    'no longer gives pull: the cluster pulls as another identity now on 2025-02-10 08:00 UTC; acrbot did not grant the new identity',
  );
  expect(accessLine(drifted)).toBe(words);
  expect(requestRow(drifted).lines[1]).toBe(capitalised(words));
});
