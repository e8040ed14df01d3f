/**
 * The matrix's rows carry what their badge says of a drift, by the cards' rule
 * (src/domain/live-drift.ts, `driftBadge`): a recorded drift by its reason, removed or no longer
 * giving pull; an assignment not found for a live grant, removed; a grant acrbot cannot check,
 * "Cannot be checked"; none on a grant only missing from a listing that may lag. A drifted grant
 * whose revocation is under way reads "revoking", as its request's row and `access` say, even
 * when its assignment is already gone from Azure (an ended-grant path).
 */
import { endedPath as ended, matrixRef as ref, matrixRowsOf as rowsOf, unhonouredRole } from './support/tab-matrix';

const SEEN = '2025-01-20T10:00:00.000Z';

test('each drifted row says what its badge is, by the recorded drift or what the inventory saw', () => {
  const rows = rowsOf([
    ended(ref('R-DELETED1', { state: 'drifted', driftDetectedAt: SEEN, driftReason: 'deleted' }), 'drifted'),
    ended(ref('R-IDENTIT1', { state: 'drifted', driftDetectedAt: SEEN, driftReason: 'identityChanged' }), 'drifted'),
    ended(ref('R-NOTSEEN1'), 'drifted'),
    ended(ref('R-UNCHECK1'), 'unverified'),
    ended(ref('R-LAGGING1', { grantedAt: '2025-01-20T09:55:00.000Z' }), 'drifted'),
  ]);
  expect(rows.get('R-DELETED1')).toMatchObject({ state: 'drifted', driftBadge: 'removed' });
  expect(rows.get('R-IDENTIT1')).toMatchObject({ state: 'drifted', driftBadge: 'noLongerPulls' });
  expect(rows.get('R-NOTSEEN1')).toMatchObject({ state: 'drifted', driftBadge: 'removed' });
  expect(rows.get('R-UNCHECK1')).toMatchObject({ state: 'drifted', driftBadge: 'unverified' });
  expect(rows.get('R-LAGGING1')).toMatchObject({ state: 'drifted', notListedYet: true });
  expect(rows.get('R-LAGGING1')).not.toHaveProperty('driftBadge');
});

test('a drifted grant being revoked reads "revoking", its assignment gone or not, with no drift badge', () => {
  const revokingSince = '2025-02-01T08:00:00.000Z';
  const drifting = { state: 'drifted' as const, driftDetectedAt: SEEN, driftReason: 'deleted' as const, revokingSince };
  const rows = rowsOf([
    ended(ref('R-GONEREV1', drifting), 'drifted'),
    unhonouredRole('ra-intact', [ref('R-MODEREV1', { ...drifting, driftReason: 'modeChanged' })]),
  ]);
  for (const id of ['R-GONEREV1', 'R-MODEREV1']) {
    expect(rows.get(id)).toMatchObject({ state: 'revoking', revokingSince });
    expect(rows.get(id)).not.toHaveProperty('driftBadge');
    expect(rows.get(id)).not.toHaveProperty('driftReason');
  }
});
