/**
 * The tab's words for rows without a request of the caller's: a role assignment acrbot made for
 * another tenant's request is not "outside acrbot" (tab-rows.ts hides that request, not its origin).
 */
import { askedBy, askedByKey, endText, extendInChatHint, noHistoryNote } from '../../web/src/format';
import type { Row } from '../../web/src/types';

const base: Row = {
  key: 'k',
  kind: 'grant',
  how: 'acrbot-role',
  howText: 'AcrPull role on the registry by acrbot',
  state: 'active',
  cluster: { id: '/c', name: 'aks-a', subscriptionId: 's' },
  registry: { id: '/r', name: 'acr-a' },
  approvers: [],
};

describe('rows without a request the caller may see', () => {
  test("an acrbot assignment for another tenant's request says so, not 'outside acrbot'", () => {
    expect(askedBy(base)).toBe('another tenant');
    expect(askedByKey(base)).toBe('another-tenant');
    expect(noHistoryNote(base)).toMatch(/^Granted by acrbot for another tenant's request/);
  });

  test('an assignment made outside acrbot says there is no request', () => {
    const outside: Row = { ...base, kind: 'outside', how: 'outside-role' };
    expect(askedBy(outside)).toBe('outside acrbot');
    expect(askedByKey(outside)).toBe('outside');
    expect(noHistoryNote(outside)).toBe('Granted outside acrbot: no request, approval or audit entry exists.');
  });

  test('a row with its requester names them', () => {
    expect(askedBy({ ...base, requestId: 'r-1', requester: { objectId: 'u', name: 'Ada' } })).toBe('Ada');
  });
});

describe('when a row ends', () => {
  const now = Date.parse('2026-12-01T00:00:00Z');
  test('its end date, relative to now; none without one', () => {
    expect(endText({ ...base, expiresAt: '2026-12-04T00:00:00Z' }, now)).toBe('Ends 2026-12-04 00:00 UTC (in 3 days)');
    expect(endText(base, now)).toBeUndefined();
  });
  test('once a revocation began, since when, whatever its end date says', () => {
    expect(endText({ ...base, expiresAt: '2026-12-04T00:00:00Z', revokingSince: '2026-11-30T22:00:00Z' }, now)).toBe(
      'Being revoked since 2026-11-30 22:00 UTC',
    );
  });
});

describe('the hint to extend in chat', () => {
  const mine: Row = { ...base, requestState: 'succeeded', requester: { objectId: 'me', name: 'Riley' } };
  test("shown on one's own live access the tab does not offer to extend", () => {
    expect(extendInChatHint(mine, 'me')).toBe(true);
    expect(extendInChatHint(mine, 'someone else')).toBe(false);
    expect(extendInChatHint({ ...mine, canExtend: true }, 'me')).toBe(false);
    expect(extendInChatHint({ ...mine, state: 'revoked', requestState: 'revoked' }, 'me')).toBe(false);
  });
  test('not once a revocation began: the extension would be refused', () => {
    expect(extendInChatHint({ ...mine, revokingSince: '2026-11-30T22:00:00Z' }, 'me')).toBe(false);
  });
});
