/**
 * A grant whose cluster the drift check read gone (`access.clusterGoneAt`) gives nothing: its tab
 * row's Notes (the drawer's) say so, as its card does; a drifted one says its drift instead.
 */
import { requestRow } from '../../src/tab/tab-rows';
import { granted } from './support/reminder-lifecycle';

const NOW = new Date('2025-02-12T10:00:00.000Z');
const SEEN = '2025-02-10T08:00:00.000Z';

describe('the tab row of a grant whose cluster is gone', () => {
  test('notes the cluster gone', () => {
    expect(requestRow(granted, NOW).notes).toBeUndefined();
    const row = requestRow({ ...granted, access: { ...granted.access!, clusterGoneAt: SEEN } }, NOW);
    expect(row.notes).toEqual(['cluster aks-prod gone since 2025-02-10 08:00 UTC: this grant gives nothing']);
  });

  test('carries when it was seen gone, for its badge and list line (web/src/format.ts), active or expiring', () => {
    expect(requestRow(granted, NOW).clusterGoneAt).toBeUndefined();
    const gone = { ...granted, access: { ...granted.access!, clusterGoneAt: SEEN } };
    const endsAt = Date.parse(gone.access.expiresAt!);
    expect(requestRow(gone, new Date(endsAt - 20 * 86_400_000))).toMatchObject({
      state: 'active',
      clusterGoneAt: SEEN,
    });
    expect(requestRow(gone, new Date(endsAt - 3_600_000))).toMatchObject({ state: 'expiring', clusterGoneAt: SEEN });
    // Past its end, waiting for the end job: "Expired" says it gives nothing; the note stays.
    const past = requestRow(gone, new Date(endsAt + 60_000));
    expect(past.state).toBe('expired');
    expect(past.clusterGoneAt).toBeUndefined();
    expect(past.notes).toHaveLength(1);
  });

  test('a drifted one says its drift, not the note', () => {
    const row = requestRow(
      {
        ...granted,
        access: { ...granted.access!, clusterGoneAt: SEEN, driftDetectedAt: SEEN, driftReason: 'deleted' },
      },
      NOW,
    );
    expect(row.state).toBe('drifted');
    expect(row.notes).toBeUndefined();
    expect(row.clusterGoneAt).toBeUndefined();
  });

  test('a revoked one (the note kept) has no notes: its end says how it ended', () => {
    const row = requestRow(
      {
        ...granted,
        state: 'revoked',
        access: { ...granted.access!, clusterGoneAt: SEEN, revokedAt: '2025-02-11T09:00:00.000Z' },
      },
      NOW,
    );
    expect(row.endedAt).toBe('2025-02-11T09:00:00.000Z');
    expect(row.notes).toBeUndefined();
    expect(row.clusterGoneAt).toBeUndefined();
  });

  test('one being revoked has no notes: its row says it is being revoked, as its card does', () => {
    const revokingSince = '2025-02-12T09:59:00.000Z';
    const row = requestRow({ ...granted, access: { ...granted.access!, clusterGoneAt: SEEN, revokingSince } }, NOW);
    expect(row.revokingSince).toBe(revokingSince);
    expect(row.notes).toBeUndefined();
    expect(row.clusterGoneAt).toBeUndefined();
  });
});
