/**
 * `access` alone lists a live grant whose cluster the drift check read gone
 * (`access.clusterGoneAt`, src/domain/cluster-gone.ts) as "Cluster gone", in Attention, never
 * "Active" or "Expiring soon", and its line says it gives nothing, in its card's Access words. Its
 * inventory reference carries the note only while the grant is live and not drifted.
 */
import { requestRef } from '../../src/domain/access-inventory';
import type { AccessRequest } from '../../src/domain/request';
import { tint } from '../../src/views/tint';
import { accessRowOf } from './support/access-row';
import { granted, NOW } from './support/reminder-lifecycle';

const SEEN = '2025-02-10T08:00:00.000Z';
const now = new Date(NOW);
const gone: AccessRequest = { ...granted, access: { ...granted.access!, clusterGoneAt: SEEN } };

describe('`access` of a grant whose cluster is gone', () => {
  test('its reference carries when it was seen gone, only while it is live and not drifted', () => {
    expect(requestRef(granted, now).clusterGoneAt).toBeUndefined();
    expect(requestRef(gone, now)).toMatchObject({ state: 'expiring', clusterGoneAt: SEEN });
    const drifted = { ...gone, access: { ...gone.access!, driftDetectedAt: SEEN, driftReason: 'deleted' as const } };
    expect(requestRef(drifted, now).clusterGoneAt).toBeUndefined();
    const revoking = { ...gone, access: { ...gone.access!, revokingSince: NOW } };
    expect(requestRef(revoking, now).clusterGoneAt).toBeUndefined();
    const revoked: AccessRequest = { ...gone, state: 'revoked', access: { ...gone.access!, revokedAt: NOW } };
    expect(requestRef(revoked, now).clusterGoneAt).toBeUndefined();
  });

  test('its row reads "Cluster gone" in Attention, and its line says it gives nothing', () => {
    const row = accessRowOf(gone, now);
    expect(row.stateLabel).toBe('Cluster gone');
    expect(row.stateStyle).toBe(tint('Attention'));
    expect(row.lines).toEqual([
      `acrbot request ${gone.id} (approved by Alex Approver, until 2025-02-13 10:00 UTC) — cluster aks-prod no longer exists (seen 2025-02-10 08:00 UTC); this grant gives nothing; its role assignment is deleted at its end`,
    ]);
    const live = accessRowOf(granted, now);
    expect(live.stateLabel).toBe('Expiring soon');
    expect(live.lines.join()).not.toContain('no longer exists');
  });
});
