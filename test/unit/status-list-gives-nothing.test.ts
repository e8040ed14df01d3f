/**
 * `status` without an id lists a grant that gives nothing as the `access` card badges it, never
 * "Granted": one whose cluster the drift check read gone ("Cluster gone", src/domain/cluster-gone.ts)
 * and one drift-marked ("Removed outside acrbot", or "No longer gives pull" while its assignment is
 * still there), both in Attention, with a line in its card's Access words. One being revoked or
 * ended reads as its state says.
 */
import { myRequestsCard, requestRow } from '../../src/views/my-requests-view';
import { tint } from '../../src/views/tint';
import { granted } from './support/reminder-lifecycle';

const SEEN = '2025-02-10T08:00:00.000Z';
const gone = { ...granted, access: { ...granted.access!, clusterGoneAt: SEEN } };
const GONE_LINE =
  'Cluster aks-prod no longer exists (seen 2025-02-10 08:00 UTC); this grant gives nothing; its role assignment is deleted at its end';

describe("status's list of a grant that gives nothing", () => {
  test('one in place reads Granted, with no second line', () => {
    const row = requestRow(granted);
    expect(row.stateLabel).toBe('Granted');
    expect(row.lines).toHaveLength(1);
  });

  test('its cluster gone: "Cluster gone", in Attention, and why', () => {
    const row = requestRow(gone);
    expect(row.stateLabel).toBe('Cluster gone');
    expect(row.stateStyle).toBe(tint('Attention'));
    expect(row.lines[1]).toBe(GONE_LINE);
    expect(
      JSON.stringify(myRequestsCard({ requests: [gone], more: 0, boundReached: false }, granted.requester, false)),
    ).toContain('Cluster gone');
  });

  test("drift-marked: as `access` badges it, with its card's Access words; a drift outranks the cluster gone", () => {
    const removed = requestRow({
      ...gone,
      access: { ...gone.access, driftDetectedAt: SEEN, driftReason: 'deleted' },
    });
    expect(removed.stateLabel).toBe('Removed outside acrbot');
    expect(removed.stateStyle).toBe(tint('Attention'));
    expect(removed.lines[1]).toBe('Removed outside acrbot on 2025-02-10 08:00 UTC; acrbot did not re-create it');
    const intact = requestRow({
      ...granted,
      access: { ...granted.access!, driftDetectedAt: SEEN, driftReason: 'identityChanged' },
    });
    expect(intact.stateLabel).toBe('No longer gives pull');
    expect(intact.lines[1]).toBe(
      'No longer gives pull: the cluster pulls as another identity now on 2025-02-10 08:00 UTC; acrbot did not grant the new identity',
    );
  });

  test('one being revoked reads "Being revoked" (as access and the tab), one revoked as its state says', () => {
    const revoking = requestRow({ ...gone, access: { ...gone.access, revokingSince: '2025-02-12T09:00:00.000Z' } });
    expect(revoking.stateLabel).toBe('Being revoked');
    expect(revoking.lines).toHaveLength(1);
    const revoked = requestRow({
      ...gone,
      state: 'revoked',
      access: { ...gone.access, revokedAt: '2025-02-12T09:00:00.000Z' },
    });
    expect(revoked.stateLabel).toBe('Revoked');
    expect(revoked.lines).toHaveLength(1);
  });
});
