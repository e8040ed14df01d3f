/**
 * A live grant the drift check marked (`access.driftDetectedAt`, by reason: src/domain/drift-reason.ts)
 * is badged as `access` badges it on every card that shows its state: "Removed outside acrbot",
 * or "No longer gives pull" while its role assignment is still there, in Attention, never
 * "Granted". The request card (`status R-…`, `pending`, each copy the notifier updates), `status`'s
 * list and `access` alone read one rule (drift-badge.ts); a revocation under way or its end keeps
 * its state's own label on the request card and the list.
 */
import type { DriftReason } from '../../src/domain/drift-reason';
import type { AccessRequest } from '../../src/domain/request';
import { requestRow } from '../../src/views/my-requests-view';
import { requestCard, stateLabelOf } from '../../src/views/request-view';
import { tint } from '../../src/views/tint';
import { accessRowOf } from './support/access-row';
import { granted, NOW } from './support/reminder-lifecycle';

const SEEN = '2025-02-10T08:00:00.000Z';
const now = new Date(NOW);

/** {@link granted}, drift-marked for `reason` (none: a mark recorded before reasons were). */
function drifted(reason: DriftReason | undefined, extra: Partial<NonNullable<AccessRequest['access']>> = {}) {
  return {
    ...granted,
    access: { ...granted.access!, driftDetectedAt: SEEN, ...(reason && { driftReason: reason }), ...extra },
  } satisfies AccessRequest;
}

interface Badge {
  label: string;
  style: string;
}

/** The state badge of the request card of `request`: the first ColumnSet's column, as drawn. */
function cardBadgeOf(request: AccessRequest): Badge {
  const card = requestCard(request, { showActions: false }) as { body: Array<Record<string, unknown>> };
  const row = card.body.find((e) => e.type === 'ColumnSet') as {
    columns: Array<{ style: string; items: Array<{ text: string }> }>;
  };
  const column = row.columns[0]!;
  return { label: column.items[0]!.text, style: column.style };
}

/** The badge of `request`'s one row of `access` alone, as drawn. */
function accessBadgeOf(request: AccessRequest): Badge {
  const row = accessRowOf(request, now);
  return { label: row.stateLabel, style: row.stateStyle };
}

/** The badge of `request`'s row of `status`'s list. */
function listBadgeOf(request: AccessRequest): Badge {
  const row = requestRow(request);
  return { label: row.stateLabel, style: row.stateStyle };
}

const REMOVED = { label: 'Removed outside acrbot', style: tint('Attention') };
const NO_PULL = { label: 'No longer gives pull', style: tint('Attention') };

describe('the request card of a live drift-marked grant', () => {
  test.each([
    ['deleted', REMOVED],
    ['changed', REMOVED],
    [undefined, REMOVED],
    ['identityChanged', NO_PULL],
    ['modeChanged', NO_PULL],
  ] as const)('drift %s: badged %o, never "Granted"', (reason, badge) => {
    expect(cardBadgeOf(granted)).toEqual({ label: 'Granted', style: tint('Good') });
    expect(cardBadgeOf(drifted(reason))).toEqual(badge);
    expect(stateLabelOf(drifted(reason))).toEqual({ label: badge.label, color: 'Attention' });
  });

  test('its badge is the one `access` and `status` give it, whatever the reason', () => {
    for (const reason of ['deleted', 'changed', 'identityChanged', 'modeChanged', undefined] as const) {
      const request = drifted(reason);
      expect(cardBadgeOf(request)).toEqual(accessBadgeOf(request));
      expect(listBadgeOf(request)).toEqual(accessBadgeOf(request));
    }
  });

  test('a drift outranks its cluster gone, as on `access`', () => {
    const both = drifted('identityChanged', { clusterGoneAt: SEEN });
    expect(cardBadgeOf(both)).toEqual(NO_PULL);
    expect(accessBadgeOf(both)).toEqual(NO_PULL);
  });

  test('a revocation under way or its end keeps its own badge; the Access line keeps the drift words', () => {
    // Badged as the same grant being revoked without a drift mark.
    const revoking = drifted('deleted', { revokingSince: NOW });
    const plainRevoking: AccessRequest = { ...granted, access: { ...granted.access!, revokingSince: NOW } };
    expect(cardBadgeOf(revoking)).toEqual(cardBadgeOf(plainRevoking));
    expect(listBadgeOf(revoking)).toEqual(listBadgeOf(plainRevoking));
    expect(cardBadgeOf(revoking).label).not.toBe(REMOVED.label);
    const revoked: AccessRequest = { ...drifted('identityChanged', { revokedAt: NOW }), state: 'revoked' };
    expect(cardBadgeOf(revoked)).toEqual({ label: 'Revoked', style: tint('Default') });
    expect(listBadgeOf(revoked).label).toBe('Revoked');
    expect(JSON.stringify(requestCard(revoked, { showActions: false }))).toContain(
      'no longer gives pull: the cluster pulls as another identity now',
    );
  });
});
