/**
 * One rule for what a drift-marked grant is called and when (src/domain/live-drift.ts): "Removed
 * outside acrbot", or "No longer gives pull" while its role assignment is intact; only while the
 * grant is live and no revocation is under way ("Being revoked" then wins, as it does over a
 * cluster gone). `access`, the request card and the tab read it; each is checked here against
 * the rule on the same grant, so none can say another thing of it.
 */
import { requestRef } from '../../src/domain/access-inventory';
import {
  BEING_REVOKED_LABEL,
  DRIFT_LABEL,
  driftKind,
  intactDrift,
  liveDriftKind,
  liveDriftKindOfRef,
} from '../../src/domain/live-drift';
import type { AccessRequest } from '../../src/domain/request';
import { requestRow } from '../../src/tab/tab-rows';
import { liveDriftBadge } from '../../src/views/drift-badge';
import { stateLabelOf } from '../../src/views/request-view';
import { accessRowOf } from './support/access-row';
import { granted, NOW } from './support/reminder-lifecycle';

const now = new Date(NOW);
const SEEN = '2025-02-10T08:00:00.000Z';
const marked = (reason: 'deleted' | 'identityChanged', extra: Partial<NonNullable<AccessRequest['access']>> = {}) =>
  ({
    ...granted,
    access: { ...granted.access!, driftDetectedAt: SEEN, driftReason: reason, ...extra },
  }) as AccessRequest;

describe('the rule', () => {
  test('an intact assignment no longer gives pull; any other drift, or one before reasons, is removed', () => {
    expect([intactDrift('identityChanged'), intactDrift('modeChanged')]).toEqual([true, true]);
    expect([intactDrift('deleted'), intactDrift('changed'), intactDrift(undefined)]).toEqual([false, false, false]);
    expect(driftKind('modeChanged')).toBe('noLongerPulls');
    expect(driftKind(undefined)).toBe('removed');
    expect(DRIFT_LABEL).toEqual({ removed: 'Removed outside acrbot', noLongerPulls: 'No longer gives pull' });
  });

  test('only while the grant is live and no revocation is under way', () => {
    expect(liveDriftKind(granted)).toBeUndefined();
    expect(liveDriftKind(marked('deleted'))).toBe('removed');
    expect(liveDriftKind(marked('identityChanged'))).toBe('noLongerPulls');
    expect(liveDriftKind(marked('deleted', { revokingSince: NOW }))).toBeUndefined();
    expect(liveDriftKind({ ...marked('deleted', { revokedAt: NOW }), state: 'revoked' })).toBeUndefined();
    // The inventory's reference of the same grant says the same.
    expect(liveDriftKindOfRef(requestRef(marked('identityChanged'), now))).toBe('noLongerPulls');
    expect(liveDriftKindOfRef(requestRef(marked('deleted', { revokingSince: NOW }), now))).toBeUndefined();
  });
});

describe('`access`, the request card and the tab say the same of one grant', () => {
  test.each([
    ['deleted', DRIFT_LABEL.removed],
    ['identityChanged', DRIFT_LABEL.noLongerPulls],
  ] as const)('drift %s, live: "%s" on each', (reason, label) => {
    const request = marked(reason);
    expect(accessRowOf(request, now).stateLabel).toBe(label);
    expect(liveDriftBadge(request)?.label).toBe(label);
    expect(requestRow(request, now)).toMatchObject({ state: 'drifted', driftBadge: driftKind(reason) });
  });

  test.each(['deleted', 'identityChanged'] as const)('drift %s being revoked: "Being revoked" on each', (reason) => {
    const request = marked(reason, { revokingSince: NOW });
    expect(accessRowOf(request, now).stateLabel).toBe(BEING_REVOKED_LABEL);
    // liveDriftBadge gives none while revoking; the request card (and status's list, the audit
    // channel's card) says the revocation, not "Granted".
    expect(liveDriftBadge(request)).toBeUndefined();
    expect(stateLabelOf(request, now).label).toBe(BEING_REVOKED_LABEL);
    const row = requestRow(request, now);
    expect(row.state).toBe('revoking');
    expect(row).not.toHaveProperty('driftBadge');
  });

  test('a grant being revoked reads "Being revoked" on `access` whatever else is so (no drift, its cluster gone)', () => {
    expect(accessRowOf({ ...granted, access: { ...granted.access!, revokingSince: NOW } }, now).stateLabel).toBe(
      BEING_REVOKED_LABEL,
    );
    const gone = { ...granted, access: { ...granted.access!, clusterGoneAt: SEEN, revokingSince: NOW } };
    expect(accessRowOf(gone, now).stateLabel).toBe(BEING_REVOKED_LABEL);
    expect(stateLabelOf(gone, now).label).toBe(BEING_REVOKED_LABEL);
  });
});
