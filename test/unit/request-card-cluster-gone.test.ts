/**
 * The request card (`status R-…`, `pending`, each copy the notifier updates) badges a live grant
 * whose cluster the drift check read gone (`access.clusterGoneAt`) "Cluster gone", in Attention,
 * as `access` badges it, never "Granted": its Access line says it gives nothing. Only while the
 * grant is live, not drift-marked and not being revoked (liveClusterGoneAt, cluster-gone.ts, which
 * the inventory's reference reads too); otherwise its state's own label, or a drift mark's badge
 * (request-card-drift-badge.test.ts).
 */
import { requestRef } from '../../src/domain/access-inventory';
import { liveClusterGoneAt } from '../../src/domain/cluster-gone';
import type { AccessRequest } from '../../src/domain/request';
import { requestCard } from '../../src/views/request-view';
import { tint } from '../../src/views/tint';
import { granted, NOW } from './support/reminder-lifecycle';
import { secretPlan } from './support/requests';

const SEEN = '2025-02-10T08:00:00.000Z';
const gone: AccessRequest = { ...granted, access: { ...granted.access!, clusterGoneAt: SEEN } };
const drifted: AccessRequest = {
  ...gone,
  access: { ...gone.access!, driftDetectedAt: SEEN, driftReason: 'deleted' },
};
const revoking: AccessRequest = { ...gone, access: { ...gone.access!, revokingSince: NOW } };
const revoked: AccessRequest = { ...gone, state: 'revoked', access: { ...gone.access!, revokedAt: NOW } };
const secret: AccessRequest = { ...gone, plan: secretPlan() };

interface Badge {
  label: string;
  style: string;
}

/** The state badge of the request card of `request`: the first ColumnSet's column, as drawn. */
function badgeOf(request: AccessRequest): Badge {
  const card = requestCard(request, { showActions: false }) as { body: Array<Record<string, unknown>> };
  const row = card.body.find((e) => e.type === 'ColumnSet') as {
    columns: Array<{ style: string; items: Array<{ text: string }> }>;
  };
  const column = row.columns[0]!;
  return { label: column.items[0]!.text, style: column.style };
}

describe('the request card of a grant whose cluster is gone', () => {
  test('is badged "Cluster gone" in Attention, as `access` badges it, never "Granted"', () => {
    expect(badgeOf(granted)).toEqual({ label: 'Granted', style: tint('Good') });
    expect(badgeOf(gone)).toEqual({ label: 'Cluster gone', style: tint('Attention') });
  });

  test('a drift mark, a revocation under way or its end keeps its own badge', () => {
    expect(badgeOf(drifted).label).not.toBe('Cluster gone');
    expect(badgeOf(revoking).label).not.toBe('Cluster gone');
    expect(badgeOf(revoked)).toEqual({ label: 'Revoked', style: tint('Default') });
  });

  test('its badge and its Access line agree, and the inventory reference reads the same rule', () => {
    for (const request of [granted, gone, drifted, revoking, revoked, secret]) {
      const live = liveClusterGoneAt(request);
      expect(badgeOf(request).label === 'Cluster gone').toBe(live !== undefined);
      expect(JSON.stringify(requestCard(request, { showActions: false })).includes('this grant gives nothing')).toBe(
        live !== undefined,
      );
      expect(requestRef(request, new Date(NOW)).clusterGoneAt).toBe(live);
    }
    expect(liveClusterGoneAt(gone)).toBe(SEEN);
    expect(liveClusterGoneAt(secret)).toBeUndefined();
  });
});
