/**
 * A grant whose cluster the drift check read gone (`access.clusterGoneAt`, drift-detector.ts)
 * gives nothing: its card (`status`, and each copy the notifier updates) says so in place of its
 * Term, and its expiry reminder offers no Extend (the extension is refused: the cluster no
 * longer exists). A drift mark on it says what the drift did instead.
 */
import type { AccessRequest } from '../../src/domain/request';
import { expiryReminderCard } from '../../src/views/lifecycle-view';
import { requestCard } from '../../src/views/request-view';
import { DAY, extendOffered, granted, shown } from './support/reminder-lifecycle';

const SEEN = '2025-02-10T08:00:00.000Z';
const gone: AccessRequest = { ...granted, access: { ...granted.access!, clusterGoneAt: SEEN } };

describe('a grant whose cluster is gone', () => {
  test('its card says it gives nothing, in place of its Term', () => {
    expect(shown(requestCard(granted, { showActions: false }))).toContain('"Term"');
    const card = shown(requestCard(gone, { showActions: false }));
    expect(card).toContain(
      'cluster aks-prod no longer exists (seen 2025-02-10 08:00 UTC); this grant gives nothing; its role assignment is deleted at its end',
    );
    expect(card).not.toContain('"Term"');
    expect(card).not.toContain('extend');
  });

  test('a drift mark on it says the drift instead', () => {
    const card = shown(
      requestCard(
        { ...gone, access: { ...gone.access!, driftDetectedAt: SEEN, driftReason: 'deleted' } },
        { showActions: false },
      ),
    );
    expect(card).toContain('removed outside acrbot');
    expect(card).not.toContain('no longer exists');
  });

  test('its expiry reminder offers no Extend and says why', () => {
    expect(extendOffered(expiryReminderCard(granted, DAY, 30 * DAY))).toBe(true);
    const card = shown(expiryReminderCard(gone, DAY, 30 * DAY));
    expect(extendOffered(JSON.parse(card))).toBe(false);
    expect(card).toContain(
      'Cluster aks-prod no longer exists (seen 2025-02-10 08:00 UTC), so R-7K2M9QXA gives nothing and cannot be extended; its role assignment is deleted at its end.',
    );
    expect(card).not.toContain('@acrbot extend');
  });
});

describe('a grant whose cluster is gone, once it ends', () => {
  const REVOKED = '2025-02-12T09:00:00.000Z';

  test('revoked: its card says when, not that it gives nothing', () => {
    const revoked: AccessRequest = {
      ...gone,
      state: 'revoked',
      access: { ...gone.access!, revokedAt: REVOKED, revokedBy: { objectId: 'u-1', name: 'Ada' } },
    };
    const card = shown(requestCard(revoked, { showActions: false }));
    expect(card).toContain('Revoked at 2025-02-12 09:00 UTC by Ada');
    expect(card).not.toContain('no longer exists');
  });

  test('expired: its card says expired and revoked', () => {
    const expired: AccessRequest = {
      ...gone,
      state: 'revoked',
      access: { ...gone.access!, revokedAt: gone.access!.expiresAt! },
    };
    const card = shown(requestCard(expired, { showActions: false }));
    expect(card).toContain('Expired and revoked at');
    expect(card).not.toContain('no longer exists');
  });

  test('being revoked: its Term says since when', () => {
    const revoking: AccessRequest = { ...gone, access: { ...gone.access!, revokingSince: REVOKED } };
    const card = shown(requestCard(revoking, { showActions: false }));
    expect(card).toContain('being revoked since 2025-02-12 09:00 UTC');
    expect(card).not.toContain('no longer exists');
  });
});
