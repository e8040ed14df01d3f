/**
 * A cluster no longer at its recorded id was deleted: Azure does not move AKS clusters between
 * resource groups or subscriptions, so its sentence says it no longer exists, as the drift
 * check's note does (cluster-gone.ts), never "moved" nor "give acrbot Reader where it is now";
 * a registry's still names both (not-at-recorded-id.ts).
 */
import { clusterGoneNote } from '../../src/domain/cluster-gone';
import { notAtRecordedId } from '../../src/domain/not-at-recorded-id';
import { granted } from './support/reminder-lifecycle';

const pair = { cluster: { name: 'aks-prod' }, registry: { name: 'contosoacr' } };

test('a cluster: no longer exists, deleted; asked for again once it is created again', () => {
  expect(notAtRecordedId('cluster', pair, 'there is no access to extend')).toBe(
    'Cluster aks-prod no longer exists (deleted), so there is no access to extend. If it is created again, ask again with "@acrbot grant aks-prod contosoacr REASON…".',
  );
  expect(notAtRecordedId('cluster', pair, 'nothing was granted', false)).toBe(
    'Cluster aks-prod no longer exists (deleted), so nothing was granted.',
  );
  // The same words as the note of a grant whose cluster the drift check read gone.
  const note = clusterGoneNote({
    ...granted,
    access: { ...granted.access!, clusterGoneAt: '2025-02-10T08:00:00.000Z' },
  });
  expect(note).toMatch(/^Cluster aks-prod no longer exists \(/);
});

test('a registry: deleted, or moved, and what to do if it was moved', () => {
  expect(notAtRecordedId('registry', pair, 'there is no access to extend')).toBe(
    'Registry contosoacr is no longer at its recorded id: deleted, or moved to another resource group or subscription, so there is no access to extend. If it was moved, give acrbot Reader where it is now and ask again with "@acrbot grant aks-prod contosoacr REASON…".',
  );
  expect(notAtRecordedId('registry', pair, 'nothing was granted', false)).toBe(
    'Registry contosoacr is no longer at its recorded id: deleted, or moved to another resource group or subscription, so nothing was granted. If it was moved, give acrbot Reader where it is now.',
  );
});
